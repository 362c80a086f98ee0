// `segrule fmt FILE... [--check | --write]`: rule files in the canonical layout
// (docs/fmt.md). Without a flag the formatted text goes to stdout, file after
// file; --check prints a unified diff for each file that is not formatted and
// exits 1; --write rewrites the files that change, atomically, and names them.
// A file with syntax errors is never formatted: its diagnostics go to stderr.

#include <algorithm>

#include <fmt/format.h>

#include "cli.hpp"
#include "output_file.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

namespace {

constexpr int kNotFormatted = kCompileError;  // --check: some file is not in the canonical layout

enum class Mode { print, check, write };

}  // namespace

int cmd_fmt(const Args& args) {
  Mode mode = Mode::print;
  std::vector<std::string> paths;
  for (const std::string& arg : args) {
    if (arg == "--check" || arg == "--write") {
      Mode wanted = arg == "--check" ? Mode::check : Mode::write;
      if (mode != Mode::print && mode != wanted) return misuse("fmt takes --check or --write, not both");
      mode = wanted;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return misuse(fmt::format("unknown option `{}` for fmt", arg));
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty()) return misuse("fmt needs at least one rule file (`-` reads standard input)");
  if (mode == Mode::write && std::find(paths.begin(), paths.end(), "-") != paths.end())
    return misuse("fmt --write cannot rewrite standard input; leave out --write to print the formatted text");

  int worst = kOk;
  for (const std::string& path : paths) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
      worst = std::max(worst, kMisuse);
      continue;
    }
    FormatResult result = format_rules(*text, path);
    if (!result.ok) {
      size_t errors = 0;
      for (const auto& d : result.diagnostics) errors += d.severity == Severity::error;
      fmt::print(stderr, "{}segrule: `{}` is not formatted: {} syntax error{}\n", result.rendered, path, errors,
                 errors == 1 ? "" : "s");
      worst = std::max(worst, kCompileError);
      continue;
    }
    const std::string& formatted = result.text;
    switch (mode) {
      case Mode::print: fmt::print("{}", formatted); break;
      case Mode::check:
        if (result.changed) {
          fmt::print("{}", result.check_report);
          worst = std::max(worst, kNotFormatted);
        }
        break;
      case Mode::write:
        if (!result.changed) break;
        if (std::string error; !write_file_atomically(path, formatted, error)) {
          fmt::print(stderr, "segrule: {}\n", error);
          worst = std::max(worst, kMisuse);
          break;
        }
        fmt::print("{}\n", path);
        break;
    }
  }
  return worst;
}

}  // namespace segrule::cli
