#pragma once
// What a public Ruleset holds: the compiled Program and its identity.

#include <memory>

#include "check/program.hpp"
#include "eval/fast_record.hpp"
#include "segrule/ruleset.hpp"

namespace segrule {

struct Ruleset::Impl {
  std::shared_ptr<const Program> program;
  std::unique_ptr<FastRecordReader> reader;  // reads records for evaluate(); views into *program
  RulesetInfo info;
};

// Compiles rule text into a public CompileResult (diagnostics located and rendered).
CompileResult compile_ruleset(std::string text, std::string_view file_name);

}  // namespace segrule
