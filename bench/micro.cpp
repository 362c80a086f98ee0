// Google Benchmark micro-benchmarks of the stages one record goes through:
// compiling the ruleset (once per run), reading one JSONL record, evaluating
// one pre-read customer, writing one result. Run: build/bench/segrule_micro.
// The end-to-end rates are measured by scripts/bench.

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "eval/evaluator.hpp"
#include "eval/fast_record.hpp"
#include "eval/record.hpp"
#include "eval/record_stream.hpp"
#include "eval/result_writer.hpp"

namespace {

using namespace segrule;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::string& retail_text() {
  static const std::string text = read_text(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg");
  return text;
}

std::shared_ptr<Program> compile_retail() {
  Diagnostics diagnostics;
  return compile_source(std::make_shared<SourceFile>("retail-2025.seg", retail_text()), diagnostics);
}

// The first records of the shipped sample: real shapes, thresholds included.
std::vector<std::string> sample_records() {
  std::vector<std::string> lines;
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  for (std::string line; std::getline(in, line) && lines.size() < 64;) lines.push_back(line);
  return lines;
}

Date as_of() { return *parse_date("2025-06-30"); }

void BM_CompileRetail(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(compile_retail());
}
BENCHMARK(BM_CompileRetail)->Unit(benchmark::kMicrosecond);

void BM_ReadJsonlRecord(benchmark::State& state) {
  auto program = compile_retail();
  auto records = sample_records();
  Outcome outcome;
  reset_outcome(*program, outcome);
  RecordProblem problem;
  size_t i = 0;
  for (auto _ : state) {
    bool ok = record_from_json(*program, records[i++ % records.size()], RecordLimits{}, outcome.slots, problem);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadJsonlRecord);

// The same records through the fast reader, falling back as eval does.
void BM_ReadJsonlRecordFast(benchmark::State& state) {
  auto program = compile_retail();
  FastRecordReader reader(*program);
  auto records = sample_records();
  Outcome outcome;
  reset_outcome(*program, outcome);
  RecordProblem problem;
  size_t i = 0, slow = 0;
  for (auto _ : state) {
    const std::string& record = records[i++ % records.size()];
    bool fast = false;
    benchmark::DoNotOptimize(reader.read_or_fall_back(record, RecordLimits{}, outcome.slots, problem, &fast));
    slow += !fast;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["slow_path_share"] = static_cast<double>(slow) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReadJsonlRecordFast);

// An istream over text in memory, without the copy istringstream makes: reading
// from it copies the bytes once, as reading a file does.
class TextBuffer : public std::streambuf {
 public:
  explicit TextBuffer(std::string& text) { setg(text.data(), text.data(), text.data() + text.size()); }
};

// The whole input side of `eval` but the system calls: a stream of JSON Lines
// split into blocks of views (RecordStream::next_lines; eval reads 1 MiB at a time) and each
// record read into the slots. 40,000 records, some 14 MB, so the text comes
// from memory as in a real run, not from the cache.
void BM_ReadJsonlStream(benchmark::State& state) {
  auto program = compile_retail();
  FastRecordReader reader(*program);
  auto records = sample_records();
  std::string input;
  const size_t count = 40000;
  for (size_t i = 0; i < count; ++i) input += records[i % records.size()] + "\n";
  Outcome outcome;
  reset_outcome(*program, outcome);
  RecordProblem problem;
  LineBlock block;
  size_t slow = 0;
  for (auto _ : state) {
    TextBuffer buffer(input);
    std::istream in(&buffer);
    RecordStream stream(in, InputFormat::jsonl, RecordLimits{}, static_cast<size_t>(state.range(0)));
    while (stream.next_lines(block, 4096)) {
      for (const LineBlock::Line& line : block.lines) {
        bool fast = false;
        benchmark::DoNotOptimize(reader.read_or_fall_back(block.text(line), RecordLimits{}, outcome.slots, problem, &fast));
        slow += !fast;
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
  state.counters["ns_per_record"] = benchmark::Counter(static_cast<double>(state.iterations() * count),
                                                       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["slow_path_share"] = static_cast<double>(slow) / static_cast<double>(state.iterations() * count);
}
BENCHMARK(BM_ReadJsonlStream)->Unit(benchmark::kMillisecond)->Arg(1 << 16)->Arg(1 << 18)->Arg(1 << 20);  // bytes per read

// One customer already read into slots: only the rules run.
void BM_EvaluateCustomer(benchmark::State& state) {
  auto program = compile_retail();
  auto records = sample_records();
  std::vector<std::vector<Value>> inputs;
  for (const std::string& record : records) {
    Outcome o;
    reset_outcome(*program, o);
    o.slots[program->as_of_slot] = Value::of_date(as_of());
    RecordProblem problem;
    if (record_from_json(*program, record, RecordLimits{}, o.slots, problem)) inputs.push_back(o.slots);
  }
  Outcome outcome;
  EvalError error;
  size_t i = 0;
  for (auto _ : state) {
    reset_outcome(*program, outcome);
    // Only the input slots, as a reader fills them; the rest is the evaluator's.
    const std::vector<Value>& input = inputs[i++ % inputs.size()];
    for (const InputField& f : program->inputs) assign_value(outcome.slots[f.slot], input[f.slot]);
    assign_value(outcome.slots[program->as_of_slot], input[program->as_of_slot]);
    benchmark::DoNotOptimize(evaluate(*program, outcome, error));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateCustomer);

void BM_WriteResult(benchmark::State& state) {
  auto program = compile_retail();
  Outcome outcome;
  reset_outcome(*program, outcome);
  outcome.slots[program->as_of_slot] = Value::of_date(as_of());
  RecordProblem problem;
  EvalError error;
  if (!record_from_json(*program, sample_records().front(), RecordLimits{}, outcome.slots, problem) ||
      !evaluate(*program, outcome, error)) {
    state.SkipWithError("the first sample record does not evaluate");
    return;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    write_result(*program, outcome, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteResult);

}  // namespace

BENCHMARK_MAIN();
