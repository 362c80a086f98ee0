// The `segrule` command: dispatches to one cmd_*.cpp per command. Exit codes:
// 0 success, 1 rules do not compile (or `check`/`test` found errors), 2 misuse,
// 3 some records were rejected, 4 output could not be written (141, quietly,
// when the reader of a pipe went away).

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "output_file.hpp"
#include "serve.hpp"

namespace segrule::cli {

const char* const kUsage =
    "usage: segrule <command> [options]\n"
    "\n"
    "commands:\n"
    "  check FILE...                 check rule files: errors, then warnings with example records\n"
    "       [--show-pii] [--no-analysis]   (unreachable rows, gaps, conflicts, unused) and invariants\n"
    "  eval FILE --input PATH|-      evaluate records; results as JSON Lines on stdout\n"
    "       [--format jsonl|json|csv] [--as-of YYYY-MM-DD] [--errors PATH] [--threads N]\n"
    "       [--output PATH] [--explain [--show-pii]]   (--output: written whole or not at all)\n"
    "  explain FILE --record JSON|-  why one record got its result, condition by condition\n"
    "       (or --input PATH --key ID [--format jsonl|json|csv]) [--as-of YYYY-MM-DD] [--json] [--show-pii]\n"
    "  test FILE CASES.yaml          run an analyst's case file; coverage of rows and strategies\n"
    "       [--min-coverage PCT]\n"
    "  fmt FILE... [--check|--write] print in the canonical layout (--check: diff, exit 1 if not)\n"
    "  diff OLD NEW [--json]         what changed in meaning between two versions, by name\n"
    "       [--show-pii]\n"
    "  impact OLD NEW --input PATH   run both versions over the same records: who moves where\n"
    "       [--format jsonl|json|csv] [--as-of YYYY-MM-DD] [--json|--csv] [--show-pii]\n"
    "  serve --rules DIR             answer JSON over HTTP with every rule file of DIR (docs/service.md)\n"
    "       [--host 127.0.0.1] [--port 8080] [--max-body BYTES] [--threads N]\n"
    "       [--watch-interval MS] [--as-of YYYY-MM-DD] [--no-access-log]\n"
    "  version                       print the version\n"
    "\n"
    "exit codes: 0 ok, 1 rules do not compile, 2 misuse, 3 some records rejected,\n"
    "            4 output could not be written (full disk, I/O error)\n"
    "            diff and impact, as diff(1): 0 no change, 1 changed, 2 trouble\n";

}  // namespace segrule::cli

namespace {

using namespace segrule::cli;

int dispatch(const std::string& command, const Args& args);

// Output that could not be written is an error, not a success with lines
// missing: checked after every command, whatever it printed with.
int run_checked(const std::string& command, const Args& args) {
  int status;
  try {
    status = dispatch(command, args);
  } catch (const WriteFailure& failure) {
    return report_write_failure(failure);
  } catch (const std::system_error& e) {  // fmt::print reports a failed write this way
    return report_write_failure(WriteFailure{e.code().value(), "standard output", false});
  }
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return report_write_failure(WriteFailure{errno ? errno : EIO, "standard output", false});
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return kMisuse;
  }
  std::string command = args[0];
  args.erase(args.begin());
  return run_checked(command, args);
}

namespace {

int dispatch(const std::string& command, const Args& args) {
  if (command == "check") return cmd_check(args);
  if (command == "eval") return cmd_eval(args);
  if (command == "explain") return cmd_explain(args);
  if (command == "test") return cmd_test(args);
  if (command == "fmt") return cmd_fmt(args);
  if (command == "diff") return cmd_diff(args);
  if (command == "impact") return cmd_impact(args);
  if (command == "serve") return cmd_serve(args);
  if (command == "version" || command == "--version") {
    fmt::print("segrule 0.1.0\n");
    return kOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    fmt::print("{}", kUsage);
    return kOk;
  }
  return misuse(fmt::format("unknown command `{}`", command));
}

}  // namespace
