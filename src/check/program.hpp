#pragma once
// The compiled form of a checked rule file: every name resolved to a slot or a
// domain value, every expression typed. Immutable after compile(), so one
// Program serves any number of threads.

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.hpp"
#include "eval/value.hpp"
#include "source.hpp"

namespace segrule {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

enum class BaseType : uint8_t { error, null, boolean, int_, number, money, string, date, symbol, list };

struct Type {
  BaseType base = BaseType::error;
  BaseType element = BaseType::error;  // lists: the element's base type
  uint32_t domain = kNone;             // symbols (and lists of symbols): which domain
  bool nullable = false;

  static Type of(BaseType b, bool nullable = false) { return {b, BaseType::error, kNone, nullable}; }
  static Type symbol(uint32_t domain, bool nullable = false) { return {BaseType::symbol, BaseType::error, domain, nullable}; }
  static Type list_of(Type element) { return {BaseType::list, element.base, element.domain, false}; }
  Type element_type() const { return {element, BaseType::error, domain, false}; }
  Type non_null() const {
    Type t = *this;
    t.nullable = false;
    return t;
  }
  bool is_numeric() const { return base == BaseType::int_ || base == BaseType::number || base == BaseType::money; }
};

enum class DomainKind : uint8_t { enum_, tiers, segments, output_enum, catalog };

// A named set of values: an enum, the rows of a tiers or segments, an output's
// inline enum, or a catalog's items.
struct Domain {
  DomainKind kind = DomainKind::enum_;
  std::string name;
  std::vector<std::string> ids;
  std::vector<std::string> labels;
  std::unordered_map<std::string, uint32_t> index;
  uint32_t catalog = kNone;  // catalogs: index into Program::catalogs
  Span span;                 // the declaration (inline enums: the type)
  std::vector<Span> spans;   // each value's name

  bool ordered() const { return kind == DomainKind::enum_ || kind == DomainKind::tiers || kind == DomainKind::output_enum; }
  // Position in ascending order, 1-based: tiers list their highest row first.
  int64_t rank(uint32_t value) const {
    return kind == DomainKind::tiers ? static_cast<int64_t>(ids.size() - value) : static_cast<int64_t>(value) + 1;
  }
  uint32_t find(const std::string& id) const {
    auto it = index.find(id);
    return it == index.end() ? kNone : it->second;
  }
};

enum class Code : uint8_t {
  constant, slot, local, attribute, neg, not_, add, sub, mul, div, eq, ne, lt, le, gt, ge, in, not_in,
  coalesce, and_, or_, if_then, is_null, is_not_null, make_list, min, max, abs, round, share, rank, count,
  days_between, years_between, starts_with, contains, list_contains, symbol_text, all, any
};

// One node of a compiled expression; children are indices into Program::nodes.
struct Node {
  Code code = Code::constant;
  Type type;
  Span span;
  uint32_t slot = kNone;       // slot / local / attribute index / quantifier local
  uint32_t domain = kNone;     // comparisons of symbols and rank(): the domain
  Value constant;
  std::vector<uint32_t> args;
};

// `output` slots hold an output's final value while invariants are checked.
enum class SlotKind : uint8_t { input, let, tiers, segments, primary, as_of, local, output };

struct Slot {
  SlotKind kind = SlotKind::input;
  std::string name;
  Type type;
  Span span;
  uint32_t decl = kNone;   // input field / let / decision index
};

struct InputField {
  std::string name;
  Type type;
  bool pii = false;
  bool has_default = false;
  Value default_value;
  uint32_t slot = kNone;
};

struct CompiledRow {
  std::string id;
  std::string label;
  Span span;
  uint32_t condition = kNone;  // kNone: `otherwise`
  uint32_t score = kNone;
};

struct Decision {
  std::string name;
  bool is_tiers = true;
  Span span;
  uint32_t domain = kNone;
  uint32_t slot = kNone;
  uint32_t primary_slot = kNone;  // segments with a score: NAME_primary
  std::vector<CompiledRow> rows;
};

struct Let {
  std::string name;
  Span span;
  uint32_t value = kNone;
  uint32_t slot = kNone;
};

struct Catalog {
  std::string name;
  uint32_t domain = kNone;
  std::vector<std::string> attributes;
  std::vector<Type> attribute_types;
  std::vector<std::vector<Value>> values;  // values[item][attribute]
};

struct OutputField {
  std::string name;
  Type type;
  bool has_default = false;
  Value initial;  // the default, or null / the empty list
  Span span;
  uint32_t slot = kNone;  // where invariants read the final value
};

enum class StatementKindC : uint8_t { assign, append };

struct CompiledStatement {
  StatementKindC kind = StatementKindC::assign;
  uint32_t field = kNone;       // output field
  uint32_t value = kNone;       // expression; a list-typed value appends each item
  uint32_t when = kNone;
  Span span;
};

struct Strategy {
  std::string name;
  std::string label;
  Span span;
  uint32_t when = kNone;
  std::vector<CompiledStatement> statements;
};

struct DropRule {
  uint32_t when = kNone;
  std::string reason;
  Span span;
};

struct Constraint {
  std::string name;
  std::string label;
  Span span;
  uint32_t field = kNone;  // the list output filtered
  uint32_t local = kNone;  // slot of the item variable
  std::vector<DropRule> rows;
};

// `invariant ID "label" { EXPR }`: a bool expression over inputs, lets,
// decisions and outputs that must hold for every record; or
// `monotone(DECISION, FIELD)`: more of FIELD, other fields equal, never gives a lower tier.
struct Invariant {
  std::string name;
  std::string label;
  Span span;
  uint32_t body = kNone;               // the condition; kNone for monotone
  uint32_t monotone_decision = kNone;  // decision index
  uint32_t monotone_field = kNone;     // input index
  Span body_span;
};

struct Metadata {
  std::string name;
  std::string title;
  std::string version;
  std::string effective;
  std::string owner;
};

// Step of the per-record evaluation order: a let or a decision, in dependency order.
struct Step {
  bool is_let = true;
  uint32_t index = 0;
};

struct EvalPlan;  // src/eval/eval_plan.hpp

struct Program {
  Metadata metadata;
  std::shared_ptr<const SourceFile> source;
  std::vector<Domain> domains;
  std::vector<Slot> slots;
  std::vector<Node> nodes;
  std::vector<InputField> inputs;
  std::string input_name;
  uint32_t key_field = kNone;   // index into inputs
  uint32_t as_of_slot = kNone;
  std::vector<Let> lets;
  std::vector<Decision> decisions;
  std::vector<Catalog> catalogs;
  std::vector<OutputField> outputs;
  std::vector<Strategy> strategies;
  std::vector<Constraint> constraints;
  std::vector<Invariant> invariants;
  std::vector<Step> order;
  std::unordered_map<std::string, uint32_t> input_index;  // field name -> inputs index

  // The evaluator's tables for this program (src/eval/eval_plan.hpp), built on
  // the first evaluation and then shared by every thread: see eval_plan().
  mutable std::once_flag eval_plan_once;
  mutable std::shared_ptr<const EvalPlan> eval_plan;
};

}  // namespace segrule
