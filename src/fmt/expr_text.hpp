#pragma once
// Expressions, types and literals as canonical rule text, for the formatter.
// Parentheses: the ones precedence needs, plus the ones the author wrote around
// anything but a single operand; numbers and dates exactly as written; strings
// re-escaped. Parsing the text gives back the same tree.

#include <string>
#include <string_view>

#include "ast/ast.hpp"

namespace segrule {

// The expression as source text, on one line.
std::string expr_text(const Expr& expr);

// A type as written: `money`, `risk?`, `list<product>`, `enum [a "A", b]`.
std::string type_text(const TypeRef& type);

// A string literal with its quotes: `"`, `\`, newline and tab escaped, control and
// invisible formatting characters as `\u{...}`, every other character as is.
std::string string_literal(std::string_view value);

}  // namespace segrule
