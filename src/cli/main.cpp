// The `segrule` command: parses arguments and calls the library. Exit codes:
// 0 success, 1 rules do not compile (or `check` found errors), 2 misuse,
// 3 some records were rejected.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "check/checker.hpp"
#include "eval/batch.hpp"

namespace {

using namespace segrule;

constexpr int kOk = 0;
constexpr int kCompileError = 1;
constexpr int kMisuse = 2;
constexpr int kRejected = 3;

const char* kUsage =
    "usage: segrule <command> [options]\n"
    "\n"
    "commands:\n"
    "  check FILE...                 check rule files: syntax, names, types, nulls, cycles\n"
    "  eval FILE --input PATH|-      evaluate records; results as JSON Lines on stdout\n"
    "       [--format jsonl|json|csv] [--as-of YYYY-MM-DD] [--errors PATH] [--threads N]\n"
    "  version                       print the version\n"
    "\n"
    "exit codes: 0 ok, 1 rules do not compile, 2 misuse, 3 some records rejected\n";

int misuse(const std::string& message) {
  fmt::print(stderr, "segrule: {}\n\n{}", message, kUsage);
  return kMisuse;
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  return true;
}

// Compiles a rule file, printing its diagnostics to stderr.
std::shared_ptr<Program> load_rules(const std::string& path, int& status) {
  std::string text, error;
  if (!read_file(path, text, error)) {
    fmt::print(stderr, "segrule: {}\n", error);
    status = kMisuse;
    return nullptr;
  }
  auto source = std::make_shared<SourceFile>(path, std::move(text));
  Diagnostics diagnostics;
  auto program = compile_source(source, diagnostics);
  if (!diagnostics.empty()) fmt::print(stderr, "{}", render_diagnostics(diagnostics, source.get()));
  if (!program) {
    size_t errors = 0;
    for (const auto& d : diagnostics) errors += d.severity == Severity::error;
    fmt::print(stderr, "segrule: `{}` does not compile: {} error{}\n", path, errors, errors == 1 ? "" : "s");
    status = kCompileError;
  }
  return program;
}

Date today() {
  auto now = std::chrono::system_clock::now();
  auto days = std::chrono::floor<std::chrono::days>(now);
  return Date{static_cast<int32_t>(days.time_since_epoch().count())};
}

int cmd_check(const std::vector<std::string>& args) {
  if (args.empty()) return misuse("check needs at least one rule file");
  int worst = kOk;
  for (const std::string& path : args) {
    if (!path.empty() && path[0] == '-' && path != "-") return misuse(fmt::format("unknown option `{}` for check", path));
    std::string text, error;
    if (!read_file(path, text, error)) {
      fmt::print(stderr, "segrule: {}\n", error);
      worst = std::max(worst, kMisuse);
      continue;
    }
    auto source = std::make_shared<SourceFile>(path, std::move(text));
    Diagnostics diagnostics;
    auto program = compile_source(source, diagnostics);
    size_t errors = 0, warnings = 0;
    for (const auto& d : diagnostics) (d.severity == Severity::error ? errors : warnings)++;
    fmt::print(stderr, "{}", render_diagnostics(diagnostics, source.get()));
    if (errors == 0)
      fmt::print("{}: ok ({} warning{})\n", path, warnings, warnings == 1 ? "" : "s");
    else
      fmt::print(stderr, "{}: {} error{}, {} warning{}\n", path, errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (errors) worst = std::max(worst, kCompileError);
  }
  return worst;
}

int cmd_eval(const std::vector<std::string>& args) {
  std::string rules, input, errors_path;
  BatchOptions options;
  options.as_of = today();
  bool format_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--input") {
      if (!value(input)) return misuse("--input needs a path, or - for standard input");
    } else if (a == "--format") {
      if (!value(v)) return misuse("--format needs jsonl, json or csv");
      if (v == "jsonl") options.format = InputFormat::jsonl;
      else if (v == "json") options.format = InputFormat::json;
      else if (v == "csv") options.format = InputFormat::csv;
      else return misuse(fmt::format("unknown format `{}`: use jsonl, json or csv", v));
      format_given = true;
    } else if (a == "--as-of") {
      if (!value(v)) return misuse("--as-of needs a date as YYYY-MM-DD");
      auto d = parse_date(v);
      if (!d) return misuse(fmt::format("`{}` is not a valid date: --as-of takes YYYY-MM-DD", v));
      options.as_of = *d;
    } else if (a == "--errors") {
      if (!value(errors_path)) return misuse("--errors needs a path");
    } else if (a == "--threads") {
      if (!value(v)) return misuse("--threads needs a number");
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < 1 || n > 256) return misuse(fmt::format("--threads takes a number from 1 to 256, not `{}`", v));
      options.threads = static_cast<unsigned>(n);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for eval", a));
    } else if (rules.empty()) {
      rules = a;
    } else {
      return misuse(fmt::format("unexpected argument `{}`: eval takes one rule file", a));
    }
  }
  if (rules.empty()) return misuse("eval needs a rule file");
  if (input.empty()) return misuse("eval needs --input PATH (or --input - for standard input)");
  if (!format_given && input.size() > 4) {
    std::string ext = input.substr(input.size() - 4);
    if (ext == ".csv") options.format = InputFormat::csv;
    else if (input.size() > 5 && input.substr(input.size() - 5) == ".json") options.format = InputFormat::json;
  }

  int status = kOk;
  auto program = load_rules(rules, status);
  if (!program) return status;

  std::string data, error;
  if (!read_file(input, data, error)) {
    fmt::print(stderr, "segrule: {}\n", error);
    return kMisuse;
  }
  std::FILE* errors_out = stderr;
  if (!errors_path.empty()) {
    errors_out = std::fopen(errors_path.c_str(), "wb");
    if (!errors_out) {
      fmt::print(stderr, "segrule: cannot write `{}`: {}\n", errors_path, std::strerror(errno));
      return kMisuse;
    }
  }
  std::string buffer;
  buffer.reserve(1 << 16);
  auto flush = [&]() {
    std::fwrite(buffer.data(), 1, buffer.size(), stdout);
    buffer.clear();
  };
  BatchCounts counts = run_batch(*program, data, options, [&](bool is_error, std::string_view text) {
    if (is_error) {
      std::fwrite(text.data(), 1, text.size(), errors_out);
      std::fputc('\n', errors_out);
      return;
    }
    buffer.append(text);
    buffer += '\n';
    if (buffer.size() > (1 << 16)) flush();
  });
  flush();
  std::fflush(stdout);
  if (errors_out != stderr) std::fclose(errors_out);
  fmt::print(stderr, "segrule: {} records read: {} results, {} errors\n", counts.read, counts.results, counts.errors);
  return counts.errors ? kRejected : kOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return misuse("no command given");
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "check") return cmd_check(args);
  if (command == "eval") return cmd_eval(args);
  if (command == "version" || command == "--version") {
    fmt::print("segrule 0.1.0\n");
    return kOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    fmt::print("{}", kUsage);
    return kOk;
  }
  return misuse(fmt::format("unknown command `{}`", command));
}
