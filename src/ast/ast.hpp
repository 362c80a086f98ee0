#pragma once
// The syntax tree of one rule file. An arena (`Ast::exprs_`) owns every
// expression node, so nodes point at each other with plain pointers and the
// tree is destroyed without recursion. After checking the AST is not changed:
// types and resolved names live in the compiled form (src/check/).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eval/date.hpp"
#include "eval/decimal.hpp"
#include "segrule/diagnostic.hpp"

namespace segrule {

enum class ExprKind : uint8_t {
  number,     // number literal; `unit` kept for formatting
  string,     // string literal (decoded)
  boolean,
  null,
  date,
  name,       // bare name: `aum`, `gold`
  member,     // `base.name`: an attribute (`p.risk`) or a qualified value (`product.gold`)
  list,       // `[a, b]`
  call,       // `f(a, b)`
  unary,      // `-x`, `not x`
  binary,     // arithmetic, comparison, `in`, `??`
  logical,    // `and` / `or` chains, n-ary so long chains stay shallow
  is_null,    // `x is null` / `x is not null` (negated)
  if_then,    // `if c then a else b`
  quantifier, // `all p in list: cond` / `any ...`
};

enum class Op : uint8_t {
  none, add, sub, mul, div, neg, not_, eq, ne, lt, le, gt, ge, in, not_in, coalesce, and_, or_, all, any
};

const char* op_text(Op op);

struct Expr {
  ExprKind kind = ExprKind::null;
  Op op = Op::none;
  bool negated = false;        // is_null: `is not null`
  bool parenthesized = false;  // written in `( )`: the formatter keeps the author's grouping
  Span span;
  std::string text;            // name, member name, callee, string value, number source text
  Decimal number;
  Date date;
  bool boolean = false;
  std::vector<Expr*> args;     // operands / list items / call arguments / base of member
};

// A type as written: `money`, `risk?`, `list<product>`, `enum [a, b]`.
struct TypeRef {
  Span span;
  std::string name;                   // "list" for lists, "enum" for inline enums
  std::vector<TypeRef> element;       // one element for lists
  std::vector<std::pair<std::string, std::string>> inline_values;  // (id, label) of an inline enum
  std::vector<Span> inline_spans;
  bool nullable = false;
};

struct FieldDecl {
  Span span;        // the field's name
  Span extent;      // the whole field, name to default
  std::string name;
  TypeRef type;
  bool pii = false;
  Expr* default_value = nullptr;
};

struct MetaEntry {
  Span span;
  Span extent;  // key and value
  std::string key;
  Expr* value = nullptr;
};

struct RulesetDecl {
  Span span;
  std::string name;
  std::vector<MetaEntry> entries;
};

struct EnumValue {
  Span span;
  Span extent;  // name and label
  std::string name;
  std::string label;
};

struct EnumDecl {
  Span span;
  std::string name;
  std::vector<EnumValue> values;
};

struct InputDecl {
  Span span;
  std::string name;
  std::string key;
  Span key_span;
  std::vector<FieldDecl> fields;
};

struct LetDecl {
  Span span;
  std::string name;
  Expr* value = nullptr;
};

struct Row {
  Span span;           // the row's id
  Span extent;         // the whole row, id to its last clause
  std::string id;
  std::string label;
  Expr* condition = nullptr;   // null for `otherwise`
  Expr* score = nullptr;       // segments only
};

struct DecisionDecl {
  Span span;
  std::string name;
  bool is_tiers = true;        // tiers (first match) or segments (every match)
  std::vector<Row> rows;
};

struct AttrValue {
  Span span;
  std::string name;
  Expr* value = nullptr;
};

struct CatalogItem {
  Span span;
  Span extent;  // id to the closing `}` of its values
  std::string id;
  std::string label;
  std::vector<AttrValue> values;
};

struct CatalogDecl {
  Span span;
  std::string name;
  std::vector<FieldDecl> attributes;
  std::vector<CatalogItem> items;
};

struct OutputDecl {
  Span span;
  std::vector<FieldDecl> fields;
};

enum class StatementKind : uint8_t { assign, append, offer, action };

struct Statement {
  Span span;                          // the statement without its `when`
  Span extent;                        // with its `when`
  StatementKind kind = StatementKind::assign;
  std::string target;                 // assign / append
  Span target_span;
  Expr* value = nullptr;              // assign / append / action
  std::vector<Expr*> items;           // offer: name or member expressions
  Expr* when = nullptr;
};

struct StrategyDecl {
  Span span;
  std::string name;
  std::string label;
  Expr* when = nullptr;
  std::vector<Statement> statements;
};

struct DropRow {
  Span span;  // the whole row
  Expr* when = nullptr;
  std::string reason;
};

struct ConstraintDecl {
  Span span;
  std::string name;
  std::string label;
  std::string list;
  Span list_span;
  std::string var;
  Span var_span;
  std::vector<DropRow> rows;
};

struct InvariantDecl {
  Span span;
  std::string name;
  std::string label;
  Expr* body = nullptr;
};

enum class DeclKind : uint8_t { ruleset, enum_, input, let, decision, catalog, output, strategy, constraint, invariant };

// Declarations in file order; `index` points into the vector of that kind.
struct DeclRef {
  DeclKind kind;
  uint32_t index;
  Span extent;  // the whole declaration, keyword to its last token
};

// A `#` comment. Every comment of a parsed file is in `Ast::comments`, in file order.
struct Comment {
  Span span;         // from `#` to the end of its line (line end excluded)
  std::string text;  // without the leading `#` and trailing blanks
};

class Ast {
 public:
  Expr* new_expr(ExprKind kind, Span span) {
    exprs_.push_back(std::make_unique<Expr>());
    Expr* e = exprs_.back().get();
    e->kind = kind;
    e->span = span;
    return e;
  }

  std::vector<RulesetDecl> rulesets;
  std::vector<EnumDecl> enums;
  std::vector<InputDecl> inputs;
  std::vector<LetDecl> lets;
  std::vector<DecisionDecl> decisions;
  std::vector<CatalogDecl> catalogs;
  std::vector<OutputDecl> outputs;
  std::vector<StrategyDecl> strategies;
  std::vector<ConstraintDecl> constraints;
  std::vector<InvariantDecl> invariants;
  std::vector<DeclRef> order;
  std::vector<Comment> comments;

 private:
  std::vector<std::unique_ptr<Expr>> exprs_;
};

// A stable, indented text dump of the tree for tests: one line per node.
std::string dump(const Ast& ast);
std::string dump(const Expr& expr);

}  // namespace segrule
