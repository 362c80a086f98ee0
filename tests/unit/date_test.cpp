#include "eval/date.hpp"

#include <doctest/doctest.h>

#include <string>

using segrule::Date;
using segrule::days_between;
using segrule::make_date;
using segrule::parse_date;
using segrule::years_between;

namespace {

// Dates the test itself knows are valid.
Date date(const char* text) {
  std::optional<Date> d = parse_date(text);
  REQUIRE_MESSAGE(d.has_value(), "bad test literal: " << text);
  return *d;
}

}  // namespace

TEST_CASE("Date: parse_date accepts valid dates") {
  struct Case {
    const char* text;
    int32_t days;
  };
  const Case cases[] = {
      {"1970-01-01", 0},
      {"1969-12-31", -1},
      {"1970-01-02", 1},
      {"2000-02-29", 11016},
      {"2000-03-01", 11017},
      {"2024-02-29", 19782},
      {"2025-06-01", 20240},
      {"1900-03-01", -25508},
      {"0001-01-01", -719162},
      {"9999-12-31", 2932896},
      {"1600-02-29", -135081},
  };
  for (const Case& c : cases) {
    INFO("text = " << c.text);
    std::optional<Date> d = parse_date(c.text);
    REQUIRE(d.has_value());
    CHECK(d->days == c.days);
    CHECK(segrule::to_string(*d) == c.text);
  }
}

TEST_CASE("Date: parse_date rejects everything else") {
  const char* const cases[] = {
      "",           "2025-02-30", "2100-02-29", "1900-02-29", "2023-02-29",  "0000-01-01",
      "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "2024-04-31",  "2024-1-01",
      "2024-01-1",  "24-01-01",   "02024-01-01", "2024/01/01", " 2024-01-01", "2024-01-01 ",
      "2024-01-01T00:00", "+202-01-01", "-024-01-01", "abcd-ef-gh", "2024-0a-01", "2024-01-0 ",
      "2024_01_01", "20240101",   "2024--01-01", "2024-01--1",
  };
  for (const char* text : cases) {
    INFO("text = " << text);
    CHECK_FALSE(parse_date(text).has_value());
  }
}

TEST_CASE("Date: make_date validates") {
  CHECK(make_date(2024, 2, 29).has_value());
  CHECK(make_date(2000, 2, 29).has_value());
  CHECK_FALSE(make_date(2100, 2, 29).has_value());
  CHECK_FALSE(make_date(2025, 2, 29).has_value());
  CHECK_FALSE(make_date(0, 1, 1).has_value());
  CHECK_FALSE(make_date(10000, 1, 1).has_value());
  CHECK_FALSE(make_date(-5, 1, 1).has_value());
  CHECK_FALSE(make_date(2024, 0, 1).has_value());
  CHECK_FALSE(make_date(2024, 13, 1).has_value());
  CHECK_FALSE(make_date(2024, 6, 31).has_value());
  CHECK_FALSE(make_date(2024, 6, 0).has_value());
  CHECK(make_date(1970, 1, 1)->days == 0);
}

TEST_CASE("Date: every day from 1900 to 2100 round trips") {
  // Walk a naive calendar counter alongside the day number.
  int y = 1900, m = 1, d = 1;
  std::optional<Date> first = make_date(y, m, d);
  REQUIRE(first.has_value());
  int32_t days = first->days;
  int mismatches = 0, steps = 0;
  std::string text;
  while (y <= 2100) {
    std::optional<Date> made = make_date(y, m, d);
    int cy = 0, cm = 0, cd = 0;
    segrule::civil_from_date(Date{days}, cy, cm, cd);
    text.clear();
    segrule::append_date(text, Date{days});
    std::optional<Date> reparsed = parse_date(text);
    bool ok = made && made->days == days && cy == y && cm == m && cd == d && reparsed &&
              reparsed->days == days;
    if (!ok && ++mismatches <= 5) {
      FAIL_CHECK("mismatch at " << y << "-" << m << "-" << d << " days=" << days);
    }
    ++steps;
    ++days;
    if (++d > segrule::days_in_month(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        ++y;
      }
    }
  }
  CHECK(mismatches == 0);
  CHECK(steps == 73414);  // 201 years, 49 of them leap (2000 is, 1900 and 2100 are not)
}

TEST_CASE("Date: civil_from_date over the whole supported range and beyond") {
  // Sparse sweep of 0001..9999 and days outside it: civil -> days -> civil is stable
  // and the day count is strictly increasing with the calendar.
  Date lo = *make_date(1, 1, 1);
  Date hi = *make_date(9999, 12, 31);
  int mismatches = 0;
  for (int64_t day = lo.days; day <= hi.days; day += 97) {
    int y = 0, m = 0, d = 0;
    segrule::civil_from_date(Date{static_cast<int32_t>(day)}, y, m, d);
    std::optional<Date> back = make_date(y, m, d);
    if (!back || back->days != day) ++mismatches;
  }
  CHECK(mismatches == 0);

  int y = 0, m = 0, d = 0;
  segrule::civil_from_date(Date{lo.days - 1}, y, m, d);
  CHECK((y == 0 && m == 12 && d == 31));
  segrule::civil_from_date(Date{hi.days + 1}, y, m, d);
  CHECK((y == 10000 && m == 1 && d == 1));
  CHECK(segrule::to_string(Date{lo.days - 1}) == "0000-12-31");
  CHECK(segrule::to_string(Date{hi.days + 1}) == "10000-01-01");
  CHECK(segrule::to_string(Date{lo.days - 367}) == "-0001-12-31");
  // Extremes must not crash or overflow.
  segrule::civil_from_date(Date{INT32_MIN}, y, m, d);
  CHECK((m >= 1 && m <= 12 && d >= 1 && d <= 31));
  segrule::civil_from_date(Date{INT32_MAX}, y, m, d);
  CHECK((m >= 1 && m <= 12 && d >= 1 && d <= 31));
}

TEST_CASE("Date: to_string and append_date") {
  CHECK(segrule::to_string(Date{}) == "1970-01-01");
  CHECK(segrule::to_string(date("2025-06-01")) == "2025-06-01");
  std::string out = "as of ";
  segrule::append_date(out, date("0042-07-04"));
  CHECK(out == "as of 0042-07-04");
}

TEST_CASE("Date: days_between") {
  struct Case {
    const char* a;
    const char* b;
    int64_t expected;
  };
  const Case cases[] = {
      {"2025-01-01", "2025-01-01", 0},
      {"2025-01-01", "2025-01-02", 1},
      {"2025-01-02", "2025-01-01", -1},
      {"2024-02-28", "2024-03-01", 2},
      {"2025-02-28", "2025-03-01", 1},
      {"2024-01-01", "2025-01-01", 366},
      {"2025-01-01", "2026-01-01", 365},
      {"1970-01-01", "2000-01-01", 10957},
      {"0001-01-01", "9999-12-31", 3652058},
      {"9999-12-31", "0001-01-01", -3652058},
  };
  for (const Case& c : cases) {
    INFO("a = " << c.a);
    INFO("b = " << c.b);
    CHECK(days_between(date(c.a), date(c.b)) == c.expected);
  }
}

TEST_CASE("Date: years_between counts completed years") {
  struct Case {
    const char* a;
    const char* b;
    int64_t expected;
  };
  const Case cases[] = {
      {"1990-06-15", "2025-06-14", 34},
      {"1990-06-15", "2025-06-15", 35},
      {"1990-06-15", "2025-06-16", 35},
      {"1990-06-15", "1990-06-15", 0},
      {"1990-06-15", "1991-06-14", 0},
      {"1990-12-31", "1991-01-01", 0},
      {"1990-01-01", "1990-12-31", 0},
      // 29 February: the anniversary is 1 March in non-leap years.
      {"2000-02-29", "2001-02-28", 0},
      {"2000-02-29", "2001-03-01", 1},
      {"2000-02-29", "2004-02-28", 3},
      {"2000-02-29", "2004-02-29", 4},
      {"2000-02-29", "2100-02-28", 99},
      {"2000-02-29", "2100-03-01", 100},
      {"1999-02-28", "2000-02-28", 1},
      {"1999-03-01", "2000-02-29", 0},
      {"2024-02-28", "2025-02-28", 1},
      {"0001-01-01", "9999-12-31", 9998},
      // b before a: the negated distance the other way round.
      {"2001-03-01", "2000-02-29", -1},
      {"2001-02-28", "2000-02-29", 0},
      {"2025-06-15", "1990-06-15", -35},
      {"2025-06-14", "1990-06-15", -34},
      {"9999-12-31", "0001-01-01", -9998},
  };
  for (const Case& c : cases) {
    INFO("a = " << c.a);
    INFO("b = " << c.b);
    CHECK(years_between(date(c.a), date(c.b)) == c.expected);
  }
}
