#include "analysis/report.hpp"

#include <fmt/format.h>

namespace segrule::analysis {

Finding finding(Severity severity, const char* code, Span span, std::string message, std::string help, std::vector<std::string> notes) {
  Finding f;
  f.diagnostic.severity = severity;
  f.diagnostic.code = code;
  f.diagnostic.span = span;
  f.diagnostic.message = std::move(message);
  f.diagnostic.help = std::move(help);
  f.notes = std::move(notes);
  return f;
}

Finding not_analysed(Span span, const std::string& what, const std::string& reason) {
  return finding(Severity::warning, "W0705", span, fmt::format("{} was not analysed", what), reason);
}

Finding not_analysed(Span span, const std::string& what, const NotAnalysed& e, const Program& program) {
  std::string reason = e.reason;
  if (program.source && e.span.end > 0 && program.source->line_of(e.span.begin) != program.source->line_of(span.begin))
    reason += fmt::format(" (line {})", program.source->line_of(e.span.begin));
  return not_analysed(span, what, reason);
}

std::string gave_up(const AnalysisOptions& options) {
  return fmt::format("the solver found no answer in time ({} ms per question, {} s per file)", options.timeout_ms, options.budget_ms / 1000);
}

std::string because(const std::string& claim, const RecordRun& run) {
  std::string trouble = run_trouble(run);
  return trouble.empty() ? claim : fmt::format("{} ({})", claim, trouble);
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += fmt::format("`{}`", names[i]);
  }
  return out;
}

}  // namespace segrule::analysis
