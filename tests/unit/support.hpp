#pragma once
// Helpers shared by the unit tests: compile rule text, evaluate a record, and
// summarise diagnostics, so each test reads as a table of inputs and outputs.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "check/checker.hpp"
#include "eval/batch.hpp"
#include "eval/evaluator.hpp"

namespace segrule::testing {

// Compiles rule text; on failure returns null and fills `diagnostics`.
std::shared_ptr<Program> compile_text(const std::string& text, Diagnostics* diagnostics = nullptr);

// Codes of all diagnostics for the text, space-separated, in report order: "E0201 W0401".
std::string diagnostic_codes(const std::string& text);

// The first diagnostic's rendered text (message, location, caret, help).
std::string first_diagnostic(const std::string& text);

// Evaluates one JSON record: the result line, or "error: MESSAGE" for a record error.
std::string eval_record(const Program& program, const std::string& record, const std::string& as_of = "2025-06-30");

// Runs a whole input through the batch runner: result and error lines joined by '\n'.
std::string eval_batch(const Program& program, const std::string& input, InputFormat format, BatchCounts* counts = nullptr,
                       const std::string& as_of = "2025-06-30");

// Resets `outcome` for `program` and reads one JSON record into its input slots,
// as of 2025-06-30. Returns the reader's problem message, empty when the record fits.
std::string load_record(const Program& program, const std::string& record, Outcome& outcome);

// A minimal ruleset header + input, so a test can add just the declarations it is about.
// Input fields: id : string (key), aum : money, age : int, name : string pii, occupation : string?,
// credit : rating (enum rating [C, B, BB, BBB, A, AA, AAA]), opened : date, held : list<string>,
// vip : bool, bonus : money = 0
std::string with_prelude(const std::string& declarations);

// Deterministic pseudo-random numbers (a 64-bit LCG): generated test inputs are
// the same on every run and machine.
struct Random {
  uint64_t state;
  uint64_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  }
  size_t below(size_t n) { return n == 0 ? 0 : next() % n; }
  bool one_in(size_t n) { return below(n) == 0; }
};

}  // namespace segrule::testing
