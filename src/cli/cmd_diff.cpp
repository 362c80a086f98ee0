// `segrule diff OLD NEW [--json] [--show-pii]`: what changed in meaning.
// Exit codes as diff(1): 0 no change in meaning, 1 changed, 2 trouble.

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

namespace {

constexpr int kDiffSame = 0;
constexpr int kDiffChanged = 1;
constexpr int kDiffTrouble = 2;

// Prints a version's diagnostics and, when it does not compile, says so.
void report_version(const std::string& path, const Diagnostics& diagnostics, const std::string& rendered) {
  fmt::print(stderr, "{}", rendered);
  if (has_errors(diagnostics)) report_compile_failure(path, diagnostics);
}

}  // namespace

int cmd_diff(const Args& args) {
  std::vector<std::string> paths;
  DiffOptions options;
  for (const std::string& a : args) {
    if (a == "--json") options.json = true;
    else if (a == "--show-pii") options.show_pii = true;
    else if (!a.empty() && a[0] == '-' && a != "-") return misuse(fmt::format("unknown option `{}` for diff", a));
    else paths.push_back(a);
  }
  if (paths.size() != 2) return misuse("diff needs two rule files: OLD NEW");
  if (paths[0] == "-" && paths[1] == "-") return misuse("diff can read only one of its files from standard input");
  std::optional<std::string> old_text = read_file(paths[0]);
  if (!old_text) return kDiffTrouble;
  std::optional<std::string> new_text = read_file(paths[1]);
  if (!new_text) return kDiffTrouble;
  DiffResult diff = diff_rules({*old_text, paths[0]}, {*new_text, paths[1]}, options);
  if (!diff.ok) {
    report_version(paths[0], diff.old_diagnostics, diff.old_rendered);
    report_version(paths[1], diff.new_diagnostics, diff.new_rendered);
    return kDiffTrouble;
  }
  fmt::print("{}", diff.report);
  return diff.changed ? kDiffChanged : kDiffSame;
}

}  // namespace segrule::cli
