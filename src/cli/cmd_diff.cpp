// `segrule diff OLD NEW [--json] [--show-pii]`: what changed in meaning.
// Exit codes as diff(1): 0 no change in meaning, 1 changed, 2 trouble.

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "diff/diff.hpp"

namespace segrule::cli {

namespace {

constexpr int kDiffSame = 0;
constexpr int kDiffChanged = 1;
constexpr int kDiffTrouble = 2;

// Reads and compiles one version, printing its diagnostics when it fails.
bool load_version(const std::string& path, RuleVersion& version) {
  std::string text, error;
  if (!read_file(path, text, error)) {
    fmt::print(stderr, "segrule: {}\n", error);
    return false;
  }
  Diagnostics diagnostics;
  if (compile_version(path, std::move(text), version, diagnostics)) return true;
  fmt::print(stderr, "{}", render_diagnostics(diagnostics, version.source.get()));
  size_t errors = 0;
  for (const auto& d : diagnostics) errors += d.severity == Severity::error;
  fmt::print(stderr, "segrule: `{}` does not compile: {} error{}\n", path, errors, errors == 1 ? "" : "s");
  return false;
}

}  // namespace

int cmd_diff(const Args& args) {
  std::vector<std::string> paths;
  bool json = false;
  DiffOptions options;
  for (const std::string& a : args) {
    if (a == "--json") json = true;
    else if (a == "--show-pii") options.show_pii = true;
    else if (!a.empty() && a[0] == '-' && a != "-") return misuse(fmt::format("unknown option `{}` for diff", a));
    else paths.push_back(a);
  }
  if (paths.size() != 2) return misuse("diff needs two rule files: OLD NEW");
  if (paths[0] == "-" && paths[1] == "-") return misuse("diff can read only one of its files from standard input");
  RuleVersion old_version, new_version;
  bool ok = load_version(paths[0], old_version);
  ok = load_version(paths[1], new_version) && ok;
  if (!ok) return kDiffTrouble;
  SemanticDiff diff = diff_versions(old_version, new_version, options);
  std::string out = json ? diff_json(diff, paths[0], paths[1]) : diff_text(diff);
  fmt::print("{}", out);
  return diff.changed_meaning() ? kDiffChanged : kDiffSame;
}

}  // namespace segrule::cli
