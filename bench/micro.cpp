// Google Benchmark micro-benchmarks of the stages one record goes through:
// compiling the ruleset (once per run), reading one JSONL record, evaluating
// one pre-read customer, writing one result. Run: build/bench/segrule_micro.
// The end-to-end rates are measured by scripts/bench.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "bench/distinct_customers.hpp"
#include "check/checker.hpp"
#include "eval/decimal.hpp"
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

// One customer already read into slots: only the rules run. Each sample
// customer keeps its own Outcome with its inputs in place, as the reader left
// them; an iteration resets the outputs and evaluates, as eval does per record.
void BM_EvaluateCustomer(benchmark::State& state) {
  auto program = compile_retail();
  std::vector<Outcome> customers;
  for (const std::string& record : sample_records()) {
    Outcome o;
    reset_outcome(*program, o);
    o.slots[program->as_of_slot] = Value::of_date(as_of());
    RecordProblem problem;
    if (record_from_json(*program, record, RecordLimits{}, o.slots, problem)) customers.push_back(std::move(o));
  }
  EvalError error;
  size_t i = 0;
  for (auto _ : state) {
    Outcome& outcome = customers[i++ % customers.size()];
    reset_outcome(*program, outcome);
    benchmark::DoNotOptimize(evaluate(*program, outcome, error));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateCustomer);

// The same over 4,096 distinct generated customers, as `eval` meets them: no
// record comes back soon enough for the branch predictor to have learnt its
// path. One Outcome, each record's inputs put in place per iteration; the
// counter `evaluate_ns` is the evaluation alone (see distinct_customers.hpp).
void BM_EvaluateDistinctCustomers(benchmark::State& state) {
  auto program = compile_retail();
  bench::InputTable table;
  if (!bench::read_inputs(*program, bench::generated_customers(bench::kDistinctCustomers), table)) {
    state.SkipWithError("scripts/gen_customers.py failed, or a record does not fit retail-2025's input");
    return;
  }
  bench::evaluate_distinct(state, *program, table);
}
BENCHMARK(BM_EvaluateDistinctCustomers);

// Operand pairs for BM_DecimalDivide, one set per benchmark argument.
enum DivideOperands : int64_t { money_shares, whole_numbers, large_money, ratio_over_money, money_over_ratio };

// A deterministic xorshift stream, so every run divides the same numbers.
struct OperandStream {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

std::vector<std::pair<Decimal, Decimal>> divide_operands(DivideOperands set) {
  std::vector<std::pair<Decimal, Decimal>> pairs;
  if (set == money_shares) {
    // The benchmark's own divisions on the sample customers: share(part, aum) of
    // the four holdings and loans / max(aum, 1) (share() skips a zero aum).
    auto program = compile_retail();
    auto field = [&](const char* name) { return program->inputs[program->input_index.at(name)].slot; };
    uint32_t aum = field("aum");
    const char* parts[] = {"time_deposits", "demand_deposits", "wealth_products", "investments", "loans"};
    Outcome o;
    reset_outcome(*program, o);
    RecordProblem problem;
    for (const std::string& record : sample_records()) {
      if (!record_from_json(*program, record, RecordLimits{}, o.slots, problem)) continue;
      Decimal total = o.slots[aum].number;
      for (const char* part : parts) {
        Decimal divisor = total;
        if (part == parts[4] && divisor < Decimal::from_int(1)) divisor = Decimal::from_int(1);
        if (!divisor.is_zero()) pairs.emplace_back(o.slots[field(part)].number, divisor);
      }
    }
    return pairs;
  }
  OperandStream random;
  for (int i = 0; i < 256; ++i) {
    uint64_t r = random.next(), s = random.next();
    switch (set) {
      case money_shares: break;
      case whole_numbers:  // counts and amounts in whole units: 0..10^6 over 1..1,000
        pairs.emplace_back(Decimal::from_int(static_cast<int64_t>(r % 1'000'001)),
                           Decimal::from_int(static_cast<int64_t>(1 + s % 1000)));
        break;
      case large_money:  // cents up to 7.4e17, three in four past 2^64 hundredths (1.8e17)
        pairs.emplace_back(Decimal::from_units((Int128(r) << 2) * (Decimal::kUnitsPerOne / 100)),
                           Decimal::from_units(Int128(1 + s % 100'000'000'000ULL) * (Decimal::kUnitsPerOne / 100)));
        break;
      case ratio_over_money:  // a computed ratio below 1 (18 decimals) over money
        pairs.emplace_back(Decimal::from_units(Int128(r % Decimal::kUnitsPerOne)),
                           Decimal::from_units(Int128(1 + s % 1'000'000'000'000ULL) * (Decimal::kUnitsPerOne / 100)));
        break;
      case money_over_ratio:  // money over a ratio below 1 (18 decimals): the long path
        pairs.emplace_back(Decimal::from_units(Int128(r % 1'000'000'000'000ULL) * (Decimal::kUnitsPerOne / 100)),
                           Decimal::from_units(Int128(1 + s % Decimal::kUnitsPerOne)));
        break;
    }
  }
  return pairs;
}

// a / b returned by value, as the evaluator's arithmetic nodes return it (in
// registers), from a function of its own, as the evaluator's node functions are.
// With the quotient kept in a Decimal in memory in the loop (DoNotOptimize),
// GCC builds an inlined result in a stack slot and copies it with a 16-byte load
// right after two 8-byte stores: a store forwarding stall that costs as much as
// the division, which the evaluator's code does not have.
[[gnu::noinline]] Decimal quotient(Decimal a, Decimal b) {
  Decimal q;
  return Decimal::div(a, b, q) == DecimalStatus::ok ? q : Decimal();
}

// One division per iteration over a set of operand pairs.
void BM_DecimalDivide(benchmark::State& state) {
  auto set = static_cast<DivideOperands>(state.range(0));
  static const char* const kLabels[] = {"money shares", "whole numbers", "large money", "ratio over money",
                                        "money over ratio"};
  state.SetLabel(kLabels[set]);
  auto pairs = divide_operands(set);
  if (pairs.empty()) {
    state.SkipWithError("no operands");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i];
    i = i + 1 == pairs.size() ? 0 : i + 1;
    auto units = static_cast<UInt128>(quotient(a, b).units());
    benchmark::DoNotOptimize(static_cast<uint64_t>(units));
    benchmark::DoNotOptimize(static_cast<uint64_t>(units >> 64));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecimalDivide)->DenseRange(money_shares, money_over_ratio);

// Evaluates a sample record for the writer benchmarks; false when it does not evaluate.
bool evaluate_sample(const Program& program, const std::string& record, Outcome& outcome) {
  reset_outcome(program, outcome);
  outcome.slots[program.as_of_slot] = Value::of_date(as_of());
  RecordProblem problem;
  EvalError error;
  return record_from_json(program, record, RecordLimits{}, outcome.slots, problem) && evaluate(program, outcome, error);
}

// Writes one outcome over and over with a writer kept for the program, as
// `eval` does: each line into a buffer kept from record to record.
void write_repeatedly(benchmark::State& state, const Program& program, const Outcome& outcome) {
  ResultWriter writer(program);
  std::string buffer;
  size_t end = 0;
  for (auto _ : state) {
    end = writer.write_line_at(outcome, buffer, 0);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(end);
}

// The first sample customer: a typical result, nothing dropped.
void BM_WriteResult(benchmark::State& state) {
  auto program = compile_retail();
  Outcome outcome;
  if (!evaluate_sample(*program, sample_records().front(), outcome)) {
    state.SkipWithError("the first sample record does not evaluate");
    return;
  }
  write_repeatedly(state, *program, outcome);
}
BENCHMARK(BM_WriteResult);

// The sample customer with the most dropped offers: the dropped entries' share of the work.
void BM_WriteResultDropped(benchmark::State& state) {
  auto program = compile_retail();
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  Outcome outcome, most;
  for (std::string line; std::getline(in, line);) {
    if (evaluate_sample(*program, line, outcome) && outcome.dropped.size() > most.dropped.size()) most = outcome;
  }
  if (most.dropped.empty()) {
    state.SkipWithError("no sample record has a dropped offer");
    return;
  }
  state.counters["dropped"] = static_cast<double>(most.dropped.size());
  write_repeatedly(state, *program, most);
}
BENCHMARK(BM_WriteResultDropped);

// write_result, the plain writer of the callers that keep no ResultWriter
// (explain, check's counterexamples): what BM_WriteResult measured before.
void BM_WriteResultPlain(benchmark::State& state) {
  auto program = compile_retail();
  Outcome outcome;
  if (!evaluate_sample(*program, sample_records().front(), outcome)) {
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
BENCHMARK(BM_WriteResultPlain);

}  // namespace

BENCHMARK_MAIN();
