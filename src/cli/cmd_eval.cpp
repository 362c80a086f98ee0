// `segrule eval FILE --input PATH`: a batch of records to JSON Lines;
// `--explain` adds each record's account (docs/explain.md) as a last member.
// Every write is checked (docs/reliability.md): a full disk stops the run with
// exit 4 and no summary, a closed pipe ends it quietly, and `--output FILE`
// appears only when the whole run was written.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include "segrule/ruleset.hpp"

namespace segrule::cli {

int cmd_eval(const Args& args) {
  std::string rules, errors_path, output_path;
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
    } else if (a == "--output" || a == "-o") {
      if (!value(output_path)) return misuse("--output needs a path");
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

  // Read as a stream: memory stays bounded whatever the size of the input.
  std::ifstream file;
  if (input != "-" && !open_input(input, file)) return kMisuse;
  OutputFile results, errors;
  std::string open_error;
  if (!results.open(output_path, open_error) || (!errors_path.empty() && !errors.open(errors_path, open_error))) {
    fmt::print(stderr, "segrule: {}\n", open_error);
    return kMisuse;
  }
  size_t error_lines = 0;
  BatchSummary counts;
  Progress progress;
  try {
    std::istream& records = input == "-" ? std::cin : file;
    // Lines come in runs of one kind (a whole block when no record fails), written as they are.
    BatchRunSink sink = [&](bool is_error, std::string_view lines, size_t count) {
      if (!is_error) {
        results.write_lines(lines, count);
      } else if (!errors_path.empty()) {
        errors.write_lines(lines, count);
      } else {
        progress.clear();  // error entries on the terminal get their own lines
        fmt::print(stderr, "{}", lines);
      }
      error_lines += is_error ? count : 0;
      progress.record(count, is_error);
    };
    counts = ruleset->evaluate_stream(records, in.format_or_guess(), options, sink, threads);
    if (!counts.error.empty()) {  // a bad as_of, or the input could not be read to its end: nothing is committed
      progress.clear();
      fmt::print(stderr, "segrule: {}\n", counts.error);
      return kMisuse;
    }
    // Both written before either is renamed: a failure leaves neither file behind.
    results.complete();
    errors.complete();
    results.commit();
    errors.commit();
  } catch (const WriteFailure& failure) {
    progress.clear();
    return report_write_failure(failure);
  }
  progress.clear();
  // Nothing lost: every record read is one result line or one error entry.
  if (counts.read != counts.results + counts.errors || results.lines() != counts.results || error_lines != counts.errors) {
    fmt::print(stderr, "segrule: internal error: {} records read but {} results and {} errors written; please report this\n",
               counts.read, results.lines(), error_lines);
    return kWriteFailed;
  }
  fmt::print(stderr, "segrule: {} records read: {} results, {} errors\n", counts.read, counts.results, counts.errors);
  return counts.errors ? kRejected : kOk;
}

}  // namespace segrule::cli
