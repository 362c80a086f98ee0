#include "eval/decimal.hpp"

#include <array>
#include <cstddef>
#include <limits>
#include <utility>

#include "eval/digits.hpp"

namespace segrule {

namespace {

constexpr int kMaxDigits = 38;

constexpr std::array<UInt128, kMaxDigits + 1> make_pow10() {
  std::array<UInt128, kMaxDigits + 1> table{};
  UInt128 p = 1;
  for (int i = 0; i <= kMaxDigits; ++i) {
    table[static_cast<std::size_t>(i)] = p;
    p *= 10;
  }
  return table;
}

constexpr std::array<UInt128, kMaxDigits + 1> kPow10 = make_pow10();

constexpr UInt128 pow10(int n) { return kPow10[static_cast<std::size_t>(n)]; }

constexpr UInt128 kOne = static_cast<UInt128>(Decimal::kUnitsPerOne);
// A magnitude in units is valid iff it is below this (10^38).
constexpr UInt128 kLimit = static_cast<UInt128>(Decimal::kMaxUnits) + 1;
constexpr uint64_t kOne64 = 1'000'000'000'000'000'000ULL;
constexpr uint64_t kTen19 = 10'000'000'000'000'000'000ULL;
constexpr UInt128 kU64Max = std::numeric_limits<uint64_t>::max();

// Exponents beyond this cannot matter for any text that fits in memory; clamping
// keeps the position arithmetic far away from int64 overflow.
constexpr int64_t kExponentClamp = 1'000'000'000'000'000;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Caller guarantees mag < kLimit, so the cast is exact.
constexpr Decimal with_sign(UInt128 mag, bool negative) {
  Int128 m = static_cast<Int128>(mag);
  return Decimal::from_units(negative ? -m : m);
}

// Half-even decision for quotient q with remainder rem of a division by divisor.
// Needs divisor < 2^127 so that doubling rem cannot wrap.
constexpr bool round_up_half_even(UInt128 q, UInt128 rem, UInt128 divisor) {
  UInt128 twice = rem << 1;
  return twice > divisor || (twice == divisor && (q & 1) != 0);
}

// Unsigned 256-bit value as little-endian 64-bit limbs; only what * and / need.
struct U256 {
  std::array<uint64_t, 4> limb{};

  int bit_length() const {
    for (int i = 3; i >= 0; --i) {
      uint64_t l = limb[static_cast<std::size_t>(i)];
      if (l != 0) return i * 64 + 64 - __builtin_clzll(l);
    }
    return 0;
  }
  bool bit(int i) const { return (limb[static_cast<std::size_t>(i / 64)] >> (i % 64)) & 1; }
  // Bits [shift, shift + 128) as a 128-bit value.
  UInt128 extract(int shift) const {
    auto at = [this](int i) -> uint64_t {
      return i < 4 ? limb[static_cast<std::size_t>(i)] : 0;
    };
    int w = shift / 64;
    int b = shift % 64;
    uint64_t lo = at(w);
    uint64_t mid = at(w + 1);
    if (b == 0) return (static_cast<UInt128>(mid) << 64) | lo;
    uint64_t hi = at(w + 2);
    uint64_t r0 = (lo >> b) | (mid << (64 - b));
    uint64_t r1 = (mid >> b) | (hi << (64 - b));
    return (static_cast<UInt128>(r1) << 64) | r0;
  }
};

U256 mul_wide(UInt128 a, UInt128 b) {
  uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
  UInt128 p00 = static_cast<UInt128>(a0) * b0;
  UInt128 p01 = static_cast<UInt128>(a0) * b1;
  UInt128 p10 = static_cast<UInt128>(a1) * b0;
  UInt128 p11 = static_cast<UInt128>(a1) * b1;
  // Each column sum stays below 2^128: at most three 64-bit terms plus a carry.
  UInt128 mid = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  UInt128 high = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<uint64_t>(p11);
  U256 r;
  r.limb[0] = static_cast<uint64_t>(p00);
  r.limb[1] = static_cast<uint64_t>(mid);
  r.limb[2] = static_cast<uint64_t>(high);
  r.limb[3] = static_cast<uint64_t>(high >> 64) + static_cast<uint64_t>(p11 >> 64);
  return r;
}

// a * b for b below 2^64: two multiplications instead of four.
U256 mul_wide(UInt128 a, uint64_t b) {
  UInt128 low = static_cast<UInt128>(static_cast<uint64_t>(a)) * b;
  UInt128 high = static_cast<UInt128>(static_cast<uint64_t>(a >> 64)) * b + static_cast<uint64_t>(low >> 64);
  U256 r;
  r.limb[0] = static_cast<uint64_t>(low);
  r.limb[1] = static_cast<uint64_t>(high);
  r.limb[2] = static_cast<uint64_t>(high >> 64);
  return r;
}

// n / d for 0 < d < 2^127, rounded half-even. Returns false when the quotient is
// certainly >= kLimit (the caller reports overflow); otherwise q may still need a
// range check after rounding.
bool div_round(const U256& n, UInt128 d, UInt128& q) {
  UInt128 rem;
  if (d <= kU64Max) {
    // Schoolbook division by a single limb: four divide instructions (each
    // remainder is below d, so each step's quotient fits a limb).
    auto d64 = static_cast<uint64_t>(d);
    U256 quot;
    uint64_t r = 0;
    for (int i = 3; i >= 0; --i) {
      auto at = static_cast<std::size_t>(i);
      quot.limb[at] = divide_128_by_64(r, n.limb[at], d64, r);
    }
    if ((quot.limb[2] | quot.limb[3]) != 0) return false;
    q = (static_cast<UInt128>(quot.limb[1]) << 64) | quot.limb[0];
    rem = r;
  } else if (int bits = n.bit_length(); bits <= 128) {
    UInt128 n128 = n.extract(0);
    q = n128 / d;
    rem = n128 % d;
  } else {
    // Native division on the top 128 bits, then restoring division bit by bit.
    int shift = bits - 128;
    UInt128 top = n.extract(shift);
    q = top / d;
    rem = top % d;
    for (int i = shift - 1; i >= 0; --i) {
      if (q >= kLimit) return false;
      rem = (rem << 1) | static_cast<UInt128>(n.bit(i));
      q <<= 1;
      if (rem >= d) {
        rem -= d;
        q |= 1;
      }
    }
  }
  if (q >= kLimit) return false;
  q += round_up_half_even(q, rem, d);
  return true;
}

// Writes v's decimal digits so they end just before `end`; returns the first one.
char* write_digits(char* end, UInt128 v) {
  // Peel 19-digit chunks so most of the work is 64-bit division.
  while (v > kU64Max) {
    end = write_uint_padded(end, static_cast<uint64_t>(v % kTen19), 19);
    v /= kTen19;
  }
  return write_uint(end, static_cast<uint64_t>(v));
}

// Advances over a digit run in which '_' may sit between two digits; counts digits.
std::size_t scan_digits(std::string_view s, std::size_t i, bool allow_underscores,
                        int64_t& count) {
  count = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_digit(c)) {
      ++count;
      ++i;
    } else if (c == '_' && allow_underscores && count > 0 && i + 1 < s.size() &&
               is_digit(s[i + 1])) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

// Full grammar: separators, exponents, long fractions, rounding.
DecimalStatus parse_general(std::string_view s, Decimal& out, bool allow_underscores) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && s[i] == '-') {
    negative = true;
    ++i;
  }
  std::size_t mantissa_begin = i;
  int64_t int_digits = 0;
  i = scan_digits(s, i, allow_underscores, int_digits);
  if (int_digits == 0) return DecimalStatus::syntax;
  std::size_t mantissa_end = i;
  if (i < s.size() && s[i] == '.') {
    int64_t frac_digits = 0;
    i = scan_digits(s, i + 1, allow_underscores, frac_digits);
    if (frac_digits == 0) return DecimalStatus::syntax;
    mantissa_end = i;
  }
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    std::size_t exp_begin = i;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (exponent < kExponentClamp) exponent = exponent * 10 + (s[i] - '0');
    }
    if (i == exp_begin) return DecimalStatus::syntax;
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return DecimalStatus::syntax;

  // The mantissa region holds digits, separators and at most one '.'; skip the latter.
  std::size_t j = mantissa_begin;
  int64_t leading_zeros = 0;
  for (; j < mantissa_end; ++j) {
    char c = s[j];
    if (!is_digit(c)) continue;
    if (c != '0') break;
    ++leading_zeros;
  }
  if (j == mantissa_end) {
    out = Decimal();
    return DecimalStatus::ok;
  }
  // How many significant digits land left of the units' decimal point.
  int64_t kept = int_digits + exponent - leading_zeros + Decimal::kScale;
  if (kept > kMaxDigits) return DecimalStatus::overflow;
  if (kept < 0) {  // below half a unit
    out = Decimal();
    return DecimalStatus::ok;
  }
  UInt128 mag = 0;
  int64_t taken = 0;
  int round_digit = 0;
  bool sticky = false;
  for (; j < mantissa_end; ++j) {
    char c = s[j];
    if (!is_digit(c)) continue;
    int d = c - '0';
    if (taken < kept) {
      mag = mag * 10 + static_cast<UInt128>(d);
      ++taken;
    } else if (taken == kept) {
      round_digit = d;
      ++taken;
    } else if (d != 0) {
      sticky = true;
      break;
    }
  }
  if (taken < kept) mag *= pow10(static_cast<int>(kept - taken));
  if (round_digit > 5 || (round_digit == 5 && (sticky || (mag & 1) != 0))) ++mag;
  if (mag >= kLimit) return DecimalStatus::overflow;
  out = with_sign(mag, negative);
  return DecimalStatus::ok;
}

}  // namespace

DecimalStatus Decimal::parse(std::string_view text, Decimal& out, bool allow_underscores) {
  // Fast path for the common "-123.45" shape: at most 19 integer and 18 fractional
  // digits, no exponent, no separators. Anything else goes to parse_general.
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = p != end && *p == '-';
  p += negative;
  const char* int_begin = p;
  uint64_t whole = 0;
  while (p != end && is_digit(*p) && p - int_begin < 19) {
    whole = whole * 10 + static_cast<uint64_t>(*p - '0');
    ++p;
  }
  if (p == int_begin) return DecimalStatus::syntax;  // every valid number starts with a digit here
  uint64_t frac = 0;
  int frac_digits = 0;
  if (p != end && *p == '.') {
    const char* frac_begin = ++p;
    while (p != end && is_digit(*p) && p - frac_begin < kScale) {
      frac = frac * 10 + static_cast<uint64_t>(*p - '0');
      ++p;
    }
    frac_digits = static_cast<int>(p - frac_begin);
  }
  if (p == end && is_digit(end[-1])) {
    Int128 units = static_cast<Int128>(whole) * kUnitsPerOne +
                   static_cast<Int128>(frac) * static_cast<Int128>(pow10(kScale - frac_digits));
    out = from_units(negative ? -units : units);
    return DecimalStatus::ok;
  }
  return parse_general(text, out, allow_underscores);
}

DecimalStatus Decimal::add(Decimal a, Decimal b, Decimal& out) {
  // Two in-range operands can exceed Int128 itself (2e38 > 1.7e38), hence the builtin.
  Int128 r;
  if (__builtin_add_overflow(a.units_, b.units_, &r) || r > kMaxUnits || r < -kMaxUnits) {
    return DecimalStatus::overflow;
  }
  out = from_units(r);
  return DecimalStatus::ok;
}

DecimalStatus Decimal::sub(Decimal a, Decimal b, Decimal& out) {
  return add(a, b.negated(), out);
}

DecimalStatus Decimal::mul(Decimal a, Decimal b, Decimal& out) {
  bool negative = (a.units_ < 0) != (b.units_ < 0);
  UInt128 x = magnitude(a.units_);
  UInt128 y = magnitude(b.units_);
  UInt128 q;
  if (x <= kU64Max && y <= kU64Max) {
    // Product fits 128 bits: native arithmetic.
    UInt128 p = x * y;
    q = p / kOne;
    q += round_up_half_even(q, p % kOne, kOne);
    if (q >= kLimit) return DecimalStatus::overflow;
  } else if (!div_round(mul_wide(x, y), kOne, q) || q >= kLimit) {
    return DecimalStatus::overflow;
  }
  out = with_sign(q, negative);
  return DecimalStatus::ok;
}

DecimalStatus Decimal::divide_wide_quotient(UInt128 n, uint64_t yh, bool negative, Decimal& out) {
  auto hi = static_cast<uint64_t>(n >> 64);
  uint64_t q_hi = hi / yh;
  uint64_t rem;
  uint64_t q_lo = divide_128_by_64(hi % yh, static_cast<uint64_t>(n), yh, rem);
  // q <= n < 2^128, and rounding up needs rem != 0, so yh >= 2 and q + 1 cannot wrap.
  UInt128 q = ((static_cast<UInt128>(q_hi) << 64) | q_lo) + rounds_up(q_lo, rem, yh);
  if (q >= kLimit) return DecimalStatus::overflow;
  out = with_sign(q, negative);
  return DecimalStatus::ok;
}

DecimalStatus Decimal::divide_slow(Decimal a, const Divisor& d, Decimal& out) {
  const uint64_t yh = d.hundredths;
  UInt128 x = magnitude(a.units_);
  if (yh != 0 && static_cast<uint64_t>(x >> 64) < kTimes100Bound)  // a quotient of 2^64 - 1 units or more
    return divide_wide_quotient(x * 100, yh, (a.units_ < 0) != (d.units < 0), out);
  return divide_long(a, from_units(d.units), out);
}

DecimalStatus Decimal::divide_long(Decimal a, Decimal b, Decimal& out) {
  if (b.units_ == 0) return DecimalStatus::division_by_zero;
  bool negative = (a.units_ < 0) != (b.units_ < 0);
  UInt128 x = magnitude(a.units_);
  UInt128 y = magnitude(b.units_);
  UInt128 q;
  // a / b in units is (x * 10^18) / y.
  if (!div_round(mul_wide(x, kOne64), y, q) || q >= kLimit) return DecimalStatus::overflow;
  out = with_sign(q, negative);
  return DecimalStatus::ok;
}

DecimalStatus Decimal::round_half_away(int digits, Decimal& out) const {
  if (digits >= kScale) {
    out = *this;
    return DecimalStatus::ok;
  }
  // Steps up to 10^38 units still fit; beyond that every valid value is under half a step.
  if (digits < kScale - kMaxDigits) {
    out = Decimal();
    return DecimalStatus::ok;
  }
  UInt128 step = pow10(kScale - digits);
  UInt128 mag = magnitude(units_);
  UInt128 q = mag / step;
  UInt128 rem = mag % step;
  if (rem >= step - rem) ++q;  // rem * 2 >= step, without the doubling
  UInt128 rounded = q * step;  // <= mag + step < 2 * 10^38, no wrap
  if (rounded >= kLimit) return DecimalStatus::overflow;
  out = with_sign(rounded, units_ < 0);
  return DecimalStatus::ok;
}

std::optional<int64_t> Decimal::to_int64() const {
  if (!is_whole()) return std::nullopt;
  Int128 whole = units_ / kUnitsPerOne;
  if (whole > std::numeric_limits<int64_t>::max() || whole < std::numeric_limits<int64_t>::min()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(whole);
}

char* Decimal::write_text(char* end) const {
  UInt128 mag = magnitude(units_);
  UInt128 whole;
  uint64_t fraction;
  if (mag <= kU64Max) {  // below 18.45: 64-bit arithmetic
    uint64_t m = static_cast<uint64_t>(mag);
    whole = m / kOne64;
    fraction = m % kOne64;
  } else {
    whole = mag / kOne;
    fraction = static_cast<uint64_t>(mag - whole * kOne);
  }
  if (fraction != 0) {
    // Drop trailing zeros 16, 8, 4, 2 and 1 at a time (there are at most 17).
    static constexpr std::pair<uint64_t, int> kSteps[] = {
        {10'000'000'000'000'000ULL, 16}, {100'000'000, 8}, {10'000, 4}, {100, 2}, {10, 1}};
    int digits = kScale;
    for (auto [power, count] : kSteps) {
      if (fraction % power == 0) {
        fraction /= power;
        digits -= count;
      }
    }
    end = write_uint_padded(end, fraction, digits);
    *--end = '.';
  }
  end = write_digits(end, whole);
  if (units_ < 0) *--end = '-';
  return end;
}

void Decimal::append_to(std::string& out) const {
  char buf[kMaxTextLength];
  char* end = buf + kMaxTextLength;
  char* begin = write_text(end);
  out.append(begin, end);
}

std::string Decimal::to_string() const {
  char buf[kMaxTextLength];
  char* end = buf + kMaxTextLength;
  char* begin = write_text(end);
  return std::string(begin, end);
}

std::string Decimal::to_fixed(int places, bool thousands) const {
  if (places < 0) places = 0;
  int kept = places < kScale ? places : kScale;
  UInt128 step = pow10(kScale - kept);
  UInt128 mag = magnitude(units_);
  UInt128 q = mag / step;
  q += round_up_half_even(q, mag % step, step);
  // Rounding may carry into a 21st integer digit; text has room for that.
  UInt128 whole = q / pow10(kept);
  UInt128 frac = q % pow10(kept);

  char digits[48];
  char* digits_end = digits + sizeof(digits);
  char* digits_begin = write_digits(digits_end, whole);
  auto n = static_cast<std::size_t>(digits_end - digits_begin);

  std::string out;
  out.reserve(n + n / 3 + static_cast<std::size_t>(places) + 3);
  if (units_ < 0 && q != 0) out.push_back('-');  // never "-0.00"
  for (std::size_t i = 0; i < n; ++i) {
    if (thousands && i != 0 && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(digits_begin[i]);
  }
  if (places > 0) {
    out.push_back('.');
    char frac_buf[kScale];
    for (int i = kept - 1; i >= 0; --i) {
      frac_buf[i] = static_cast<char>('0' + static_cast<int>(frac % 10));
      frac /= 10;
    }
    out.append(frac_buf, static_cast<std::size_t>(kept));
    out.append(static_cast<std::size_t>(places - kept), '0');
  }
  return out;
}

}  // namespace segrule
