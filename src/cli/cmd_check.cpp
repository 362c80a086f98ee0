// `segrule check FILE... [--show-pii] [--no-analysis]`: diagnostics for each
// rule file, then (when it compiles) the findings of the static analysis.

#include <fmt/format.h>

#include <algorithm>

#include "analysis/analysis.hpp"
#include "check/checker.hpp"
#include "cli/cli.hpp"

namespace segrule::cli {

int cmd_check(const Args& args) {
  AnalysisOptions options;
  bool analysis = true;
  std::vector<std::string> paths;
  for (const std::string& arg : args) {
    if (arg == "--show-pii") options.show_pii = true;
    else if (arg == "--no-analysis") analysis = false;
    else if (!arg.empty() && arg[0] == '-' && arg != "-") return misuse(fmt::format("unknown option `{}` for check", arg));
    else paths.push_back(arg);
  }
  if (paths.empty()) return misuse("check needs at least one rule file");
  int worst = kOk;
  for (const std::string& path : paths) {
    std::string text, error;
    if (!read_file(path, text, error)) {
      fmt::print(stderr, "segrule: {}\n", error);
      worst = std::max(worst, kMisuse);
      continue;
    }
    auto source = std::make_shared<SourceFile>(path, std::move(text));
    Diagnostics diagnostics;
    auto program = compile_source(source, diagnostics);
    std::vector<Finding> findings;
    for (Diagnostic& d : diagnostics) findings.push_back(Finding{std::move(d), {}});
    if (program && analysis) {
      std::vector<Finding> more = analyse(*program, options);
      findings.insert(findings.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) { return a.diagnostic.span.begin < b.diagnostic.span.begin; });
    }
    size_t errors = 0, warnings = 0;
    for (const Finding& f : findings) (f.diagnostic.severity == Severity::error ? errors : warnings)++;
    fmt::print(stderr, "{}", render_findings(findings, source.get()));
    if (errors == 0)
      fmt::print("{}: ok ({} warning{})\n", path, warnings, warnings == 1 ? "" : "s");
    else
      fmt::print(stderr, "{}: {} error{}, {} warning{}\n", path, errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (errors) worst = std::max(worst, kCompileError);
  }
  return worst;
}

}  // namespace segrule::cli
