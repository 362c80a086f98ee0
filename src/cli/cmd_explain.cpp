// `segrule explain FILE --record JSON` (or `--input PATH --key ID`): why one
// record got its result, condition by condition, as text or `--json`.
// Exit 0 when the record has a result, 3 when it is rejected (the account
// then says which field, or where evaluation stopped), 2 for misuse and for
// a key that no record has.

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::cli {

namespace {

struct ExplainArgs {
  std::string rules;
  std::optional<std::string> record;
  RecordInput in;  // --input, --format, --as-of
  std::optional<std::string> key;
  bool json = false;
  bool show_pii = false;
};

// Parses the arguments; returns kOk, or the exit code after printing the misuse.
int parse_args(const Args& args, ExplainArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    int status = kOk;
    if (take_record_input_option(args, i, out.in, status)) {
      if (status != kOk) return status;
      continue;
    }
    const std::string& a = args[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--record") {
      if (!value(v)) return misuse("--record needs the record as one JSON object, or - for standard input");
      out.record = v;
    } else if (a == "--key") {
      if (!value(v)) return misuse("--key needs the key of the record to explain");
      out.key = v;
    } else if (a == "--json") {
      out.json = true;
    } else if (a == "--show-pii") {
      out.show_pii = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return misuse(fmt::format("unknown option `{}` for explain", a));
    } else if (out.rules.empty()) {
      out.rules = a;
    } else {
      return misuse(fmt::format("unexpected argument `{}`: explain takes one rule file", a));
    }
  }
  if (out.rules.empty()) return misuse("explain needs a rule file");
  if (out.record && !out.in.path.empty()) return misuse("give the record either with --record or with --input and --key, not both");
  if (!out.record && out.in.path.empty() && !out.key) return misuse("explain needs a record: --record JSON, or --input PATH --key ID");
  if (!out.in.path.empty() && !out.key) return misuse("--input needs --key ID: explain shows one record");
  if (out.key && out.in.path.empty()) return misuse("--key needs --input PATH: the file to look for the record in");
  if (out.in.format && out.in.path.empty()) return misuse("--format applies to --input");
  return kOk;
}

}  // namespace

int cmd_explain(const Args& args) {
  ExplainArgs a;
  if (int status = parse_args(args, a); status != kOk) return status;

  int status = kOk;
  std::optional<Ruleset> ruleset = load_rules(a.rules, status);
  if (!ruleset) return status;

  EvalOptions options;
  options.as_of = a.in.as_of;
  options.show_pii = a.show_pii;
  Explanation explained;
  if (a.record) {
    std::optional<std::string> text = *a.record == "-" ? read_file("-") : a.record;
    if (!text) return kMisuse;
    explained = explain_record(*ruleset, *text, options, a.json);
    // The library says "the record is not valid JSON"; here the record is the --record argument.
    if (!explained.ok && explained.error.rfind("the record ", 0) == 0) explained.error = "--record " + explained.error.substr(11);
  } else {
    std::optional<std::string> data = read_file(a.in.path);
    if (!data) return kMisuse;
    explained = explain_key(*ruleset, *data, a.in.format_or_guess(), *a.key, a.in.path, options, a.json);
  }
  if (!explained.ok) {
    fmt::print(stderr, "segrule: {}\n", explained.error);
    return kMisuse;
  }
  if (!explained.note.empty()) fmt::print(stderr, "segrule: {}\n", explained.note);
  fmt::print("{}", explained.account);
  return explained.rejected ? kRejected : kOk;
}

}  // namespace segrule::cli
