#pragma once
// One record's text -> the input slots of an Outcome, by the `input` schema:
// types converted, defaults applied, undeclared members ignored. A record that
// does not fit gives one message naming the field.

#include <optional>
#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/csv_reader.hpp"
#include "eval/json_reader.hpp"

namespace segrule {

struct RecordLimits {
  size_t max_record_bytes = 1u << 20;  // one JSON record or CSV row
  size_t max_depth = 32;               // JSON nesting inside one record
};

// What went wrong with one record: the message, and its key when readable.
struct RecordProblem {
  std::string message;
  std::optional<std::string> key;
};

// Fills the input slots from a JSON object. Returns false and fills `problem` otherwise.
bool record_from_json(const Program& program, std::string_view text, const RecordLimits& limits,
                      std::vector<Value>& slots, RecordProblem& problem);
bool record_from_json_value(const Program& program, const JsonValue& object, std::vector<Value>& slots, RecordProblem& problem);

// Maps CSV header cells to input fields; built once per file.
struct CsvColumns {
  std::vector<uint32_t> field_of_column;  // input index per column, kNone for undeclared columns
  std::vector<uint32_t> column_of_field;  // column per input field, kNone when absent
  std::string header_error;               // a header that names a field twice makes every row ambiguous
};
CsvColumns csv_columns(const Program& program, const std::vector<CsvCell>& header);
bool record_from_csv(const Program& program, const CsvColumns& columns, const std::vector<CsvCell>& cells,
                     std::vector<Value>& slots, RecordProblem& problem);

// The error for a record of `size` bytes, over the limit of `limit`.
std::string too_long_message(size_t size, size_t limit);
// How much of a record too long to read is searched for its key.
constexpr size_t kSalvageBytes = 4096;
// The key of a record that cannot be read (not JSON, too long), when its
// top-level member `key` is still readable as a plain string or number.
std::optional<std::string> salvage_key(std::string_view text, const std::string& key);

// `客**`: the first character kept, the rest masked, for fields marked `pii`.
std::string mask_pii(std::string_view text);

}  // namespace segrule
