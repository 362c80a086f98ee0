#pragma once
// Strict RFC 8259 reader for customer records given as JSON.
//
// Numbers keep their source text: money must never pass through a double, so the
// caller converts `JsonValue::text` to its decimal type (and checks the range) itself.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace segrule {

enum class JsonKind : uint8_t { null, boolean, number, string, array, object };

struct JsonValue {
  JsonKind kind = JsonKind::null;
  bool boolean = false;
  std::string text;              // number: exact source text ("5000000.00", "-1e3"); string: decoded UTF-8
  std::vector<JsonValue> items;  // array elements
  std::vector<std::pair<std::string, JsonValue>> members;  // object members in source order (keys unique)

  // Declared here and defaulted in the .cpp: std::pair<std::string, JsonValue> asks whether
  // JsonValue is default-constructible while JsonValue is still incomplete, and clang rejects
  // the cycle when these are implicit.
  JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;
  ~JsonValue();

  // The member named `key`, or nullptr if absent or if this is not an object.
  // The pointer lives as long as this value is neither changed nor destroyed.
  const JsonValue* find(std::string_view key) const;
};

struct JsonLimits {
  size_t max_depth = 64;         // arrays and objects open at once
  size_t max_bytes = 16u << 20;  // size of one record's text
};

struct JsonError {
  size_t offset = 0;    // byte offset in the input where the problem is
  std::string message;  // lowercase, no final period, says what was expected
};

// Parses exactly one JSON value, optionally surrounded by JSON whitespace (space, \t, \n, \r).
// Rejects, as a JsonError: duplicate keys within one object (a record with two `aum` values is
// ambiguous), invalid UTF-8 anywhere, unpaired surrogate escapes, raw control characters in
// strings, NaN/Infinity, malformed numbers ("01", "1.", ".5", "+1"), trailing commas, comments,
// single quotes, a byte order mark (the caller strips one at the start of a file), nesting
// deeper than limits.max_depth and input longer than limits.max_bytes.
// Uses an explicit stack, so the input cannot drive the call depth.
std::variant<JsonValue, JsonError> parse_json(std::string_view text, const JsonLimits& limits = {});

// Splits a document whose top level is an array into its elements' byte ranges without building
// them, so that a large array of records can be read one record at a time. Calls
// on_element(element_text, offset) for each element as it is found (element_text views `text`;
// offset is where the element starts in `text`), then returns nullopt; or returns a JsonError as
// soon as the outer structure is malformed (elements already delivered stay delivered).
// Only the outer array is checked here: each element's own content, nesting depth and size are
// checked when the caller runs parse_json(element_text, limits) on it, so one bad record does not
// stop the batch. `limits` is accepted for symmetry with parse_json and not otherwise used.
std::optional<JsonError> split_json_array(std::string_view text,
                                          const std::function<void(std::string_view, size_t)>& on_element,
                                          const JsonLimits& limits = {});

// Length in bytes of the well-formed UTF-8 sequence starting at text[pos] (1 for ASCII), or 0 if
// the bytes there are not well-formed UTF-8 (bad lead byte, overlong form, surrogate, beyond
// U+10FFFF, or truncated). Shared by the JSON and CSV readers. Requires pos < text.size().
size_t utf8_sequence_length(std::string_view text, size_t pos);

}  // namespace segrule
