#pragma once
// Evaluates a compiled Program over one record: lets and decisions in
// dependency order, then strategies in file order, then constraints.

#include <cstdint>
#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/eval_plan.hpp"

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

// Everything one record produced. `slots` holds inputs, lets and decisions.
struct Outcome {
  std::vector<Value> slots;
  std::vector<Value> outputs;
  std::vector<uint32_t> set_by;  // per output: strategy that set it, or kNone
  std::vector<Dropped> dropped;

  // The evaluator's own state, kept from record to record so that evaluating allocates nothing.
  // List outputs and `dropped` are rebuilt over the last record's entries: while a record
  // is evaluated their sizes are these, and evaluate() cuts the vectors to them at the end.
  std::vector<uint32_t> list_size;   // per output (lists)
  uint32_t dropped_size = 0;
  std::vector<uint64_t> in_list;  // lists of symbols: which symbols each holds (words from EvalPlan::list_bits)
  std::vector<std::vector<uint64_t>> segment_rows;  // per decision (segments): which rows matched
  std::vector<Value> scratch;    // the evaluator's working values, kept between records
  std::vector<Value> spare_texts;  // string items cut from list outputs, kept for their capacity
  // Nodes whose value depends on no record (`[platinum, gold]`, `500万 * 2`) are
  // computed once and kept in scratch: `settled` marks them, for `settled_for`.
  std::vector<uint8_t> settled;
  const EvalPlan* plan = nullptr;    // the program's (see eval_plan), set with settled_for
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
// A condition of the program's plan, as evaluate() tests it (for tests); throws EvalError.
bool eval_condition(const Program& program, const Condition& condition, Outcome& outcome);

}  // namespace segrule
