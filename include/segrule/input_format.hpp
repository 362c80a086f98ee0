#pragma once
// How a batch of records is laid out.

#include <cstdint>

namespace segrule {

enum class InputFormat : uint8_t {
  jsonl,  // one JSON object per line
  json,   // one JSON array of objects
  csv,    // a header row naming the fields, then one record per row
};

}  // namespace segrule
