#pragma once
// The checks of the analysis, each appending findings (see analysis.hpp).

#include <vector>

#include "analysis/analysis.hpp"
#include "analysis/symbolic.hpp"

namespace segrule::analysis {

// W0701–W0705: rows, gaps, conditions that never hold, conflicting strategies.
void rule_warnings(SymbolicProgram& program, const AnalysisOptions& options, std::vector<Finding>& out);

// W0801–W0804: lets, enum values, catalog items and outputs that nothing uses.
void unused_warnings(const Program& program, std::vector<Finding>& out);

// E0702 (an invariant does not hold, with a record that breaks it) and W0705.
void invariant_findings(SymbolicProgram& program, const AnalysisOptions& options, std::vector<Finding>& out);

}  // namespace segrule::analysis
