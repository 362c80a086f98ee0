#pragma once
// `segrule fmt`: rule text in the one canonical layout described in docs/fmt.md.
// The text is printed from the AST; comments are attached to the lines around
// them by position and printed with those lines, so none is lost. Formatting
// formatted text changes nothing, and the result parses to the same AST.

#include <string>

#include "ast/ast.hpp"
#include "source.hpp"

namespace segrule {

// The canonical text of `ast`, which the parser built from `source` without a
// syntax error (a file that does not type-check formats all the same).
std::string format_ast(const Ast& ast, const SourceFile& source);

// Parses `source` and formats it. Returns false and appends the diagnostics when
// the text has syntax errors; `out` is then left unchanged.
bool format_source(const SourceFile& source, std::string& out, Diagnostics& diagnostics);

}  // namespace segrule
