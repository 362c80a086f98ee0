#pragma once
// A runtime value. Lists hold scalars only (the language has no nested lists).

#include <cstdint>
#include <string>
#include <vector>

#include "eval/date.hpp"
#include "eval/decimal.hpp"

namespace segrule {

enum class ValueKind : uint8_t { null, boolean, number, string, date, symbol, list };

struct Value {
  // User-provided, so that `Value()` (as in emplace_back()) runs only the member
  // initialisers: an implicit constructor would first zero all 96 bytes, which
  // compilers do with a slow `rep stos`.
  Value() noexcept {}

  ValueKind kind = ValueKind::null;
  bool boolean = false;
  uint32_t symbol = 0;  // index of an enum value, tier row, segment row or catalog item in its domain
  Date date;
  Decimal number;
  std::string text;
  std::vector<Value> items;

  static Value of_bool(bool b) {
    Value v;
    v.kind = ValueKind::boolean;
    v.boolean = b;
    return v;
  }
  static Value of_number(Decimal d) {
    Value v;
    v.kind = ValueKind::number;
    v.number = d;
    return v;
  }
  static Value of_string(std::string s) {
    Value v;
    v.kind = ValueKind::string;
    v.text = std::move(s);
    return v;
  }
  static Value of_date(Date d) {
    Value v;
    v.kind = ValueKind::date;
    v.date = d;
    return v;
  }
  static Value of_symbol(uint32_t index) {
    Value v;
    v.kind = ValueKind::symbol;
    v.symbol = index;
    return v;
  }
  static Value empty_list() {
    Value v;
    v.kind = ValueKind::list;
    return v;
  }
  bool is_null() const { return kind == ValueKind::null; }
};

// Equality of two values of one type (null equals only null).
bool same_value(const Value& a, const Value& b);

// Strings and lists: see assign_value.
void assign_value_slow(Value& dst, const Value& src);

// dst = src, copying only what src's kind uses, into dst's existing storage
// (no allocation once dst's string or list has the capacity). Inline for the
// scalar kinds, which are most of what the evaluator copies.
inline void assign_value(Value& dst, const Value& src) {
  switch (src.kind) {
    case ValueKind::null: dst.kind = src.kind; return;
    case ValueKind::boolean: dst.kind = src.kind; dst.boolean = src.boolean; return;
    case ValueKind::number: dst.kind = src.kind; dst.number = src.number; return;
    case ValueKind::date: dst.kind = src.kind; dst.date = src.date; return;
    case ValueKind::symbol: dst.kind = src.kind; dst.symbol = src.symbol; return;
    default: assign_value_slow(dst, src);
  }
}

// Appends to a list value unless already present: lists keep first-seen order, no duplicates.
void append_unique(Value& list, const Value& item);

}  // namespace segrule
