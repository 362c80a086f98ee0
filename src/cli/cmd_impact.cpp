// `segrule impact OLD NEW --input PATH`: both versions over the same records.
// Exit codes as diff(1): 0 no record's result changed, 1 some did, 2 trouble.

#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

namespace {

constexpr int kImpactSame = 0;
constexpr int kImpactChanged = 1;
constexpr int kImpactTrouble = 2;

}  // namespace

int cmd_impact(const Args& args) {
  std::vector<std::string> rules;
  RecordInput in;
  ImpactRequest request;
  for (size_t i = 0; i < args.size(); ++i) {
    int status = kOk;
    if (take_record_input_option(args, i, in, status)) {
      if (status != kOk) return status;
      continue;
    }
    const std::string& a = args[i];
    if (a == "--json" || a == "--csv") {
      ReportFormat wanted = a == "--json" ? ReportFormat::json : ReportFormat::csv;
      if (request.report != ReportFormat::text && request.report != wanted) return misuse("impact takes one of --json and --csv");
      request.report = wanted;
    } else if (a == "--show-pii") {
      request.show_pii = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for impact", a));
    } else {
      rules.push_back(a);
    }
  }
  if (rules.size() != 2) return misuse("impact needs two rule files: OLD NEW");
  if (in.path.empty()) return misuse("impact needs --input PATH (or --input - for standard input)");
  const std::string& input = in.path;
  request.format = in.format_or_guess();
  request.as_of = in.as_of;
  request.input_name = input;

  // Both versions are compiled (and their diagnostics shown) before giving up.
  int status = kOk;
  std::optional<Ruleset> old_rules = load_rules(rules[0], status);
  std::optional<Ruleset> new_rules = load_rules(rules[1], status);
  if (!old_rules || !new_rules) return kImpactTrouble;

  std::ifstream file;
  if (input != "-" && !open_input(input, file)) return kImpactTrouble;
  ImpactResult result = impact(*old_rules, *new_rules, input == "-" ? std::cin : file, request);
  if (!result.ok) {
    fmt::print(stderr, "segrule: {}\n", result.error);
    return kImpactTrouble;
  }
  fmt::print("{}", result.report);
  return result.changed ? kImpactChanged : kImpactSame;
}

}  // namespace segrule::cli
