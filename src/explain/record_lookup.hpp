#pragma once
// `explain --input PATH --key ID`: finds the one record to explain in a whole
// input (JSON Lines, a JSON array or CSV) by the value of its key field.

#include <string_view>
#include <vector>

#include "eval/batch.hpp"

namespace segrule {

struct FoundRecord {
  bool found = false;
  size_t line = 0;        // where the record starts in the input (1-based)
  size_t matches = 0;     // records with that key; the first one is explained
  size_t unreadable = 0;  // records whose key could not be read (malformed JSON, bad CSV rows)
  bool fits = false;      // the record fits the `input` schema and its slots are filled
  RecordProblem problem;  // when found and it does not fit
};

// Scans `input` for records whose key equals `key` (a string key's text, or a
// number's text as written) and fills the input slots from the first one.
// `slots` must be sized by reset_outcome.
FoundRecord find_record(const Program& program, std::string_view input, InputFormat format, std::string_view key,
                        const RecordLimits& limits, std::vector<Value>& slots);

}  // namespace segrule
