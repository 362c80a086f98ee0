#pragma once

// Calendar dates as a day count, proleptic Gregorian.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segrule {

struct Date {
  int32_t days = 0;  // days since 1970-01-01
  auto operator<=>(const Date&) const = default;
};

constexpr bool is_leap_year(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// month in [1, 12].
constexpr int days_in_month(int year, int month) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Strict "YYYY-MM-DD", years 0001..9999, valid calendar day.
std::optional<Date> parse_date(std::string_view text);
// Same validity rules as parse_date.
std::optional<Date> make_date(int year, int month, int day);
// Works for any day count, including ones outside 0001..9999.
void civil_from_date(Date d, int& year, int& month, int& day);
// "2025-06-01"; years outside 0..9999 get a '-' and/or more digits.
std::string to_string(Date d);
void append_date(std::string& out, Date d);
// b - a in days.
int64_t days_between(Date a, Date b);
// Completed years from a to b (an age); a 29 February start has its anniversary on
// 1 March in non-leap years. Negative when b < a.
int64_t years_between(Date a, Date b);

}  // namespace segrule
