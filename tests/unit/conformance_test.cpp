// The conformance suite (tests/conformance/*.yaml) through the library API:
// the same cases tests/conformance/run.py runs through the command line,
// compiled with Ruleset::compile and check_rules and evaluated with
// Ruleset::evaluate (one record at a time) or Ruleset::evaluate_batch (CSV
// and JSON arrays). The format is in tests/conformance/README.md. Results are
// compared whole: member order included, numbers by their exact text.
//
// The engine is reached only through the public API (include/segrule/), as an
// embedding program would.

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "segrule/segrule.hpp"
#include "eval/json_reader.hpp"  // a test utility: reads what the engine printed

namespace {

constexpr size_t kMinCases = 300;  // the suite must not shrink silently (same bound as run.py)

// --- values: YAML and JSON read into one comparable form -----------------------

// A JSON value that keeps member order and the text of numbers, so two values
// compare equal only when they print the same.
struct Value {
  using Kind = segrule::JsonKind;
  Kind kind = Kind::null;
  std::string text;  // boolean "true"/"false", a number's text, a string's value
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;

  bool operator==(const Value&) const = default;
};

bool is_json_number(const std::string& s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!(i < s.size() && s[i] >= '1' && s[i] <= '9') || !digits()) return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A plain scalar is null (`null`, `~`, empty), a boolean (`true`, `false`), a
// number (JSON number syntax) or a string; a quoted scalar is always a string.
Value from_yaml(const YAML::Node& node) {
  Value v;
  if (node.IsNull()) return v;
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    bool plain = node.Tag() == "?";
    if (plain && (s == "null" || s == "~" || s.empty())) return v;
    if (plain && (s == "true" || s == "false")) v.kind = Value::Kind::boolean;
    else if (plain && is_json_number(s)) v.kind = Value::Kind::number;
    else v.kind = Value::Kind::string;
    v.text = s;
  } else if (node.IsSequence()) {
    v.kind = Value::Kind::array;
    for (const auto& item : node) v.items.push_back(from_yaml(item));
  } else if (node.IsMap()) {
    v.kind = Value::Kind::object;
    for (const auto& kv : node) v.members.emplace_back(kv.first.Scalar(), from_yaml(kv.second));
  }
  return v;
}

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) {
      static const char* const kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else out += static_cast<char>(c);
  }
  out += '"';
}

// Compact JSON text, numbers exactly as written.
std::string to_json(const Value& v) {
  std::string out;
  switch (v.kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean:
    case Value::Kind::number: return v.text;
    case Value::Kind::string: append_json_string(out, v.text); return out;
    case Value::Kind::array:
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) out += (i ? "," : "") + to_json(v.items[i]);
      return out + ']';
    case Value::Kind::object:
      out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.members[i].first);
        out += ':' + to_json(v.members[i].second);
      }
      return out + '}';
  }
  return out;
}

// The engine's printed JSON (a result object, an error entry) in the comparable
// form, read with the project's strict reader, which keeps member order and
// the text of numbers; nullopt when it is not valid JSON.
Value from_json(const segrule::JsonValue& j) {
  Value v;
  v.kind = j.kind;
  v.text = j.kind == segrule::JsonKind::boolean ? (j.boolean ? "true" : "false") : j.text;
  for (const auto& item : j.items) v.items.push_back(from_json(item));
  for (const auto& [key, member] : j.members) v.members.emplace_back(key, from_json(member));
  return v;
}

std::optional<Value> parse_json(const std::string& text) {
  auto parsed = segrule::parse_json(text);
  if (const auto* value = std::get_if<segrule::JsonValue>(&parsed)) return from_json(*value);
  return std::nullopt;
}

const Value* member(const Value& object, const std::string& name) {
  for (const auto& [key, value] : object.members)
    if (key == name) return &value;
  return nullptr;
}

// --- reading the suite -------------------------------------------------------------

struct Expected {
  bool is_error = false;
  Value result;                      // a result: the whole object
  std::string error;                 // an error: text the message contains
  std::optional<std::string> hides;  // an error: text the message must not show
  std::optional<std::string> key;    // an error: the record's key, as text
};

struct Case {
  std::string where;  // "file.yaml:case name"
  std::string rules;
  std::string as_of;
  std::optional<std::string> known_failure;
  std::optional<std::vector<std::string>> diagnostics, warnings;  // sorted codes
  std::optional<segrule::InputFormat> format;  // records: jsonl (one by one), csv or json (a batch)
  std::vector<std::string> records;            // jsonl: one text per line (blank: no record)
  std::string input;                           // csv or json: the whole text
  std::vector<Expected> expect;
};

// The suite is malformed (not a failing case): stops the test with this message.
struct SuiteError {
  std::string message;
};

std::string base64_decode(const std::string& text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    size_t index = kAlphabet.find(c);
    if (index == std::string::npos) continue;  // padding and line breaks
    buffer = (buffer << 6) | static_cast<unsigned>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::vector<std::string> codes_of(const YAML::Node& node, const std::string& where) {
  if (!node.IsSequence()) throw SuiteError{where + ": a list of codes is expected"};
  std::vector<std::string> codes;
  for (const auto& code : node) codes.push_back(code.Scalar());
  std::sort(codes.begin(), codes.end());
  return codes;
}

Expected expectation(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) throw SuiteError{where + ": each expect entry must be a mapping"};
  Expected e;
  bool error_only = node["error"].IsDefined();
  for (const auto& kv : node) {
    std::string k = kv.first.Scalar();
    error_only = error_only && (k == "error" || k == "hides" || k == "key");
  }
  if (!error_only) {
    e.result = from_yaml(node);
    return e;
  }
  e.is_error = true;
  e.error = node["error"].Scalar();
  if (node["hides"]) e.hides = node["hides"].Scalar();
  if (node["key"]) e.key = node["key"].Scalar();
  return e;
}

Case read_case(const std::string& file, const YAML::Node& node, const std::string& prelude,
               const std::string& default_as_of) {
  static const std::set<std::string> kKeys = {"name", "rules", "rules_base64", "pad_to_bytes", "standalone",
                                              "as_of", "records", "record_json", "csv", "json_array", "expect",
                                              "diagnostics", "warnings", "known_failure"};
  if (!node.IsMap() || !node["name"]) throw SuiteError{file + ": a case without a name"};
  Case c;
  c.where = file + ":" + node["name"].Scalar();
  for (const auto& kv : node)
    if (!kKeys.count(kv.first.Scalar())) throw SuiteError{c.where + ": unknown key " + kv.first.Scalar()};
  bool standalone = node["standalone"] && node["standalone"].as<bool>();
  if (node["rules_base64"]) c.rules = base64_decode(node["rules_base64"].Scalar());
  else c.rules = (standalone ? "" : prelude) + (node["rules"] ? node["rules"].Scalar() : "");
  if (node["pad_to_bytes"]) {
    const std::string line = "# " + std::string(77, 'x') + "\n";
    size_t target = node["pad_to_bytes"].as<size_t>();
    while (c.rules.size() < target) c.rules += line;
  }
  c.as_of = node["as_of"] ? node["as_of"].Scalar() : default_as_of;
  if (node["known_failure"]) c.known_failure = node["known_failure"].Scalar();
  if (node["diagnostics"]) c.diagnostics = codes_of(node["diagnostics"], c.where);
  if (node["warnings"]) c.warnings = codes_of(node["warnings"], c.where);
  if (node["records"]) {
    c.format = segrule::InputFormat::jsonl;
    for (const auto& record : node["records"]) {
      if (!record.IsMap()) throw SuiteError{c.where + ": records must be mappings"};
      c.records.push_back(to_json(from_yaml(record)));
    }
  } else if (node["record_json"]) {
    c.format = segrule::InputFormat::jsonl;
    const YAML::Node& lines = node["record_json"];
    if (lines.IsSequence())
      for (const auto& line : lines) c.records.push_back(line.Scalar());
    else c.records.push_back(lines.Scalar());
  } else if (node["csv"]) {
    c.format = segrule::InputFormat::csv;
    c.input = node["csv"].Scalar();
  } else if (node["json_array"]) {
    c.format = segrule::InputFormat::json;
    c.input = node["json_array"].Scalar();
  }
  if (node["expect"]) {
    if (!node["expect"].IsSequence()) throw SuiteError{c.where + ": expect must be a list"};
    for (const auto& e : node["expect"]) c.expect.push_back(expectation(e, c.where));
  }
  if (c.format.has_value() != node["expect"].IsDefined())
    throw SuiteError{c.where + ": records (or record_json, csv, json_array) and expect go together"};
  if (!c.format && !c.diagnostics && !c.warnings)
    throw SuiteError{c.where + ": a case needs records and expect, diagnostics, or warnings"};
  if (c.diagnostics && (c.warnings || c.format))
    throw SuiteError{c.where + ": a diagnostics case does not compile: no warnings or records"};
  return c;
}

std::vector<Case> load_suite() {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(SEGRULE_SOURCE_DIR) / "tests" / "conformance"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  std::set<std::string> names;
  for (const fs::path& path : files) {
    std::string file = path.filename().string();
    YAML::Node root = YAML::LoadFile(path.string());
    static const std::set<std::string> kFileKeys = {"suite", "prelude", "as_of", "cases"};
    for (const auto& kv : root)
      if (!kFileKeys.count(kv.first.Scalar())) throw SuiteError{file + ": unknown key " + kv.first.Scalar()};
    std::string prelude = root["prelude"] ? root["prelude"].Scalar() : "";
    std::string as_of = root["as_of"] ? root["as_of"].Scalar() : "";
    if (!root["cases"].IsSequence()) throw SuiteError{file + ": needs a list of cases"};
    for (const auto& node : root["cases"]) {
      Case c = read_case(file, node, prelude, as_of);
      if (!names.insert(c.where).second) throw SuiteError{c.where + ": two cases have this name"};
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// --- running one case through the API ----------------------------------------------------

std::string joined(const std::vector<std::string>& codes) {
  std::string out = "[";
  for (size_t i = 0; i < codes.size(); ++i) out += (i ? ", " : "") + codes[i];
  return out + "]";
}

// Compares check_rules (and whether Ruleset::compile succeeds) with a
// diagnostics or warnings case: the reason it fails, or "".
std::string check_codes(const Case& c) {
  segrule::CheckResult checked = segrule::check_rules({c.rules, "case.seg"});
  std::vector<std::string> got;
  for (const segrule::Diagnostic& d : checked.diagnostics) got.push_back(d.code);
  std::sort(got.begin(), got.end());
  bool compiles = segrule::Ruleset::compile(c.rules, "case.seg").ruleset.has_value();
  if (c.diagnostics) {
    // E0702 is the one error found by check's analysis of a file that compiles.
    bool must_compile = std::all_of(c.diagnostics->begin(), c.diagnostics->end(),
                                    [](const std::string& code) { return code[0] == 'W' || code == "E0702"; });
    if (checked.errors == 0) return "expected check to fail with " + joined(*c.diagnostics) + ", got " + joined(got);
    if (got != *c.diagnostics) return "expected diagnostics " + joined(*c.diagnostics) + ", got " + joined(got);
    if (compiles != must_compile)
      return std::string("Ruleset::compile ") + (compiles ? "succeeds" : "fails") + " with " + joined(got);
    return "";
  }
  if (checked.errors != 0 || !compiles)
    return "expected the rules to compile with warnings " + joined(*c.warnings) + ", got " + joined(got) + "\n" +
           checked.rendered;
  if (got != *c.warnings) return "expected warnings " + joined(*c.warnings) + ", got " + joined(got);
  return "";
}

struct Outcome {
  bool is_error = false;
  std::string text;  // the result object, or the error message
  std::optional<std::string> key;
};

std::string key_text(const Value* key) {
  return key == nullptr || key->kind == Value::Kind::null ? "" : key->text;
}

std::string compare_outcomes(const std::vector<Expected>& expected, const std::vector<Outcome>& got) {
  if (expected.size() != got.size())
    return "expected " + std::to_string(expected.size()) + " outcomes, got " + std::to_string(got.size());
  std::string problems;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Expected& want = expected[i];
    const Outcome& have = got[i];
    std::string at = "record " + std::to_string(i + 1) + ": ";
    std::string problem;
    if (want.is_error) {
      if (!have.is_error) problem = "expected an error containing `" + want.error + "`, got " + have.text;
      else if (have.text.find(want.error) == std::string::npos)
        problem = "expected an error containing `" + want.error + "`, got error `" + have.text + "`";
      else if (want.hides && have.text.find(*want.hides) != std::string::npos)
        problem = "the error shows `" + *want.hides + "`, which it must hide: `" + have.text + "`";
      else if (want.key && want.key != have.key)
        problem = "expected the error's key `" + *want.key + "`, got `" + have.key.value_or("(none)") + "`";
    } else if (have.is_error) {
      problem = "expected " + to_json(want.result) + ", got error `" + have.text + "`";
    } else {
      std::optional<Value> parsed = parse_json(have.text);
      if (!parsed || !(*parsed == want.result)) problem = "expected " + to_json(want.result) + ", got " + have.text;
    }
    if (!problem.empty()) problems += (problems.empty() ? "" : "; ") + at + problem;
  }
  return problems;
}

// Evaluates the case's records: one by one with Ruleset::evaluate, or as one
// batch (CSV, a JSON array) with Ruleset::evaluate_batch. The reason it fails, or "".
std::string eval_records(const Case& c) {
  segrule::CompileResult compiled = segrule::Ruleset::compile(c.rules, "case.seg");
  if (!compiled) return "the rules do not compile\n" + compiled.rendered;
  const segrule::Ruleset& rules = *compiled.ruleset;
  segrule::EvalOptions options;
  options.as_of = c.as_of;
  std::vector<Outcome> got;
  if (*c.format == segrule::InputFormat::jsonl) {
    for (const std::string& record : c.records) {
      if (record.find_first_not_of(" \t\r") == std::string::npos) continue;  // a blank line is no record
      segrule::RecordResult r = rules.evaluate(record, options);
      got.push_back(r.ok ? Outcome{false, r.json, std::nullopt} : Outcome{true, r.error, r.key});
    }
  } else {
    std::string problem;
    segrule::BatchSummary summary =
        rules.evaluate_batch(c.input, *c.format, options, [&](bool is_error, std::string_view line) {
          if (!is_error) {
            got.push_back({false, std::string(line), std::nullopt});
            return;
          }
          std::optional<Value> entry = parse_json(std::string(line));
          const Value* error = entry ? member(*entry, "error") : nullptr;
          if (error == nullptr) problem = "an error entry that is not one: " + std::string(line);
          const Value* key = entry ? member(*entry, "key") : nullptr;
          got.push_back({true, error ? error->text : "",
                         key ? std::optional<std::string>(key_text(key)) : std::nullopt});
        });
    if (!summary.error.empty()) return "the batch did not run: " + summary.error;
    if (!problem.empty()) return problem;
    if (summary.read != got.size() || summary.read != summary.results + summary.errors)
      return "the batch's counts do not add up: " + std::to_string(summary.read) + " read, " +
             std::to_string(summary.results) + " results, " + std::to_string(summary.errors) + " errors";
  }
  return compare_outcomes(c.expect, got);
}

std::string run_case(const Case& c) {
  if (c.diagnostics || c.warnings) {
    std::string problem = check_codes(c);
    if (!problem.empty()) return problem;
  }
  return c.format ? eval_records(c) : "";
}

TEST_CASE("conformance suite through the library API") {
  std::vector<Case> cases;
  try {
    cases = load_suite();
  } catch (const SuiteError& e) {
    FAIL("malformed conformance suite: " << e.message);
  } catch (const YAML::Exception& e) {
    FAIL("malformed conformance suite: " << e.what());
  }
  CHECK_MESSAGE(cases.size() >= kMinCases, "the suite has " << cases.size() << " cases, fewer than " << kMinCases);
  for (const Case& c : cases) {
    std::string problem = run_case(c);
    if (c.known_failure)
      CHECK_MESSAGE(!problem.empty(), c.where << ": marked known_failure (" << *c.known_failure
                                              << ") but passes: remove the mark");
    else
      CHECK_MESSAGE(problem.empty(), c.where << ": " << problem);
  }
}

}  // namespace
