#pragma once

// Exact fixed-point decimal with SQL DECIMAL(38,18) semantics.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segrule {

// __int128 is a GCC/Clang extension; __extension__ keeps -Wpedantic quiet here so
// that no other file has to spell the keyword.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class DecimalStatus : uint8_t { ok, overflow, division_by_zero, syntax };

class Decimal {
 public:
  static constexpr int kScale = 18;
  // 10^18: the number of units in 1.
  static constexpr Int128 kUnitsPerOne = 1'000'000'000'000'000'000;
  // Largest valid magnitude in units: 10^38 - 1 (20 integer + 18 fractional digits).
  static constexpr Int128 kMaxUnits = kUnitsPerOne * kUnitsPerOne * 100 - 1;

  constexpr Decimal() = default;

  // Caller guarantees |units| <= kMaxUnits.
  static constexpr Decimal from_units(Int128 units) {
    Decimal d;
    d.units_ = units;
    return d;
  }
  // |v| < 9.3e18, always in range.
  static constexpr Decimal from_int(int64_t v) { return from_units(Int128{v} * kUnitsPerOne); }
  static constexpr Decimal max_value() { return from_units(kMaxUnits); }
  static constexpr Decimal min_value() { return from_units(-kMaxUnits); }

  constexpr Int128 units() const { return units_; }

  // JSON number grammar ('-'? digits ('.' digits)? ([eE][+-]?digits)?), no leading '+',
  // leading zeros allowed; '_' between two mantissa digits only when allow_underscores.
  // Extra fractional digits round half-even; out of range -> overflow. Allocation-free.
  static DecimalStatus parse(std::string_view text, Decimal& out, bool allow_underscores = false);

  // + and - are exact; * and / round half-even to kScale digits.
  static DecimalStatus add(Decimal a, Decimal b, Decimal& out);
  static DecimalStatus sub(Decimal a, Decimal b, Decimal& out);
  static DecimalStatus mul(Decimal a, Decimal b, Decimal& out);
  static DecimalStatus div(Decimal a, Decimal b, Decimal& out);
  // Division by the general 256-bit path only; div() takes a faster path for
  // operands with at most two decimals. Exposed so tests can compare the two.
  static DecimalStatus divide_long(Decimal a, Decimal b, Decimal& out);

  // The range is symmetric, so negation never overflows.
  constexpr Decimal negated() const { return from_units(-units_); }
  constexpr Decimal abs() const { return units_ < 0 ? negated() : *this; }

  // Rounds half away from zero to `digits` fractional digits (negative: tens, hundreds...).
  // digits >= 18 is a no-op; very negative digits round everything to zero.
  DecimalStatus round_half_away(int digits, Decimal& out) const;

  constexpr bool is_whole() const { return units_ % kUnitsPerOne == 0; }
  constexpr bool is_zero() const { return units_ == 0; }
  constexpr int sign() const { return (units_ > 0) - (units_ < 0); }
  std::optional<int64_t> to_int64() const;

  auto operator<=>(const Decimal&) const = default;
  bool operator==(const Decimal&) const = default;

  // Canonical text: no exponent, no trailing fractional zeros, "0" for zero.
  std::string to_string() const;
  // Exactly `places` fractional digits (half-even), optional ',' thousands separators.
  std::string to_fixed(int places, bool thousands) const;
  // Appends canonical text without a temporary string.
  void append_to(std::string& out) const;
  // Writes canonical text so that it ends just before `end`, which has
  // kMaxTextLength bytes of room before it; returns its first byte.
  char* write_text(char* end) const;

  // Longest canonical text: '-' + 20 digits + '.' + 18 digits.
  static constexpr int kMaxTextLength = 40;

 private:
  Int128 units_ = 0;
};

}  // namespace segrule
