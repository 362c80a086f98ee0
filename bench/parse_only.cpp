// segrule_parse_only RULES INPUT.jsonl: reads and converts every JSON Lines
// record to the ruleset's input slots, evaluating nothing, and prints how many
// were read and how many fit. The "parse-only" rate in scripts/bench.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "check/checker.hpp"
#include "eval/evaluator.hpp"
#include "eval/jsonl.hpp"
#include "eval/record.hpp"

int main(int argc, char** argv) {
  using namespace segrule;
  if (argc != 3) {
    std::fprintf(stderr, "usage: segrule_parse_only RULES.seg INPUT.jsonl\n");
    return 2;
  }
  std::ifstream rules(argv[1], std::ios::binary), input(argv[2], std::ios::binary);
  if (!rules || !input) {
    std::fprintf(stderr, "segrule_parse_only: cannot read the rule file or the input\n");
    return 2;
  }
  std::string rule_text((std::istreambuf_iterator<char>(rules)), std::istreambuf_iterator<char>());
  std::string data((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  Diagnostics diagnostics;
  auto program = compile_source(std::make_shared<SourceFile>(argv[1], rule_text), diagnostics);
  if (!program) {
    std::fprintf(stderr, "%s", render_diagnostics(diagnostics, nullptr).c_str());
    return 1;
  }
  Outcome outcome;
  reset_outcome(*program, outcome);
  RecordProblem problem;
  size_t read = 0, fit = 0;
  for_each_jsonl_line(data, [&](std::string_view text, size_t) {
    ++read;
    fit += record_from_json(*program, text, RecordLimits{}, outcome.slots, problem);
  });
  std::printf("%zu records read, %zu fit the schema\n", read, fit);
  return 0;
}
