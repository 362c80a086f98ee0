#pragma once
// Rule text -> AST. Reports every syntax error in the file (it resumes at the
// next declaration after an error), never throws for bad input.

#include <memory>

#include "ast/ast.hpp"
#include "source.hpp"

namespace segrule {

struct ParseLimits {
  size_t max_file_bytes = 4u << 20;   // 4 MiB of rule text
  uint32_t max_nesting = 64;          // brackets and parentheses inside one another
  uint32_t max_expression_depth = 256;  // operators stacked in one expression
  size_t max_literal_digits = 40;     // digits in one number literal
};

// Returns the AST (possibly partial) and appends diagnostics. The AST is only
// meaningful to later stages when no error was reported.
std::unique_ptr<Ast> parse_source(const SourceFile& source, Diagnostics& diagnostics, const ParseLimits& limits = {});

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or empty.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace segrule
