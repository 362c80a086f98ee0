#pragma once
// Evaluates a compiled Program over one record: lets and decisions in
// dependency order, then strategies in file order, then constraints.

#include <cstdint>
#include <string>
#include <vector>

#include "check/program.hpp"

namespace segrule {

// An evaluation error for one record (division by zero, overflow, no tier
// matched); the batch goes on with the next record.
struct EvalError {
  Span span;
  std::string message;
};

struct Dropped {
  uint32_t field = kNone;       // the list output
  Value item;
  uint32_t constraint = kNone;
  uint32_t row = kNone;         // drop row that removed it
};

// Optional record of what happened, for `explain` and coverage.
struct Trace {
  std::vector<uint32_t> tier_row;                  // per decision: matched row (tiers) or kNone
  std::vector<std::vector<bool>> segment_matched;  // per decision: each row (segments)
  std::vector<bool> strategy_fired;
  std::vector<std::vector<bool>> statement_applied;
  std::vector<std::vector<bool>> statement_overridden;
};

// One side of a one-step test, read without evaluating a node: a slot, a
// constant, an attribute of the catalog item in a slot (`p.min_aum`), or the
// rank() of a slot or of such an attribute.
struct FusedOperand {
  enum class From : uint8_t { slot, constant, attribute, rank_of_slot, rank_of_attribute };
  From from = From::slot;
  uint32_t slot = kNone;             // slot, attribute: the slot read
  uint32_t symbol = 0;               // constant symbols
  uint32_t attribute = 0;            // attribute: its index in the catalog
  const Decimal* number = nullptr;   // constant numbers, in the Program's node
  const Catalog* catalog = nullptr;  // attribute
  const Domain* ranked = nullptr;    // rank_of_*: the domain ranked
};

// A condition the evaluator takes in one step instead of walking its operands:
// a comparison of two operands as above (`aum >= 500万`, `credit_rating >= BBB`,
// `rank(p.risk) > rank(risk_level)`), or a symbol slot in a list of constant
// symbols (`value_tier in [platinum, gold]`), or a symbol in the list a slot
// holds (`x in products`), looked up in a bitmap when the list is a segments
// decision's (`savings in customer_type`). Derived from a Program's nodes
// once per Outcome (see Outcome::fused).
struct FusedTest {
  // The first two are the common shapes of the next two (a slot against a constant), taken without
  // looking at where the operands come from.
  enum class Kind : uint8_t {
    number_slot_vs_constant, symbol_slot_vs_constant, numbers, symbols, symbol_in_set, symbol_in_list, symbol_in_segments,
    ranks  // `rank(p.risk) > rank(risk_level)`: both sides rank_of_*, compared as integers
  };
  Kind kind = Kind::numbers;
  // The comparison (eq ... ge, on numbers or on symbol positions in their domain) as a mask:
  // bit 0 holds when left < right, bit 1 when equal, bit 2 when greater.
  uint8_t accept = 0;
  bool negate = false;       // symbol_in_*: `not in`
  FusedOperand left, right;  // symbol_in_set: left only; symbol_in_list: right is the list's slot;
                             // symbol_in_segments: right.slot is the segments decision's index
  uint64_t set = 0;          // symbol_in_set: bit i for symbol i (domains of up to 64 values)
};

// Strategies by a tier or segment row their `when` cannot hold without: the
// guard `value_tier == gold`, `value_tier in [platinum, gold]` or
// `savings in customer_type`, alone or as a leading part of an `and`. Per
// record only the strategies guarded by a row that matched, and those with no
// guard, are tested, in file order as before: with many strategies most
// `when`s are never looked at.
struct StrategyGuards {
  std::vector<uint64_t> unguarded;  // bit s: strategy s has no guard and is always tested
  struct ByRow {
    uint32_t decision = 0;
    std::vector<std::vector<uint32_t>> strategies;  // per row of the decision: the strategies it guards
  };
  std::vector<ByRow> decisions;  // only the decisions that guard something
};

// A let of the form `op(slot, slot)` with a number result (`share(time_deposits, aum)`,
// `loans / aum`), computed without walking its nodes. Derived once per Outcome.
struct DirectLet {
  uint8_t code = 0;             // Code::add ... Code::share; 0: not direct
  uint32_t left = 0, right = 0;  // the operand slots
};

// Everything one record produced. `slots` holds inputs, lets and decisions.
struct Outcome {
  std::vector<Value> slots;
  std::vector<Value> outputs;
  std::vector<uint32_t> set_by;  // per output: strategy that set it, or kNone
  std::vector<Dropped> dropped;
  std::vector<std::vector<uint64_t>> in_list;  // per list output of symbols: which symbols it holds
  std::vector<std::vector<uint64_t>> segment_rows;  // per decision (segments): which rows matched
  std::vector<Value> scratch;    // the evaluator's working values, kept between records
  // Nodes whose value depends on no record (`[platinum, gold]`, `500万 * 2`) are
  // computed once and kept in scratch: `settled` marks them, for `settled_for`.
  std::vector<uint8_t> settled;
  std::vector<FusedTest> fused;      // the conditions that can be tested in one step
  std::vector<uint32_t> fused_at;    // per node: its index in `fused`, or kNone
  StrategyGuards guards;
  std::vector<DirectLet> direct_lets;  // per let
  std::vector<uint64_t> candidates;  // per record: the strategies to test (see StrategyGuards)
  const Program* settled_for = nullptr;
};

// Prepares an Outcome for `program`: slots sized, outputs at their initial values.
void reset_outcome(const Program& program, Outcome& outcome);

// Evaluates with the input slots of `outcome` already filled (see record.hpp).
// Returns false and fills `error` when the record cannot be evaluated.
bool evaluate(const Program& program, Outcome& outcome, EvalError& error, Trace* trace = nullptr);

// Evaluates one expression node against the slots; throws EvalError.
Value eval_node(const Program& program, uint32_t node, std::vector<Value>& slots);
// The same for a condition, with the outcome's scratch (no allocation); throws EvalError.
bool eval_condition(const Program& program, uint32_t node, Outcome& outcome);

}  // namespace segrule
