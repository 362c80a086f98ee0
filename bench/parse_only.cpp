// segrule_parse_only RULES INPUT.jsonl: reads and converts every JSON Lines
// record to the ruleset's input slots the way `eval` does (streamed in blocks,
// the fast reader with the full reader behind it), evaluating nothing, and prints how many
// were read and how many fit. The "parse-only" rate in scripts/bench.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "check/checker.hpp"
#include "eval/evaluator.hpp"
#include "eval/fast_record.hpp"
#include "eval/record.hpp"
#include "eval/record_stream.hpp"

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
  Diagnostics diagnostics;
  auto program = compile_source(std::make_shared<SourceFile>(argv[1], rule_text), diagnostics);
  if (!program) {
    std::fprintf(stderr, "%s", render_diagnostics(diagnostics, nullptr).c_str());
    return 1;
  }
  Outcome outcome;
  reset_outcome(*program, outcome);
  // As eval reads: the fast reader, and record_from_json for what it hands back.
  FastRecordReader reader(*program);
  RecordProblem problem;
  size_t read = 0, fit = 0, fast = 0;
  // Read as eval reads: a stream in 1 MiB reads, split into blocks of records
  // that are views into the bytes read.
  RecordStream stream(input, InputFormat::jsonl, RecordLimits{}, 1 << 20);
  LineBlock block;
  while (stream.next_lines(block, 4096)) {
    for (const LineBlock::Line& line : block.lines) {
      ++read;
      if (line.error != LineBlock::kNoError) continue;
      bool by_fast_reader = false;
      fit += reader.read_or_fall_back(block.text(line), RecordLimits{}, outcome.slots, problem, &by_fast_reader);
      fast += by_fast_reader;
    }
  }
  std::printf("%zu records read, %zu fit the schema (%zu by the fast reader)\n", read, fit, fast);
  return 0;
}
