// `segrule explain FILE --record JSON` (or `--input PATH --key ID`): why one
// record got its result, condition by condition, as text or `--json`.
// Exit 0 when the record has a result, 3 when it is rejected (the account
// then says which field, or where evaluation stopped), 2 for misuse and for
// a key that no record has.

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "eval/evaluator.hpp"
#include "explain/account.hpp"
#include "explain/record_lookup.hpp"

namespace segrule::cli {

namespace {

struct ExplainArgs {
  std::string rules;
  std::optional<std::string> record;
  RecordInput in;  // --input, --format, --as-of
  std::optional<std::string> key;
  bool json = false;
  ExplainOptions options;
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
      out.options.show_pii = true;
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
  auto program = load_rules(a.rules, status);
  if (!program) return status;
  const Program& p = *program;

  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots[p.as_of_slot] = Value::of_date(a.in.as_of);
  RecordProblem problem;
  bool fits = false;
  std::string error;
  if (a.record) {
    std::string text = *a.record;
    if (text == "-" && !read_file("-", text, error)) return kMisuse;
    // Text that is not JSON is a mistake on the command line, not a record to explain.
    auto parsed = parse_json(text, JsonLimits{RecordLimits{}.max_depth, RecordLimits{}.max_record_bytes});
    if (auto* bad = std::get_if<JsonError>(&parsed)) {
      fmt::print(stderr, "segrule: --record is not valid JSON: at column {}: {}\n", bad->offset + 1, bad->message);
      return kMisuse;
    }
    fits = record_from_json_value(p, std::get<JsonValue>(parsed), outcome.slots, problem);
  } else {
    std::string data;
    if (!read_file(a.in.path, data, error)) {
      fmt::print(stderr, "segrule: {}\n", error);
      return kMisuse;
    }
    FoundRecord found = find_record(p, data, a.in.format_or_guess(), *a.key, RecordLimits{}, outcome.slots);
    if (!found.found) {
      std::string unreadable = found.unreadable ? fmt::format(" ({} record{} could not be read)", found.unreadable, found.unreadable == 1 ? "" : "s") : "";
      fmt::print(stderr, "segrule: no record in `{}` has {} `{}`{}\n", a.in.path, p.inputs[p.key_field].name, *a.key, unreadable);
      return kMisuse;
    }
    if (found.matches > 1)
      fmt::print(stderr, "segrule: {} records in `{}` have {} `{}`; explaining the first, at line {}\n", found.matches, a.in.path,
                 p.inputs[p.key_field].name, *a.key, found.line);
    fits = found.fits;
    problem = std::move(found.problem);
  }

  a.options.with_result = true;
  explain::Account account = fits ? explain::build_account(p, std::move(outcome.slots), a.options)
                                  : explain::record_error_account(p, problem, a.in.as_of);
  if (a.json) fmt::print("{}\n", explain::render_json(p, account, a.options.with_result));
  else fmt::print("{}", explain::render_text(p, account));
  return account.failure ? kRejected : kOk;
}

}  // namespace segrule::cli
