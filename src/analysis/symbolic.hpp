#pragma once
// A compiled Program as Z3 terms, so that questions about every possible
// record ("can this row ever match?") become satisfiability queries.
//
// Records: every input field is one or more Z3 variables, shared by name
// between programs that read the same context (two versions of a file, or
// two copies of one for `monotone`). Numbers are exact: an `int` is an Int; a
// `number` or `money` is an Int count of 10^-18 units, the engine's own
// resolution, so every model is a record the engine can read. Strings are Z3
// strings; dates are Int day counts; enums and catalog items Int indices.
//
// What cannot be represented exactly (a product of two fields, a division
// compared with a value that is not a constant...) throws NotAnalysed: the
// caller says "not analysed" for that item rather than guess.
//
// Internal to src/analysis: the rest of segrule never sees Z3.

#include <z3++.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/date.hpp"

namespace segrule::analysis {

// "1" followed by n zeros, for Z3 numerals beyond 64 bits.
inline std::string power_of_ten(int n) { return "1" + std::string(static_cast<size_t>(n), '0'); }

// Thrown when an expression is beyond the exact analysis.
struct NotAnalysed {
  Span span;
  std::string reason;
};

enum class SymKind : uint8_t { null, boolean, number, string, symbol, date, list };

struct SymList;

// num / den, kept apart so that comparing it with a constant stays linear.
// `zero` is its value when den is 0 (share); nullopt for `/`, which fails then.
struct Quotient {
  z3::expr num;
  z3::expr den;
  std::optional<z3::expr> zero;
};

// The symbolic value of an expression for one record.
struct SymValue {
  SymKind kind = SymKind::null;
  std::optional<z3::expr> term;               // Bool, Real (numbers), String, Int (symbols, dates)
  std::shared_ptr<const Quotient> quotient;   // numbers: instead of `term`
  std::shared_ptr<const SymList> list;        // lists
  uint32_t domain = kNone;                    // symbols and lists of symbols
  std::optional<z3::expr> is_null;            // nullable values
  // Strings and other scalars that are one of a few constants: (when, value).
  // Lets `"A" in products_held` and `p in products_held` look items up.
  std::vector<std::pair<z3::expr, Value>> choices;
};

struct ListEntry {
  z3::expr guard;  // the element is in the list when this holds
  SymValue element;
};

struct FieldVars;

struct SymList {
  std::vector<ListEntry> entries;  // every element, unless `open`
  FieldVars* open = nullptr;       // an input list of strings, numbers or dates: other items are unknown
  std::optional<z3::expr> count;   // Int
};

// The variables of one input field.
struct FieldVars {
  std::string name;
  Type type;
  std::vector<std::string> domain_ids;  // symbols: the values, to compare versions
  std::optional<z3::expr> value;        // scalars; lists: the item count
  z3::expr is_null;
  int64_t scale_digits = 0;             // numbers: value = value / 10^scale_digits
  // Lists: membership per item, by the item's canonical text.
  std::map<std::string, std::pair<z3::expr, Value>> members;
};

enum class Answer : uint8_t { sat, unsat, unknown };

struct CivilDate {
  z3::expr year, month, day;
};

// One Z3 context, the record variables shared by the programs translated into
// it, the facts every record considered satisfies, and the questions asked.
class SymbolicContext {
 public:
  // `timeout_ms` bounds each question, `budget_ms` all of them together: past
  // it every question is answered "unknown".
  explicit SymbolicContext(unsigned timeout_ms = 2000, unsigned budget_ms = 20000);

  z3::context& z3() { return z3_; }

  // The variables of an input field (created on first use). Throws NotAnalysed
  // when the field was seen before with another type.
  FieldVars& field(const Program& program, const InputField& field);
  // A second, independent set of variables for `field` (monotone's changed field).
  FieldVars& fresh_field(const Program& program, const InputField& field, const std::string& suffix);
  // Membership of one item in an input list (created on first use).
  z3::expr list_member(FieldVars& list, const Value& item);
  // A fact about every record considered (a required field is not null).
  void require(const z3::expr& fact) { facts_.push_back(fact); }

  // The evaluation date, `as_of`; `used_as_of` says whether any rule read it.
  z3::expr as_of();
  bool used_as_of() const { return as_of_.has_value(); }
  // Examples prefer this evaluation date, and dates before it. Call first.
  void prefer_as_of(Date date);

  // The calendar date of a day count (for `years_between`).
  CivilDate civil(const z3::expr& days);

  // Soft constraint: examples try to satisfy it (non-negative amounts, whole
  // cents...), but it never decides whether something is possible.
  void prefer(const z3::expr& condition);

  // Is `goal` satisfiable? With `model`, also finds a model that satisfies as
  // many preferences as it can, `soft` ones first.
  Answer solve(const z3::expr& goal, std::optional<z3::model>* model = nullptr, const std::vector<z3::expr>& soft = {});
  // With `goal` unsatisfiable together with all `parts`, which of them are
  // needed (an unsat core); empty when the answer is not unsat.
  std::vector<size_t> needed(const z3::expr& goal, const std::vector<z3::expr>& parts);

  // Helpers for terms.
  z3::expr real(const Decimal& d);
  z3::expr string_constant(const std::string& utf8);
  static bool numeral(const z3::expr& e, z3::expr& out);
  // A numeral's exact text: "12", "-3", "1/3".
  static std::string numeral_text(const z3::expr& numeral);

 private:
  FieldVars make_field(const Program& program, const InputField& field, const std::string& suffix);
  void add_list_axioms(z3::solver& s, std::vector<z3::expr>* preferences);
  z3::solver new_solver();
  Answer solve_with(z3::solver& solver, const z3::expr& goal, std::optional<z3::model>* model, const std::vector<z3::expr>& soft,
                    unsigned timeout_ms);

  z3::context z3_;
  z3::solver incremental_;       // holds facts_[0, synced_)
  size_t synced_ = 0;
  unsigned timeout_ms_;
  std::vector<z3::expr> facts_;  // hold for every record considered
  std::vector<std::unique_ptr<FieldVars>> fields_;
  std::map<std::string, FieldVars*> by_name_;
  std::vector<std::unique_ptr<FieldVars>> fresh_;
  std::optional<z3::expr> as_of_;
  std::map<unsigned, CivilDate> civil_;
  std::optional<Date> preferred_as_of_;
  std::vector<z3::expr> preferences_;
  std::set<unsigned> preferred_;  // ids of preferences_, each kept once
  std::chrono::steady_clock::time_point deadline_;
};

// One Program translated against a SymbolicContext. Terms are built on demand
// and memoised; every method may throw NotAnalysed.
class SymbolicProgram {
 public:
  // `overrides`: input fields read from other variables (by input index).
  SymbolicProgram(SymbolicContext& context, const Program& program, std::map<uint32_t, FieldVars*> overrides = {});

  const Program& program() const { return p_; }
  SymbolicContext& context() { return ctx_; }

  SymValue value(uint32_t node);
  z3::expr condition(uint32_t node);
  // `a OP b` for ordered values (numbers, dates, enums, tiers).
  z3::expr compare(Code op, const SymValue& a, const SymValue& b, Span span);
  z3::expr is_null(const SymValue& v);

  // Decisions.
  z3::expr row_condition(uint32_t decision, uint32_t row);  // `otherwise`: true
  z3::expr tier_index(uint32_t decision);                   // Int; -1 when no row matched
  SymValue slot_value(uint32_t slot);

  // Strategies and outputs.
  z3::expr fires(uint32_t strategy);
  z3::expr applies(uint32_t strategy, uint32_t statement);
  SymValue statement_value(uint32_t strategy, uint32_t statement);
  SymValue output(uint32_t field);  // after every strategy and constraint
  // The items of a list output as constraint `c` sees them.
  const std::vector<ListEntry>& constraint_input(uint32_t constraint);
  // Does drop row `row` of constraint `c` hold for this element?
  z3::expr drop_row(uint32_t constraint, uint32_t row, const SymValue& element);

  // Every tiers decision in `program.order` before step `before` matched (all of them by default).
  z3::expr tiers_matched(size_t before = SIZE_MAX);
  // Invariant `i` (not monotone) holds.
  z3::expr invariant(uint32_t i);
  // The record evaluates without an error that the analysis can see: accepted,
  // every tiers matched, every invariant holds. Parts beyond the analysis are
  // left out (the claim "never" stays sound; examples are verified anyway).
  z3::expr evaluates();

  // Equality of two values of one type, as `==` compares them.
  z3::expr equal(const SymValue& a, const SymValue& b, Span span);

  // The variables this program reads for input field `i`, or null if it never read it.
  FieldVars* vars_of(uint32_t input) const;

 private:
  SymValue node_value(uint32_t node);
  std::optional<z3::expr> row_test(const Node& n);
  SymValue constant(const Value& v, const Type& type);
  SymValue input(uint32_t index);
  SymValue merge(const z3::expr& cond, const SymValue& a, const SymValue& b, Span span);
  SymValue arithmetic(const Node& n, const SymValue& a, const SymValue& b);
  SymValue division(const Node& n, const SymValue& a, const SymValue& b, bool share);
  std::optional<z3::expr> piecewise_times(const z3::expr& c, const z3::expr& x);
  z3::expr member(const SymValue& list, const SymValue& item, Span span);
  SymValue number(const z3::expr& real);
  SymValue symbol(const z3::expr& index, uint32_t domain);
  const z3::expr& real_term(const SymValue& v, Span span);
  std::string text(Span span) const;
  SymValue segments_value(uint32_t decision);
  SymValue primary_value(uint32_t decision);
  std::vector<ListEntry> canonical(const Type& element, std::vector<ListEntry> entries);
  z3::expr distinct_count(const std::vector<ListEntry>& entries, Span span);

  SymbolicContext& ctx_;
  z3::context& z_;
  const Program& p_;
  std::map<uint32_t, FieldVars*> overrides_;
  std::vector<FieldVars*> input_vars_;
  std::map<uint32_t, SymValue> slots_;
  std::map<uint32_t, NotAnalysed> failed_slots_;
  std::vector<std::pair<uint32_t, SymValue>> locals_;
  std::map<uint32_t, SymValue> outputs_;
  std::map<uint32_t, NotAnalysed> failed_outputs_;
  std::map<uint32_t, std::vector<ListEntry>> constraint_inputs_;
};

}  // namespace segrule::analysis
