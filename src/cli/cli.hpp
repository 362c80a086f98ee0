#pragma once
// Shared pieces of the `segrule` command: exit codes, argument errors, file
// reading, common options. Each command lives in its own cmd_*.cpp file and
// uses only the public API (include/segrule/); the build enforces it.

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "segrule/diagnostic.hpp"
#include "segrule/input_format.hpp"
#include "segrule/ruleset.hpp"

namespace segrule::cli {

constexpr int kOk = 0;
constexpr int kCompileError = 1;  // rules do not compile, `check` found errors, a test failed
constexpr int kMisuse = 2;
constexpr int kRejected = 3;

using Args = std::vector<std::string>;

// The usage text printed by `help` and when no command is given.
extern const char* const kUsage;

// Prints `segrule: MESSAGE` and a pointer to `segrule help` to stderr; returns kMisuse.
int misuse(const std::string& message);

// Reads a whole file (or standard input for "-"). On failure prints
// `segrule: cannot read `PATH`: REASON` to stderr and returns nothing.
std::optional<std::string> read_file(const std::string& path);
// Opens an input file for reading as a stream; prints why not and returns false.
bool open_input(const std::string& path, std::ifstream& file);

// Reads and compiles a rule file, printing its diagnostics to stderr. Returns
// no ruleset, with `status` set (kMisuse: unreadable, kCompileError: errors), when it fails.
std::optional<Ruleset> load_rules(const std::string& path, int& status);

// Prints "`PATH` does not compile: N errors" to stderr; returns kCompileError.
int report_compile_failure(const std::string& path, const Diagnostics& diagnostics);

// The options of every command that reads records: --input, --format, --as-of.
struct RecordInput {
  std::string path;                   // --input PATH, or "-" for standard input
  std::optional<InputFormat> format;  // --format; otherwise from the file name
  std::string as_of;                  // --as-of YYYY-MM-DD; empty: today
  InputFormat format_or_guess() const;
};

// When args[i] is one of RecordInput's options, consumes it and its value and
// returns true; on a bad or missing value it also prints why and sets
// `status` to kMisuse.
bool take_record_input_option(const Args& args, size_t& i, RecordInput& in, int& status);

int cmd_check(const Args& args);
int cmd_eval(const Args& args);
int cmd_explain(const Args& args);
int cmd_test(const Args& args);
int cmd_fmt(const Args& args);
int cmd_diff(const Args& args);
int cmd_impact(const Args& args);

}  // namespace segrule::cli
