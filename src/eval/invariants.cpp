#include "eval/invariants.hpp"

#include <fmt/format.h>

namespace segrule {

std::string invariant_broken_message(const Invariant& invariant) {
  if (invariant.label.empty()) return fmt::format("invariant `{}` does not hold", invariant.name);
  return fmt::format("invariant `{}` (\"{}\") does not hold", invariant.name, invariant.label);
}

bool check_invariants(const Program& program, Outcome& outcome, EvalError& error) {
  if (program.invariants.empty()) return true;
  // Invariants read outputs through their slots.
  for (size_t i = 0; i < program.outputs.size(); ++i) assign_value(outcome.slots[program.outputs[i].slot], outcome.outputs[i]);
  for (const Invariant& invariant : program.invariants) {
    if (invariant.body == kNone) continue;
    try {
      if (!eval_condition(program, invariant.body, outcome)) {
        error = EvalError{invariant.span, invariant_broken_message(invariant)};
        return false;
      }
    } catch (EvalError& e) {
      error = std::move(e);
      return false;
    }
  }
  return true;
}

}  // namespace segrule
