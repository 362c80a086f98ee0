#include "eval/json_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "utf8.hpp"

namespace segrule {

JsonValue::JsonValue() = default;
JsonValue::JsonValue(const JsonValue&) = default;
JsonValue::JsonValue(JsonValue&&) noexcept = default;
JsonValue& JsonValue::operator=(const JsonValue&) = default;
JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;
JsonValue::~JsonValue() = default;

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

size_t utf8_sequence_length(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned lead = byte(pos);
  if (lead < 0x80) return 1;
  // The allowed range of the second byte is what excludes overlong forms, UTF-16
  // surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..).
  size_t length = 0;
  unsigned low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - pos < length) return 0;
  if (byte(pos + 1) < low || byte(pos + 1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string hex_byte(unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02x", byte);
  return buffer;
}

// Makes user text safe and short enough to quote in a message: control characters become
// \u00XX, long text is cut at a character boundary.
std::string quote_for_message(std::string_view text) {
  constexpr size_t max_shown = 40;
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (out.size() >= max_shown) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
      ++i;
      continue;
    }
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += '?';
      ++i;
      continue;
    }
    out.append(text, i, length);
    i += length;
  }
  return out;
}

bool starts_with_bom(std::string_view text, size_t pos) { return text.substr(pos, 3) == "\xEF\xBB\xBF"; }

std::string depth_message(size_t max_depth) { return "nesting deeper than " + std::to_string(max_depth) + " levels"; }

constexpr const char* comma_trailing_value = "expected a JSON value after `,` (trailing commas are not allowed)";
constexpr const char* comma_trailing_key = "expected a string key after `,` (trailing commas are not allowed)";

class Parser {
 public:
  Parser(std::string_view text, const JsonLimits& limits) : text_(text), limits_(limits) {}

  std::variant<JsonValue, JsonError> run() {
    if (text_.size() > limits_.max_bytes) {
      return JsonError{limits_.max_bytes, "record larger than " + std::to_string(limits_.max_bytes) + " bytes"};
    }
    if (parse_document()) return std::move(result_);
    return std::move(error_);
  }

 private:
  // One array or object still open. The stack of these replaces recursion.
  struct Frame {
    JsonValue value;
    std::string key;  // object: key of the member whose value is being parsed
    // Object: every key so far, built only once the object is big enough for linear
    // duplicate checks to cost more than hashing.
    std::unordered_set<std::string> key_set;
  };
  static constexpr size_t linear_key_check_limit = 16;

  bool parse_document() {
    std::vector<Frame> stack;
    const char* expectation = "expected a JSON value";
    skip_space();
    for (;;) {
      // Here a value must start at pos_.
      JsonValue done;
      if (at_end()) return fail(pos_, expectation);
      const char c = text_[pos_];
      if (c == '[' || c == '{') {
        if (stack.size() >= limits_.max_depth) return fail(pos_, depth_message(limits_.max_depth));
        Frame& frame = stack.emplace_back();
        frame.value.kind = c == '[' ? JsonKind::array : JsonKind::object;
        ++pos_;
        skip_space();
        const char close = c == '[' ? ']' : '}';
        if (!at_end() && text_[pos_] == close) {
          ++pos_;
          done = std::move(frame.value);
          stack.pop_back();
        } else if (c == '[') {
          expectation = "expected a JSON value or `]`";
          continue;
        } else {
          if (!parse_key(frame, "expected a string key or `}`")) return false;
          expectation = "expected a JSON value after `:`";
          continue;
        }
      } else if (!parse_scalar(done, expectation)) {
        return false;
      }

      // `done` is complete: attach it to its container, then read what follows. Closing a
      // container completes that container in turn, hence the loop.
      for (;;) {
        if (stack.empty()) {
          skip_space();
          if (!at_end()) return fail(pos_, "unexpected text after the JSON value");
          result_ = std::move(done);
          return true;
        }
        Frame& top = stack.back();
        const bool is_array = top.value.kind == JsonKind::array;
        if (is_array) {
          top.value.items.push_back(std::move(done));
        } else {
          top.value.members.emplace_back(std::move(top.key), std::move(done));
        }
        skip_space();
        const char close = is_array ? ']' : '}';
        if (!at_end() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
          if (is_array) {
            expectation = "expected a JSON value after `,`";
            if (!at_end() && text_[pos_] == ']') return fail(pos_, comma_trailing_value);
          } else {
            if (!at_end() && text_[pos_] == '}') return fail(pos_, comma_trailing_key);
            if (!parse_key(top, "expected a string key after `,`")) return false;
            expectation = "expected a JSON value after `:`";
          }
          break;
        }
        if (!at_end() && text_[pos_] == close) {
          ++pos_;
          done = std::move(top.value);
          stack.pop_back();
          continue;
        }
        return fail(pos_, is_array ? "expected `,` or `]` after an array element"
                                   : "expected `,` or `}` after an object member");
      }
    }
  }

  // Reads `"key" :` into frame.key, rejecting a key the object already has.
  bool parse_key(Frame& frame, const char* expectation) {
    if (at_end() || text_[pos_] != '"') return fail_unexpected(expectation);
    const size_t key_offset = pos_;
    if (!parse_string(frame.key)) return false;

    auto& members = frame.value.members;
    bool duplicate = false;
    if (members.size() < linear_key_check_limit) {
      duplicate = std::any_of(members.begin(), members.end(), [&](const auto& member) { return member.first == frame.key; });
    } else {
      if (frame.key_set.empty()) {
        for (const auto& member : members) frame.key_set.insert(member.first);
      }
      duplicate = !frame.key_set.insert(frame.key).second;
    }
    if (duplicate) return fail(key_offset, "duplicate key `" + quote_for_message(frame.key) + "`");

    skip_space();
    if (at_end() || text_[pos_] != ':') return fail(pos_, "expected `:` after an object key");
    ++pos_;
    skip_space();
    return true;
  }

  bool parse_scalar(JsonValue& out, const char* expectation) {
    const char c = text_[pos_];
    if (c == '"') {
      out.kind = JsonKind::string;
      return parse_string(out.text);
    }
    if (c == '-' || c == '+' || c == '.' || is_digit(c)) return parse_number(out);
    if (is_letter(c)) return parse_word(out);
    return fail_unexpected(expectation);
  }

  // A value or key was expected at pos_ and is not there: name the likely mistake if there is one.
  bool fail_unexpected(const char* expectation) {
    if (at_end()) return fail(pos_, expectation);
    const char c = text_[pos_];
    if (c == '\'') return fail(pos_, "single-quoted strings are not valid JSON, use `\"`");
    if (c == '/') return fail(pos_, "comments are not valid JSON");
    if (starts_with_bom(text_, pos_)) return fail(pos_, "byte order mark is not valid JSON (strip it before parsing)");
    if (utf8_sequence_length(text_, pos_) == 0) {
      return fail(pos_, "invalid UTF-8 byte " + hex_byte(static_cast<unsigned char>(c)));
    }
    return fail(pos_, expectation);
  }

  // true, false, null, or a word someone may have meant as a value.
  bool parse_word(JsonValue& out) {
    const size_t start = pos_;
    size_t end = start;
    while (end < text_.size() && (is_letter(text_[end]) || is_digit(text_[end]) || text_[end] == '_')) ++end;
    const std::string_view word = text_.substr(start, end - start);
    if (word == "true" || word == "false") {
      out.kind = JsonKind::boolean;
      out.boolean = word == "true";
    } else if (word == "null") {
      out.kind = JsonKind::null;
    } else if (is_non_finite(word)) {
      return fail(start, "number `" + quote_for_message(word) + "` is not valid JSON");
    } else {
      for (const std::string_view literal : {"true", "false", "null"}) {
        if (literal.starts_with(word)) return fail(start, "expected `" + std::string(literal) + "`");
      }
      return fail(start, "expected a JSON value, found `" + quote_for_message(word) + "`");
    }
    pos_ = end;
    return true;
  }

  static bool is_non_finite(std::string_view word) {
    std::string lower;
    for (const char c : word) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower == "nan" || lower == "inf" || lower == "infinity";
  }

  // -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?  — kept as text.
  bool parse_number(JsonValue& out) {
    const size_t start = pos_;
    // The run of characters that plausibly belong to the number: it is what the user sees
    // as "the number", so messages quote it whole.
    size_t end = start;
    while (end < text_.size()) {
      const char c = text_[end];
      if (!(is_digit(c) || is_letter(c) || c == '+' || c == '-' || c == '.' || c == '_')) break;
      ++end;
    }
    const std::string_view run = text_.substr(start, end - start);
    const auto problem = [&](size_t offset, const std::string& what) {
      return fail(offset, "number `" + quote_for_message(run) + "` " + what);
    };
    if (const std::string_view unsigned_run = run.substr(run[0] == '-' || run[0] == '+' ? 1 : 0);
        is_non_finite(unsigned_run)) {
      return problem(start, "is not valid JSON");
    }
    if (run[0] == '+') return problem(start, "may not start with `+`");

    size_t p = start;
    const auto digit_at = [&](size_t i) { return i < text_.size() && is_digit(text_[i]); };
    if (text_[p] == '-') ++p;
    if (digit_at(p) && text_[p] == '0') {
      ++p;
      if (digit_at(p)) return problem(p, "has a leading zero");
    } else if (digit_at(p)) {
      while (digit_at(p)) ++p;
    } else if (p < text_.size() && text_[p] == '.') {
      return problem(p, "needs a digit before the decimal point");
    } else {
      return problem(p, "needs a digit after `-`");
    }
    if (p < text_.size() && text_[p] == '.') {
      ++p;
      if (!digit_at(p)) return problem(p, "needs a digit after the decimal point");
      while (digit_at(p)) ++p;
    }
    if (p < text_.size() && (text_[p] == 'e' || text_[p] == 'E')) {
      ++p;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (!digit_at(p)) return problem(p, "needs a digit in the exponent");
      while (digit_at(p)) ++p;
    }
    if (p != end) return fail(p, "invalid number `" + quote_for_message(run) + "`");
    out.kind = JsonKind::number;
    out.text.assign(text_.substr(start, p - start));
    pos_ = p;
    return true;
  }

  // pos_ is at the opening quote. Decodes into `out`, copying unescaped runs whole.
  bool parse_string(std::string& out) {
    const size_t open = pos_++;
    out.clear();
    for (;;) {
      const size_t run_start = pos_;
      while (pos_ < text_.size()) {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20) break;
        if (c < 0x80) {
          ++pos_;
          continue;
        }
        const size_t length = utf8_sequence_length(text_, pos_);
        if (length == 0) break;
        pos_ += length;
      }
      out.append(text_, run_start, pos_ - run_start);
      if (at_end()) return fail(open, "unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c >= 0x80) return fail(pos_, "invalid UTF-8 byte " + hex_byte(c) + " in string");
      if (c < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "U+%04X", c);
        return fail(pos_, std::string("control character ") + buffer + " must be escaped in a string");
      }
      if (!parse_escape(out, open)) return false;
    }
  }

  // pos_ is at a backslash inside the string that opened at `open`.
  bool parse_escape(std::string& out, size_t open) {
    const size_t backslash = pos_;
    if (pos_ + 1 >= text_.size()) return fail(open, "unterminated string");
    const char c = text_[pos_ + 1];
    char decoded = 0;
    switch (c) {
      case '"': decoded = '"'; break;
      case '\\': decoded = '\\'; break;
      case '/': decoded = '/'; break;
      case 'b': decoded = '\b'; break;
      case 'f': decoded = '\f'; break;
      case 'n': decoded = '\n'; break;
      case 'r': decoded = '\r'; break;
      case 't': decoded = '\t'; break;
      case 'u': return parse_unicode_escape(out);
      default:
        if (c > 0x20 && c < 0x7F) return fail(backslash, std::string("invalid escape `\\") + c + "` in string");
        return fail(backslash, "invalid escape in string");
    }
    out.push_back(decoded);
    pos_ += 2;
    return true;
  }

  // The code unit of `\uXXXX` at `at`, or nullopt if the text there is not one.
  std::optional<unsigned> unicode_escape_at(size_t at) const {
    if (text_.size() - at < 6 || text_[at] != '\\' || text_[at + 1] != 'u') return std::nullopt;
    unsigned unit = 0;
    for (size_t i = at + 2; i < at + 6; ++i) {
      const char h = text_[i];
      unsigned digit = 0;
      if (is_digit(h)) {
        digit = static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        digit = static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        digit = static_cast<unsigned>(h - 'A' + 10);
      } else {
        return std::nullopt;
      }
      unit = unit * 16 + digit;
    }
    return unit;
  }

  bool parse_unicode_escape(std::string& out) {
    const size_t at = pos_;
    const auto unit = unicode_escape_at(at);
    if (!unit) return fail(at, "expected 4 hex digits after `\\u`");
    unsigned code_point = *unit;
    size_t length = 6;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) {
      // Only a high surrogate followed at once by a low one names a character.
      const auto low = code_point <= 0xDBFF ? unicode_escape_at(at + 6) : std::nullopt;
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {
        return fail(at, "unpaired surrogate `" + std::string(text_.substr(at, 6)) + "` in string");
      }
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*low - 0xDC00);
      length = 12;
    }
    append_utf8(out, code_point);
    pos_ = at + length;
    return true;
  }


  void skip_space() {
    while (pos_ < text_.size() && is_json_space(text_[pos_])) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }

  bool fail(size_t offset, std::string message) {
    error_ = JsonError{offset, std::move(message)};
    return false;
  }

  std::string_view text_;
  const JsonLimits& limits_;
  size_t pos_ = 0;
  JsonValue result_;
  JsonError error_;
};

}  // namespace

std::variant<JsonValue, JsonError> parse_json(std::string_view text, const JsonLimits& limits) {
  return Parser(text, limits).run();
}

std::optional<JsonError> split_json_array(std::string_view text,
                                          const std::function<void(std::string_view, size_t)>& on_element,
                                          const JsonLimits& /*limits*/) {
  const size_t size = text.size();
  size_t pos = 0;
  const auto skip_space = [&] {
    while (pos < size && is_json_space(text[pos])) ++pos;
  };
  const auto error = [](size_t offset, std::string message) { return JsonError{offset, std::move(message)}; };
  // Moves pos past the string whose opening quote it is at; false if the string never closes.
  // Escapes are only skipped here; parse_json checks them per element.
  const auto skip_string = [&] {
    for (++pos; pos < size; ++pos) {
      if (text[pos] == '\\') {
        ++pos;
      } else if (text[pos] == '"') {
        ++pos;
        return true;
      }
    }
    return false;
  };

  skip_space();
  if (pos >= size || text[pos] != '[') {
    if (starts_with_bom(text, pos)) return error(pos, "byte order mark is not valid JSON (strip it before parsing)");
    return error(pos, "expected `[` starting an array of records");
  }
  ++pos;
  skip_space();
  if (pos < size && text[pos] == ']') {
    ++pos;
  } else {
    const char* expectation = "expected a JSON value or `]`";
    for (;;) {
      const size_t start = pos;
      if (pos >= size) return error(pos, expectation);
      const char c = text[pos];
      if (c == ',' || c == ']' || c == '}' || c == ':') return error(pos, c == ']' ? comma_trailing_value : expectation);
      if (c == '[' || c == '{') {
        // Only a counter: bracket kinds and depth are the element's own business (parse_json).
        size_t depth = 0;
        do {
          const char d = text[pos];
          if (d == '"') {
            if (!skip_string()) return error(start, "unterminated array or object");
            continue;
          }
          if (d == '[' || d == '{') ++depth;
          if (d == ']' || d == '}') --depth;
          ++pos;
        } while (depth > 0 && pos < size);
        if (depth > 0) return error(start, "unterminated array or object");
      } else if (c == '"') {
        if (!skip_string()) return error(start, "unterminated string");
      } else {
        while (pos < size) {
          const char d = text[pos];
          if (is_json_space(d) || d == ',' || d == ']' || d == '}' || d == '[' || d == '{' || d == '"' || d == ':') break;
          ++pos;
        }
      }
      on_element(text.substr(start, pos - start), start);
      skip_space();
      if (pos < size && text[pos] == ']') {
        ++pos;
        break;
      }
      if (pos >= size || text[pos] != ',') return error(pos, "expected `,` or `]` after an array element");
      ++pos;
      skip_space();
      expectation = "expected a JSON value after `,`";
    }
  }
  skip_space();
  if (pos < size) return error(pos, "unexpected text after the JSON value");
  return std::nullopt;
}

}  // namespace segrule
