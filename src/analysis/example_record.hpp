#pragma once
// Example records: a solver model written as a JSON record the input schema
// accepts, and the evaluation that verifies what the record is claimed to show.

#include <string>
#include <vector>

#include "analysis/symbolic.hpp"
#include "eval/evaluator.hpp"

namespace segrule::analysis {

struct ExampleRecord {
  std::string json;    // as evaluated: every field in clear
  std::string shown;   // as printed: `pii` fields masked unless show_pii
  Date as_of;
  bool as_of_matters = false;  // some rule reads `as_of`: printed with the example
};

// The record for the input schemas of `programs` (the first one's fields in
// order, then fields only the others declare). A field comes from the model,
// through the variables of the first program that read it; a field no
// program read gets its default, null, or a plain value.
ExampleRecord example_record(SymbolicContext& context, const std::vector<const SymbolicProgram*>& programs, const z3::model& model,
                             bool show_pii);

// "example: {...}", with the evaluation date when rules read it.
std::string example_note(const ExampleRecord& record, const std::string& label = "example");

// One record evaluated as `segrule eval` would evaluate it.
struct RecordRun {
  bool read = false;        // the schema accepted it
  std::string problem;      // why not
  bool evaluated = false;   // evaluation succeeded (invariants included)
  EvalError error;          // why not
  Outcome outcome;
  Trace trace;
};
RecordRun run_record(const Program& program, const std::string& json, Date as_of);

// Why a run does not show what was expected, for a "not analysed" message:
// "it is rejected: ...", or empty when it evaluated.
std::string run_trouble(const RecordRun& run);

// A value as result JSON writes it (`"gold"`, `0.5`, `null`).
std::string value_json(const Program& program, const Type& type, const Value& value);

}  // namespace segrule::analysis
