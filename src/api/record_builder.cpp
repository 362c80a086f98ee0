// RecordBuilder: a record assembled field by field, kept as JSON member texts
// so it goes through exactly the same reading rules as a JSON record.

#include "segrule/ruleset.hpp"

#include <cctype>

#include "eval/result_writer.hpp"

namespace segrule {

namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  write_json_string(text, out);
  return out;
}

// True for the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

RecordBuilder& RecordBuilder::set_number(std::string_view field, std::string_view decimal_text) {
  // Not a number: kept as a string, so evaluation names the field and says what it expected.
  members_[std::string(field)] = is_json_number(decimal_text) ? std::string(decimal_text) : json_quoted(decimal_text);
  return *this;
}

RecordBuilder& RecordBuilder::set_int(std::string_view field, long long value) {
  members_[std::string(field)] = std::to_string(value);
  return *this;
}

RecordBuilder& RecordBuilder::set_bool(std::string_view field, bool value) {
  members_[std::string(field)] = value ? "true" : "false";
  return *this;
}

RecordBuilder& RecordBuilder::set_string(std::string_view field, std::string_view value) {
  members_[std::string(field)] = json_quoted(value);
  return *this;
}

RecordBuilder& RecordBuilder::set_strings(std::string_view field, const std::vector<std::string>& values) {
  std::string list = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) list += ',';
    write_json_string(values[i], list);
  }
  list += ']';
  members_[std::string(field)] = std::move(list);
  return *this;
}

RecordBuilder& RecordBuilder::set_null(std::string_view field) {
  members_[std::string(field)] = "null";
  return *this;
}

std::string RecordBuilder::to_json() const {
  std::string out = "{";
  for (const auto& [field, value] : members_) {
    if (out.size() > 1) out += ',';
    write_json_string(field, out);
    out += ':';
    out += value;
  }
  out += '}';
  return out;
}

}  // namespace segrule
