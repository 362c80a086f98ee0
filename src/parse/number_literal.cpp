#include "parse/number_literal.hpp"

#include <cctype>
#include <cstdint>

namespace segrule {

namespace {

struct UnitScale {
  std::string_view unit;
  int64_t multiply;
  int64_t divide;
};

constexpr UnitScale kUnits[] = {{"%", 1, 100}, {"k", 1000, 1}, {"M", 1000000, 1}, {"万", 10000, 1}, {"亿", 100000000, 1}};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

size_t number_unit_begin(std::string_view text) {
  size_t at = 0;
  while (at < text.size() && (is_digit(text[at]) || text[at] == '_' || text[at] == '.')) ++at;
  return at;
}

NumberLiteralStatus parse_number_literal(std::string_view text, Decimal& out) {
  size_t digits_end = number_unit_begin(text);
  std::string_view digits = text.substr(0, digits_end);
  std::string_view unit = text.substr(digits_end);
  if (digits.empty()) return NumberLiteralStatus::malformed;

  // Decimal::parse would round a long fraction; a literal that cannot be held exactly is an error.
  size_t point = digits.find('.');
  size_t fraction_digits = 0;
  if (point != std::string_view::npos)
    for (char c : digits.substr(point + 1)) fraction_digits += is_digit(c) ? 1 : 0;
  if (fraction_digits > static_cast<size_t>(Decimal::kScale)) return NumberLiteralStatus::too_precise;

  Decimal value;
  DecimalStatus parsed = Decimal::parse(digits, value, true);
  if (parsed == DecimalStatus::syntax) return NumberLiteralStatus::malformed;
  if (parsed != DecimalStatus::ok) return NumberLiteralStatus::out_of_range;

  if (!unit.empty()) {
    const UnitScale* found = nullptr;
    for (const auto& u : kUnits)
      if (u.unit == unit) found = &u;
    if (found == nullptr) return NumberLiteralStatus::bad_unit;
    DecimalStatus st = Decimal::mul(value, Decimal::from_int(found->multiply), value);
    if (st == DecimalStatus::ok) st = Decimal::div(value, Decimal::from_int(found->divide), value);
    if (st != DecimalStatus::ok) return NumberLiteralStatus::out_of_range;
  }
  out = value;
  return NumberLiteralStatus::ok;
}

const char* number_literal_help(NumberLiteralStatus status, std::string_view text) {
  switch (status) {
    case NumberLiteralStatus::ok: return "";
    case NumberLiteralStatus::malformed: return "write digits, with `_` only between two digits, as in `1_000_000` or `0.5`";
    case NumberLiteralStatus::bad_unit: {
      size_t at = number_unit_begin(text);
      if (at + 1 < text.size() && (text[at] == 'e' || text[at] == 'E') && is_digit(text[at + 1]))
        return "there is no exponent notation: write the number out, or use a unit such as `万`";
      return "a number takes at most one unit, right after it: `%`, `k`, `M`, `万` or `亿`";
    }
    case NumberLiteralStatus::too_precise: return "exact decimals keep at most 18 digits after the point";
    case NumberLiteralStatus::out_of_range: return "numbers hold at most 20 digits before the point and 18 after it";
  }
  return "";
}

}  // namespace segrule
