// Reading case files for `segrule test`: what a well-formed file becomes, and
// for each kind of malformed file the exact first problem with its line and
// column (tables of YAML text -> "LINE:COLUMN: message" and help).

#include <doctest/doctest.h>

#include <string>

#include "cases/case_file.hpp"
#include "parse/number_literal.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;

constexpr const char* kRules = R"(ruleset t { version "1" effective 2025-01-01 }
enum risk [C1, C2, C3, C4, C5]
enum grade [R1, R2, R3, R4, R5]
input customer key id {
  id         : string
  aum        : money
  age        : int
  name       : string pii
  risk_level : risk
  opened     : date
  held       : list<string>
  vip        : bool
  occupation : string?
}
let years = years_between(opened, as_of)
tiers value_tier {
  gold "Gold" when aum >= 20万
  vip  "VIP"  when aum >= 10万
  mass "Mass" otherwise
}
segments kind {
  saver  "Saver"  when aum > 0 score aum
  senior "Senior" when age >= 60
}
segments flags {
  young "Young" when age < 30
}
catalog product {
  risk : grade
  deposit "Deposit" { risk: R1 }
  fund    "Fund"    { risk: R3 }
}
output {
  advisor : enum [digital, dedicated] = digital
  actions : list<string>
  offers  : list<product>
}
strategy gold_care "Gold" when value_tier == gold {
  advisor = dedicated
  offer deposit, fund
  action "call" when age >= 60
}
constraint suitability "Suit" on offers as p {
  drop when rank(p.risk) > rank(risk_level) reason "risk"
}
)";

const Program& program() {
  static std::shared_ptr<Program> p = compile_text(kRules);
  REQUIRE(p != nullptr);
  return *p;
}

const Date kToday = *parse_date("2025-06-30");

// The cases of a file that must read cleanly.
CaseFile read_ok(const std::string& yaml) {
  CaseFile out;
  Diagnostics d;
  bool ok = read_case_file(program(), "cases.yaml", yaml, kToday, out, d);
  INFO(render_case_file_diagnostics(d));
  REQUIRE(ok);
  return out;
}

// The first problem of a file: "LINE:COLUMN: message | help".
std::string first_problem(const std::string& yaml, bool* ok = nullptr) {
  CaseFile out;
  Diagnostics d;
  bool read = read_case_file(program(), "cases.yaml", yaml, kToday, out, d);
  if (ok) *ok = read;
  if (d.empty()) return "";
  return std::to_string(d[0].line) + ":" + std::to_string(d[0].column) + ": " + d[0].message + (d[0].help.empty() ? "" : " | " + d[0].help);
}

std::string member_text(const JsonValue& record, const char* name) {
  const JsonValue* v = record.find(name);
  if (v == nullptr) return "(absent)";
  switch (v->kind) {
    case JsonKind::null: return "null";
    case JsonKind::boolean: return v->boolean ? "true" : "false";
    case JsonKind::number: return "number " + v->text;
    case JsonKind::string: return "string " + v->text;
    case JsonKind::array: return "array of " + std::to_string(v->items.size());
    case JsonKind::object: return "object";
  }
  return "?";
}

TEST_CASE("number literals in case files are read as in rule files") {
  struct Row {
    const char* text;
    NumberLiteralStatus status;
    const char* value;
  } rows[] = {
      {"500万", NumberLiteralStatus::ok, "5000000"},
      {"1.5k", NumberLiteralStatus::ok, "1500"},
      {"50%", NumberLiteralStatus::ok, "0.5"},
      {"1_000", NumberLiteralStatus::ok, "1000"},
      {"2亿", NumberLiteralStatus::ok, "200000000"},
      {"3M", NumberLiteralStatus::ok, "3000000"},
      {"4999999.990", NumberLiteralStatus::ok, "4999999.99"},
      {"0.000000000000000001", NumberLiteralStatus::ok, "0.000000000000000001"},
      {"0.0000000000000000001", NumberLiteralStatus::too_precise, ""},
      {"1__000", NumberLiteralStatus::malformed, ""},
      {".5", NumberLiteralStatus::malformed, ""},
      {"abc", NumberLiteralStatus::malformed, ""},
      {"5x", NumberLiteralStatus::bad_unit, ""},
      {"1e6", NumberLiteralStatus::bad_unit, ""},
      {"5万万", NumberLiteralStatus::bad_unit, ""},
      {"123456789012345678901", NumberLiteralStatus::out_of_range, ""},
      {"99999999999999999亿", NumberLiteralStatus::out_of_range, ""},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    Decimal d;
    NumberLiteralStatus st = parse_number_literal(r.text, d);
    CHECK(st == r.status);
    if (st == NumberLiteralStatus::ok) CHECK(d.to_string() == r.value);
  }
  CHECK(std::string(number_literal_help(NumberLiteralStatus::bad_unit, "1e6")).find("no exponent") != std::string::npos);
  CHECK(std::string(number_literal_help(NumberLiteralStatus::bad_unit, "5x")).find("one unit") != std::string::npos);
}

TEST_CASE("a well-formed case file: defaults under each input, exact numbers, typed expectations") {
  CaseFile f = read_ok(R"(as_of: 2025-01-31
defaults:
  id: T1
  aum: 0
  age: 40
  occupation: clerk
  held: []
cases:
  - name: rich
    input: { aum: 50万, occupation: null, id: "123", extra: 1 }
    expect:
      value_tier: gold
      kind: [saver]
      kind_primary: saver
      offers: { includes: [deposit], excludes: fund }
      years: 5
      dropped: [fund]
  - name: override date
    as_of: 2024-12-31
    input: {}
    expect: { error: "aum" }
)");
  REQUIRE(f.cases.size() == 2);
  const TestCase& rich = f.cases[0];
  CHECK(rich.name == "rich");
  CHECK(rich.line == 9);
  CHECK(to_string(rich.as_of) == "2025-01-31");
  CHECK(member_text(rich.record, "aum") == "number 500000");
  CHECK(member_text(rich.record, "age") == "number 40");
  CHECK(member_text(rich.record, "occupation") == "null");  // the input's null replaces the default
  CHECK(member_text(rich.record, "id") == "string 123");    // quoted: text, not a number
  CHECK(member_text(rich.record, "held") == "array of 0");
  CHECK(member_text(rich.record, "extra") == "(absent)");   // not a field: ignored as in records
  CHECK(!rich.expected_error);
  REQUIRE(rich.expectations.size() == 6);
  CHECK(rich.expectations[0].member == "value_tier");
  CHECK(rich.expectations[0].value.kind == ValueKind::symbol);
  CHECK(rich.expectations[0].value.symbol == 0);
  CHECK(rich.expectations[1].value.items.size() == 1);
  CHECK(rich.expectations[2].target == ExpectTarget::slot);
  CHECK(!rich.expectations[3].exact);
  CHECK(rich.expectations[3].target == ExpectTarget::output);
  CHECK(rich.expectations[3].includes.size() == 1);
  CHECK(rich.expectations[3].excludes.size() == 1);  // a single item needs no brackets
  CHECK(rich.expectations[4].value.number == Decimal::from_int(5));
  CHECK(rich.expectations[5].target == ExpectTarget::dropped);
  CHECK(rich.expectations[5].value.items[0].kind == ValueKind::symbol);  // catalog items by id

  const TestCase& dated = f.cases[1];
  CHECK(to_string(dated.as_of) == "2024-12-31");
  CHECK(dated.expected_error == std::string("aum"));
  CHECK(dated.expectations.empty());
  CHECK(member_text(dated.record, "occupation") == "string clerk");
}

TEST_CASE("the default as_of is the date given by the caller") {
  CaseFile f = read_ok("cases:\n  - { name: a, input: {}, expect: { value_tier: mass } }\n");
  CHECK(to_string(f.cases[0].as_of) == "2025-06-30");
}

TEST_CASE("a case that expects a record error keeps its input as written, for the record reader to reject") {
  CaseFile f = read_ok(R"(cases:
  - name: bad risk
    input: { risk_level: C9, age: 2.5, id: 7, aum: "100" }
    expect: { error: "risk_level" }
)");
  const JsonValue& r = f.cases[0].record;
  CHECK(member_text(r, "risk_level") == "string C9");
  CHECK(member_text(r, "age") == "number 2.5");
  CHECK(member_text(r, "id") == "number 7");
  CHECK(member_text(r, "aum") == "string 100");
}

TEST_CASE("malformed case files: the first problem with its line and column") {
  struct Row {
    const char* yaml;
    const char* problem;
  } rows[] = {
      // YAML syntax
      {"cases: [\n  - name: a\n", "2:3: invalid YAML: illegal block entry | check the indentation here, and that every `[`, `{` and quote is closed"},
      {"cases:\n  - name: a\n   input: {}\n", "3:4: invalid YAML: end of sequence not found | check the indentation here, and that every `[`, `{` and quote is closed"},
      {"", "1:1: the case file is empty | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`"},
      {"# only a comment\n", "1:1: the case file is empty | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`"},
      {"cases: []\n---\ncases: []\n", "3:1: a second YAML document starts here; a case file holds one | remove the `---` line, or move these lines into the first document"},
      {"- a\n- b\n", "1:1: a case file is a mapping with `cases`, found a list | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`"},
      {"cases: [\xff]\n", "1:9: the case file is not valid UTF-8 | save the file as UTF-8"},
      // the file's own members
      {"case: []\n", "1:1: unknown member `case` in the case file | did you mean `cases`?"},
      {"as_of: 2025-02-30\ncases: []\n", "1:8: `2025-02-30` is not a valid date | write a date as YYYY-MM-DD, as in 2025-06-30"},
      {"as_of: 2025-06-30\n", "1:1: the case file has no `cases` | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`"},
      {"cases: []\n", "1:1: `cases` is empty | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`"},
      {"defaults: [1]\ncases: []\n", "1:11: `defaults` is a mapping of input fields and values, found a list | write `defaults: {}` when there is nothing to give"},
      {"defaults: { <<: {aum: 1} }\ncases: []\n", "1:13: YAML merge keys (`<<`) are not supported in case files | put the values that cases share in `defaults`; each case's `input` is merged over them"},
      // a case's members
      {"cases:\n  - input: {}\n    expect: { value_tier: gold }\n",
       "2:5: this case has no `name` | give every case a `name`, unique in the file; a failure is reported by it"},
      {"cases:\n  - { name: a, input: {}, expect: {value_tier: gold} }\n  - { name: a, input: {}, expect: {value_tier: vip} }\n",
       "3:13: a case named `a` already exists (line 2) | case names are unique in a file, so that a failure names one case"},
      {"cases:\n  - name: a\n    expect: { value_tier: gold }\n", "2:5: case `a` has no `input` | write `input: {}` to use `defaults` as they are"},
      {"cases:\n  - name: a\n    input: {}\n", "2:5: case `a` has no `expect` | add `expect:` with what the rules should produce"},
      {"cases:\n  - name: a\n    input:\n    expect: { value_tier: gold }\n",
       "3:5: `input` is a mapping of input fields and values, found null | write `input: {}` when there is nothing to give"},
      {"cases:\n  - name: a\n    input: {}\n    expect: {}\n", "4:5: `expect` is empty | check at least one decision, output field, let, `dropped` or `error`"},
      {"cases:\n  - name: a\n    as_off: 2025-01-01\n    input: {}\n    expect: { value_tier: gold }\n", "3:5: unknown member `as_off` in a case | did you mean `as_of`?"},
      {"cases:\n  - name: a\n    input: {}\n    input: {}\n    expect: { value_tier: gold }\n",
       "4:5: `input` appears twice in a case (first at line 3) | give each member once"},
      // expect
      {"cases:\n  - name: a\n    input: {}\n    expect:\n      valu_tier: gold\n", "5:7: unknown member `valu_tier` in `expect` | did you mean `value_tier`?"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { aum: 5 }\n",
       "4:15: unknown member `aum` in `expect` | `aum` is an input field; `expect` checks what the rules produce: a decision, an output field, a let, `dropped` or `error`"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { flags_primary: young }\n", "4:15: unknown member `flags_primary` in `expect` | `flags` has no row with a `score`, so it has no primary"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { error: aum, value_tier: gold }\n",
       "4:15: `error` cannot be combined with other members of `expect` | a rejected record has no results to check: put the other members in a case of their own"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { value_tier: 5 }\n", "4:27: `5` is not a tier of `value_tier` | use one of: gold, vip, mass"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { value_tier: gld }\n", "4:27: `gld` is not a tier of `value_tier` | did you mean `gold`? (one of: gold, vip, mass)"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { value_tier: { includes: [gold] } }\n",
       "4:27: expected a tier of `value_tier` for `value_tier`, found a mapping | `includes` and `excludes` check lists; this is a single value"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { offers: { include: [fund] } }\n", "4:25: unknown member `include` in `offers` | did you mean `includes`?"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { offers: fund }\n",
       "4:23: expected a list for `offers`, found `fund` | write a list in brackets, as in `[a, b]` (`[]` when empty)"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { offers: [fund, bond] }\n", "4:30: `bond` is not an item of `product` | did you mean `fund`? (one of: deposit, fund)"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { offers: [fund, fund] }\n", "4:30: `fund` appears twice in the list for `offers` | a list holds each item once"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { actions: [5] }\n", "4:25: expected text for `actions`, found the number 5 | put it in quotes to make it text: `\"5\"`"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { years: \"5\" }\n", "4:22: expected a whole number for `years`, found the text \"5\" | write numbers without quotes, as in `500万` or `5000000.00`"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { error: [a] }\n", "4:22: `error` takes the text the record error contains, found a list | write for example `error: \"aum\"`"},
      {"cases:\n  - name: a\n    input: {}\n    expect: { offers: {} }\n", "4:23: nothing to check for `offers` | give `includes`, `excludes` or both"},
      // input values
      {"cases:\n  - name: a\n    input: { id: 123 }\n    expect: { value_tier: gold }\n", "3:18: expected text for `id`, found the number 123 | put it in quotes to make it text: `\"123\"`"},
      {"cases:\n  - name: a\n    input: { aum: \"100\" }\n    expect: { value_tier: gold }\n",
       "3:19: expected a number for `aum`, found the text \"100\" | write numbers without quotes, as in `500万` or `5000000.00`"},
      {"cases:\n  - name: a\n    input: { aum: 5x }\n    expect: { value_tier: gold }\n",
       "3:19: `5x` is not a number for `aum` | a number takes at most one unit, right after it: `%`, `k`, `M`, `万` or `亿`"},
      {"cases:\n  - name: a\n    input: { aum: 1e6 }\n    expect: { value_tier: gold }\n",
       "3:19: `1e6` is not a number for `aum` | there is no exponent notation: write the number out, or use a unit such as `万`"},
      {"cases:\n  - name: a\n    input: { age: 1.5 }\n    expect: { value_tier: gold }\n", "3:19: expected a whole number for `age`, found the number 1.5"},
      {"cases:\n  - name: a\n    input: { vip: \"true\" }\n    expect: { value_tier: gold }\n",
       "3:19: expected true or false for `vip`, found the text \"true\" | write `true` or `false`, without quotes"},
      {"cases:\n  - name: a\n    input: { vip: yes }\n    expect: { value_tier: gold }\n", "3:19: expected true or false for `vip`, found `yes` | write `true` or `false`, without quotes"},
      {"cases:\n  - name: a\n    input: { opened: 2025-13-01 }\n    expect: { value_tier: gold }\n",
       "3:22: `2025-13-01` is not a valid date for `opened` | write a date as YYYY-MM-DD, as in 2025-06-30"},
      {"cases:\n  - name: a\n    input: { risk_level: C6 }\n    expect: { value_tier: gold }\n", "3:26: `C6` is not a value of `risk` | did you mean `C1`? (one of: C1, C2, C3, C4, C5)"},
      {"cases:\n  - name: a\n    input: { held: a }\n    expect: { value_tier: gold }\n",
       "3:20: expected a list for `held`, found `a` | write a list in brackets, as in `[a, b]` (`[]` when empty)"},
      {"cases:\n  - name: a\n    input: { held: [a, ~] }\n    expect: { value_tier: gold }\n", "3:24: expected text for `held`, found null | a list holds no nulls"},
      {"cases:\n  - name: a\n    input: { aum: 1, aum: 2 }\n    expect: { value_tier: gold }\n", "3:22: `aum` appears twice in an input (first at line 3) | give each member once"},
      {"defaults: { aum: abc }\ncases:\n  - { name: a, input: {}, expect: { value_tier: gold } }\n",
       "1:18: `abc` is not a number for `aum` | write digits, with `_` only between two digits, as in `1_000_000` or `0.5`"},
      // the value of a `pii` field is masked even in a case file's messages
      {"cases:\n  - name: a\n    input: { name: 12345 }\n    expect: { value_tier: gold }\n", "3:20: expected text for `name`, found the number 1** | put it in quotes to make it text: `\"1**\"`"},
  };
  for (const Row& r : rows) {
    INFO(std::string(r.yaml));
    bool ok = true;
    CHECK(first_problem(r.yaml, &ok) == std::string(r.problem));
    CHECK_FALSE(ok);
  }
}

TEST_CASE("columns count characters, not bytes, and a byte order mark is not a column") {
  CHECK(first_problem("cases:\n  - name: 名字\n    input: { 年龄: 1, aum: x }\n    expect: { value_tier: gold }\n") ==
        "3:26: `x` is not a number for `aum` | write digits, with `_` only between two digits, as in `1_000_000` or `0.5`");
  CHECK(first_problem("\xEF\xBB\xBF" "cases: 5\n") ==
        "1:8: `cases` is a list, found the number 5 | a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`");
}

TEST_CASE("every problem is reported, in file order") {
  CaseFile out;
  Diagnostics d;
  CHECK_FALSE(read_case_file(program(), "cases.yaml",
                             "cases:\n  - name: a\n    input: { aum: x }\n    expect: { tier: gold }\n  - input: {}\n    expect: {}\n", kToday, out, d));
  REQUIRE(d.size() == 4);
  CHECK(render_case_file_diagnostics(d) ==
        "cases.yaml:3:19: error: `x` is not a number for `aum`\n"
        "  = help: write digits, with `_` only between two digits, as in `1_000_000` or `0.5`\n"
        "cases.yaml:4:15: error: unknown member `tier` in `expect`\n"
        "  = help: `expect` checks one of: value_tier, kind, kind_primary, flags, years, advisor, actions, offers, dropped, error\n"
        "cases.yaml:5:5: error: this case has no `name`\n"
        "  = help: give every case a `name`, unique in the file; a failure is reported by it\n"
        "cases.yaml:6:5: error: `expect` is empty\n"
        "  = help: check at least one decision, output field, let, `dropped` or `error`\n");
}

TEST_CASE("an input member that looks like a misspelt field is a warning, and the file still reads") {
  CaseFile out;
  Diagnostics d;
  CHECK(read_case_file(program(), "cases.yaml", "cases:\n  - { name: a, input: { risk_levle: C5, branch_code: x }, expect: { value_tier: mass } }\n", kToday,
                       out, d));
  CHECK(render_case_file_diagnostics(d) ==
        "cases.yaml:2:25: warning: `risk_levle` is not a field of input `customer` and is ignored\n"
        "  = help: did you mean `risk_level`?\n");
}

}  // namespace
}  // namespace segrule
