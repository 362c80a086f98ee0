// `segrule impact OLD NEW --input PATH`: both versions over the same records.
// Exit codes as diff(1): 0 no record's result changed, 1 some did, 2 trouble.

#include <cstring>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "impact/impact.hpp"

namespace segrule::cli {

namespace {

constexpr int kImpactSame = 0;
constexpr int kImpactChanged = 1;
constexpr int kImpactTrouble = 2;

}  // namespace

int cmd_impact(const Args& args) {
  std::vector<std::string> rules;
  std::string input;
  ImpactOptions options;
  options.as_of = today();
  InputFormat format = InputFormat::jsonl;
  bool format_given = false;
  enum class Output { text, json, csv } output = Output::text;
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
      if (v == "jsonl") format = InputFormat::jsonl;
      else if (v == "json") format = InputFormat::json;
      else if (v == "csv") format = InputFormat::csv;
      else return misuse(fmt::format("unknown format `{}`: use jsonl, json or csv", v));
      format_given = true;
    } else if (a == "--as-of") {
      if (!value(v)) return misuse("--as-of needs a date as YYYY-MM-DD");
      auto d = parse_date(v);
      if (!d) return misuse(fmt::format("`{}` is not a valid date: --as-of takes YYYY-MM-DD", v));
      options.as_of = *d;
    } else if (a == "--json" || a == "--csv") {
      Output wanted = a == "--json" ? Output::json : Output::csv;
      if (output != Output::text && output != wanted) return misuse("impact takes one of --json and --csv");
      output = wanted;
    } else if (a == "--show-pii") {
      options.show_pii = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for impact", a));
    } else {
      rules.push_back(a);
    }
  }
  if (rules.size() != 2) return misuse("impact needs two rule files: OLD NEW");
  if (input.empty()) return misuse("impact needs --input PATH (or --input - for standard input)");
  if (!format_given && input.ends_with(".csv")) format = InputFormat::csv;
  if (!format_given && input.ends_with(".json")) format = InputFormat::json;

  int status = kOk;
  auto old_program = load_rules(rules[0], status);
  auto new_program = load_rules(rules[1], status);
  if (!old_program || !new_program) return kImpactTrouble;

  std::ifstream file;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) {
      fmt::print(stderr, "segrule: cannot read `{}`: {}\n", input, std::strerror(errno));
      return kImpactTrouble;
    }
  }
  RecordStream stream(input == "-" ? std::cin : file, format, options.limits);
  ImpactReport report = run_impact(*old_program, *new_program, stream, options);
  if (stream.failed()) {
    fmt::print(stderr, "segrule: reading `{}` failed after {} records: {}\n", input, report.read, std::strerror(errno));
    return kImpactTrouble;
  }
  ImpactSources sources{rules[0], rules[1], input, to_string(options.as_of)};
  std::string out = output == Output::json ? impact_json(report, sources) : output == Output::csv ? impact_csv(report) : impact_text(report, sources);
  fmt::print("{}", out);
  bool changed = report.changed || report.failed_old_only.count || report.failed_new_only.count;
  return changed ? kImpactChanged : kImpactSame;
}

}  // namespace segrule::cli
