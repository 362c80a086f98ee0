#pragma once
// AST -> Program: resolves names (type-directed), checks types and nulls,
// finds cycles and orders lets and decisions for evaluation. Collects every
// problem as a diagnostic; never throws for a bad rule file.

#include <memory>

#include "check/program.hpp"

namespace segrule {

// Returns the program, or null when an error was reported.
std::shared_ptr<Program> check_ast(const Ast& ast, std::shared_ptr<const SourceFile> source, Diagnostics& diagnostics);

// Parse and check in one call: the usual way in.
std::shared_ptr<Program> compile_source(std::shared_ptr<const SourceFile> source, Diagnostics& diagnostics);

// Readable type names for messages: `money`, `string?`, `rating`, `list<product>`.
std::string type_name(const Program& program, const Type& type);

}  // namespace segrule
