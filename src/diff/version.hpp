#pragma once
// One version of a rule file as `diff` and `impact` need it: the source, its
// syntax tree (for the text of what changed) and its compiled Program (for
// what it means).

#include <memory>
#include <string>

#include "ast/ast.hpp"
#include "check/program.hpp"
#include "source.hpp"

namespace segrule {

struct RuleVersion {
  std::shared_ptr<const SourceFile> source;
  std::unique_ptr<Ast> ast;
  std::shared_ptr<Program> program;
};

// Parses and checks rule text named `name`. Returns false when it does not
// compile; `diagnostics` then holds the errors, located for rendering.
bool compile_version(const std::string& name, std::string text, RuleVersion& out, Diagnostics& diagnostics);

// The source text of a span on one line, as a reviewer reads it: comments
// dropped and each run of blanks and line breaks made one space. String
// literals are kept exactly.
std::string span_text(const SourceFile& source, Span span);

}  // namespace segrule
