// Google Benchmark: how compile time and evaluation cost grow with the size of
// the ruleset (issue 5). The rule files come from scripts/gen_ruleset.py N,
// run once per N when the benchmark starts: N tier rows and N strategies over
// the retail-2025 input schema, for N = 10, 100, 1000. Evaluation runs over
// 4,096 customers from scripts/gen_customers.py (bench/distinct_customers.hpp).
// Run: build/bench/segrule_ruleset_scale. The table is in docs/performance.md.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/distinct_customers.hpp"
#include "check/checker.hpp"
#include "eval/evaluator.hpp"
#include "eval/record.hpp"
#include "parse/parser.hpp"

namespace {

using namespace segrule;

// The generator's output for N, produced once and kept for the whole run.
const std::string& ruleset_text(int n) {
  static std::map<int, std::string> texts;
  auto found = texts.find(n);
  if (found != texts.end()) return found->second;
  std::string command = std::string(SEGRULE_PYTHON) + " " + SEGRULE_SOURCE_DIR + "/scripts/gen_ruleset.py " + std::to_string(n);
  std::string text;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, got);
    if (pclose(pipe) != 0) text.clear();
  }
  return texts.emplace(n, std::move(text)).first->second;
}

std::shared_ptr<Program> compile_generated(int n, Diagnostics& diagnostics) {
  return compile_source(std::make_shared<SourceFile>("scale-" + std::to_string(n) + ".seg", ruleset_text(n)), diagnostics);
}

// Why the generated file for N cannot be measured, or empty when it can.
std::string unusable(int n, const std::shared_ptr<Program>& program, const Diagnostics& diagnostics) {
  if (ruleset_text(n).empty()) return "scripts/gen_ruleset.py " + std::to_string(n) + " failed (is python3 installed?)";
  if (!program) {
    std::string first = diagnostics.empty() ? "no diagnostic" : diagnostics.front().message;
    return "the generated ruleset does not compile: " + first;
  }
  return {};
}

void add_size_counters(benchmark::State& state, const Program& program) {
  size_t tier_rows = 0;
  for (const Decision& decision : program.decisions)
    if (decision.is_tiers) tier_rows += decision.rows.size();
  state.counters["tier_rows"] = static_cast<double>(tier_rows);
  state.counters["strategies"] = static_cast<double>(program.strategies.size());
}

// Parse + check (compile_source), the cost of loading or reloading a ruleset.
// Not the Z3 analysis of `segrule check`.
void BM_CompileRuleset(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  Diagnostics diagnostics;
  auto program = compile_generated(n, diagnostics);
  if (std::string why = unusable(n, program, diagnostics); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  for (auto _ : state) {
    Diagnostics d;
    benchmark::DoNotOptimize(compile_generated(n, d));
  }
  add_size_counters(state, *program);
  state.counters["bytes"] = static_cast<double>(ruleset_text(n).size());
}
BENCHMARK(BM_CompileRuleset)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// The parse alone, to tell the two halves of compiling apart.
void BM_ParseRuleset(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  if (ruleset_text(n).empty()) {
    state.SkipWithError("scripts/gen_ruleset.py failed (is python3 installed?)");
    return;
  }
  SourceFile source("scale.seg", ruleset_text(n));
  for (auto _ : state) {
    Diagnostics d;
    benchmark::DoNotOptimize(parse_source(source, d));
  }
}
BENCHMARK(BM_ParseRuleset)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// One customer already read into slots: only the rules run, over 4,096
// distinct generated customers (see distinct_customers.hpp: over the 64
// sample records, the predictor learnt their paths at 100 rows and not at
// 1,000, which made growth look twice as steep as it is).
void BM_EvaluateRuleset(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  Diagnostics diagnostics;
  auto program = compile_generated(n, diagnostics);
  if (std::string why = unusable(n, program, diagnostics); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  bench::InputTable table;
  if (!bench::read_inputs(*program, bench::generated_customers(bench::kDistinctCustomers), table)) {
    state.SkipWithError("scripts/gen_customers.py failed, or a record does not fit the generated ruleset's input");
    return;
  }
  // Every record must evaluate, or the loop would time error paths. Also
  // counts what a record does on average: strategies fired, list items out.
  Outcome outcome;
  EvalError error;
  Trace trace;
  size_t fired = 0, list_items = 0;
  for (size_t r = 0; r < table.records; ++r) {
    bench::place_inputs(*program, table, r, outcome);
    if (!evaluate(*program, outcome, error, &trace)) {
      state.SkipWithError(("a generated record does not evaluate: " + error.message).c_str());
      return;
    }
    for (bool f : trace.strategy_fired) fired += f ? 1 : 0;
    for (const Value& v : outcome.outputs) list_items += v.kind == ValueKind::list ? v.items.size() : 0;
  }
  bench::evaluate_distinct(state, *program, table);
  add_size_counters(state, *program);
  state.counters["fired_per_record"] = static_cast<double>(fired) / static_cast<double>(table.records);
  state.counters["list_items_per_record"] = static_cast<double>(list_items) / static_cast<double>(table.records);
}
BENCHMARK(BM_EvaluateRuleset)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
