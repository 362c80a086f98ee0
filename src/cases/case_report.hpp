#pragma once
// The text `segrule test` prints for a run: one line per passing case, each
// failure with what was expected, what came out and the explain trace, then
// coverage and the closing `N passed, N failed`.

#include <optional>
#include <string>

#include "cases/case_runner.hpp"

namespace segrule {

// Whole percent of coverage units reached, rounded down (100 when there are none),
// so that 99.6% never shows as 100%.
int coverage_percent(const TestRun& run);

// True when fewer than `min_percent` percent of the units were reached (exactly, not rounded).
bool coverage_below(const TestRun& run, Decimal min_percent);

// The report; `min_coverage` is the `--min-coverage` given, if any. Ends with
// the line `N passed, N failed`.
std::string report_text(const CaseFile& cases, const TestRun& run, const std::optional<Decimal>& min_coverage);

}  // namespace segrule
