// Fuzz target: bytes drive rule_generator.cpp, which writes a well-typed rule
// file and a few records for it. The file must compile (a rejected one is a
// generator or checker bug). Then each record is evaluated, and:
// - 1 and 2 threads give byte-identical batch output, with read = results + errors;
// - the same records written as CSV give the same results (where both forms can
//   say the same thing);
// - the file as `fmt` lays it out compiles and gives the same results;
// - each batch line is what reading and evaluating that record alone gives;
// - explain (JSON and text) does not crash, its `result` is the record's result
//   and each decision's `result` is the one in the result line.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>

#include "check/checker.hpp"
#include "eval/evaluator.hpp"
#include "eval/result_writer.hpp"
#include "explain/explain.hpp"
#include "fmt/formatter.hpp"
#include "fuzz_support.hpp"
#include "rule_generator.hpp"

using namespace segrule;

namespace {

// Reads and evaluates one record on its own and checks it against the batch's line.
void check_record(const Program& program, const std::string& rules, const std::string& record, bool batch_error,
                  const std::string& batch_line) {
  Outcome outcome;
  reset_outcome(program, outcome);
  outcome.slots[program.as_of_slot] = Value::of_date(fuzz::fuzz_as_of());
  RecordProblem problem;
  bool read = record_from_json(program, record, RecordLimits{}, outcome.slots, problem);
  std::vector<Value> inputs = outcome.slots;
  bool evaluated = false;
  std::string result;
  if (read) {
    EvalError error;
    evaluated = evaluate(program, outcome, error);
    if (evaluated) write_result(program, outcome, result);
  }
  std::string evidence = "---- record:\n" + record + "\n---- batch line:\n" + batch_line + "\n---- rules:\n" + rules;
  if (evaluated == batch_error) fuzz::fail("the batch rejects exactly the records that fail on their own", evidence);
  if (evaluated && result != batch_line) fuzz::fail("the batch gives the result of evaluating the record on its own", result + "\n" + evidence);
  if (!read) return;

  explain_text(program, inputs, ExplainOptions{});
  std::string account_text = explain_json(program, inputs, ExplainOptions{false, true});
  nlohmann::json account = fuzz::parse_json_line(account_text, "explain_json");
  evidence = "---- explain:\n" + account_text + "\n" + evidence;
  if (!evaluated) {
    if (!account["result"].is_null() || account["error"].is_null())
      fuzz::fail("explain names the failure of a record that fails, and gives no result", evidence);
    return;
  }
  nlohmann::json expected = nlohmann::json::parse(result);
  if (account["result"] != expected) fuzz::fail("explain's result is the record's result", evidence);
  if (!account["error"].is_null()) fuzz::fail("explain reports no error for a record that evaluates", evidence);
  for (const nlohmann::json& decision : account["decisions"]) {
    std::string name = decision["name"];
    if (decision["result"] != expected[name]) fuzz::fail("explain gives each decision the value in the result line: " + name, evidence);
  }
}

// The same records written as CSV give the same results.
void check_csv(const Program& program, const fuzz::GeneratedCase& generated, const fuzz::BatchRun& jsonl) {
  BatchOptions options;
  options.as_of = fuzz::fuzz_as_of();
  options.format = InputFormat::csv;
  fuzz::BatchRun csv = fuzz::run_checked_batch(program, generated.csv, options);
  if (csv.lines.size() != generated.records.size())
    fuzz::fail("one line per CSV row", "---- csv:\n" + generated.csv + "---- output:\n" + csv.joined + "---- rules:\n" + generated.rules);
  for (size_t i = 0; i < generated.records.size(); ++i) {
    if (!generated.csv_alike[i]) continue;
    if (csv.is_error[i] != jsonl.is_error[i] || (!jsonl.is_error[i] && csv.lines[i] != jsonl.lines[i]))
      fuzz::fail("a record gives the same result from JSON Lines and from CSV",
                 "---- record " + std::to_string(i + 1) + ":\n" + generated.records[i] + "\n" + jsonl.lines[i] + "\n---- csv:\n" +
                     generated.csv + "---- csv output:\n" + csv.joined + "---- rules:\n" + generated.rules);
  }
}

// `fmt` changes the layout, never the meaning.
void check_formatted(const fuzz::GeneratedCase& generated, const std::string& records, const fuzz::BatchRun& before) {
  SourceFile original("generated.seg", generated.rules);
  std::string formatted;
  Diagnostics diagnostics;
  if (!format_source(original, formatted, diagnostics))
    fuzz::fail("a generated rule file formats", render_diagnostics(diagnostics, &original) + "---- rules:\n" + generated.rules);
  std::shared_ptr<Program> program = fuzz::compile_text(formatted, diagnostics);
  if (!program) fuzz::fail("the formatted rule file compiles", "---- formatted:\n" + formatted + "---- rules:\n" + generated.rules);
  BatchOptions options;
  options.as_of = fuzz::fuzz_as_of();
  fuzz::BatchRun after = fuzz::run_checked_batch(*program, records, options);
  // Error entries may differ: they quote the rule's text and line.
  for (size_t i = 0; i < before.lines.size(); ++i)
    if (after.is_error[i] != before.is_error[i] || (!before.is_error[i] && after.lines[i] != before.lines[i]))
      fuzz::fail("the formatted rule file gives the same results", "---- before:\n" + before.joined + "---- after fmt:\n" +
                                                                       after.joined + "---- formatted:\n" + formatted +
                                                                       "---- rules:\n" + generated.rules);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  fuzz::GeneratedCase generated = fuzz::generate_case(input);
  std::string records;
  for (const std::string& r : generated.records) records += r + "\n";
  // SEGRULE_FUZZ_SHOW=1: print what the input means (for reading a saved crash).
  if (std::getenv("SEGRULE_FUZZ_SHOW"))
    std::fprintf(stderr, "---- rules:\n%s---- records:\n%s---- as CSV:\n%s", generated.rules.c_str(), records.c_str(),
                 generated.csv.c_str());

  auto source = std::make_shared<SourceFile>("generated.seg", generated.rules);
  Diagnostics diagnostics;
  std::shared_ptr<Program> program = compile_source(source, diagnostics);
  if (!program) {
    source->locate(diagnostics);
    fuzz::fail("a generated rule file compiles", render_diagnostics(diagnostics, source.get()) + "---- rules:\n" + generated.rules);
  }

  BatchOptions options;
  options.as_of = fuzz::fuzz_as_of();
  options.threads = 1;
  fuzz::BatchRun one = fuzz::run_checked_batch(*program, records, options);
  if (std::getenv("SEGRULE_FUZZ_SHOW")) std::fprintf(stderr, "---- output:\n%s", one.joined.c_str());
  if (one.lines.size() != generated.records.size())
    fuzz::fail("one line per generated record", one.joined + "---- rules:\n" + generated.rules);
  options.threads = 2;
  fuzz::BatchRun two = fuzz::run_checked_batch(*program, records, options);
  if (one.joined != two.joined)
    fuzz::fail("1 and 2 threads give the same output", "---- 1 thread:\n" + one.joined + "---- 2 threads:\n" + two.joined +
                                                           "---- rules:\n" + generated.rules);
  for (size_t i = 0; i < generated.records.size(); ++i)
    check_record(*program, generated.rules, generated.records[i], one.is_error[i], one.lines[i]);
  check_csv(*program, generated, one);
  check_formatted(generated, records, one);
  return 0;
}
