#pragma once
// Static analysis of a compiled rule file, run by `segrule check`: tier rows
// that are never reached, tiers with gaps, conditions that never hold,
// strategies that set one output differently for one record, unused
// declarations, and proofs of invariants. Each warning that a record can show
// comes with such a record, found by a solver and verified by evaluating it.
// See docs/analysis.md for what is analysed exactly and what is "not analysed".

#include <string>
#include <vector>

#include "check/program.hpp"

namespace segrule {

// One result of the analysis: a diagnostic (W07xx, W08xx, E0702) and the
// lines printed under it, such as `example: {"id":"X1",...}`.
struct Finding {
  Diagnostic diagnostic;
  std::vector<std::string> notes;
};

struct AnalysisOptions {
  bool show_pii = false;       // print `pii` fields of example records in clear
  unsigned timeout_ms = 2000;  // per solver question; one that runs out says "not analysed"
  unsigned budget_ms = 20000;  // for all questions about one file together
};

// Analyses a program that compiled without errors. Findings are located
// (file, line, column) and in source order.
std::vector<Finding> analyse(const Program& program, const AnalysisOptions& options);

// Renders findings like render_diagnostics, each followed by its notes (`= example: ...`).
std::string render_findings(const std::vector<Finding>& findings, const SourceFile* source);

}  // namespace segrule
