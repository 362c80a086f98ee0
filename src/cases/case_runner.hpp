#pragma once
// Runs the cases of a case file against a compiled Program: builds each
// record, evaluates it with a trace, compares the result with the case's
// `expect`, and records which tier rows, segment rows, strategies, statements
// with their own `when`, and constraint drop rows the cases reached.

#include <string>
#include <vector>

#include "cases/case_file.hpp"

namespace segrule {

// One member of `expect` that did not hold, in words for the report.
struct Mismatch {
  std::string member;    // `value_tier`, `offers`, `error`
  std::string expected;  // "platinum", "to include trust_plan", "a record error containing \"aum\""
  std::string actual;    // "gold", "[time_deposit, large_cd]", "no record error"
};

struct CaseResult {
  bool passed = false;
  std::vector<Mismatch> mismatches;
  std::string explain;  // a failed case whose record could be read: its explain trace
};

// A part of the rules a case can reach, for coverage.
struct CoverageUnit {
  std::string what;  // "tiers value_tier row gold", "strategy vip_care"
  uint32_t line = 0;
  bool reached = false;
};

struct TestRun {
  std::vector<CaseResult> results;     // one per case, in file order
  std::vector<CoverageUnit> coverage;  // every unit, in file order
  size_t passed = 0;
  size_t failed = 0;
  size_t reached = 0;  // coverage units reached by at least one case
};

// Runs every case. Never throws for a case that fails or a record that is rejected.
TestRun run_cases(const Program& program, const CaseFile& cases);

// A value as the report shows it: ids for tiers, segments, enum values and
// catalog items, JSON strings for text, `money` with thousands separators and
// cents ("4,999,999.99"), lists in brackets.
std::string value_text(const Program& program, const Type& type, const Value& value);

}  // namespace segrule
