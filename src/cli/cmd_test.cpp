// `segrule test FILE CASES.yaml [--min-coverage PCT]`: runs an analyst's case
// file against a rule file. Exit 0 when every case passed (and coverage is at
// least PCT), 1 when a case failed, coverage is below PCT or the rules do not
// compile, 2 for misuse, an unreadable file or a malformed case file.

#include <fmt/format.h>

#include "cases/case_file.hpp"
#include "cases/case_report.hpp"
#include "cli/cli.hpp"

namespace segrule::cli {

namespace {

// `95`, `92.5` or `95%`: a percentage from 0 to 100.
bool parse_percent(std::string text, Decimal& out) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  return Decimal::parse(text, out) == DecimalStatus::ok && out.sign() >= 0 && out <= Decimal::from_int(100);
}

}  // namespace

int cmd_test(const Args& args) {
  std::string rules, cases_path;
  std::optional<Decimal> min_coverage;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--min-coverage") {
      Decimal pct;
      if (i + 1 >= args.size()) return misuse("--min-coverage needs a percentage from 0 to 100");
      if (!parse_percent(args[++i], pct))
        return misuse(fmt::format("--min-coverage takes a percentage from 0 to 100, not `{}`", args[i]));
      min_coverage = pct;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for test", a));
    } else if (rules.empty()) {
      rules = a;
    } else if (cases_path.empty()) {
      cases_path = a;
    } else {
      return misuse(fmt::format("unexpected argument `{}`: test takes a rule file and a case file", a));
    }
  }
  if (rules.empty() || cases_path.empty()) return misuse("test needs a rule file and a case file: segrule test FILE CASES.yaml");

  int status = kOk;
  auto program = load_rules(rules, status);
  if (!program) return status;

  std::string text, error;
  if (!read_file(cases_path, text, error)) {
    fmt::print(stderr, "segrule: {}\n", error);
    return kMisuse;
  }
  CaseFile cases;
  Diagnostics diagnostics;
  bool ok = read_case_file(*program, cases_path, text, today(), cases, diagnostics);
  fmt::print(stderr, "{}", render_case_file_diagnostics(diagnostics));
  if (!ok) {
    size_t errors = 0;
    for (const Diagnostic& d : diagnostics) errors += d.severity == Severity::error;
    fmt::print(stderr, "segrule: `{}` is not a valid case file: {} error{}; no case was run\n", cases_path, errors, errors == 1 ? "" : "s");
    return kMisuse;
  }

  TestRun run = run_cases(*program, cases);
  fmt::print("{}", report_text(cases, run, min_coverage));
  bool below = min_coverage && coverage_below(run, *min_coverage);
  return run.failed > 0 || below ? kCompileError : kOk;
}

}  // namespace segrule::cli
