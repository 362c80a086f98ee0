// The tools of include/segrule/tools.hpp over the internal stages.

#include "segrule/tools.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <istream>
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
#include "eval/evaluator.hpp"
#include "eval/json_reader.hpp"
#include "explain/account.hpp"
#include "explain/record_lookup.hpp"
#include "diff/version.hpp"
#include "fmt/formatter.hpp"
#include "impact/impact.hpp"
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

// Renders the account of a record whose slots are filled (`fits`) or whose problem is known.
Explanation account_of(const Program& p, bool fits, std::vector<Value> slots, const RecordProblem& problem, Date as_of,
                       const EvalOptions& options, bool as_json) {
  ExplainOptions explain_options{options.show_pii, true};
  explain::Account account = fits ? explain::build_account(p, std::move(slots), explain_options)
                                  : explain::record_error_account(p, problem, as_of);
  Explanation result;
  result.ok = true;
  result.account = as_json ? explain::render_json(p, account, true) + "\n" : explain::render_text(p, account);
  result.rejected = account.failure.has_value();
  return result;
}

std::optional<Date> as_of_of(const EvalOptions& options, Explanation& result) {
  if (options.as_of.empty()) return today_utc();
  auto date = parse_date(options.as_of);
  if (!date) result.error = fmt::format("`{}` is not a valid as_of date: write it as YYYY-MM-DD", options.as_of);
  return date;
}

}  // namespace

Explanation explain_record(const Ruleset& rules, std::string_view record_json, const EvalOptions& options, bool as_json) {
  const Program& p = *rules.impl()->program;
  Explanation result;
  auto as_of = as_of_of(options, result);
  if (!as_of) return result;
  // Text that is not JSON is a mistake of the caller, not a record to explain.
  auto parsed = parse_json(record_json, JsonLimits{RecordLimits{}.max_depth, RecordLimits{}.max_record_bytes});
  if (auto* bad = std::get_if<JsonError>(&parsed)) {
    result.error = fmt::format("the record is not valid JSON: at column {}: {}", bad->offset + 1, bad->message);
    return result;
  }
  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots[p.as_of_slot] = Value::of_date(*as_of);
  RecordProblem problem;
  bool fits = record_from_json_value(p, std::get<JsonValue>(parsed), outcome.slots, problem);
  return account_of(p, fits, std::move(outcome.slots), problem, *as_of, options, as_json);
}

Explanation explain_key(const Ruleset& rules, std::string_view input, InputFormat format, std::string_view key,
                        std::string_view input_name, const EvalOptions& options, bool as_json) {
  const Program& p = *rules.impl()->program;
  Explanation result;
  auto as_of = as_of_of(options, result);
  if (!as_of) return result;
  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots[p.as_of_slot] = Value::of_date(*as_of);
  FoundRecord found = find_record(p, input, format, key, RecordLimits{}, outcome.slots);
  const std::string& key_name = p.inputs[p.key_field].name;
  if (!found.found) {
    std::string unreadable =
        found.unreadable ? fmt::format(" ({} record{} could not be read)", found.unreadable, found.unreadable == 1 ? "" : "s") : "";
    result.error = fmt::format("no record in `{}` has {} `{}`{}", input_name, key_name, key, unreadable);
    return result;
  }
  result = account_of(p, found.fits, std::move(outcome.slots), found.problem, *as_of, options, as_json);
  if (found.matches > 1)
    result.note = fmt::format("{} records in `{}` have {} `{}`; explaining the first, at line {}", found.matches, input_name,
                              key_name, key, found.line);
  return result;
}

ImpactResult impact(const Ruleset& old_rules, const Ruleset& new_rules, std::istream& input, const ImpactRequest& request) {
  ImpactResult result;
  ImpactOptions options;
  options.show_pii = request.show_pii;
  if (request.as_of.empty()) {
    options.as_of = today_utc();
  } else if (auto date = parse_date(request.as_of)) {
    options.as_of = *date;
  } else {
    result.error = fmt::format("`{}` is not a valid as_of date: write it as YYYY-MM-DD", request.as_of);
    return result;
  }
  const Program& new_program = *new_rules.impl()->program;
  std::string key_field = new_program.key_field == kNone ? std::string() : new_program.inputs[new_program.key_field].name;
  RecordStream stream(input, request.format, options.limits, 1 << 16, key_field);
  ImpactReport report = run_impact(*old_rules.impl()->program, *new_rules.impl()->program, stream, options);
  result.read = report.read;
  if (stream.failed()) {
    result.error = fmt::format("reading `{}` failed after {} records: {}", request.input_name, report.read, std::strerror(errno));
    return result;
  }
  ImpactSources sources{old_rules.info().file, new_rules.info().file, request.input_name, to_string(options.as_of)};
  result.report = request.report == ReportFormat::json  ? impact_json(report, sources)
                  : request.report == ReportFormat::csv ? impact_csv(report)
                                                        : impact_text(report, sources);
  result.changed = report.changed || report.failed_old_only.count || report.failed_new_only.count;
  result.ok = true;
  return result;
}

bool is_valid_date(std::string_view text) { return parse_date(text).has_value(); }

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
