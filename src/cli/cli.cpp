#include "cli.hpp"

#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <sys/stat.h>

#include <fmt/format.h>

#include "segrule/tools.hpp"

namespace segrule::cli {

int misuse(const std::string& message) {
  // One line of advice instead of the whole usage: the message is what matters.
  fmt::print(stderr, "segrule: {}\nrun `segrule help` for the commands and their options\n", message);
  return kMisuse;
}

std::optional<std::string> read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    fmt::print(stderr, "segrule: cannot read `{}`: {}\n", path, std::strerror(errno));
    return std::nullopt;
  }
  return text;
}

bool open_input(const std::string& path, std::ifstream& file) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    errno = EISDIR;
  } else {
    file.open(path, std::ios::binary);
    if (file.is_open()) return true;
  }
  fmt::print(stderr, "segrule: cannot read `{}`: {}\n", path, std::strerror(errno));
  return false;
}

std::optional<Ruleset> load_rules(const std::string& path, int& status) {
  std::optional<std::string> text = read_file(path);
  if (!text) {
    status = kMisuse;
    return std::nullopt;
  }
  CompileResult compiled = Ruleset::compile(*text, path);
  fmt::print(stderr, "{}", compiled.rendered);
  if (!compiled) status = report_compile_failure(path, compiled.diagnostics);
  return std::move(compiled.ruleset);
}

int report_compile_failure(const std::string& path, const Diagnostics& diagnostics) {
  size_t errors = 0;
  for (const auto& d : diagnostics) errors += d.severity == Severity::error;
  fmt::print(stderr, "segrule: `{}` does not compile: {} error{}\n", path, errors, errors == 1 ? "" : "s");
  return kCompileError;
}


InputFormat RecordInput::format_or_guess() const { return format ? *format : input_format_for(path); }

bool take_record_input_option(const Args& args, size_t& i, RecordInput& in, int& status) {
  const std::string& a = args[i];
  if (a != "--input" && a != "--format" && a != "--as-of") return false;
  const std::string* v = i + 1 < args.size() ? &args[++i] : nullptr;
  if (a == "--input") {
    if (!v) status = misuse("--input needs a path, or - for standard input");
    else in.path = *v;
  } else if (a == "--format") {
    if (!v) status = misuse("--format needs jsonl, json or csv");
    else if (*v == "jsonl") in.format = InputFormat::jsonl;
    else if (*v == "json") in.format = InputFormat::json;
    else if (*v == "csv") in.format = InputFormat::csv;
    else status = misuse(fmt::format("unknown format `{}`: use jsonl, json or csv", *v));
  } else {
    if (!v) status = misuse("--as-of needs a date as YYYY-MM-DD");
    else if (!is_valid_date(*v)) status = misuse(fmt::format("`{}` is not a valid date: --as-of takes YYYY-MM-DD", *v));
    else in.as_of = *v;
  }
  return true;
}

}  // namespace segrule::cli
