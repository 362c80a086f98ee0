// The tools of include/segrule/tools.hpp over the internal stages.

#include "segrule/tools.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "analysis/analysis.hpp"
#include "api/ruleset_impl.hpp"
#include "cases/case_file.hpp"
#include "check/checker.hpp"
#include "cases/case_report.hpp"
#include "cases/case_runner.hpp"
#include "diff/diff.hpp"
#include "diff/version.hpp"
#include "fmt/formatter.hpp"
#include "fmt/line_diff.hpp"

namespace segrule {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The lines a reader sees: without the byte order mark and without `\r` line ends.
std::vector<std::string_view> visible_lines(std::string_view text) {
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) text.remove_prefix(kByteOrderMark.size());
  std::vector<std::string_view> lines = split_lines(text);
  for (auto& line : lines)
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return lines;
}

// `--- FILE` / `+++ FILE (formatted)`, the hunks, then what the lines cannot
// show (byte order mark, line ends) as `\ ` notes, as diff(1) marks a missing
// final newline.
std::string check_report(std::string_view path, std::string_view original, std::string_view formatted) {
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
  out += unified_hunks(visible_lines(original), split_lines(formatted));
  if (original.substr(0, kByteOrderMark.size()) == kByteOrderMark) out += "\\ the byte order mark is removed\n";
  if (original.find("\r\n") != std::string_view::npos) out += "\\ CRLF line ends become LF\n";
  if (!original.empty() && original.back() != '\n') out += "\\ no newline at end of file\n";
  return out;
}

Date today_utc() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date{static_cast<int32_t>(days.time_since_epoch().count())};
}

bool parse_percentage(std::string_view text, Decimal& out) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  return Decimal::parse(text, out) == DecimalStatus::ok && out.sign() >= 0 && out <= Decimal::from_int(100);
}

}  // namespace

bool is_percentage(std::string_view text) {
  Decimal unused;
  return parse_percentage(text, unused);
}

CheckResult check_rules(const RuleText& rules, const CheckOptions& options) {
  CheckResult result;
  auto source = std::make_shared<SourceFile>(std::string(rules.name), std::string(rules.text));
  Diagnostics diagnostics;
  auto program = compile_source(source, diagnostics);
  std::vector<Finding> findings;
  for (Diagnostic& d : diagnostics) findings.push_back(Finding{std::move(d), {}});
  if (program && options.analysis) {
    AnalysisOptions analysis;
    analysis.show_pii = options.show_pii;
    std::vector<Finding> more = analyse(*program, analysis);
    findings.insert(findings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& a, const Finding& b) { return a.diagnostic.span.begin < b.diagnostic.span.begin; });
  }
  result.compiles = program != nullptr;
  result.rendered = render_findings(findings, source.get());
  for (Finding& f : findings) {
    (f.diagnostic.severity == Severity::error ? result.errors : result.warnings)++;
    f.diagnostic.notes = std::move(f.notes);
    result.diagnostics.push_back(std::move(f.diagnostic));
  }
  source->locate(result.diagnostics);
  return result;
}

FormatResult format_rules(std::string_view text, std::string_view file_name) {
  FormatResult result;
  SourceFile source{std::string(file_name), std::string(text)};
  result.ok = format_source(source, result.text, result.diagnostics);
  source.locate(result.diagnostics);
  result.rendered = render_diagnostics(result.diagnostics, &source);
  if (!result.ok) return result;
  result.changed = result.text != text;
  if (result.changed) result.check_report = check_report(file_name, text, result.text);
  return result;
}

DiffResult diff_rules(const RuleText& old_rules, const RuleText& new_rules, const DiffOptions& options) {
  DiffResult result;
  RuleVersion old_version, new_version;
  auto compile = [](const RuleText& rules, RuleVersion& version, Diagnostics& diagnostics, std::string& rendered) {
    bool ok = compile_version(std::string(rules.name), std::string(rules.text), version, diagnostics);
    if (version.source) {
      version.source->locate(diagnostics);
      rendered = render_diagnostics(diagnostics, version.source.get());
    }
    return ok;
  };
  bool old_ok = compile(old_rules, old_version, result.old_diagnostics, result.old_rendered);
  bool new_ok = compile(new_rules, new_version, result.new_diagnostics, result.new_rendered);
  result.ok = old_ok && new_ok;
  if (!result.ok) return result;
  SemanticDiff diff = diff_versions(old_version, new_version, SemanticDiffOptions{options.show_pii});
  result.report = options.json ? diff_json(diff, std::string(old_rules.name), std::string(new_rules.name)) : diff_text(diff);
  result.changed = diff.changed_meaning();
  return result;
}

CaseRunResult run_case_file(const Ruleset& rules, const RuleText& cases, const CaseRunOptions& options) {
  CaseRunResult result;
  std::optional<Decimal> min_coverage;
  if (!options.min_coverage.empty()) {
    Decimal percent;
    if (!parse_percentage(options.min_coverage, percent)) {
      result.rendered = "error: the minimum coverage must be a percentage from 0 to 100, not `" + options.min_coverage + "`\n";
      return result;
    }
    min_coverage = percent;
  }
  const Program& program = *rules.impl()->program;
  CaseFile file;
  result.ok = read_case_file(program, std::string(cases.name), cases.text, today_utc(), file, result.diagnostics);
  result.rendered = render_case_file_diagnostics(result.diagnostics);
  if (!result.ok) return result;
  TestRun run = run_cases(program, file);
  result.report = report_text(file, run, min_coverage);
  result.passed = run.passed;
  result.failed = run.failed;
  result.below_min_coverage = min_coverage && coverage_below(run, *min_coverage);
  return result;
}

}  // namespace segrule
