#pragma once
// Evaluation over many distinct customers, as `eval` sees them. Cycling over a
// few dozen records lets the branch predictor learn each record's path by
// heart (retail-2025: 130 ns per record over 64 records, 180 ns over 4,096
// distinct ones), and the more so the larger the ruleset, so a benchmark of
// how evaluation grows with rows must not repeat a handful of records.
//
// The customers come from scripts/gen_customers.py (deterministic), read once
// into a table of input values. Each iteration resets one Outcome and puts a
// record's inputs in their slots, as the reader does, then evaluates; the
// same loop without evaluating is timed too, so the difference is the
// evaluation alone (counter `evaluate_ns`).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/date.hpp"
#include "eval/evaluator.hpp"
#include "eval/record.hpp"

namespace segrule::bench {

constexpr size_t kDistinctCustomers = 4096;

// gen_customers.py's first `count` records, one JSON object per line; empty if it failed.
inline std::vector<std::string> generated_customers(size_t count) {
  std::string command = std::string(SEGRULE_PYTHON) + " " + SEGRULE_SOURCE_DIR + "/scripts/gen_customers.py " +
                        std::to_string(count) + " --format jsonl";
  std::string text;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, got);
    if (pclose(pipe) != 0) text.clear();
  }
  std::vector<std::string> lines;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

// The records' input slots as the reader fills them: record r's values are
// values[r * slots.size(), (r + 1) * slots.size()).
struct InputTable {
  std::vector<uint32_t> slots;  // as_of, then every input field's slot
  std::vector<Value> values;
  size_t records = 0;
};

// Reads every record for `p`; false if one does not fit its input schema.
inline bool read_inputs(const Program& p, const std::vector<std::string>& records, InputTable& table) {
  table.slots = {p.as_of_slot};
  for (const InputField& field : p.inputs) table.slots.push_back(field.slot);
  Outcome o;
  for (const std::string& record : records) {
    reset_outcome(p, o);
    o.slots[p.as_of_slot] = Value::of_date(*parse_date("2025-06-30"));
    RecordProblem problem;
    if (!record_from_json(p, record, RecordLimits{}, o.slots, problem)) return false;
    for (uint32_t slot : table.slots) table.values.push_back(o.slots[slot]);
  }
  table.records = records.size();
  return table.records > 0;
}

// Resets `o` for the next record and puts record r's inputs in their slots.
inline void place_inputs(const Program& p, const InputTable& table, size_t r, Outcome& o) {
  reset_outcome(p, o);
  const Value* from = table.values.data() + r * table.slots.size();
  for (size_t i = 0; i < table.slots.size(); ++i) assign_value(o.slots[table.slots[i]], from[i]);
}

// The benchmark loop: every record in turn, placed and evaluated. Then the
// same number of placements alone. Both loops are also timed here (wall
// clock), for the counters `place_inputs_ns` and `evaluate_ns`, the
// difference: the evaluation alone.
inline void evaluate_distinct(benchmark::State& state, const Program& p, const InputTable& table) {
  using Clock = std::chrono::steady_clock;
  Outcome o;
  EvalError error;
  size_t r = 0;
  const auto loop_start = Clock::now();
  for (auto _ : state) {
    place_inputs(p, table, r, o);
    benchmark::DoNotOptimize(evaluate(p, o, error));
    if (++r == table.records) r = 0;
  }
  const double total = std::chrono::duration<double, std::nano>(Clock::now() - loop_start).count();
  const auto iterations = static_cast<size_t>(state.iterations());
  const auto place_start = Clock::now();
  r = 0;
  for (size_t i = 0; i < iterations; ++i) {
    place_inputs(p, table, r, o);
    benchmark::DoNotOptimize(o.slots.data());
    if (++r == table.records) r = 0;
  }
  const double placing = std::chrono::duration<double, std::nano>(Clock::now() - place_start).count();
  state.SetItemsProcessed(state.iterations());
  state.counters["records"] = static_cast<double>(table.records);
  state.counters["place_inputs_ns"] = placing / static_cast<double>(iterations);
  state.counters["evaluate_ns"] = (total - placing) / static_cast<double>(iterations);
}

}  // namespace segrule::bench
