#pragma once
// What the fuzz targets share: how a broken promise is reported (abort, so
// libFuzzer keeps the input), the fixed record schema of the record-reader
// targets, and the checks every batch run must pass.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ast/ast.hpp"
#include "check/program.hpp"
#include "eval/batch.hpp"

namespace segrule::fuzz {

// Prints which promise broke and the evidence, then aborts.
[[noreturn]] void fail(std::string_view promise, std::string_view evidence);

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The evaluation date of every fuzz run, so that a saved input replays alike.
Date fuzz_as_of();

// Parses one line of output as JSON, or fails naming `what` it was.
nlohmann::json parse_json_line(std::string_view line, std::string_view what);

// The sorted texts of a file's comments: what fmt must keep.
std::vector<std::string> comment_texts(const Ast& ast);

// Compiles rule text; null (with the diagnostics) when it has errors.
std::shared_ptr<Program> compile_text(std::string_view text, Diagnostics& diagnostics);

// The rule file of jsonl_records and csv_records: every input type (string,
// int, number, money, bool, date, an enum, list<string>, list<enum>), nullable
// fields, defaults and a pii field, with lets, decisions, strategies, a
// constraint and an invariant that read them all. Its field names are those of
// examples/customers.* so that the example records are valid seeds.
extern const char* const kRecordSchema;
const Program& record_schema();

struct BatchRun {
  BatchCounts counts;
  std::vector<std::string> lines;  // sink output in order
  std::vector<bool> is_error;
  std::string joined;              // every line, each ending in "\n"
};

// Runs a batch and checks what every batch must give: read == results +
// errors, one sink line per record read, every line a JSON object of the
// right shape (a result ends with `dropped`, an error entry has `line` and
// `error`).
BatchRun run_checked_batch(const Program& program, std::string_view input, const BatchOptions& options);

// The record-reader targets: runs `input` through the batch as `eval` does,
// then again as `eval --explain` does, which must give the same lines with an
// `explain` member added at the end.
void check_records(const Program& program, std::string_view input, InputFormat format);

}  // namespace segrule::fuzz
