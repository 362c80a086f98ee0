#pragma once
// `explain`: a readable account of how one record was evaluated — every let,
// every tier row tried with its comparisons' operands, every segment row,
// every strategy, every dropped item — in text for analysts and as JSON.
// docs/explain.md shows the text layout and the JSON schema.

#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/record.hpp"

namespace segrule {

struct ExplainOptions {
  bool show_pii = false;     // print `pii` fields in clear
  bool with_result = false;  // JSON only: end with a `result` member, the §7 result object (null on failure)
};

// Evaluates the record whose input slots (and `as_of` slot) are already
// filled in `slots` (sized by reset_outcome) and returns the account as text,
// ending with a newline. A record that fails to evaluate is explained up to
// the failure, which is named.
std::string explain_text(const Program& program, std::vector<Value> slots, const ExplainOptions& options);

// The same account as one JSON object (no trailing newline).
std::string explain_json(const Program& program, std::vector<Value> slots, const ExplainOptions& options);

// The account of a record that could not be read (record_from_json's or
// record_from_csv's problem): which field, and why. `as_of` is only shown.
std::string explain_record_error_text(const Program& program, const RecordProblem& problem, Date as_of);
std::string explain_record_error_json(const Program& program, const RecordProblem& problem, Date as_of,
                                      const ExplainOptions& options);

}  // namespace segrule
