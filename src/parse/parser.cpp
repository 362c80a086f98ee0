#include "parse/parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/grammar.hpp"
#include "grammar/messages.hpp"
#include "parse/number_literal.hpp"
#include "utf8.hpp"

namespace segrule {

namespace pegtl = tao::pegtl;
namespace g = grammar;
using Node = pegtl::parse_tree::node;

namespace {

// clang-format off
template <typename Rule>
using selector = pegtl::parse_tree::selector<Rule,
    pegtl::parse_tree::store_content::on<
        g::identifier, g::string_body, g::date_body, g::number_body, g::true_lit, g::false_lit, g::null_lit,
        g::op_neg, g::op_not, g::op_mul, g::op_div, g::op_add, g::op_sub, g::op_eq, g::op_ne, g::op_le, g::op_ge,
        g::op_lt, g::op_gt, g::op_in, g::op_not_in, g::op_is_null, g::op_is_not_null, g::quant_all, g::quant_any,
        g::plus_equals, g::pii_mark, g::nullable_mark, g::otherwise_mark,
        g::list_lit, g::call, g::member, g::if_expr, g::quantifier, g::paren_expr,
        g::ruleset_decl, g::enum_decl, g::input_decl, g::let_decl, g::tiers_decl, g::segments_decl, g::catalog_decl,
        g::output_decl, g::strategy_decl, g::constraint_decl, g::invariant_decl,
        g::meta_entry, g::enum_value, g::field_decl, g::key_clause, g::default_value, g::tier_row, g::segment_row,
        g::when_clause, g::segment_when, g::strategy_when, g::statement_when, g::drop_when, g::score_clause,
        g::catalog_item, g::catalog_attr, g::attr_value, g::offer_stmt, g::offer_item, g::action_stmt,
        g::assign_stmt, g::statement, g::drop_row, g::reason_clause, g::list_type, g::inline_enum, g::type,
        g::field_type>,
    pegtl::parse_tree::fold_one::on<
        g::coalesce_expr, g::or_expr, g::and_expr, g::not_expr, g::cmp_expr, g::add_expr, g::mul_expr,
        g::unary_expr, g::operand, g::postfix_expr>>;
// clang-format on

constexpr std::array<const char*, 11> kDeclarationKeywords = {
    "ruleset", "enum", "input", "let", "tiers", "segments", "catalog", "output", "strategy", "constraint", "invariant"};

bool is_blank_byte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

bool is_ident_byte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Builds AST nodes from the selected parse tree of one declaration.
class Builder {
 public:
  Builder(const SourceFile& source, Ast& ast, Diagnostics& diagnostics, const ParseLimits& limits)
      : source_(source), ast_(ast), diagnostics_(diagnostics), limits_(limits) {}

  void declaration(const Node& n) {
    if (n.is_type<g::ruleset_decl>()) ruleset(n);
    else if (n.is_type<g::enum_decl>()) enum_decl(n);
    else if (n.is_type<g::input_decl>()) input(n);
    else if (n.is_type<g::let_decl>()) let(n);
    else if (n.is_type<g::tiers_decl>() || n.is_type<g::segments_decl>()) decision(n);
    else if (n.is_type<g::catalog_decl>()) catalog(n);
    else if (n.is_type<g::output_decl>()) output(n);
    else if (n.is_type<g::strategy_decl>()) strategy(n);
    else if (n.is_type<g::constraint_decl>()) constraint(n);
    else if (n.is_type<g::invariant_decl>()) invariant(n);
  }

 private:
  Span span(const Node& n) const {
    uint32_t begin = offset(n.m_begin.data);
    uint32_t end = n.has_content() ? offset(n.m_end.data) : begin;
    if (!n.has_content() && !n.children.empty()) end = span(*n.children.back()).end;
    return {begin, std::max(begin, trim_blanks(begin, end))};
  }

  // Token rules swallow the blanks and comments after them; a span ends at the
  // last character of its last token.
  uint32_t trim_blanks(uint32_t begin, uint32_t end) const {
    std::string_view t = source_.text();
    const std::vector<Comment>& comments = ast_.comments;
    while (end > begin) {
      if (is_blank_byte(t[end - 1])) {
        --end;
        continue;
      }
      // Inside a comment? Comments are sorted, so the candidate is the last one starting before `end`.
      auto after = std::upper_bound(comments.begin(), comments.end(), end - 1,
                                    [](uint32_t at, const Comment& cm) { return at < cm.span.begin; });
      if (after == comments.begin() || end > std::prev(after)->span.end) break;
      end = std::prev(after)->span.begin;
    }
    return end;
  }
  uint32_t offset(const char* p) const { return static_cast<uint32_t>(p - source_.text().data()); }

  void error(const char* code, Span at, std::string message, std::string help = {}) {
    Diagnostic d;
    d.code = code;
    d.span = at;
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics_.push_back(std::move(d));
  }

  std::string text(const Node& n) const { return std::string(n.string_view()); }

  // The optional label `"..."` that follows a name; returns the index after it.
  size_t label_at(const Node& n, size_t i, std::string& label) {
    if (i < n.children.size() && n.children[i]->is_type<g::string_body>()) {
      label = string_value(*n.children[i]);
      return i + 1;
    }
    return i;
  }

  std::string string_value(const Node& n) {
    std::string_view raw = n.string_view();
    raw = raw.substr(1, raw.size() - 2);
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out += raw[i];
        continue;
      }
      char c = raw[++i];
      if (c == 'n') out += '\n';
      else if (c == 't') out += '\t';
      else if (c == 'u') {
        size_t close = raw.find('}', i);
        uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(raw.substr(i + 2, close - i - 2)), nullptr, 16));
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          uint32_t at = offset(raw.data() + i - 1);
          error("E0004", {at, offset(raw.data() + close + 1)}, fmt::format("`\\u{{{:X}}}` is not a Unicode character", cp),
                "use a code point up to 10FFFF that is not a surrogate");
          cp = 0xFFFD;
        }
        append_utf8(out, cp);
        i = close;
      } else out += c;
    }
    return out;
  }


  // ---- declarations ---------------------------------------------------------
  void ruleset(const Node& n) {
    RulesetDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& entry = *n.children[i];
      MetaEntry m;
      m.span = span(*entry.children[0]);
      m.extent = span(entry);
      m.key = text(*entry.children[0]);
      m.value = expr(*entry.children[1]);
      d.entries.push_back(std::move(m));
    }
    push(n, DeclKind::ruleset, ast_.rulesets, std::move(d));
  }

  void enum_decl(const Node& n) {
    EnumDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) d.values.push_back(enum_value(*n.children[i]));
    push(n, DeclKind::enum_, ast_.enums, std::move(d));
  }

  EnumValue enum_value(const Node& n) {
    EnumValue v;
    v.span = span(*n.children[0]);
    v.extent = span(n);
    v.name = text(*n.children[0]);
    label_at(n, 1, v.label);
    return v;
  }

  void input(const Node& n) {
    InputDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::key_clause>()) {
        d.key = text(*c.children[0]);
        d.key_span = span(*c.children[0]);
      } else {
        d.fields.push_back(field(c));
      }
    }
    push(n, DeclKind::input, ast_.inputs, std::move(d));
  }

  FieldDecl field(const Node& n) {
    FieldDecl f;
    f.span = span(*n.children[0]);
    f.extent = span(n);
    f.name = text(*n.children[0]);
    f.type = type(*n.children[1]);
    for (size_t i = 2; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::pii_mark>()) f.pii = true;
      else if (c.is_type<g::default_value>()) f.default_value = expr(*c.children[0]);
    }
    return f;
  }

  TypeRef type(const Node& n) {
    TypeRef t;
    t.span = span(n);
    const Node& base = *n.children[0];
    if (base.is_type<g::list_type>()) {
      t.name = "list";
      t.element.push_back(type(*base.children[0]));
    } else if (base.is_type<g::inline_enum>()) {
      t.name = "enum";
      for (const auto& v : base.children) {
        EnumValue ev = enum_value(*v);
        t.inline_values.emplace_back(ev.name, ev.label);
        t.inline_spans.push_back(ev.span);
      }
    } else {
      t.name = text(base);
      t.span = span(base);
    }
    t.nullable = n.children.size() > 1 && n.children[1]->is_type<g::nullable_mark>();
    return t;
  }

  void let(const Node& n) {
    LetDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    d.value = expr(*n.children[1]);
    push(n, DeclKind::let, ast_.lets, std::move(d));
  }

  void decision(const Node& n) {
    DecisionDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    d.is_tiers = n.is_type<g::tiers_decl>();
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& r = *n.children[i];
      Row row;
      row.span = span(*r.children[0]);
      row.extent = span(r);
      row.id = text(*r.children[0]);
      for (size_t k = label_at(r, 1, row.label); k < r.children.size(); ++k) {
        const Node& c = *r.children[k];
        if (c.is_type<g::score_clause>()) row.score = expr(*c.children[0]);
        else if (!c.is_type<g::otherwise_mark>()) row.condition = expr(*c.children[0]);
      }
      d.rows.push_back(std::move(row));
    }
    push(n, DeclKind::decision, ast_.decisions, std::move(d));
  }

  void catalog(const Node& n) {
    CatalogDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<g::catalog_attr>()) {
        d.attributes.push_back(field(c));
        continue;
      }
      CatalogItem item;
      item.span = span(*c.children[0]);
      item.extent = span(c);
      item.id = text(*c.children[0]);
      for (size_t k = label_at(c, 1, item.label); k < c.children.size(); ++k) {
        const Node& v = *c.children[k];
        item.values.push_back({span(*v.children[0]), text(*v.children[0]), expr(*v.children[1])});
      }
      d.items.push_back(std::move(item));
    }
    push(n, DeclKind::catalog, ast_.catalogs, std::move(d));
  }

  void output(const Node& n) {
    OutputDecl d;
    d.span = {offset(n.m_begin.data), offset(n.m_begin.data) + 6};
    for (const auto& c : n.children) d.fields.push_back(field(*c));
    push(n, DeclKind::output, ast_.outputs, std::move(d));
  }

  void strategy(const Node& n) {
    StrategyDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    size_t i = label_at(n, 1, d.label);
    d.when = expr(*n.children[i]->children[0]);
    for (++i; i < n.children.size(); ++i) d.statements.push_back(statement(*n.children[i]));
    push(n, DeclKind::strategy, ast_.strategies, std::move(d));
  }

  Statement statement(const Node& n) {
    Statement s;
    const Node& body = *n.children[0];
    s.span = span(body);
    s.extent = span(n);
    if (body.is_type<g::offer_stmt>()) {
      s.kind = StatementKind::offer;
      for (const auto& item : body.children) {
        Expr* e = ast_.new_expr(ExprKind::name, span(*item->children[0]));
        e->text = text(*item->children[0]);
        if (item->children.size() > 1) {
          const Node& m = *item->children[1]->children[0];
          Expr* q = ast_.new_expr(ExprKind::member, {e->span.begin, span(m).end});
          q->text = text(m);
          q->args.push_back(e);
          e = q;
        }
        s.items.push_back(e);
      }
    } else if (body.is_type<g::action_stmt>()) {
      s.kind = StatementKind::action;
      s.value = expr(*body.children[0]);
    } else {
      s.target = text(*body.children[0]);
      s.target_span = span(*body.children[0]);
      bool append = body.children[1]->is_type<g::plus_equals>();
      s.kind = append ? StatementKind::append : StatementKind::assign;
      s.value = expr(*body.children[append ? 2 : 1]);
    }
    if (n.children.size() > 1) s.when = expr(*n.children[1]->children[0]);
    return s;
  }

  void constraint(const Node& n) {
    ConstraintDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    size_t i = label_at(n, 1, d.label);
    d.list = text(*n.children[i]);
    d.list_span = span(*n.children[i]);
    d.var = text(*n.children[i + 1]);
    d.var_span = span(*n.children[i + 1]);
    for (i += 2; i < n.children.size(); ++i) {
      const Node& r = *n.children[i];
      DropRow row;
      row.span = span(r);
      row.when = expr(*r.children[0]->children[0]);
      row.reason = string_value(*r.children[1]->children[0]);
      d.rows.push_back(std::move(row));
    }
    push(n, DeclKind::constraint, ast_.constraints, std::move(d));
  }

  void invariant(const Node& n) {
    InvariantDecl d;
    d.span = span(*n.children[0]);
    d.name = text(*n.children[0]);
    size_t i = label_at(n, 1, d.label);
    d.body = expr(*n.children[i]);
    push(n, DeclKind::invariant, ast_.invariants, std::move(d));
  }

  template <typename T>
  void push(const Node& n, DeclKind kind, std::vector<T>& list, T&& decl) {
    ast_.order.push_back({kind, static_cast<uint32_t>(list.size()), span(n)});
    list.push_back(std::move(decl));
  }

  // ---- expressions ----------------------------------------------------------
  // Depth is bounded before we get here (bracket nesting is pre-scanned and
  // operator chains are loops), so this recursion is shallow.
  // Operator chains (`a + b + c ...`, `- - x`) are built as loops but still
  // stack up in the tree, so a whole expression's depth is bounded here.
  Expr* expr(const Node& n) {
    Expr* e = build(n);
    std::vector<std::pair<const Expr*, uint32_t>> stack{{e, 1}};
    uint32_t deepest = 0;
    while (!stack.empty()) {
      auto [x, depth] = stack.back();
      stack.pop_back();
      deepest = std::max(deepest, depth);
      for (const Expr* a : x->args) stack.push_back({a, depth + 1});
    }
    if (deepest > limits_.max_expression_depth) {
      error("E0007", e->span, fmt::format("expression has operators stacked {} deep, more than the limit of {}", deepest, limits_.max_expression_depth),
            "split the expression into `let` declarations");
      e = ast_.new_expr(ExprKind::null, e->span);
    }
    return e;
  }

  Expr* build(const Node& n) {
    Span s = span(n);
    if (n.is_type<g::number_body>()) return number(n);
    if (n.is_type<g::string_body>()) {
      Expr* e = ast_.new_expr(ExprKind::string, s);
      e->text = string_value(n);
      return e;
    }
    if (n.is_type<g::date_body>()) {
      Expr* e = ast_.new_expr(ExprKind::date, s);
      e->text = text(n);
      if (auto d = parse_date(e->text)) e->date = *d;
      else error("E0006", s, fmt::format("`{}` is not a valid calendar date", e->text), "write a real date as YYYY-MM-DD, e.g. 2025-02-28");
      return e;
    }
    if (n.is_type<g::true_lit>() || n.is_type<g::false_lit>()) {
      Expr* e = ast_.new_expr(ExprKind::boolean, s);
      e->boolean = n.is_type<g::true_lit>();
      return e;
    }
    if (n.is_type<g::null_lit>()) return ast_.new_expr(ExprKind::null, s);
    if (n.is_type<g::identifier>()) {
      Expr* e = ast_.new_expr(ExprKind::name, s);
      e->text = text(n);
      return e;
    }
    if (n.is_type<g::paren_expr>()) {  // the parentheses belong to the expression's span
      Expr* e = build(*n.children[0]);
      e->span = s;
      e->parenthesized = true;
      return e;
    }
    if (n.is_type<g::list_lit>()) {
      Expr* e = ast_.new_expr(ExprKind::list, s);
      for (const auto& c : n.children) e->args.push_back(build(*c));
      return e;
    }
    if (n.is_type<g::call>()) {
      Expr* e = ast_.new_expr(ExprKind::call, s);
      e->text = text(*n.children[0]);
      for (size_t i = 1; i < n.children.size(); ++i) e->args.push_back(build(*n.children[i]));
      return e;
    }
    if (n.is_type<g::postfix_expr>() || n.is_type<g::operand>()) {
      Expr* e = build(*n.children[0]);
      for (size_t i = 1; i < n.children.size(); ++i) {
        const Node& m = *n.children[i]->children[0];
        Expr* q = ast_.new_expr(ExprKind::member, {e->span.begin, span(m).end});
        q->text = text(m);
        q->args.push_back(e);
        e = q;
      }
      return e;
    }
    if (n.is_type<g::unary_expr>() || n.is_type<g::not_expr>()) {
      Expr* e = build(*n.children.back());
      for (size_t i = n.children.size() - 1; i-- > 0;) {
        Expr* u = ast_.new_expr(ExprKind::unary, {span(*n.children[i]).begin, e->span.end});
        u->op = n.children[i]->is_type<g::op_neg>() ? Op::neg : Op::not_;
        u->args.push_back(e);
        e = u;
      }
      return e;
    }
    if (n.is_type<g::mul_expr>() || n.is_type<g::add_expr>()) {
      Expr* e = build(*n.children[0]);
      for (size_t i = 1; i + 1 < n.children.size(); i += 2) {
        Expr* rhs = build(*n.children[i + 1]);
        Expr* b = ast_.new_expr(ExprKind::binary, {e->span.begin, rhs->span.end});
        b->op = binary_op(*n.children[i]);
        b->args = {e, rhs};
        e = b;
      }
      return e;
    }
    if (n.is_type<g::cmp_expr>()) {
      Expr* lhs = build(*n.children[0]);
      const Node& op = *n.children[1];
      if (op.is_type<g::op_is_null>() || op.is_type<g::op_is_not_null>()) {
        Expr* e = ast_.new_expr(ExprKind::is_null, {lhs->span.begin, span(op).end});
        e->negated = op.is_type<g::op_is_not_null>();
        e->args.push_back(lhs);
        return e;
      }
      Expr* rhs = build(*n.children[2]);
      Expr* e = ast_.new_expr(ExprKind::binary, {lhs->span.begin, rhs->span.end});
      e->op = binary_op(op);
      e->args = {lhs, rhs};
      return e;
    }
    if (n.is_type<g::and_expr>() || n.is_type<g::or_expr>()) {
      Expr* e = ast_.new_expr(ExprKind::logical, s);
      e->op = n.is_type<g::and_expr>() ? Op::and_ : Op::or_;
      for (const auto& c : n.children) e->args.push_back(build(*c));
      e->span = {e->args.front()->span.begin, e->args.back()->span.end};
      return e;
    }
    if (n.is_type<g::coalesce_expr>()) {
      // `a ?? b ?? c` reads as `a ?? (b ?? c)`: the first non-null wins.
      Expr* e = build(*n.children.back());
      for (size_t i = n.children.size() - 1; i-- > 0;) {
        Expr* lhs = build(*n.children[i]);
        Expr* b = ast_.new_expr(ExprKind::binary, {lhs->span.begin, e->span.end});
        b->op = Op::coalesce;
        b->args = {lhs, e};
        e = b;
      }
      return e;
    }
    if (n.is_type<g::if_expr>()) {
      Expr* e = ast_.new_expr(ExprKind::if_then, s);
      for (const auto& c : n.children) e->args.push_back(build(*c));
      e->span.end = e->args.back()->span.end;
      return e;
    }
    if (n.is_type<g::quantifier>()) {
      Expr* e = ast_.new_expr(ExprKind::quantifier, s);
      e->op = n.children[0]->is_type<g::quant_all>() ? Op::all : Op::any;
      e->text = text(*n.children[1]);
      e->args.push_back(build(*n.children[2]));
      e->args.push_back(build(*n.children[3]));
      e->span.end = e->args.back()->span.end;
      return e;
    }
    // A node we did not select cannot reach here; keep the tree well-formed anyway.
    return ast_.new_expr(ExprKind::null, s);
  }

  static Op binary_op(const Node& n) {
    if (n.is_type<g::op_add>()) return Op::add;
    if (n.is_type<g::op_sub>()) return Op::sub;
    if (n.is_type<g::op_mul>()) return Op::mul;
    if (n.is_type<g::op_div>()) return Op::div;
    if (n.is_type<g::op_eq>()) return Op::eq;
    if (n.is_type<g::op_ne>()) return Op::ne;
    if (n.is_type<g::op_lt>()) return Op::lt;
    if (n.is_type<g::op_le>()) return Op::le;
    if (n.is_type<g::op_gt>()) return Op::gt;
    if (n.is_type<g::op_ge>()) return Op::ge;
    if (n.is_type<g::op_in>()) return Op::in;
    return Op::not_in;
  }

  Expr* number(const Node& n) {
    Span s = span(n);
    Expr* e = ast_.new_expr(ExprKind::number, s);
    e->text = text(n);
    std::string_view t = e->text;
    size_t digit_count = 0;
    for (char c : t) digit_count += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    if (digit_count > limits_.max_literal_digits) {
      error("E0008", s, fmt::format("number literal has {} digits, more than the limit of {}", digit_count, limits_.max_literal_digits),
            "a number holds at most 20 digits before the point and 18 after it");
      return e;
    }
    const std::string range_help = "numbers hold at most 20 digits before the point and 18 after it";
    size_t unit_begin = number_unit_begin(t);
    switch (parse_number_literal(t, e->number)) {
      case NumberLiteralStatus::ok: break;
      case NumberLiteralStatus::too_precise: {
        std::string_view digits = t.substr(0, unit_begin);
        size_t fraction_digits = 0;
        for (char c : digits.substr(digits.find('.') + 1)) fraction_digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
        error("E0602", s, fmt::format("number `{}` has {} digits after the point, more than 18", e->text, fraction_digits),
              "exact decimals keep 18 digits after the point");
        break;
      }
      case NumberLiteralStatus::malformed:
        error("E0005", s, fmt::format("malformed number `{}`", e->text), "`_` may only stand between two digits, as in `1_000_000`");
        break;
      case NumberLiteralStatus::bad_unit:
        error("E0005", {static_cast<uint32_t>(s.begin + unit_begin), s.end},
              fmt::format("invalid number unit `{}` in `{}`", t.substr(unit_begin), e->text),
              number_literal_help(NumberLiteralStatus::bad_unit, t));
        break;
      case NumberLiteralStatus::out_of_range:
        error("E0602", s, fmt::format("number `{}` is out of range", e->text), range_help);
        break;
    }
    return e;
  }

  const SourceFile& source_;
  Ast& ast_;
  Diagnostics& diagnostics_;
  const ParseLimits& limits_;
};

// Deepest bracket nesting, found before parsing so that a hostile file cannot
// drive the recursive-descent parser into a stack overflow.
bool check_nesting(const SourceFile& source, const ParseLimits& limits, Diagnostics& diagnostics) {
  std::string_view t = source.text();
  uint32_t depth = 0;
  for (size_t i = source.content_begin(); i < t.size(); ++i) {
    char c = t[i];
    if (c == '#') {
      while (i < t.size() && t[i] != '\n') ++i;
    } else if (c == '"') {
      for (++i; i < t.size() && t[i] != '"' && t[i] != '\n'; ++i)
        if (t[i] == '\\') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > limits.max_nesting) {
        Diagnostic d;
        d.code = "E0007";
        d.span = {static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)};
        d.message = fmt::format("brackets nested more than {} levels deep", limits.max_nesting);
        d.help = "split the expression into `let` declarations";
        diagnostics.push_back(std::move(d));
        return false;
      }
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

// Every `#` comment outside string literals, in file order. Strings cannot
// span lines, so a line-oriented scan finds them exactly as the grammar does.
std::vector<Comment> collect_comments(std::string_view t, size_t begin) {
  std::vector<Comment> comments;
  for (size_t i = begin; i < t.size(); ++i) {
    if (t[i] == '"') {
      for (++i; i < t.size() && t[i] != '"' && t[i] != '\n'; ++i)
        if (t[i] == '\\') ++i;
      continue;
    }
    if (t[i] != '#') continue;
    size_t line_end = std::min(t.find('\n', i), t.size());
    size_t end = line_end > i + 1 && t[line_end - 1] == '\r' ? line_end - 1 : line_end;
    size_t text_end = end;
    while (text_end > i + 1 && is_blank_byte(t[text_end - 1])) --text_end;
    comments.push_back({{static_cast<uint32_t>(i), static_cast<uint32_t>(end)}, std::string(t.substr(i + 1, text_end - i - 1))});
    i = line_end;
  }
  return comments;
}

// Where to resume after a syntax error: the start of the next line that begins
// with a declaration keyword.
size_t resume_point(std::string_view t, size_t error_at, size_t declaration_start) {
  // The error may sit on the first word of the next declaration (a `}` missing
  // at the end of the previous one): resume right there.
  for (const char* kw : kDeclarationKeywords) {
    size_t len = std::strlen(kw);
    size_t line_start = t.rfind('\n', error_at == 0 ? 0 : error_at - 1);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    bool first_on_line = t.substr(line_start, error_at - line_start).find_first_not_of(" \t") == std::string_view::npos;
    if (error_at > declaration_start && first_on_line && t.compare(error_at, len, kw) == 0 &&
        (error_at + len >= t.size() || !is_ident_byte(static_cast<unsigned char>(t[error_at + len]))))
      return error_at;
  }
  size_t i = t.find('\n', error_at);
  while (i != std::string_view::npos) {
    size_t p = i + 1;
    while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r')) ++p;
    for (const char* kw : kDeclarationKeywords) {
      size_t len = std::strlen(kw);
      if (t.compare(p, len, kw) == 0 && (p + len >= t.size() || !is_ident_byte(static_cast<unsigned char>(t[p + len]))))
        return p;
    }
    i = t.find('\n', p);
  }
  return t.size();
}

size_t skip_blank(std::string_view t, size_t pos) {
  while (pos < t.size()) {
    char c = t[pos];
    if (c == '#') {
      while (pos < t.size() && t[pos] != '\n') ++pos;
    } else if (is_blank_byte(c)) {
      ++pos;
    } else {
      break;
    }
  }
  return pos;
}

// A missing token is reported just after the last token before it, not on
// the next line where the parser noticed: `}` missing after the last row.
size_t caret_position(std::string_view t, size_t at) {
  size_t p = at;
  while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '\r' || t[p - 1] == '\n')) --p;
  if (p == at || t.substr(p, at - p).find('\n') == std::string_view::npos) return at;
  // Only when that line does not end in a comment, which would put the caret inside it.
  size_t line_start = t.rfind('\n', p == 0 ? 0 : p - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  if (t.substr(line_start, p - line_start).find('#') != std::string_view::npos) return at;
  return p;
}

// When the parser stopped on a reserved word, say so: `let when = ...`.
std::string keyword_help(std::string_view t, size_t at) {
  static constexpr const char* kReserved[] = {"ruleset", "enum", "input", "key", "let", "tiers", "segments", "catalog", "output",
      "strategy", "constraint", "invariant", "when", "otherwise", "score", "offer", "action", "on", "as", "drop", "reason", "if",
      "then", "else", "and", "or", "not", "in", "true", "false", "null", "is", "pii", "all", "any"};
  size_t end = at;
  while (end < t.size() && is_ident_byte(static_cast<unsigned char>(t[end]))) ++end;
  std::string_view word = t.substr(at, end - at);
  for (const char* kw : kReserved)
    if (word == kw) return fmt::format("`{}` is a reserved word and cannot be used as a name", word);
  return {};
}

Diagnostic syntax_error(uint32_t at, std::string message, std::string help = {}) {
  Diagnostic d;
  d.code = "E0001";
  d.span = {at, at + 1};
  d.message = std::move(message);
  d.help = std::move(help);
  return d;
}

// Text at the error spot that does not start a declaration: explain what can.
Diagnostic unknown_declaration(std::string_view t, size_t at) {
  size_t end = at;
  while (end < t.size() && is_ident_byte(static_cast<unsigned char>(t[end]))) ++end;
  std::string word(t.substr(at, end - at));
  Diagnostic d = syntax_error(static_cast<uint32_t>(at),
                              word.empty() ? "expected a declaration" : fmt::format("expected a declaration, found `{}`", word));
  d.span.end = static_cast<uint32_t>(std::max(end, at + 1));
  std::vector<std::string> keywords(kDeclarationKeywords.begin(), kDeclarationKeywords.end());
  std::string guess = word.empty() ? std::string() : closest_name(word, keywords);
  if (!guess.empty())
    d.help = fmt::format("did you mean `{}`?", guess);
  else
    d.help = "a declaration starts with `ruleset`, `enum`, `input`, `let`, `tiers`, `segments`, `catalog`, `output`, `strategy`, `constraint` or `invariant`";
  return d;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3 + 1)) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(name, c);
    if (d < best_distance || (d == best_distance && !best.empty() && c < best)) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::unique_ptr<Ast> parse_source(const SourceFile& source, Diagnostics& diagnostics, const ParseLimits& limits) {
  auto ast = std::make_unique<Ast>();
  std::string_view t = source.text();
  if (t.size() > limits.max_file_bytes) {
    Diagnostic d = syntax_error(0, fmt::format("rule file is {} bytes, more than the limit of {}", t.size(), limits.max_file_bytes));
    d.code = "E0010";
    diagnostics.push_back(std::move(d));
    return ast;
  }
  if (size_t bad = find_invalid_utf8(t); bad != std::string_view::npos) {
    uint32_t line = source.line_of(static_cast<uint32_t>(bad));
    Diagnostic d = syntax_error(static_cast<uint32_t>(bad),
                                fmt::format("invalid UTF-8 byte 0x{:02x} at line {}, byte column {}", static_cast<unsigned char>(t[bad]), line,
                                            bad - source.line_begin(line) + 1));
    d.code = "E0002";
    d.help = "save the file as UTF-8";
    diagnostics.push_back(std::move(d));
    return ast;
  }
  if (!check_nesting(source, limits, diagnostics)) return ast;
  ast->comments = collect_comments(t, source.content_begin());

  Builder builder(source, *ast, diagnostics, limits);
  size_t pos = source.content_begin();
  while ((pos = skip_blank(t, pos)) < t.size()) {
    pegtl::memory_input<> in(t.data() + pos, t.data() + t.size(), source.name(), pos, 1, 1);
    try {
      auto root = pegtl::parse_tree::parse<g::one_declaration, Node, selector, pegtl::nothing,
                                           g::control>(in);
      size_t next = static_cast<size_t>(in.current() - t.data());
      if (root && !root->children.empty()) {
        builder.declaration(*root->children.front());
        pos = next;
        continue;
      }
      diagnostics.push_back(unknown_declaration(t, next));
      pos = resume_point(t, next, pos);
    } catch (const pegtl::parse_error& e) {
      size_t at = e.positions().empty() ? pos : e.positions().front().byte;
      Diagnostic d = syntax_error(static_cast<uint32_t>(caret_position(t, at)), std::string(e.message()));
      // A reserved word where a name was expected: say so.
      if (d.message.find("name") != std::string::npos || d.message.find("values") != std::string::npos) d.help = keyword_help(t, at);
      diagnostics.push_back(std::move(d));
      pos = resume_point(t, at, pos);
    }
  }
  return ast;
}

}  // namespace segrule
