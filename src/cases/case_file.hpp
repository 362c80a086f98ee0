#pragma once
// A case file for `segrule test` (YAML, format in docs/testing.md) -> typed test
// cases, checked against the compiled Program before any case runs: every
// `expect` member names something the ruleset produces and holds a value of its
// type, every input value fits its field. Each problem is reported with the
// file, line and column where it is.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/program.hpp"
#include "eval/json_reader.hpp"

namespace segrule {

enum class ExpectTarget : uint8_t { slot, output, dropped };

// One member of a case's `expect`: an exact value, or items a list must
// include and must not include.
struct Expectation {
  std::string member;  // as written: `value_tier`, `offers`, `dropped`
  ExpectTarget target = ExpectTarget::slot;
  uint32_t index = kNone;  // slot (decision, NAME_primary, let) or output field; unused for dropped
  Type type;               // type of the checked value; dropped: a list of item ids
  bool exact = true;
  Value value;                  // exact: the expected value
  std::vector<Value> includes;  // not exact: items the list must hold
  std::vector<Value> excludes;  // not exact: items it must not hold
};

struct TestCase {
  std::string name;
  uint32_t line = 0;  // of the case's `name`
  Date as_of;
  JsonValue record;  // `defaults` with the case's `input` over them, as a JSON record
  std::optional<std::string> expected_error;  // `error: "text"`: the record error contains text
  std::vector<Expectation> expectations;      // empty when an error is expected
};

struct CaseFile {
  std::vector<TestCase> cases;
};

// Reads the case file `text` (named `path` in messages) for `program`; `today`
// is the evaluation date when the file sets no `as_of`. Appends every problem to
// `diagnostics` with file, line and column filled in (1-based, column in
// characters): errors, and warnings that do not stop the run (an input member
// that is not a field but looks like one). Returns false when there was an
// error; `out` is then incomplete and must not be run.
bool read_case_file(const Program& program, const std::string& path, std::string_view text, Date today, CaseFile& out,
                    Diagnostics& diagnostics);

// The `FILE:LINE:COLUMN: error: message` lines for the diagnostics, each with
// its help on a line of its own.
std::string render_case_file_diagnostics(const Diagnostics& diagnostics);

}  // namespace segrule
