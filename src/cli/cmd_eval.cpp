// `segrule eval FILE --input PATH`: a batch of records to JSON Lines;
// `--explain` adds each record's account (docs/explain.md) as a last member.

#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/ruleset.hpp"

namespace segrule::cli {

int cmd_eval(const Args& args) {
  std::string rules, errors_path;
  RecordInput in;
  EvalOptions options;
  unsigned threads = 1;
  for (size_t i = 0; i < args.size(); ++i) {
    int status = kOk;
    if (take_record_input_option(args, i, in, status)) {
      if (status != kOk) return status;
      continue;
    }
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--explain") {
      options.explain = true;
    } else if (a == "--show-pii") {
      options.show_pii = true;  // in the explain member; error entries always mask
    } else if (a == "--errors") {
      if (!value(errors_path)) return misuse("--errors needs a path");
    } else if (a == "--threads") {
      if (!value(v)) return misuse("--threads needs a number");
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < 1 || n > 256) return misuse(fmt::format("--threads takes a number from 1 to 256, not `{}`", v));
      threads = static_cast<unsigned>(n);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for eval", a));
    } else if (rules.empty()) {
      rules = a;
    } else {
      return misuse(fmt::format("unexpected argument `{}`: eval takes one rule file", a));
    }
  }
  if (rules.empty()) return misuse("eval needs a rule file");
  if (in.path.empty()) return misuse("eval needs --input PATH (or --input - for standard input)");
  options.as_of = in.as_of;
  const std::string& input = in.path;

  int status = kOk;
  std::optional<Ruleset> ruleset = load_rules(rules, status);
  if (!ruleset) return status;

  std::optional<std::string> data = read_file(input);
  if (!data) return kMisuse;
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
  BatchSummary counts = ruleset->evaluate_batch(*data, in.format_or_guess(), options, [&](bool is_error, std::string_view text) {
    if (is_error) {
      std::fwrite(text.data(), 1, text.size(), errors_out);
      std::fputc('\n', errors_out);
      return;
    }
    buffer.append(text);
    buffer += '\n';
    if (buffer.size() > (1 << 16)) flush();
  }, threads);
  flush();
  std::fflush(stdout);
  if (errors_out != stderr) std::fclose(errors_out);
  fmt::print(stderr, "segrule: {} records read: {} results, {} errors\n", counts.read, counts.results, counts.errors);
  return counts.errors ? kRejected : kOk;
}

}  // namespace segrule::cli
