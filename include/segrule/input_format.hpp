#pragma once
// How a batch of records is laid out.

#include <cstdint>
#include <string_view>

#include "segrule/export.h"

namespace segrule {

enum class InputFormat : uint8_t {
  jsonl,  // one JSON object per line
  json,   // one JSON array of objects
  csv,    // a header row naming the fields, then one record per row
};

// The format a file name suggests: `.csv` CSV, `.json` a JSON array, anything else JSON Lines.
SEGRULE_API InputFormat input_format_for(std::string_view path);

}  // namespace segrule
