#pragma once
// Values and rule text as an analyst reads them in `explain`: money with
// thousands separators, symbols with their labels, source text on one line.

#include <string>
#include <string_view>

#include "source.hpp"
#include "check/program.hpp"

namespace segrule {

// An exact decimal with ',' between thousands: "1,234,567.891", "-0.5", "0".
// Money shows at least two decimals ("4,999,999.99", "0.00") and more only when
// the exact value has them, so a figure is never rounded into a misleading one.
std::string human_number(const Decimal& number, bool money);

// One value of the given static type: numbers as above, `gold (黄金客户)` for a
// value with a label, dates ISO, strings quoted, lists in brackets, `null`.
std::string human_value(const Program& program, const Type& type, const Value& value);

// `id (label)`, or just `id` when the value has no label.
std::string labelled(std::string_view id, std::string_view label);

// Rule source on one line: comments dropped, each run of blanks and line
// breaks outside string literals made one space, ends trimmed.
std::string one_line(std::string_view source);

// The source text of a span of the program's file, on one line.
std::string source_of(const Program& program, Span span);

// 1-based line of a span in the program's file (0 when unknown).
uint32_t line_of(const Program& program, Span span);


}  // namespace segrule
