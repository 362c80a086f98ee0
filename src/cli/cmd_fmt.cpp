// `segrule fmt FILE... [--check | --write]`: rule files in the canonical layout
// (docs/fmt.md). Without a flag the formatted text goes to stdout, file after
// file; --check prints a unified diff for each file that is not formatted and
// exits 1; --write rewrites the files that change, atomically, and names them.
// A file with syntax errors is never formatted: its diagnostics go to stderr.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "fmt/formatter.hpp"
#include "fmt/line_diff.hpp"

namespace segrule::cli {

namespace {

constexpr int kNotFormatted = kCompileError;  // --check: some file is not in the canonical layout

enum class Mode { print, check, write };

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
std::string check_report(const std::string& path, std::string_view original, std::string_view formatted) {
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
  out += unified_hunks(visible_lines(original), split_lines(formatted));
  if (original.substr(0, kByteOrderMark.size()) == kByteOrderMark) out += "\\ the byte order mark is removed\n";
  if (original.find("\r\n") != std::string_view::npos) out += "\\ CRLF line ends become LF\n";
  if (!original.empty() && original.back() != '\n') out += "\\ no newline at end of file\n";
  return out;
}

// Replaces the file's content through a temporary file in the same directory
// and a rename, so a reader never sees half a file.
bool write_atomically(const std::string& path, std::string_view text, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::is_symlink(path, ec) ? fs::canonical(path, ec) : fs::path(path);
  if (ec) {
    error = fmt::format("cannot write `{}`: {}", path, ec.message());
    return false;
  }
  fs::path temporary = target;
  temporary += fmt::format(".segrule-fmt-{}.tmp", static_cast<long>(::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      error = fmt::format("cannot write `{}`: {}", temporary.string(), std::strerror(errno));
      fs::remove(temporary, ec);
      return false;
    }
  }
  fs::permissions(temporary, fs::status(target, ec).permissions(), ec);
  fs::rename(temporary, target, ec);
  if (ec) {
    error = fmt::format("cannot write `{}`: {}", path, ec.message());
    fs::remove(temporary, ec);
    return false;
  }
  return true;
}

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
    std::string text, error;
    if (!read_file(path, text, error)) {
      fmt::print(stderr, "segrule: {}\n", error);
      worst = std::max(worst, kMisuse);
      continue;
    }
    SourceFile source(path, text);
    Diagnostics diagnostics;
    std::string formatted;
    if (!format_source(source, formatted, diagnostics)) {
      source.locate(diagnostics);
      size_t errors = 0;
      for (const auto& d : diagnostics) errors += d.severity == Severity::error;
      fmt::print(stderr, "{}segrule: `{}` is not formatted: {} syntax error{}\n", render_diagnostics(diagnostics, &source), path,
                 errors, errors == 1 ? "" : "s");
      worst = std::max(worst, kCompileError);
      continue;
    }
    switch (mode) {
      case Mode::print: fmt::print("{}", formatted); break;
      case Mode::check:
        if (formatted != text) {
          fmt::print("{}", check_report(path, text, formatted));
          worst = std::max(worst, kNotFormatted);
        }
        break;
      case Mode::write:
        if (formatted == text) break;
        if (!write_atomically(path, formatted, error)) {
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
