#include "eval/decimal.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using segrule::Decimal;
using segrule::DecimalStatus;
using segrule::Int128;
using segrule::UInt128;

namespace {

// Parses text that the test itself knows is valid.
Decimal dec(std::string_view text) {
  Decimal d;
  DecimalStatus st = Decimal::parse(text, d, true);
  REQUIRE_MESSAGE(st == DecimalStatus::ok, "bad test literal: " << std::string(text));
  return d;
}

const char* status_name(DecimalStatus s) {
  switch (s) {
    case DecimalStatus::ok: return "ok";
    case DecimalStatus::overflow: return "overflow";
    case DecimalStatus::division_by_zero: return "division_by_zero";
    case DecimalStatus::syntax: return "syntax";
  }
  return "?";
}

// Result as text, or the status name when it failed; keeps table checks one-liners.
using BinaryOp = DecimalStatus (*)(Decimal, Decimal, Decimal&);
std::string apply(BinaryOp op, std::string_view a, std::string_view b) {
  Decimal out;
  DecimalStatus st = op(dec(a), dec(b), out);
  return st == DecimalStatus::ok ? out.to_string() : status_name(st);
}

std::string parsed(std::string_view text, bool underscores = false) {
  Decimal out;
  DecimalStatus st = Decimal::parse(text, out, underscores);
  return st == DecimalStatus::ok ? out.to_string() : status_name(st);
}

std::string rounded(std::string_view text, int digits) {
  Decimal out;
  DecimalStatus st = dec(text).round_half_away(digits, out);
  return st == DecimalStatus::ok ? out.to_string() : status_name(st);
}

// ---- Slow reference arithmetic on non-negative decimal digit strings ----------------
// Independent of the code under test: plain schoolbook algorithms, no 128-bit math.

std::string trim(std::string s) {
  std::size_t nz = s.find_first_not_of('0');
  return nz == std::string::npos ? "0" : s.substr(nz);
}

int cmp_str(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
}

std::string add_str(const std::string& a, const std::string& b) {
  std::string r;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int s = carry;
    if (i < a.size()) s += a[a.size() - 1 - i] - '0';
    if (i < b.size()) s += b[b.size() - 1 - i] - '0';
    r.push_back(static_cast<char>('0' + s % 10));
    carry = s / 10;
  }
  std::reverse(r.begin(), r.end());
  return trim(r);
}

// a - b with a >= b.
std::string sub_str(const std::string& a, const std::string& b) {
  std::string r;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int s = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) s -= b[b.size() - 1 - i] - '0';
    borrow = s < 0;
    r.push_back(static_cast<char>('0' + (s + 10) % 10));
  }
  std::reverse(r.begin(), r.end());
  return trim(r);
}

std::string mul_str(const std::string& a, const std::string& b) {
  std::vector<int> acc(a.size() + b.size(), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) {
      acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
    }
  }
  for (std::size_t k = acc.size() - 1; k > 0; --k) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string r;
  for (int d : acc) r.push_back(static_cast<char>('0' + d));
  return trim(r);
}

// Long division, one decimal digit at a time.
void divmod_str(const std::string& a, const std::string& b, std::string& q, std::string& r) {
  q.clear();
  r = "0";
  for (char c : a) {
    r = trim(r + c);
    int digit = 0;
    while (cmp_str(r, b) >= 0) {
      r = sub_str(r, b);
      ++digit;
    }
    q.push_back(static_cast<char>('0' + digit));
  }
  q = trim(q);
}

// n / d rounded half-even; empty string when the result has more than 38 digits.
std::string div_half_even_str(const std::string& n, const std::string& d) {
  std::string q, r;
  divmod_str(n, d, q, r);
  int c = cmp_str(add_str(r, r), d);
  bool odd = (q.back() - '0') % 2 == 1;
  if (c > 0 || (c == 0 && odd)) q = add_str(q, "1");
  return q.size() > 38 ? std::string() : q;
}

// Units as digit text, computed digit by digit so the reference stays independent.
std::string units_str(Int128 v) {
  UInt128 m = v < 0 ? UInt128{0} - static_cast<UInt128>(v) : static_cast<UInt128>(v);
  std::string s;
  do {
    s.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  std::reverse(s.begin(), s.end());
  return s;
}

Int128 units_from_str(const std::string& s, bool negative) {
  Int128 v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return negative ? -v : v;
}

// Canonical text built from a units digit string by moving the point.
std::string canonical_from_units(const std::string& digits, bool negative) {
  std::string padded = std::string(digits.size() < 19 ? 19 - digits.size() : 0, '0') + digits;
  std::string whole = padded.substr(0, padded.size() - 18);
  std::string frac = padded.substr(padded.size() - 18);
  frac.erase(frac.find_last_not_of('0') + 1);
  std::string s = whole + (frac.empty() ? "" : "." + frac);
  return (negative && s != "0") ? "-" + s : s;
}

struct RandomOperand {
  std::string digits;  // units, no leading zeros
  bool negative;
};

RandomOperand random_operand(std::mt19937_64& rng) {
  // Length spread over the whole range so products and quotients hit every regime,
  // including exact ties (short operands) and overflow (long ones).
  std::uniform_int_distribution<int> len_dist(1, 38);
  std::uniform_int_distribution<int> digit_dist(0, 9);
  int len = len_dist(rng);
  std::string s;
  for (int i = 0; i < len; ++i) s.push_back(static_cast<char>('0' + digit_dist(rng)));
  // Occasionally a 5 followed by zeros, which makes half-way results likely.
  if (rng() % 4 == 0 && len > 2) {
    std::size_t at = rng() % static_cast<std::size_t>(len);
    s[at] = '5';
    for (std::size_t i = at + 1; i < s.size(); ++i) s[i] = '0';
  }
  // And some divisors/factors that produce exact ties: x * 0.5, x * 0.25, x / 4, x / 8000.
  if (rng() % 8 == 0) {
    static const char* const kTieMakers[] = {"500000000000000000", "250000000000000000",
                                              "4000000000000000000", "8000000000000000000000"};
    s = kTieMakers[rng() % 4];
  }
  return {trim(s), rng() % 2 == 0};
}

}  // namespace

TEST_CASE("Decimal: parse accepts the number grammar") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"-0.000", "0"},
      {"007", "7"},
      {"1E3", "1000"},
      {"1e+3", "1000"},
      {"1.5e-3", "0.0015"},
      {"1.5E2", "150"},
      {"123.456", "123.456"},
      {"-123.456", "-123.456"},
      {"5000000.00", "5000000"},
      {"0.000000000000000001", "0.000000000000000001"},
      {"99999999999999999999.999999999999999999", "99999999999999999999.999999999999999999"},
      {"-99999999999999999999.999999999999999999", "-99999999999999999999.999999999999999999"},
      {"00000000000000000000000000001.5", "1.5"},
      {"1234567890123456789", "1234567890123456789"},
      {"12345678901234567890", "12345678901234567890"},
      {"0.1e1", "1"},
      {"100e-2", "1"},
      {"0e99999999999999999999", "0"},
      {"1e-400", "0"},
      {"-1e-400", "0"},
      {"1e-99999999999999999999", "0"},
      {"1e19", "10000000000000000000"},
      {"0.00000000000000000000000000000000000000000001e44", "1"},
      // Rounding of the 19th fractional digit, half-even.
      {"0.0000000000000000005", "0"},
      {"0.0000000000000000015", "0.000000000000000002"},
      {"0.0000000000000000025", "0.000000000000000002"},
      {"0.00000000000000000250000000001", "0.000000000000000003"},
      {"0.0000000000000000024999999999", "0.000000000000000002"},
      {"-0.0000000000000000035", "-0.000000000000000004"},
      {"0.0000000000000000006", "0.000000000000000001"},
      {"0.00000000000000000049", "0"},
      {"1.0000000000000000005", "1"},
      {"1.0000000000000000015", "1.000000000000000002"},
      {"5e-19", "0"},
      {"15e-19", "0.000000000000000002"},
      {"0.99999999999999999999", "1"},
  };
  for (const Case& c : cases) {
    INFO("text = " << c.text);
    CHECK(parsed(c.text) == c.expected);
  }
  CHECK(dec("5000000.00") == Decimal::from_int(5000000));
}

TEST_CASE("Decimal: parse rejects malformed and out-of-range text") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"", "syntax"},
      {"-", "syntax"},
      {"+1", "syntax"},
      {"NaN", "syntax"},
      {"nan", "syntax"},
      {"Infinity", "syntax"},
      {"-Infinity", "syntax"},
      {".", "syntax"},
      {"1.", "syntax"},
      {".5", "syntax"},
      {"-.5", "syntax"},
      {"1e", "syntax"},
      {"1e+", "syntax"},
      {"1e-", "syntax"},
      {"1.2.3", "syntax"},
      {"0x10", "syntax"},
      {" 1", "syntax"},
      {"1 ", "syntax"},
      {"--1", "syntax"},
      {"1,000", "syntax"},
      {"1_000", "syntax"},  // separators need the flag
      {"1.5e3.0", "syntax"},
      {"1e1.5", "syntax"},
      {"1..2", "syntax"},
      {"1e400", "overflow"},
      {"-1e400", "overflow"},
      {"1e99999999999999999999", "overflow"},
      {"1e20", "overflow"},
      {"100000000000000000000", "overflow"},
      {"-100000000000000000000", "overflow"},
      {"99999999999999999999.9999999999999999995", "overflow"},  // rounds up to 1e20
      {"99999999999999999999.9999999999999999994", "99999999999999999999.999999999999999999"},
      {"123456789012345678901", "overflow"},
  };
  for (const Case& c : cases) {
    INFO("text = " << c.text);
    CHECK(parsed(c.text) == c.expected);
  }
}

TEST_CASE("Decimal: underscore digit separators") {
  struct Case {
    const char* text;
    bool allow;
    const char* expected;
  };
  const Case cases[] = {
      {"1_000_000", true, "1000000"},
      {"1_000_000", false, "syntax"},
      {"-1_000.000_5", true, "-1000.0005"},
      {"1_0e1_0", true, "syntax"},  // separators are for the mantissa only
      {"1__0", true, "syntax"},
      {"_1", true, "syntax"},
      {"1_", true, "syntax"},
      {"1_.5", true, "syntax"},
      {"1._5", true, "syntax"},
      {"-_1", true, "syntax"},
  };
  for (const Case& c : cases) {
    INFO("text = " << c.text);
    INFO("allow = " << c.allow);
    CHECK(parsed(c.text, c.allow) == c.expected);
  }
}

TEST_CASE("Decimal: exact addition and subtraction") {
  CHECK(apply(Decimal::add, "0.1", "0.2") == "0.3");
  CHECK(dec("0.1").units() + dec("0.2").units() == dec("0.3").units());
  Decimal sum;
  REQUIRE(Decimal::add(dec("0.1"), dec("0.2"), sum) == DecimalStatus::ok);
  CHECK(sum == dec("0.3"));

  struct Case {
    BinaryOp op;
    const char* a;
    const char* b;
    const char* expected;
  };
  const Case cases[] = {
      {Decimal::add, "1", "-1", "0"},
      {Decimal::add, "-0.5", "0.25", "-0.25"},
      {Decimal::add, "99999999999999999999", "1", "overflow"},
      {Decimal::add, "99999999999999999999.999999999999999999", "0.000000000000000001", "overflow"},
      {Decimal::add, "-99999999999999999999.999999999999999999", "-0.000000000000000001",
       "overflow"},
      // Both operands at the extreme: the raw sum does not even fit in Int128.
      {Decimal::add, "99999999999999999999.999999999999999999",
       "99999999999999999999.999999999999999999", "overflow"},
      {Decimal::add, "-99999999999999999999.999999999999999999",
       "-99999999999999999999.999999999999999999", "overflow"},
      {Decimal::add, "99999999999999999999.999999999999999999",
       "-99999999999999999999.999999999999999999", "0"},
      {Decimal::sub, "0.3", "0.1", "0.2"},
      {Decimal::sub, "1", "2", "-1"},
      {Decimal::sub, "-99999999999999999999", "1", "overflow"},
      {Decimal::sub, "-99999999999999999999.999999999999999999",
       "-99999999999999999999.999999999999999999", "0"},
      {Decimal::sub, "99999999999999999999.999999999999999999",
       "-99999999999999999999.999999999999999999", "overflow"},
  };
  for (const Case& c : cases) {
    INFO("a = " << c.a);
    INFO("b = " << c.b);
    CHECK(apply(c.op, c.a, c.b) == c.expected);
  }
}

TEST_CASE("Decimal: multiplication and division round half-even") {
  struct Case {
    BinaryOp op;
    const char* a;
    const char* b;
    const char* expected;
  };
  const Case cases[] = {
      {Decimal::mul, "500", "10000", "5000000"},
      {Decimal::mul, "-1.5", "2", "-3"},
      {Decimal::mul, "0", "-7", "0"},
      // 19th digit exactly 5 then zeros: ties go to the even neighbour, both ways.
      {Decimal::mul, "0.000000001", "0.0000000005", "0"},
      {Decimal::mul, "0.000000003", "0.0000000005", "0.000000000000000002"},
      {Decimal::mul, "2.5", "0.000000000000000001", "0.000000000000000002"},
      {Decimal::mul, "3.5", "0.000000000000000001", "0.000000000000000004"},
      {Decimal::mul, "-2.5", "0.000000000000000001", "-0.000000000000000002"},
      {Decimal::mul, "-3.5", "0.000000000000000001", "-0.000000000000000004"},
      {Decimal::mul, "1.000000000000000001", "1.5", "1.500000000000000002"},  // ...0015 tie
      {Decimal::mul, "1.000000000000000003", "0.5", "0.500000000000000002"},  // ...0015 tie
      {Decimal::mul, "1.000000000000000005", "0.5", "0.500000000000000002"},  // ...0025 tie
      {Decimal::mul, "2.500000000000000001", "0.000000000000000001",
       "0.000000000000000003"},  // just above the tie
      {Decimal::mul, "9999999999", "10000000000", "99999999990000000000"},
      {Decimal::mul, "10000000000", "10000000000", "overflow"},
      {Decimal::mul, "10000000000.5", "10000000000.5", "overflow"},
      {Decimal::mul, "-10000000000", "10000000000", "overflow"},
      {Decimal::mul, "99999999999999999999.999999999999999999", "1",
       "99999999999999999999.999999999999999999"},
      {Decimal::mul, "99999999999999999999.999999999999999999", "-1",
       "-99999999999999999999.999999999999999999"},
      {Decimal::mul, "99999999999999999999.999999999999999999",
       "99999999999999999999.999999999999999999", "overflow"},
      {Decimal::mul, "0.000000000000000001", "0.000000000000000001", "0"},
      {Decimal::div, "1", "3", "0.333333333333333333"},
      {Decimal::div, "2", "3", "0.666666666666666667"},
      {Decimal::div, "-2", "3", "-0.666666666666666667"},
      {Decimal::div, "10", "4", "2.5"},
      {Decimal::div, "0.000000000000000001", "2", "0"},                      // 0.5 ulp: to 0
      {Decimal::div, "0.000000000000000003", "2", "0.000000000000000002"},   // 1.5 ulp: to 2
      {Decimal::div, "0.000000000000000005", "2", "0.000000000000000002"},   // 2.5 ulp: to 2
      {Decimal::div, "-0.000000000000000005", "2", "-0.000000000000000002"},
      {Decimal::div, "0.000000000000000007", "-2", "-0.000000000000000004"},
      {Decimal::div, "0.000000000000000001", "4", "0"},
      {Decimal::div, "0.000000000000000003", "4", "0.000000000000000001"},
      {Decimal::div, "1", "0.000000000000000001", "1000000000000000000"},
      {Decimal::div, "99.999999999999999999", "0.000000000000000001", "99999999999999999999"},
      {Decimal::div, "100", "0.000000000000000001", "overflow"},
      {Decimal::div, "99999999999999999999.999999999999999999", "0.000000000000000001",
       "overflow"},
      {Decimal::div, "99999999999999999999.999999999999999999", "0.5", "overflow"},
      {Decimal::div, "99999999999999999999.999999999999999999",
       "99999999999999999999.999999999999999999", "1"},
      {Decimal::div, "5000000", "20000", "250"},
      {Decimal::div, "1", "99999999999999999999.999999999999999999", "0"},
      {Decimal::div, "1", "0", "division_by_zero"},
      {Decimal::div, "0", "0", "division_by_zero"},
      {Decimal::div, "0", "5", "0"},
  };
  for (const Case& c : cases) {
    INFO("a = " << c.a);
    INFO("b = " << c.b);
    CHECK(apply(c.op, c.a, c.b) == c.expected);
  }
  Decimal out = Decimal::from_int(42);
  CHECK(Decimal::div(Decimal::from_int(1), Decimal(), out) == DecimalStatus::division_by_zero);
  CHECK(out == Decimal::from_int(42));  // untouched on failure
}

TEST_CASE("Decimal: mul and div agree with a digit-string reference") {
  std::mt19937_64 rng(20240601);
  int checked_mul = 0, checked_div = 0, overflows = 0, ties = 0;
  for (int i = 0; i < 600; ++i) {
    RandomOperand a = random_operand(rng);
    RandomOperand b = random_operand(rng);
    Decimal da = Decimal::from_units(units_from_str(a.digits, a.negative));
    Decimal db = Decimal::from_units(units_from_str(b.digits, b.negative));
    CAPTURE(da.to_string());
    CAPTURE(db.to_string());
    bool negative = a.negative != b.negative;

    {
      std::string product = mul_str(a.digits, b.digits);
      std::string q = div_half_even_str(product, "1" + std::string(18, '0'));
      if (product.size() > 18 && product.substr(product.size() - 18) == "5" + std::string(17, '0')) {
        ++ties;
      }
      Decimal out;
      DecimalStatus st = Decimal::mul(da, db, out);
      if (q.empty()) {
        ++overflows;
        CHECK(st == DecimalStatus::overflow);
      } else {
        REQUIRE(st == DecimalStatus::ok);
        CHECK(units_str(out.units()) == q);
        CHECK(out.sign() == (q == "0" ? 0 : (negative ? -1 : 1)));
        ++checked_mul;
      }
    }
    if (b.digits != "0") {
      std::string q = div_half_even_str(a.digits + std::string(18, '0'), b.digits);
      std::string quotient, rem;
      divmod_str(a.digits + std::string(18, '0'), b.digits, quotient, rem);
      if (cmp_str(add_str(rem, rem), b.digits) == 0) ++ties;
      Decimal out;
      DecimalStatus st = Decimal::div(da, db, out);
      if (q.empty()) {
        ++overflows;
        CHECK(st == DecimalStatus::overflow);
      } else {
        REQUIRE(st == DecimalStatus::ok);
        CHECK(units_str(out.units()) == q);
        CHECK(out.sign() == (q == "0" ? 0 : (negative ? -1 : 1)));
        ++checked_div;
      }
    }
  }
  // The generator must actually reach every regime, or the test proves little.
  CHECK(checked_mul > 100);
  CHECK(checked_div > 100);
  CHECK(overflows > 50);
  CHECK(ties > 5);
}

TEST_CASE("Decimal: text round trips against a reference formatter") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    RandomOperand a = random_operand(rng);
    Decimal d = Decimal::from_units(units_from_str(a.digits, a.negative));
    std::string expected = canonical_from_units(a.digits, a.negative);
    CAPTURE(a.digits);
    CHECK(d.to_string() == expected);
    std::string appended = "x=";
    d.append_to(appended);
    CHECK(appended == "x=" + expected);
    Decimal back;
    CHECK(Decimal::parse(expected, back) == DecimalStatus::ok);
    CHECK(back == d);
  }
}

TEST_CASE("Decimal: canonical text") {
  struct Case {
    Decimal value;
    const char* expected;
  };
  const Case cases[] = {
      {Decimal(), "0"},
      {Decimal::from_int(1200000), "1200000"},
      {Decimal::from_int(-7), "-7"},
      {Decimal::from_int(INT64_MIN), "-9223372036854775808"},
      {Decimal::from_units(Decimal::kUnitsPerOne / 2), "0.5"},
      {Decimal::from_units(-Decimal::kUnitsPerOne / 2), "-0.5"},
      {Decimal::from_units(-1), "-0.000000000000000001"},
      {Decimal::max_value(), "99999999999999999999.999999999999999999"},
      {Decimal::min_value(), "-99999999999999999999.999999999999999999"},
      {Decimal::from_units(Decimal::kUnitsPerOne * 10 + 10), "10.00000000000000001"},
  };
  for (const Case& c : cases) {
    CHECK(c.value.to_string() == c.expected);
    std::string buf = "[";
    c.value.append_to(buf);
    CHECK(buf == std::string("[") + c.expected);
  }
}

TEST_CASE("Decimal: to_fixed") {
  struct Case {
    const char* value;
    int places;
    bool thousands;
    const char* expected;
  };
  const Case cases[] = {
      {"4999999.99", 2, true, "4,999,999.99"},
      {"-4999999.99", 2, true, "-4,999,999.99"},
      {"0.5", 2, false, "0.50"},
      {"0.5", 0, false, "0"},      // half-even
      {"1.5", 0, false, "2"},
      {"2.5", 0, false, "2"},
      {"-2.5", 0, false, "-2"},
      {"1.005", 2, false, "1.00"},
      {"1.015", 2, false, "1.02"},
      {"1.0151", 2, false, "1.02"},
      {"-0.001", 2, false, "0.00"},  // never "-0.00"
      {"-0.006", 2, false, "-0.01"},
      {"999", 0, true, "999"},
      {"1000", 0, true, "1,000"},
      {"-1000", 0, true, "-1,000"},
      {"-100", 1, true, "-100.0"},
      {"123456.789", 1, true, "123,456.8"},
      {"0", 3, true, "0.000"},
      {"1.5", 20, false, "1.50000000000000000000"},
      {"0.000000000000000001", 18, false, "0.000000000000000001"},
      {"99999999999999999999.999999999999999999", 2, true, "100,000,000,000,000,000,000.00"},
      {"-99999999999999999999.5", 0, false, "-100000000000000000000"},
      {"12345678901234567890", 0, true, "12,345,678,901,234,567,890"},
  };
  for (const Case& c : cases) {
    INFO("value = " << c.value);
    INFO("places = " << c.places);
    CHECK(dec(c.value).to_fixed(c.places, c.thousands) == c.expected);
  }
}

TEST_CASE("Decimal: round_half_away") {
  struct Case {
    const char* value;
    int digits;
    const char* expected;
  };
  const Case cases[] = {
      {"2.5", 0, "3"},
      {"-2.5", 0, "-3"},
      {"2.4999", 0, "2"},
      {"-2.4999", 0, "-2"},
      {"3.5", 0, "4"},
      {"2.345", 2, "2.35"},
      {"-2.345", 2, "-2.35"},
      {"2.344", 2, "2.34"},
      {"1234.5", -2, "1200"},
      {"1250", -2, "1300"},
      {"-1250", -2, "-1300"},
      {"49", -2, "0"},
      {"50", -2, "100"},
      {"0.000000000000000001", 18, "0.000000000000000001"},
      {"0.0000000000000000005", 17, "0"},
      {"0.000000000000000005", 17, "0.00000000000000001"},
      {"1.23", 25, "1.23"},
      {"99999999999999999999.5", 0, "overflow"},
      {"99999999999999999999.4", 0, "99999999999999999999"},
      {"49999999999999999999", -19, "50000000000000000000"},
      {"94999999999999999999.9", -19, "90000000000000000000"},
      {"95000000000000000000", -19, "overflow"},
      {"14999999999999999999", -19, "10000000000000000000"},
      {"4999999999999999999", -19, "0"},
      {"50000000000000000000", -20, "overflow"},
      {"49999999999999999999", -20, "0"},
      {"99999999999999999999", -21, "0"},
      {"0", -19, "0"},
  };
  for (const Case& c : cases) {
    INFO("value = " << c.value);
    INFO("digits = " << c.digits);
    CHECK(rounded(c.value, c.digits) == c.expected);
  }
}

TEST_CASE("Decimal: predicates, conversions and ordering") {
  CHECK(dec("5").is_whole());
  CHECK(dec("-5").is_whole());
  CHECK_FALSE(dec("5.1").is_whole());
  CHECK(dec("0").is_zero());
  CHECK(dec("-0").is_zero());
  CHECK(dec("-3").sign() == -1);
  CHECK(dec("0").sign() == 0);
  CHECK(dec("0.000000000000000001").sign() == 1);
  CHECK(dec("-3.5").abs() == dec("3.5"));
  CHECK(dec("3.5").negated() == dec("-3.5"));
  CHECK(Decimal::min_value().negated() == Decimal::max_value());

  CHECK(dec("42").to_int64() == 42);
  CHECK(dec("-42").to_int64() == -42);
  CHECK(dec("42.5").to_int64() == std::nullopt);
  CHECK(dec("9223372036854775807").to_int64() == INT64_MAX);
  CHECK(dec("-9223372036854775808").to_int64() == INT64_MIN);
  CHECK(dec("9223372036854775808").to_int64() == std::nullopt);
  CHECK(dec("-9223372036854775809").to_int64() == std::nullopt);

  // Total order by value, regardless of how the text spelled it.
  const char* ascending[] = {"-99999999999999999999", "-1.5", "-1", "-0.000000000000000001",
                             "0", "0.000000000000000001", "0.1", "1", "1.000000000000000001",
                             "99999999999999999999.999999999999999999"};
  for (std::size_t i = 0; i + 1 < std::size(ascending); ++i) {
    INFO("value = " << ascending[i]);
    CHECK(dec(ascending[i]) < dec(ascending[i + 1]));
    CHECK(dec(ascending[i + 1]) > dec(ascending[i]));
    CHECK(dec(ascending[i]) != dec(ascending[i + 1]));
  }
  CHECK(dec("1.50") == dec("1.5"));
  CHECK(dec("15e-1") == dec("1.5"));
  CHECK((dec("2") <=> dec("2.0")) == 0);

  Decimal product;
  REQUIRE(Decimal::mul(Decimal::from_int(500), Decimal::from_int(10000), product) ==
          DecimalStatus::ok);
  CHECK(product == dec("5000000.00"));
  CHECK(product == Decimal::from_int(5000000));
}

namespace {

constexpr Int128 kHundredth = 10'000'000'000'000'000;  // units in 0.01
constexpr UInt128 kTwo64 = UInt128{1} << 64;
constexpr UInt128 kMaxMagnitude = static_cast<UInt128>(Decimal::kMaxUnits);

// div(a, b) for all four signs of a and b against divide_long and the digit-string
// reference; false when a check failed. Magnitudes must be in range.
bool divides_like_the_long_path(UInt128 x, UInt128 y) {
  REQUIRE(x <= kMaxMagnitude);
  REQUIRE(y <= kMaxMagnitude);
  std::string expected =
      y == 0 ? "division_by_zero" : div_half_even_str(units_str(static_cast<Int128>(x)) + std::string(18, '0'),
                                                      units_str(static_cast<Int128>(y)));
  if (expected.empty()) expected = "overflow";
  bool all_ok = true;
  for (int signs = 0; signs < 4; ++signs) {
    Int128 a = signs & 1 ? -static_cast<Int128>(x) : static_cast<Int128>(x);
    Int128 b = signs & 2 ? -static_cast<Int128>(y) : static_cast<Int128>(y);
    Decimal fast, slow;
    DecimalStatus fs = Decimal::div(Decimal::from_units(a), Decimal::from_units(b), fast);
    DecimalStatus ss = Decimal::divide_long(Decimal::from_units(a), Decimal::from_units(b), slow);
    INFO(units_str(a) << (a < 0 ? " (negative)" : "") << " / " << units_str(b) << (b < 0 ? " (negative)" : "")
                      << " units");
    CHECK(status_name(fs) == std::string(status_name(ss)));
    std::string got = fs == DecimalStatus::ok ? units_str(fast.units()) : status_name(fs);
    CHECK(got == expected);
    if (fs == DecimalStatus::ok && ss == DecimalStatus::ok) {
      CHECK(fast == slow);
      CHECK(fast.sign() == (expected == "0" ? 0 : ((a < 0) != (b < 0) ? -1 : 1)));
    }
    all_ok = all_ok && fs == ss && got == expected && (fs != DecimalStatus::ok || fast == slow);
  }
  return all_ok;
}

}  // namespace

TEST_CASE("decimal: the fast division path gives exactly the long path's results") {
  // Deterministic pseudo-random operands: money-like (two decimals), whole,
  // with more decimals, tiny and near the limits, both signs.
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  auto operand = [&] {
    uint64_t r = next();
    int decimals = static_cast<int>(r % 5);          // 0 to 4 decimals
    int digits = 1 + static_cast<int>((r >> 8) % 22);  // up to 22 significant digits
    std::string text = (r >> 16) & 1 ? "-" : "";
    for (int i = 0; i < digits; ++i) text += static_cast<char>('0' + (next() % 10));
    if (decimals > 0 && digits > decimals) text.insert(text.size() - static_cast<size_t>(decimals), ".");
    Decimal d;
    if (Decimal::parse(text, d) != DecimalStatus::ok) d = Decimal::from_int(7);
    return d;
  };
  int fast_eligible = 0;
  for (int i = 0; i < 200000; ++i) {
    Decimal a = operand();
    if (i % 5 == 1) a = Decimal::from_units(static_cast<Int128>(next() >> (next() % 64)) * 10'000 + 1);  // 18 decimals
    Decimal b = i % 7 == 0 ? Decimal::from_int(static_cast<int64_t>(next() % 1000)) : operand();
    Decimal fast, slow;
    DecimalStatus fs = Decimal::div(a, b, fast);
    DecimalStatus ss = Decimal::divide_long(a, b, slow);
    INFO(a.to_string() << " / " << b.to_string());
    REQUIRE(fs == ss);
    if (fs == DecimalStatus::ok) REQUIRE(fast == slow);
    fast_eligible += b.units() % kHundredth == 0 && b.units() != 0;  // a divisor of whole hundredths
  }
  CHECK(fast_eligible > 100000);  // the fast path was really exercised

  // Every boundary of the fast path, against the long path and the digit-string
  // reference. Divisors: whole hundredths h up to and past 2^64 (the largest the
  // fast path takes), and values just off whole hundredths (a unit more or less;
  // 2^16 more, which keeps the low 16 bits zero; 5^16 more).
  const UInt128 hundredths[] = {1,          2,           3,           7,           8,
                                100,        200,         201,         0xFFFFFFFF,  UInt128{1} << 32,
                                kTwo64 / 2 - 1, kTwo64 / 2, kTwo64 - 2, kTwo64 - 1, kTwo64,
                                kTwo64 + 5, kMaxMagnitude / static_cast<UInt128>(kHundredth)};
  std::vector<UInt128> divisors = {0, 1, 2, 65536, 152'587'890'625, kMaxMagnitude};
  for (UInt128 h : hundredths) {
    UInt128 y = h * static_cast<UInt128>(kHundredth);
    for (UInt128 off : {UInt128{0}, UInt128{1}, UInt128{65536}, UInt128{152'587'890'625}}) {
      if (y + off <= kMaxMagnitude) divisors.push_back(y + off);
    }
    divisors.push_back(y - 1);
  }
  // Dividends: zero, tiny, 18 decimals, the largest; around the largest the fast
  // path multiplies by 100 (high half below 2^64 / 100) and the largest that fits.
  const UInt128 times100_bound = kTwo64 / 100;
  const UInt128 times100_max = ~UInt128{0} / 100;
  std::vector<UInt128> dividends = {0, 1, 3, 123'456'789, static_cast<UInt128>(kHundredth), 1'000'000'000'000'000'000,
                                    kMaxMagnitude, (times100_bound << 64) - 1, times100_bound << 64,
                                    times100_max, times100_max + 1, ((times100_bound + 1) << 64) - 1};
  int checked = 0, failed = 0;
  for (UInt128 y : divisors) {
    for (UInt128 x : dividends) {
      failed += !divides_like_the_long_path(x, y);
      ++checked;
    }
  }
  // Per whole-hundredths divisor: the dividends around the quotients of 2^64 - 1
  // units (n >= (h - 1) * 2^64: div() takes two divide steps) and 2^64 units,
  // and half-way remainders just below, at and above a tie with even and odd
  // quotients, near 1 and near 2^64.
  int ties_narrow = 0, ties_wide = 0;  // quotients below 2^64 units and from 2^64 up
  for (UInt128 h : hundredths) {
    UInt128 y = h * static_cast<UInt128>(kHundredth);
    if (y > kMaxMagnitude) continue;
    if (h < kTwo64 && h * kTwo64 / 100 <= kMaxMagnitude) {
      UInt128 first_wide = (h * kTwo64 + 99) / 100;  // x * 100 >= h * 2^64: the quotient needs 65 bits
      UInt128 first_two_steps = ((h - 1) * kTwo64 + 99) / 100;
      for (UInt128 x : {first_two_steps - 1, first_two_steps, first_two_steps + 1, first_wide - 1, first_wide,
                        first_wide + 1}) {
        if (x > kMaxMagnitude) continue;
        failed += !divides_like_the_long_path(x, y);
        ++checked;
      }
    }
    if (h % 2 != 0 || h >= kTwo64) continue;
    for (UInt128 q_start : {UInt128{0}, kTwo64 - 400, kTwo64}) {
      for (UInt128 rem : {h / 2 - 1, h / 2, h / 2 + 1}) {
        for (int parity = 0; parity < 2; ++parity) {
          // The first q from q_start with that parity for which q * h + rem is
          // a multiple of 100, so that it is some dividend times 100.
          for (UInt128 q = q_start + static_cast<UInt128>(parity); q < q_start + 400; q += 2) {
            if (q > (~UInt128{0} - rem) / h) break;  // q * h + rem would not fit 128 bits
            UInt128 n = q * h + rem;
            if (n % 100 != 0 || n / 100 > kMaxMagnitude) continue;
            failed += !divides_like_the_long_path(n / 100, y);
            ++checked;
            if (rem == h / 2) ++(q < kTwo64 ? ties_narrow : ties_wide);
            break;
          }
        }
      }
    }
  }
  CHECK(failed == 0);
  CHECK(checked > 850);
  CHECK(ties_narrow >= 5);  // the search above really found ties on both sides of 2^64
  CHECK(ties_wide >= 5);

  // A few answers spelled out.
  Decimal q;
  REQUIRE(Decimal::div(dec("0.000000000000000001"), dec("0.08"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "0.000000000000000012");  // 12.5 units: to even
  REQUIRE(Decimal::div(dec("-0.000000000000000003"), dec("0.08"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "-0.000000000000000038");  // 37.5 units: to even
  // (2^65 - 1) / 2 units = 2^64 - 0.5: the tie rounds the odd 2^64 - 1 up to 2^64.
  REQUIRE(Decimal::div(dec("36.893488147419103231"), dec("2"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "18.446744073709551616");
  REQUIRE(Decimal::div(dec("-36.893488147419103231"), dec("-2"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "18.446744073709551616");
  REQUIRE(Decimal::div(dec("0.01"), dec("3"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "0.003333333333333333");
  REQUIRE(Decimal::div(dec("2"), dec("3"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "0.666666666666666667");
  REQUIRE(Decimal::div(dec("1000000"), dec("7"), q) == DecimalStatus::ok);  // two divide steps
  CHECK(q.to_string() == "142857.142857142857142857");
  REQUIRE(Decimal::div(dec("0.333333333333333333"), dec("-0.25"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "-1.333333333333333332");  // 18 decimals over money: the fast path
  CHECK(Decimal::div(dec("2000000000000000000"), dec("0.01"), q) == DecimalStatus::overflow);
  REQUIRE(Decimal::div(dec("999999999999999999"), dec("0.01"), q) == DecimalStatus::ok);
  CHECK(q.to_string() == "99999999999999999900");
  REQUIRE(Decimal::div(dec("0.05"), dec("0.000000000000000004"), q) == DecimalStatus::ok);  // long path
  CHECK(q.to_string() == "12500000000000000");
  CHECK(Decimal::div(dec("0"), dec("0"), q) == DecimalStatus::division_by_zero);
}
