#include "eval/fast_record.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "eval/json_reader.hpp"

// Why hand-written scanning and not simdjson: a record is ~370 bytes, so the
// work is dominated by per-field dispatch and conversion, not by finding
// structure in long buffers; simdjson's DOM/On-Demand would still need a key
// lookup per member, a padded copy of each line, and its own rules (it
// accepts duplicate keys, decodes escapes) that we would have to re-check to
// match parse_json exactly. One pass that checks the grammar and converts each
// declared field as it is met does less work and stays easy to read.

namespace segrule {

namespace {

uint64_t load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

uint32_t load4(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

// Cheap hash of a short name: its first and last bytes and its length. Any
// hash is correct here (entries are compared in full); this one is fast.
uint64_t hash_name(const char* p, size_t n) {
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = load8(p);
    b = load8(p + n - 8);
  } else if (n >= 4) {
    a = load4(p);
    b = load4(p + n - 4);
  } else if (n > 0) {
    a = static_cast<unsigned char>(p[0]) | static_cast<unsigned>(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<unsigned>(static_cast<unsigned char>(p[n - 1])) << 16;
  }
  uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ ((b + n) * 0xC2B2AE3D27D4EB4Full);
  return h ^ (h >> 31);
}

constexpr uint64_t kPow10[] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
                               1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
                               100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                               1000000000000000000ull};

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Setters that leave a slot exactly as the Value::of_* factories would, but
// keep the capacity of its text and items.
[[gnu::always_inline]] inline void reset_scalars(Value& v) {
  v.boolean = false;
  v.symbol = 0;
  v.date = Date{};
  v.number = Decimal{};
}
// Empties the text and items of a slot, reading before writing: a slot mostly
// holds the same kind of value from record to record, so they are already empty.
[[gnu::always_inline]] inline void clear_storage(Value& v) {
  if (!v.text.empty()) v.text.clear();
  if (!v.items.empty()) v.items.clear();
}
[[gnu::always_inline]] inline void set_null(Value& v) {
  reset_scalars(v);
  v.kind = ValueKind::null;
  clear_storage(v);
}
[[gnu::always_inline]] inline void set_bool(Value& v, bool b) {
  set_null(v);
  v.kind = ValueKind::boolean;
  v.boolean = b;
}
[[gnu::always_inline]] inline void set_number(Value& v, Decimal d) {
  v.kind = ValueKind::number;
  v.boolean = false;
  v.symbol = 0;
  v.date = Date{};
  v.number = d;
  clear_storage(v);
}
void set_string(Value& v, std::string_view s) {
  reset_scalars(v);
  v.kind = ValueKind::string;
  // No longer than the text it replaces (ids, codes: the same length each
  // record): a plain copy, where assign() goes through the general _M_replace.
  if (s.size() <= v.text.size()) {
    std::memcpy(v.text.data(), s.data(), s.size());
    v.text.resize(s.size());
  } else {
    v.text.assign(s.data(), s.size());
  }
  if (!v.items.empty()) v.items.clear();
}
[[gnu::always_inline]] inline void set_date(Value& v, Date d) {
  set_null(v);
  v.kind = ValueKind::date;
  v.date = d;
}
[[gnu::always_inline]] inline void set_symbol(Value& v, uint32_t s) {
  set_null(v);
  v.kind = ValueKind::symbol;
  v.symbol = s;
}

}  // namespace

void NameTable::add(std::string_view name, uint32_t value) {
  if ((count_ + 1) * 2 > entries_.size()) grow();
  size_t mask = entries_.size() - 1;
  for (size_t i = hash_name(name.data(), name.size()) & mask;; i = (i + 1) & mask) {
    Entry& e = entries_[i];
    if (e.value == kNone) {
      e = Entry{name.data(), static_cast<uint32_t>(name.size()), value, {0, 0}};
      // The first 16 bytes, zero-padded, for find()'s word compare of short names.
      char first[16] = {};
      std::memcpy(first, name.data(), std::min<size_t>(name.size(), 16));
      e.word[0] = load8(first);
      e.word[1] = load8(first + 8);
      ++count_;
      return;
    }
    if (std::string_view(e.name, e.size) == name) {
      e.value = value;
      return;
    }
  }
}

void NameTable::grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 8 : old.size() * 2, Entry{});
  count_ = 0;
  for (const Entry& e : old)
    if (e.value != kNone) add(std::string_view(e.name, e.size), e.value);
}

namespace {

// Masks keeping the first n bytes of two 8-byte words, by n (0..16).
struct PrefixMasks {
  uint64_t word[17][2];
  constexpr PrefixMasks() : word{} {
    for (size_t n = 0; n <= 16; ++n) {
      word[n][0] = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
      word[n][1] = n >= 16 ? ~uint64_t{0} : n <= 8 ? 0 : (uint64_t{1} << (8 * (n - 8))) - 1;
    }
  }
};
constexpr PrefixMasks kPrefixMasks;

}  // namespace

uint32_t NameTable::find(std::string_view name, const char* readable_end) const {
  if (entries_.empty()) return kNone;
  if (name.size() > 16 || readable_end - name.data() < 16) return find(name);
  // Short names (field names, enum values) compared as two masked words, with no call to memcmp.
  const uint64_t w0 = load8(name.data()) & kPrefixMasks.word[name.size()][0];
  const uint64_t w1 = load8(name.data() + 8) & kPrefixMasks.word[name.size()][1];
  size_t mask = entries_.size() - 1;
  for (size_t i = hash_name(name.data(), name.size()) & mask;; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (e.value == kNone) return kNone;
    if (e.size == name.size() && e.word[0] == w0 && e.word[1] == w1) return e.value;
  }
}

uint32_t NameTable::find(std::string_view name) const {
  if (entries_.empty()) return kNone;
  size_t mask = entries_.size() - 1;
  for (size_t i = hash_name(name.data(), name.size()) & mask;; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (e.value == kNone) return kNone;
    if (e.size == name.size() && std::memcmp(e.name, name.data(), name.size()) == 0) return e.value;
  }
}

FastRecordReader::FastRecordReader(const Program& program) : program_(program) {
  domain_values_.resize(program.domains.size());
  std::vector<bool> domain_filled(program.domains.size(), false);
  fields_.resize(program.inputs.size());
  for (size_t i = 0; i < program.inputs.size(); ++i) {
    const InputField& f = program.inputs[i];
    Field& field = fields_[i];
    field.input = &f;
    field.base = f.type.base;
    field.element = f.type.element;
    field.slot = f.slot;
    field_names_.add(f.name, static_cast<uint32_t>(i));
    const std::string pattern = f.name + '"';
    bool plain = pattern.size() <= 8 * Field::kMatchWords;
    for (char c : f.name) plain = plain && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\';
    if (plain) {
      char word[8 * Field::kMatchWords] = {}, mask[8 * Field::kMatchWords] = {};
      std::memcpy(word, pattern.data(), pattern.size());
      std::memset(mask, 0xFF, pattern.size());
      for (size_t w = 0; w < Field::kMatchWords; ++w) {
        field.match_word[w] = load8(word + 8 * w);
        field.match_mask[w] = load8(mask + 8 * w);
      }
      field.match_size = static_cast<uint32_t>(pattern.size());
      field.match_reach = pattern.size() <= 16 ? 17 : 1 + 8 * Field::kMatchWords;
    }
    bool is_symbol = f.type.base == BaseType::symbol || (f.type.base == BaseType::list && f.type.element == BaseType::symbol);
    if (is_symbol && f.type.domain < program.domains.size()) {
      uint32_t d = f.type.domain;
      // The same index Domain::find consults, so both paths agree on every name.
      if (!domain_filled[d]) {
        for (const auto& [id, value] : program.domains[d].index) domain_values_[d].add(id, value);
        domain_filled[d] = true;
      }
      field.symbols = &domain_values_[d];
    }
  }
}

// Reads one record for a FastRecordReader. Every method returns false as soon
// as the text is not what the fast path accepts.
class FastRecordScanner {
 public:
  FastRecordScanner(const FastRecordReader& reader, std::string_view text, size_t max_depth)
      : reader_(reader), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  bool read_record(std::vector<Value>& slots) {
    const size_t field_count = reader_.fields_.size();
    if (field_count > FastRecordReader::kMaxFields) return false;
    uint64_t seen[FastRecordReader::kMaxFields / 64];
    const size_t words = (field_count + 63) / 64;
    // Most schemas fit one word; clearing it alone avoids a `rep stos` per record.
    seen[0] = 0;
    if (words > 1) std::memset(seen + 1, 0, (words - 1) * sizeof(uint64_t));

    skip_space();
    if (max_depth_ < 1 || !eat('{')) return false;
    const size_t key_base = key_count_;
    skip_space();
    if (!eat('}')) {
      // Records mostly list their fields in declaration order: the key after field
      // i is tried as field i + 1 first, by two masked word compares.
      uint32_t expected = 0;
      for (;;) {
        std::string_view key;
        uint32_t index = kNone;
        if (expected < field_count && is_key(reader_.fields_[expected])) {
          index = expected;
          skip_space();
          if (!eat(':')) return false;
          skip_space();
        } else {
          if (!read_key(key)) return false;
          index = reader_.field_names_.find(key, end_);
        }
        if (index != kNone) {
          expected = index + 1;
          uint64_t bit = uint64_t{1} << (index % 64);
          if (seen[index / 64] & bit) return false;  // duplicate key
          seen[index / 64] |= bit;
          const FastRecordReader::Field& field = reader_.fields_[index];
          if (!read_field(field, slots[field.slot])) return false;
        } else {
          if (!remember_key(key_base, key) || !skip_value(1)) return false;
        }
        skip_space();
        if (eat(',')) {
          skip_space();
          continue;
        }
        if (eat('}')) break;
        return false;
      }
    }
    skip_space();
    if (p_ != end_) return false;

    // The fields not met, a word of the bitmap at a time: usually none.
    for (size_t w = 0; w < words; ++w) {
      const size_t in_word = std::min<size_t>(64, field_count - w * 64);
      uint64_t absent = ~seen[w] & (in_word == 64 ? ~uint64_t{0} : (uint64_t{1} << in_word) - 1);
      while (absent != 0) {
        const FastRecordReader::Field& field = reader_.fields_[w * 64 + static_cast<size_t>(std::countr_zero(absent))];
        absent &= absent - 1;
        if (!missing(field, false, slots[field.slot])) return false;
      }
    }
    return true;
  }

 private:
  // Unknown keys of the objects open now, for the duplicate check; more than
  // this many makes the record fall back to the slow path.
  static constexpr size_t kMaxKeys = 128;
  // Nesting is also bounded here, whatever limits.max_depth says, so that the
  // recursion of skip_value stays shallow.
  static constexpr size_t kMaxNesting = 256;

  [[gnu::always_inline]] void skip_space() {
    // Compact records have no blanks: one compare settles the common case.
    if (p_ == end_ || static_cast<unsigned char>(*p_) > ' ') return;
    const char* p = p_;
    while (p != end_ && is_space(*p)) ++p;
    p_ = p;
  }
  [[gnu::always_inline]] bool eat(char c) {
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  // `true`, `null` (four bytes) and `false` compared as words, not by a call to memcmp.
  [[gnu::always_inline]] bool eat_word4(const char (&word)[5]) {
    if (end_ - p_ < 4 || load4(p_) != load4(word)) return false;
    p_ += 4;
    return true;
  }
  [[gnu::always_inline]] bool eat_false() {
    if (end_ - p_ < 5 || load4(p_) != load4("fals") || p_[4] != 'e') return false;
    p_ += 5;
    return true;
  }

  // At an opening quote: the string's content (no escapes), or false.
  // (The hot loops here work on a local copy of p_: a char load may alias the
  // member, which would make the compiler store p_ back at every byte.)
  bool read_string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* p = p_;
    const char* const begin = p;
    const char* const end = end_;
    Byte b = Byte::refused;
    if constexpr (std::endian::native == std::endian::little) {
      // Eight bytes at a time while they hold no quote, backslash, control
      // character or non-ASCII byte. The lowest flagged byte is always a real
      // hit: borrows in these subtractions only move towards higher bytes.
      while (end - p >= 8) {
        const uint64_t x = load8(p);
        const uint64_t quote = x ^ (kOnes * '"');
        const uint64_t backslash = x ^ (kOnes * '\\');
        const uint64_t flags = ((x - kOnes * 0x20) | x | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHighBits;
        if (flags == 0) {
          p += 8;
          continue;
        }
        p += std::countr_zero(flags) / 8;
        b = special_byte(p, end);
        if (b != Byte::skipped) goto done;
      }
    }
    while (p != end) {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++p;
        continue;
      }
      b = special_byte(p, end);
      if (b != Byte::skipped) goto done;
    }
    return false;  // unterminated
  done:
    if (b != Byte::closed) return false;
    out = std::string_view(begin, static_cast<size_t>(p - begin));
    p_ = p + 1;
    return true;
  }

  enum class Byte { closed, skipped, refused };

  // p is at a byte inside a string that is not plain printable ASCII: the
  // closing quote (p stays on it), a well-formed UTF-8 sequence (skipped), or
  // what the fast path refuses (escapes, control characters, broken UTF-8).
  static Byte special_byte(const char*& p, const char* end) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') return Byte::closed;
    if (c < 0x80) return Byte::refused;
    const size_t length = utf8_sequence_length(std::string_view(p, static_cast<size_t>(end - p)), 0);
    if (length == 0) return Byte::refused;
    p += length;
    return Byte::skipped;
  }

  // Whether the key at p_ is exactly `"NAME"` for this field; if so, moves past it.
  [[gnu::always_inline]] bool is_key(const FastRecordReader::Field& field) {
    if (field.match_size == 0 || end_ - p_ < field.match_reach || *p_ != '"') return false;
    uint64_t differ = ((load8(p_ + 1) ^ field.match_word[0]) & field.match_mask[0]) |
                      ((load8(p_ + 9) ^ field.match_word[1]) & field.match_mask[1]);
    if (field.match_size > 16)
      differ |= ((load8(p_ + 17) ^ field.match_word[2]) & field.match_mask[2]) | ((load8(p_ + 25) ^ field.match_word[3]) & field.match_mask[3]);
    if (differ != 0) return false;
    p_ += 1 + field.match_size;
    return true;
  }

  // `"key" :` and the blanks after it.
  bool read_key(std::string_view& key) {
    if (!read_string(key)) return false;
    skip_space();
    if (!eat(':')) return false;
    skip_space();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?  — what follows it is the caller's business:
  // any letter, digit, `.`, `+`, `-` there also fails the caller's structure check.
  // Also reads the value of the common short shape into number_ (see Number).
  [[gnu::always_inline]] bool read_number(std::string_view& out) {
    return (end_ - p_ >= kShortNumberReach && read_short_number(out)) || read_any_number(out);
  }

  // read_number for any shape, byte by byte.
  bool read_any_number(std::string_view& out) {
    const char* p = p_;
    const char* const begin = p;
    const char* const end = end_;
    const bool negative = p != end && *p == '-';
    p += negative;
    if (p == end || !is_digit(*p)) return false;
    const char* int_begin = p;
    uint64_t whole = 0, frac = 0;
    if (*p == '0') {
      ++p;
    } else {
      while (p != end && is_digit(*p)) whole = whole * 10 + static_cast<uint64_t>(*p++ - '0');
    }
    bool simple = p - int_begin <= 19;  // no uint64 overflow, as Decimal::parse's own fast path
    int frac_digits = 0;
    if (p != end && *p == '.') {
      const char* frac_begin = ++p;
      if (p == end || !is_digit(*p)) return false;
      while (p != end && is_digit(*p)) frac = frac * 10 + static_cast<uint64_t>(*p++ - '0');
      frac_digits = static_cast<int>(p - frac_begin);
      simple = simple && frac_digits <= Decimal::kScale;
    }
    if (p != end && (*p == 'e' || *p == 'E')) {
      simple = false;
      ++p;
      if (p != end && (*p == '+' || *p == '-')) ++p;
      if (p == end || !is_digit(*p)) return false;
      while (p != end && is_digit(*p)) ++p;
    }
    number_.simple = simple;
    number_.negative = negative;
    if (simple) {
      number_.whole = whole;
      number_.frac_units = frac * kPow10[Decimal::kScale - frac_digits];
    }
    out = std::string_view(begin, static_cast<size_t>(p - begin));
    p_ = p;
    return true;
  }

  // How many bytes past its start read_short_number may load.
  static constexpr ptrdiff_t kShortNumberReach = 20;

  // The usual shapes of amounts and counts, eight digits at a time:
  // -? [0-9]{1,7} (\.[0-9]{1,7})? not followed by a digit, `.`, `e` or `E`.
  // False for anything else (nothing is moved), which read_number then scans
  // byte by byte. The caller makes sure kShortNumberReach bytes are there.
  [[gnu::always_inline]] bool read_short_number(std::string_view& out) {
    const char* p = p_;
    const bool negative = *p == '-';
    p += negative;
    const uint64_t x = load8(p);
    const int whole_digits = leading_digits(x);
    if (whole_digits == 0 || whole_digits == 8 || (*p == '0' && whole_digits > 1)) return false;
    const uint64_t whole = digits_value(x, whole_digits);
    p += whole_digits;
    uint64_t frac_units = 0;
    if (*p == '.') {
      const uint64_t y = load8(p + 1);
      const int frac_digits = leading_digits(y);
      if (frac_digits == 0 || frac_digits == 8) return false;
      frac_units = digits_value(y, frac_digits) * kPow10[Decimal::kScale - frac_digits];
      p += 1 + frac_digits;
    }
    if (*p == 'e' || *p == 'E') return false;
    number_.simple = true;
    number_.negative = negative;
    number_.whole = whole;
    number_.frac_units = frac_units;
    out = std::string_view(p_, static_cast<size_t>(p - p_));
    p_ = p;
    return true;
  }

  // How many of the 8 bytes in x (the first in its lowest byte) are digits before the first that is not.
  static int leading_digits(uint64_t x) {
    // A byte is a digit when its high nibble is 3 and adding 6 leaves it so.
    // Carries of the addition only move up, past the first non-digit.
    const uint64_t high = 0xF0F0F0F0F0F0F0F0ull, threes = kOnes * 0x30;
    const uint64_t not_digit = ((x & high) ^ threes) | (((x + kOnes * 6) & high) ^ threes);
    return not_digit == 0 ? 8 : std::countr_zero(not_digit) / 8;
  }

  // The value of the first n (1..8) bytes of x, all digits.
  static uint64_t digits_value(uint64_t x, int n) {
    // Right-aligned behind zeros: the usual SWAR sum of 8 digits in three multiplies.
    uint64_t v = (x - kOnes * '0') << (8 * (8 - n));
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) + (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
    return v;
  }

  // The number just read by read_number, as Decimal::parse reads it.
  [[gnu::always_inline]] bool number_value(std::string_view text, bool whole_only, Decimal& d) const {
    if (number_.simple) {
      // Decimal::parse's fast path, the same arithmetic: at most 19 integer and 18
      // fractional digits, so whole * 10^18 + fraction units is exact and in range.
      if (whole_only && number_.frac_units != 0) return false;
      const Int128 units = static_cast<Int128>(number_.whole) * Decimal::kUnitsPerOne + static_cast<Int128>(number_.frac_units);
      d = Decimal::from_units(number_.negative ? -units : units);
      return true;
    }
    if (Decimal::parse(text, d) != DecimalStatus::ok) return false;
    return !whole_only || d.is_whole();
  }

  // Absent or null, as record.cpp's missing().
  static bool missing(const FastRecordReader::Field& field, bool is_null, Value& out) {
    const InputField& f = *field.input;
    if (f.has_default) {
      out = f.default_value;
      return true;
    }
    if (f.type.nullable) {
      set_null(out);
      return true;
    }
    if (f.type.base == BaseType::list && !is_null) {
      set_null(out);
      out.kind = ValueKind::list;
      return true;
    }
    return false;
  }

  // A JSON string or number converted to `base`, as record.cpp's scalar_from_text
  // (booleans are handled by the callers, as there).
  [[gnu::always_inline]] bool convert(const FastRecordReader::Field& field, BaseType base, std::string_view text, bool is_string, Value& out) const {
    switch (base) {
      case BaseType::int_: case BaseType::number: case BaseType::money: {
        if (is_string) return false;
        Decimal d;
        if (!number_value(text, base == BaseType::int_, d)) return false;
        set_number(out, d);
        return true;
      }
      case BaseType::string:
        if (!is_string) return false;
        set_string(out, text);
        return true;
      case BaseType::date: {
        if (!is_string) return false;
        auto d = parse_date(text);
        if (!d) return false;
        set_date(out, *d);
        return true;
      }
      case BaseType::symbol: {
        if (!is_string || field.symbols == nullptr) return false;
        uint32_t v = field.symbols->find(text, end_);
        if (v == kNone) return false;
        set_symbol(out, v);
        return true;
      }
      default: return false;
    }
  }

  // A string, number, true or false at p_ as a value of `base` (a list's item or a
  // scalar field). Null, arrays and objects are refused.
  [[gnu::always_inline]] bool read_scalar(const FastRecordReader::Field& field, BaseType base, Value& out) {
    if (p_ == end_) return false;
    const char c = *p_;
    if (c == 't' || c == 'f') {
      if (base != BaseType::boolean) return false;
      bool value = c == 't';
      if (!(value ? eat_word4("true") : eat_false())) return false;
      set_bool(out, value);
      return true;
    }
    if (base == BaseType::boolean) return false;
    std::string_view text;
    if (c == '"') {
      if (!read_string(text)) return false;
      return convert(field, base, text, true, out);
    }
    if (c == '-' || is_digit(c)) {
      if (!read_number(text)) return false;
      return convert(field, base, text, false, out);
    }
    return false;
  }

  // A declared field's value, as record.cpp's field_from_json.
  bool read_field(const FastRecordReader::Field& field, Value& out) {
    if (p_ == end_) return false;
    if (*p_ == 'n') return eat_word4("null") && missing(field, true, out);
    if (field.base != BaseType::list) return read_scalar(field, field.base, out);
    if (max_depth_ < 2 || !eat('[')) return false;
    // The items are written in place over the old ones, so their text keeps its
    // capacity; a duplicate is overwritten by the next item (append_unique).
    reset_scalars(out);
    out.kind = ValueKind::list;
    out.text.clear();
    std::vector<Value>& items = out.items;
    size_t count = 0;
    skip_space();
    if (!eat(']')) {
      for (;;) {
        if (count == items.size()) items.emplace_back();
        Value& item = items[count];
        if (!read_scalar(field, field.element, item)) return false;
        bool duplicate = false;
        for (size_t k = 0; k < count && !duplicate; ++k) duplicate = same_value(items[k], item);
        count += !duplicate;
        skip_space();
        if (eat(',')) {
          skip_space();
          continue;
        }
        if (eat(']')) break;
        return false;
      }
    }
    items.resize(count);
    return true;
  }

  // Records an unknown key of the object whose keys start at keys_[base]; false
  // on a duplicate (parse_json rejects them) or when the buffer is full.
  bool remember_key(size_t base, std::string_view key) {
    for (size_t k = base; k < key_count_; ++k)
      if (key_sizes_[k] == key.size() && std::memcmp(key_data_[k], key.data(), key.size()) == 0) return false;
    if (key_count_ == kMaxKeys) return false;
    key_data_[key_count_] = key.data();
    key_sizes_[key_count_] = key.size();
    ++key_count_;
    return true;
  }

  // Checks any JSON value of an undeclared member; `open` containers hold it.
  bool skip_value(size_t open) {
    if (p_ == end_) return false;
    std::string_view text;
    switch (*p_) {
      case '"': return read_string(text);
      case 't': return eat_word4("true");
      case 'f': return eat_false();
      case 'n': return eat_word4("null");
      case '[': {
        if (open >= max_depth_ || open >= kMaxNesting) return false;
        ++p_;
        skip_space();
        if (eat(']')) return true;
        for (;;) {
          if (!skip_value(open + 1)) return false;
          skip_space();
          if (eat(',')) {
            skip_space();
            continue;
          }
          return eat(']');
        }
      }
      case '{': {
        if (open >= max_depth_ || open >= kMaxNesting) return false;
        ++p_;
        skip_space();
        if (eat('}')) return true;
        const size_t base = key_count_;
        for (;;) {
          std::string_view key;
          if (!read_key(key) || !remember_key(base, key) || !skip_value(open + 1)) return false;
          skip_space();
          if (eat(',')) {
            skip_space();
            continue;
          }
          key_count_ = base;
          return eat('}');
        }
      }
      default: return read_number(text);
    }
  }

  // What read_number learnt of the last number: its value when `simple`.
  struct Number {
    bool simple = false;
    bool negative = false;
    uint64_t whole = 0;       // integer part
    uint64_t frac_units = 0;  // fractional part in units of 10^-18
  };

  const FastRecordReader& reader_;
  Number number_;
  const char* p_;
  const char* end_;
  size_t max_depth_;
  // Left uninitialised: only the first key_count_ entries are ever read, and
  // clearing the whole buffer per record would cost more than reading it.
  const char* key_data_[kMaxKeys];
  size_t key_sizes_[kMaxKeys];
  size_t key_count_ = 0;
};

bool FastRecordReader::read(std::string_view text, const RecordLimits& limits, std::vector<Value>& slots) const {
  if (text.size() > limits.max_record_bytes) return false;
  FastRecordScanner scanner(*this, text, limits.max_depth);
  return scanner.read_record(slots);
}

bool FastRecordReader::read_or_fall_back(std::string_view text, const RecordLimits& limits, std::vector<Value>& slots,
                                         RecordProblem& problem, bool* fast) const {
  bool took_fast = read(text, limits, slots);
  if (fast) *fast = took_fast;
  return took_fast || record_from_json(program_, text, limits, slots, problem);
}

}  // namespace segrule
