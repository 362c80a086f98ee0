#include "cases/case_report.hpp"

#include <fmt/format.h>

namespace segrule {

namespace {

// Every line of `text` with `indent` before it (empty lines stay empty).
std::string indented(std::string_view text, std::string_view indent) {
  std::string out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty()) out.append(indent);
    out.append(line);
    out += '\n';
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

int coverage_percent(const TestRun& run) {
  if (run.coverage.empty()) return 100;
  return static_cast<int>(run.reached * 100 / run.coverage.size());
}

bool coverage_below(const TestRun& run, Decimal min_percent) {
  // reached / total < min / 100, without rounding: reached * 100 < min * total.
  Decimal needed;
  if (Decimal::mul(min_percent, Decimal::from_int(static_cast<int64_t>(run.coverage.size())), needed) != DecimalStatus::ok) return true;
  return Decimal::from_int(static_cast<int64_t>(run.reached) * 100) < needed;
}

std::string report_text(const CaseFile& cases, const TestRun& run, const std::optional<Decimal>& min_coverage) {
  std::string out;
  for (size_t i = 0; i < cases.cases.size() && i < run.results.size(); ++i) {
    const TestCase& c = cases.cases[i];
    const CaseResult& r = run.results[i];
    if (r.passed) {
      out += fmt::format("ok   {}\n", c.name);
      continue;
    }
    out += fmt::format("FAIL {} (line {})\n", c.name, c.line);
    for (const Mismatch& m : r.mismatches) out += fmt::format("  {}: expected {}, actual {}\n", m.member, m.expected, m.actual);
    if (!r.explain.empty()) out += "  explain:\n" + indented(r.explain, "    ");
  }
  out += fmt::format("\ncoverage: {}/{} ({}%)\n", run.reached, run.coverage.size(), coverage_percent(run));
  if (run.reached < run.coverage.size()) {
    out += "not reached:\n";
    for (const CoverageUnit& u : run.coverage)
      if (!u.reached) out += fmt::format("  {} (line {})\n", u.what, u.line);
  }
  if (min_coverage && coverage_below(run, *min_coverage))
    out += fmt::format("coverage {}% is below --min-coverage {}%\n", coverage_percent(run), min_coverage->to_string());
  out += fmt::format("{} passed, {} failed\n", run.passed, run.failed);
  return out;
}

}  // namespace segrule
