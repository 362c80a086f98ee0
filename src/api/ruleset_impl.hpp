#pragma once
// What a public Ruleset holds: the compiled Program and its identity.

#include <memory>

#include "check/program.hpp"
#include "eval/fast_record.hpp"
#include "eval/result_writer.hpp"
#include "segrule/ruleset.hpp"

namespace segrule {

struct Ruleset::Impl {
  std::shared_ptr<const Program> program;
  std::unique_ptr<FastRecordReader> reader;  // reads records for evaluate(); views into *program
  std::unique_ptr<ResultWriter> writer;      // writes evaluate()'s results
  RulesetInfo info;
};

// Compiles rule text into a public CompileResult (diagnostics located and rendered).
CompileResult compile_ruleset(std::string text, std::string_view file_name);

}  // namespace segrule
