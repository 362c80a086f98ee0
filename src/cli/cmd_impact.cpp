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
  RecordInput in;
  ImpactOptions options;
  enum class Output { text, json, csv } output = Output::text;
  for (size_t i = 0; i < args.size(); ++i) {
    int status = kOk;
    if (take_record_input_option(args, i, in, status)) {
      if (status != kOk) return status;
      continue;
    }
    const std::string& a = args[i];
    if (a == "--json" || a == "--csv") {
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
  if (in.path.empty()) return misuse("impact needs --input PATH (or --input - for standard input)");
  const std::string& input = in.path;
  InputFormat format = in.format_or_guess();
  options.as_of = in.as_of;

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
