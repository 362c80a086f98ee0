// `segrule check FILE... [--show-pii] [--no-analysis]`: diagnostics for each
// rule file, then (when it compiles) the findings of the static analysis.

#include <fmt/format.h>

#include <algorithm>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

int cmd_check(const Args& args) {
  CheckOptions options;
  std::vector<std::string> paths;
  for (const std::string& arg : args) {
    if (arg == "--show-pii") options.show_pii = true;
    else if (arg == "--no-analysis") options.analysis = false;
    else if (!arg.empty() && arg[0] == '-' && arg != "-") return misuse(fmt::format("unknown option `{}` for check", arg));
    else paths.push_back(arg);
  }
  if (paths.empty()) return misuse("check needs at least one rule file");
  int worst = kOk;
  for (const std::string& path : paths) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
      worst = std::max(worst, kMisuse);
      continue;
    }
    CheckResult result = check_rules({*text, path}, options);
    size_t errors = result.errors, warnings = result.warnings;
    fmt::print(stderr, "{}", result.rendered);
    if (errors == 0)
      fmt::print("{}: ok ({} warning{})\n", path, warnings, warnings == 1 ? "" : "s");
    else
      fmt::print(stderr, "{}: {} error{}, {} warning{}\n", path, errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (errors) worst = std::max(worst, kCompileError);
  }
  return worst;
}

}  // namespace segrule::cli
