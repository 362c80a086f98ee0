#include "analysis/analysis.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/report.hpp"
#include "analysis/symbolic.hpp"
#include "analysis/warnings.hpp"

namespace segrule {

std::vector<Finding> analyse(const Program& program, const AnalysisOptions& options) {
  std::vector<Finding> out;
  analysis::unused_warnings(program, out);
  try {
    analysis::SymbolicContext context(options.timeout_ms, options.budget_ms);
    if (auto effective = parse_date(program.metadata.effective)) context.prefer_as_of(*effective);
    analysis::SymbolicProgram symbolic(context, program);
    analysis::rule_warnings(symbolic, options, out);
    analysis::invariant_findings(symbolic, options, out);
  } catch (const z3::exception& e) {
    // The solver failed as a whole (out of memory, say): say what was not done.
    out.push_back(analysis::not_analysed({}, "the rest of the file", fmt::format("the solver stopped: {}", e.msg())));
  } catch (const std::exception& e) {
    out.push_back(analysis::not_analysed({}, "the rest of the file", fmt::format("the analysis stopped: {}", e.what())));
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.diagnostic.span.begin < b.diagnostic.span.begin; });
  if (program.source) {
    Diagnostics located;
    for (const Finding& f : out) located.push_back(f.diagnostic);
    program.source->locate(located);
    for (size_t i = 0; i < out.size(); ++i) out[i].diagnostic = std::move(located[i]);
  }
  return out;
}

std::string render_findings(const std::vector<Finding>& findings, const SourceFile* source) {
  std::string out;
  for (const Finding& f : findings) {
    out += render_diagnostics({f.diagnostic}, source);
    std::string pad = source != nullptr && f.diagnostic.line > 0 ? std::string(std::to_string(f.diagnostic.line).size(), ' ') : " ";
    for (const std::string& note : f.notes) out += fmt::format("{} = {}\n", pad, note);
  }
  return out;
}

}  // namespace segrule
