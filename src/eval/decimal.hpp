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

// (hi * 2^64 + lo) / d and its remainder, for hi < d (so the quotient fits 64
// bits): one divide instruction instead of the generic 128-bit division routine.
inline uint64_t divide_128_by_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t& rem) {
#if defined(__x86_64__)
  uint64_t q;
  __asm__("divq %[d]" : "=a"(q), "=d"(rem) : [d] "rm"(d), "a"(lo), "d"(hi));
  return q;
#else
  UInt128 n = (static_cast<UInt128>(hi) << 64) | lo;
  rem = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

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
  // A divisor as div() uses it, worked out once when several divisions share
  // it (`share(x, aum)` for several x): whether it is a whole number of
  // hundredths, and which (see "The fast path of division" below).
  struct Divisor {
    Int128 units = 0;
    uint64_t hundredths = 0;  // 0: not the fast path
  };
  static Divisor divisor(Decimal b) {
    Divisor d{b.units_, 0};
    uint64_t yh;
    if (whole_hundredths(b.units_, yh)) d.hundredths = yh;
    return d;
  }
  // Inline: the common case costs no call.
  static DecimalStatus div(Decimal a, Decimal b, Decimal& out) { return div(a, divisor(b), out); }
  static DecimalStatus div(Decimal a, const Divisor& d, Decimal& out) {
    const Int128 q = quotient_units(a, d);
    if (q == kNoQuotient) [[unlikely]] return divide_slow(a, d, out);
    out = from_units(q);
    return DecimalStatus::ok;
  }
  // The fast path of div() alone: the quotient's units, or kNoQuotient when it
  // does not take the division (then div() gives the result or the error). By
  // value, so that a caller storing the quotient keeps it in registers: through
  // a Decimal in memory GCC writes two halves and reads them back as one
  // 16-byte load, which waits for the stores instead of being forwarded.
  static constexpr Int128 kNoQuotient = kMaxUnits + 1;
  static Int128 quotient_units(Decimal a, const Divisor& d) {
    const uint64_t yh = d.hundredths;
    UInt128 x = magnitude(a.units_);
    if (yh == 0 || static_cast<uint64_t>(x >> 64) >= kTimes100Bound) [[unlikely]] return kNoQuotient;
    UInt128 n = x * 100;
    bool negative = (a.units_ < 0) != (d.units < 0);
    auto hi = static_cast<uint64_t>(n >> 64);
    // Below this the quotient is at most 2^64 - 2 units (18.4), so one divide
    // instruction gives it and rounding up cannot carry out of 64 bits.
    if (hi >= yh - 1) [[unlikely]] return kNoQuotient;
    uint64_t rem;
    uint64_t q = divide_128_by_64(hi, static_cast<uint64_t>(n), yh, rem);
    auto rounded = static_cast<Int128>(q + rounds_up(q, rem, yh));
    return negative ? -rounded : rounded;
  }
  // Division by the general 256-bit path only; div() takes a faster path for
  // divisors with at most two decimals. Exposed so tests can compare the two.
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
  // The fast path of division. Divisors with at most two decimals (money, whole
  // numbers, percentages) are whole numbers of hundredths: y = yh * 10^16 units.
  // a / b in units is x * 10^18 / y = x * 100 / yh, with the long path's quotient
  // and its remainder divided by 10^16, so it also rounds the same way. The
  // dividend may have any number of decimals.
  static constexpr uint64_t kUnitsPerHundredth = 10'000'000'000'000'000ULL;  // 10^16 = 2^16 * 5^16
  static constexpr uint64_t kFive16 = 152'587'890'625;
  static constexpr uint64_t kFive16Inverse = [] {  // modulo 2^64
    uint64_t inv = kFive16;  // correct to 3 bits; each Newton step doubles the correct bits
    for (int i = 0; i < 5; ++i) inv *= 2 - kFive16 * inv;
    return inv;
  }();
  static_assert(kFive16 * kFive16Inverse == 1);
  // x * 100 fits 128 bits when x's high half is below this: 100 * this < 2^64.
  static constexpr uint64_t kTimes100Bound = 184'467'440'737'095'516;  // floor(2^64 / 100)

  static constexpr UInt128 magnitude(Int128 v) {
    return v < 0 ? UInt128{0} - static_cast<UInt128>(v) : static_cast<UInt128>(v);
  }

  // Whether units is ±h hundredths (h * 10^16 units) with h < 2^64; sets h. If it
  // is, |units| >> 16 is h * 5^16 and multiplying by the inverse of 5^16 modulo
  // 2^64 gives h back (exact division, no divide instruction). For any other
  // value the product is some number whose multiple is not |units|, so one
  // multiplication back checks both.
  static bool whole_hundredths(Int128 units, uint64_t& h) {
    UInt128 mag = magnitude(units);
    h = static_cast<uint64_t>(mag >> 16) * kFive16Inverse;
    return static_cast<UInt128>(h) * kUnitsPerHundredth == mag;
  }

  // Half-even: whether quotient q with remainder rem of a division by d rounds
  // up, i.e. rem * 2 > d, or rem * 2 == d and q is odd. Both are rem * 2 + (q & 1)
  // > d, compared without doubling (rem < d, so neither side wraps).
  static bool rounds_up(uint64_t q, uint64_t rem, uint64_t d) { return rem + (q & 1) > d - rem; }

  // div()'s fast path for quotients of 2^64 - 1 units (18.4) and more: n / yh
  // with one more divide step, and a range check.
  static DecimalStatus divide_wide_quotient(UInt128 n, uint64_t yh, bool negative, Decimal& out);
  // What div() does when quotient_units() does not take the division.
  static DecimalStatus divide_slow(Decimal a, const Divisor& d, Decimal& out);

  Int128 units_ = 0;
};

}  // namespace segrule
