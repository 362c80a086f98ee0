// Google Benchmark: how compile time and evaluation cost grow with the size of
// the ruleset (issue 5). The rule files come from scripts/gen_ruleset.py N,
// run once per N when the benchmark starts: N tier rows and N strategies over
// the retail-2025 input schema, for N = 10, 100, 1000. The records are the
// ones bench/micro.cpp uses (the first 64 of examples/customers.jsonl).
// Run: build/bench/segrule_ruleset_scale. The table is in docs/performance.md.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

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

// The same records as bench/micro.cpp.
std::vector<std::string> sample_records() {
  std::vector<std::string> lines;
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  for (std::string line; std::getline(in, line) && lines.size() < 64;) lines.push_back(line);
  return lines;
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

// One customer already read into slots: only the rules run, as in
// BM_EvaluateCustomer of bench/micro.cpp. One Outcome serves every record, as
// in `eval`: an iteration puts the record's inputs in their slots, as the
// reader does (copying the whole slot vector instead, lists of the last
// record included, allocated and cost more than some evaluations).
void BM_EvaluateRuleset(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  Diagnostics diagnostics;
  auto program = compile_generated(n, diagnostics);
  if (std::string why = unusable(n, program, diagnostics); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  std::vector<std::vector<Value>> inputs;
  for (const std::string& record : sample_records()) {
    Outcome o;
    reset_outcome(*program, o);
    o.slots[program->as_of_slot] = Value::of_date(*parse_date("2025-06-30"));
    RecordProblem problem;
    if (!record_from_json(*program, record, RecordLimits{}, o.slots, problem)) {
      state.SkipWithError("a sample record does not fit the generated ruleset's input");
      return;
    }
    inputs.push_back(o.slots);
  }
  // Every record must evaluate, or the loop below would time error paths.
  // Also counts what a record does on average: strategies fired, list items out.
  Outcome outcome;
  EvalError error;
  Trace trace;
  size_t fired = 0, list_items = 0;
  for (const auto& slots : inputs) {
    reset_outcome(*program, outcome);
    outcome.slots = slots;
    if (!evaluate(*program, outcome, error, &trace)) {
      state.SkipWithError(("a sample record does not evaluate: " + error.message).c_str());
      return;
    }
    for (bool f : trace.strategy_fired) fired += f ? 1 : 0;
    for (const Value& v : outcome.outputs) list_items += v.kind == ValueKind::list ? v.items.size() : 0;
  }
  std::vector<uint32_t> input_slots{program->as_of_slot};
  for (const InputField& field : program->inputs) input_slots.push_back(field.slot);
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<Value>& record = inputs[i++ % inputs.size()];
    reset_outcome(*program, outcome);
    for (uint32_t slot : input_slots) assign_value(outcome.slots[slot], record[slot]);
    benchmark::DoNotOptimize(evaluate(*program, outcome, error));
  }
  state.SetItemsProcessed(state.iterations());
  add_size_counters(state, *program);
  state.counters["fired_per_record"] = static_cast<double>(fired) / static_cast<double>(inputs.size());
  state.counters["list_items_per_record"] = static_cast<double>(list_items) / static_cast<double>(inputs.size());
}
BENCHMARK(BM_EvaluateRuleset)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
