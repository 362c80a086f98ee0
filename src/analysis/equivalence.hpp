#pragma once
// Whether one decision means the same in two versions of a rule file: proved
// equivalent, or a record on which the results differ (verified by evaluating
// it with both programs), or "not analysed" with the reason.

#include <cstdint>
#include <string>

#include "check/program.hpp"

namespace segrule {

enum class Verdict : uint8_t { equivalent, differs, not_analysed };

struct DecisionComparison {
  Verdict verdict = Verdict::not_analysed;
  std::string example;                 // differs: one JSON record (pii masked unless show_pii), verified with both programs
  std::string old_result, new_result;  // differs: the decision's value under each, as in result JSON
  std::string reason;                  // not_analysed: why (e.g. "`aum * age` multiplies two values that are not constants")
  std::string as_of;                   // differs: the evaluation date (YYYY-MM-DD) the example needs; empty when no rule reads `as_of`
};

// Compares decision `name` (a tiers or segments present in both) of two compiled programs.
// Records are analysed over the union of both input schemas.
DecisionComparison compare_decision(const Program& old_program, const Program& new_program, const std::string& name, bool show_pii);

}  // namespace segrule
