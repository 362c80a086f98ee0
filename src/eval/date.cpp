#include "eval/date.hpp"

#include <cstddef>

namespace segrule {

namespace {

// Years are counted from March so that the leap day is the last day of a year;
// then month lengths follow a fixed 5-month pattern and one formula covers them.
constexpr int64_t kDaysPer400Years = 146'097;
// Days from 0000-03-01 to 1970-01-01.
constexpr int64_t kEpochShift = 719'468;

constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Days before March-based month m (0 = March) within its year.
constexpr int64_t days_before_month(int64_t m) { return (153 * m + 2) / 5; }

// Days from the start of a 400-year block to the start of March-based year y (0..399).
constexpr int64_t days_before_year(int64_t y) { return 365 * y + y / 4 - y / 100; }

// Caller guarantees a valid date.
constexpr int64_t days_from_civil(int year, int month, int day) {
  int64_t y = year - (month <= 2);
  int64_t m = month > 2 ? month - 3 : month + 9;
  int64_t block = floor_div(y, 400);
  int64_t y_in_block = y - block * 400;
  return block * kDaysPer400Years + days_before_year(y_in_block) + days_before_month(m) +
         (day - 1) - kEpochShift;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11'017);
static_assert(days_from_civil(1969, 12, 31) == -1);

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr int two_digits(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// Writes at least `width` digits of v ending just before `end`; returns the first.
char* write_padded(char* end, int64_t v, int width) {
  int written = 0;
  do {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
    ++written;
  } while (v != 0 || written < width);
  return end;
}

}  // namespace

std::optional<Date> make_date(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12) return std::nullopt;
  if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return Date{static_cast<int32_t>(days_from_civil(year, month, day))};
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  constexpr std::size_t kDigitPositions[] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (std::size_t i : kDigitPositions) {
    if (!is_digit(text[i])) return std::nullopt;
  }
  const char* p = text.data();
  return make_date(two_digits(p) * 100 + two_digits(p + 2), two_digits(p + 5), two_digits(p + 8));
}

void civil_from_date(Date d, int& year, int& month, int& day) {
  int64_t z = int64_t{d.days} + kEpochShift;  // days since 0000-03-01
  int64_t block = floor_div(z, kDaysPer400Years);
  int64_t day_in_block = z - block * kDaysPer400Years;  // 0..146096
  // day/365 never undershoots and overshoots by at most one year (a block has at
  // most 97 leap days); the last day of a block would land on year 400, so cap it.
  int64_t y = day_in_block / 365;
  if (y > 399) y = 399;
  if (days_before_year(y) > day_in_block) --y;
  int64_t day_in_year = day_in_block - days_before_year(y);  // 0..365, from 1 March
  int64_t m = (5 * day_in_year + 2) / 153;                   // 0 = March
  day = static_cast<int>(day_in_year - days_before_month(m) + 1);
  month = static_cast<int>(m < 10 ? m + 3 : m - 9);
  year = static_cast<int>(block * 400 + y + (month <= 2));
}

void append_date(std::string& out, Date d) {
  int year = 0, month = 0, day = 0;
  civil_from_date(d, year, month, day);
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = write_padded(end, day, 2);
  *--p = '-';
  p = write_padded(p, month, 2);
  *--p = '-';
  p = write_padded(p, year < 0 ? -int64_t{year} : year, 4);
  if (year < 0) *--p = '-';
  out.append(p, end);
}

std::string to_string(Date d) {
  std::string out;
  append_date(out, d);
  return out;
}

int64_t days_between(Date a, Date b) { return int64_t{b.days} - a.days; }

int64_t years_between(Date a, Date b) {
  if (b < a) return -years_between(b, a);
  int ya = 0, ma = 0, da = 0, yb = 0, mb = 0, db = 0;
  civil_from_date(a, ya, ma, da);
  civil_from_date(b, yb, mb, db);
  // Anniversary of a in year yb; a leap-day birthday moves to 1 March when yb has none.
  int am = ma, ad = da;
  if (ma == 2 && da == 29 && !is_leap_year(yb)) {
    am = 3;
    ad = 1;
  }
  int64_t years = int64_t{yb} - ya;
  if (mb < am || (mb == am && db < ad)) --years;
  return years;
}

}  // namespace segrule
