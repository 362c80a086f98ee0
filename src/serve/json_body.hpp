#pragma once
// Request bodies as JSON text. Records are handed to the engine as the text the
// client sent, never through a double, so amounts stay exact: these functions
// check a body and find the text of its parts without converting any number.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segrule::serve {

// Deepest nesting of arrays and objects a body may have (records are flat).
constexpr size_t kMaxJsonDepth = 64;

// Whether `text` is one JSON value, strictly (no trailing text, valid UTF-8),
// nested at most kMaxJsonDepth deep. On failure `error` says where and what.
bool check_json(std::string_view text, std::string& error);

// The first character of a checked JSON value: '{', '[', '"', 't', ...
char json_kind(std::string_view checked);

// The texts of the elements of a checked JSON array, in order.
std::vector<std::string_view> json_array_elements(std::string_view checked_array);

// The text of the member `name` of a checked JSON object (the first, if repeated).
std::optional<std::string_view> json_member(std::string_view checked_object, std::string_view name);

// `text` as a JSON string literal.
std::string json_quote(std::string_view text);

}  // namespace segrule::serve
