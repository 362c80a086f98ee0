#include "json_body.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace segrule::serve {

namespace {

// Accepts every event and counts nesting: a check with no document built, so a
// hostile body costs no memory and no recursion.
struct CheckingSax : nlohmann::json_sax<nlohmann::json> {
  size_t depth = 0;
  std::string error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 3: ...; last read: '...'"
    // without the tag, and without the text read: it may be a `pii` field's value.
    std::string_view what = e.what();
    size_t tag_end = what.find("] ");
    if (tag_end != std::string_view::npos) what.remove_prefix(tag_end + 2);
    what = what.substr(0, what.find("; last read:"));
    error = std::string(what);
    return false;
  }

  bool enter() {
    if (++depth <= kMaxJsonDepth) return true;
    error = fmt::format("JSON nested more than {} levels deep", kMaxJsonDepth);
    return false;
  }
  bool leave() {
    --depth;
    return true;
  }
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_space(std::string_view s, size_t& i) {
  while (i < s.size() && is_space(s[i])) ++i;
}

// Moves `i` past the string literal that starts at `i`.
void skip_string(std::string_view s, size_t& i) {
  for (++i; i < s.size() && s[i] != '"'; ++i)
    if (s[i] == '\\') ++i;
  ++i;
}

// Moves `i` past the value that starts at `i` (the text is known to be valid JSON).
void skip_value(std::string_view s, size_t& i) {
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] != '{' && s[i] != '[') {
    while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}') ++i;
    return;
  }
  size_t depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      skip_string(s, i);
      continue;
    }
    ++i;
    if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return;
  }
}

// Calls `each(key_text, value_text)` for the members of an object, or
// `each({}, element_text)` for the elements of an array; stops when it returns false.
template <typename Each>
void for_each_part(std::string_view s, Each each) {
  size_t i = 0;
  skip_space(s, i);
  bool object = s[i] == '{';
  ++i;
  for (;;) {
    skip_space(s, i);
    if (i >= s.size() || s[i] == '}' || s[i] == ']') return;
    std::string_view key;
    if (object) {
      size_t key_begin = i;
      skip_string(s, i);
      key = s.substr(key_begin, i - key_begin);
      skip_space(s, i);
      ++i;  // ':'
      skip_space(s, i);
    }
    size_t begin = i;
    skip_value(s, i);
    if (!each(key, s.substr(begin, i - begin))) return;
    skip_space(s, i);
    if (i < s.size() && s[i] == ',') ++i;
  }
}

}  // namespace

bool check_json(std::string_view text, std::string& error) {
  CheckingSax sax;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax, nlohmann::json::input_format_t::json, true);
  if (!ok) error = sax.error.empty() ? "not JSON" : sax.error;
  return ok;
}

char json_kind(std::string_view checked) {
  size_t i = 0;
  skip_space(checked, i);
  return i < checked.size() ? checked[i] : '\0';
}

std::vector<std::string_view> json_array_elements(std::string_view checked_array) {
  std::vector<std::string_view> elements;
  for_each_part(checked_array, [&](std::string_view, std::string_view value) {
    elements.push_back(value);
    return true;
  });
  return elements;
}

std::optional<std::string_view> json_member(std::string_view checked_object, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_part(checked_object, [&](std::string_view key, std::string_view value) {
    // Keys rarely hold escapes; decode only those that do.
    bool match = key.find('\\') == std::string_view::npos
                     ? key.substr(1, key.size() - 2) == name
                     : nlohmann::json::parse(key).get<std::string>() == name;
    if (match) found = value;
    return !match;
  });
  return found;
}

// Invalid UTF-8 (a rule file on disk may hold some) becomes U+FFFD rather than an exception.
std::string json_quote(std::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace segrule::serve
