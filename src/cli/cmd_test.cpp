// `segrule test FILE CASES.yaml [--min-coverage PCT]`: runs an analyst's case
// file against a rule file. Exit 0 when every case passed (and coverage is at
// least PCT), 1 when a case failed, coverage is below PCT or the rules do not
// compile, 2 for misuse, an unreadable file or a malformed case file.

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

int cmd_test(const Args& args) {
  std::string rules, cases_path;
  CaseRunOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--min-coverage") {
      if (i + 1 >= args.size()) return misuse("--min-coverage needs a percentage from 0 to 100");
      if (!is_percentage(args[++i]))
        return misuse(fmt::format("--min-coverage takes a percentage from 0 to 100, not `{}`", args[i]));
      options.min_coverage = args[i];
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
  std::optional<Ruleset> ruleset = load_rules(rules, status);
  if (!ruleset) return status;
  std::optional<std::string> text = read_file(cases_path);
  if (!text) return kMisuse;
  CaseRunResult run = run_case_file(*ruleset, {*text, cases_path}, options);
  fmt::print(stderr, "{}", run.rendered);
  if (!run.ok) {
    size_t errors = 0;
    for (const Diagnostic& d : run.diagnostics) errors += d.severity == Severity::error;
    fmt::print(stderr, "segrule: `{}` is not a valid case file: {} error{}; no case was run\n", cases_path, errors, errors == 1 ? "" : "s");
    return kMisuse;
  }
  fmt::print("{}", run.report);
  return run.success() ? kOk : kCompileError;
}

}  // namespace segrule::cli
