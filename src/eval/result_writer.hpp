#pragma once
// Results and error entries as JSON text, exactly as LANGUAGE.md §7 lays them
// out: key, decisions in file order (with NAME_primary), outputs, dropped.

#include <optional>
#include <string>

#include "eval/evaluator.hpp"

namespace segrule {

// Appends one result object (no newline).
void write_result(const Program& program, const Outcome& outcome, std::string& out);

// Appends one value as JSON, by its static type.
void write_value(const Program& program, const Type& type, const Value& value, std::string& out);

// Appends `{"line": N, "key": "...", "error": "..."}` (key only when known).
void write_error(size_t line, const std::optional<std::string>& key, std::string_view message, std::string& out);

// Adds `"name":json` as the last member of the object that ends `object`
// (a result or an error entry): `eval --explain` adds its `explain` this way.
void add_member(std::string& object, std::string_view name, std::string_view json);

// Appends a JSON string literal.
void write_json_string(std::string_view text, std::string& out);

}  // namespace segrule
