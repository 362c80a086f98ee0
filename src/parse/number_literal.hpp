#pragma once
// The rule language's number literal syntax as a reusable function: digits with
// `_` between them, an optional fraction, and at most one unit right after it
// (`%` ÷100, `k` ×1 000, `M` ×1 000 000, `万` ×10 000, `亿` ×100 000 000).
// The parser reads rule-file literals with it, and case files accept numbers
// written this way, so `500万` means the same in both. Exact: never via double.

#include <string_view>

#include "eval/decimal.hpp"

namespace segrule {

enum class NumberLiteralStatus : uint8_t {
  ok,
  malformed,       // not digits, or `_` not between two digits (`1__0`, `.5`, `1.`)
  bad_unit,        // something other than one known unit follows the digits (`5x`, `1e6`, `5万万`)
  too_precise,     // more than 18 digits after the point
  out_of_range,    // beyond 20 digits before the point, also after applying the unit
};

// Parses `text` (no sign, no spaces). On ok, `out` holds the exact value.
NumberLiteralStatus parse_number_literal(std::string_view text, Decimal& out);

// Where the unit starts: the end of the digits, `_` and `.` at the front of `text`.
size_t number_unit_begin(std::string_view text);

// Lowercase explanation of a status for a message, e.g. "`1e6`: there is no exponent notation".
// `text` is the literal as written.
const char* number_literal_help(NumberLiteralStatus status, std::string_view text);

}  // namespace segrule
