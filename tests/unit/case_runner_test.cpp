// Running case files: comparing results with `expect` (exact values by
// meaning, includes/excludes, expected record errors), coverage of rows,
// strategies, statements and drop rows, and the report's text.

#include <doctest/doctest.h>

#include <string>

#include "cases/case_report.hpp"
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
  risk_level : risk
  opened     : date
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
strategy senior_care "Senior" when senior in kind {
  offer deposit
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

constexpr const char* kDefaults = R"(as_of: 2025-06-30
defaults: { id: T1, aum: 0, age: 40, risk_level: C3, opened: 2020-06-30 }
cases:
)";

struct Run {
  CaseFile cases;
  TestRun run;
};

Run run_text(const std::string& cases_yaml) {
  Run r;
  Diagnostics d;
  bool ok = read_case_file(program(), "cases.yaml", std::string(kDefaults) + cases_yaml, *parse_date("2025-06-30"), r.cases, d);
  INFO(render_case_file_diagnostics(d));
  REQUIRE(ok);
  r.run = run_cases(program(), r.cases);
  return r;
}

// "member: expected X, actual Y" for each mismatch of case `i`, joined by " | ".
std::string mismatches(const Run& r, size_t i) {
  std::string out;
  for (const Mismatch& m : r.run.results.at(i).mismatches)
    out += (out.empty() ? "" : " | ") + m.member + ": expected " + m.expected + ", actual " + m.actual;
  return out;
}

TEST_CASE("exact values compare by meaning; lists exactly and in order") {
  Run r = run_text(R"(
  - name: all hold
    input: { aum: 25万 }
    expect:
      value_tier: gold
      kind: [saver]
      kind_primary: saver
      advisor: dedicated
      offers: [deposit, fund]
      actions: []
      years: 5.000
      dropped: []
  - name: each member that does not hold is reported
    input: { aum: 25万, age: 61, risk_level: C1 }
    expect:
      value_tier: vip
      kind: [senior, saver]
      kind_primary: null
      offers: [fund]
      actions: [call, visit]
      years: 4
      dropped: []
)");
  CHECK(r.run.results[0].passed);
  CHECK(mismatches(r, 0) == "");
  CHECK_FALSE(r.run.results[1].passed);
  CHECK(mismatches(r, 1) ==
        "value_tier: expected vip, actual gold | kind: expected [senior, saver], actual [saver, senior] | "
        "kind_primary: expected null, actual saver | offers: expected [fund], actual [deposit] | "
        "actions: expected [\"call\", \"visit\"], actual [\"call\"] | years: expected 4, actual 5 | "
        "dropped: expected [], actual [fund]");
  CHECK(r.run.passed == 1);
  CHECK(r.run.failed == 1);
}

TEST_CASE("includes and excludes name only the items that are wrong") {
  Run r = run_text(R"(
  - name: holds
    input: { aum: 25万, risk_level: C5 }
    expect: { offers: { includes: [fund], excludes: [] }, kind: { excludes: senior } }
  - name: does not hold
    input: { aum: 25万, risk_level: C1 }
    expect: { offers: { includes: [deposit, fund], excludes: [deposit] } }
)");
  CHECK(r.run.results[0].passed);
  CHECK(mismatches(r, 1) == "offers: expected to include fund, actual [deposit] | offers: expected not to include deposit, actual [deposit]");
}

TEST_CASE("expected record errors: the message must contain the text") {
  Run r = run_text(R"(
  - name: rejected as expected
    input: { aum: null }
    expect: { error: "aum" }
  - name: rejected for another reason
    input: { risk_level: C9 }
    expect: { error: "aum" }
  - name: not rejected at all
    input: {}
    expect: { error: "aum" }
  - name: rejected unexpectedly
    input: { opened: null }
    expect: { value_tier: mass }
)");
  CHECK(r.run.results[0].passed);
  CHECK(mismatches(r, 1) ==
        "error: expected a record error containing \"aum\", actual \"field `risk_level`: `C9` is not a value of `risk` (expected one of C1, C2, C3, C4, C5)\"");
  CHECK(mismatches(r, 2) == "error: expected a record error containing \"aum\", actual no record error");
  CHECK(mismatches(r, 3) == "error: expected no record error, actual \"field `opened` is null, but it is required\"");
  // Explain needs a record that could be read: the case evaluated without error has one, the rejected ones do not.
  CHECK_FALSE(r.run.results[2].explain.empty());
  CHECK(r.run.results[1].explain.empty());
  CHECK(r.run.results[3].explain.empty());
}

TEST_CASE("values in the report: ids, JSON text, readable money, dates") {
  const Program& p = program();
  Type money = Type::of(BaseType::money);
  Type number = Type::of(BaseType::number);
  auto num = [](const char* text) {
    Decimal d;
    REQUIRE(Decimal::parse(text, d) == DecimalStatus::ok);
    return Value::of_number(d);
  };
  CHECK(value_text(p, money, num("4999999.99")) == "4,999,999.99");
  CHECK(value_text(p, money, num("5000000")) == "5,000,000.00");
  CHECK(value_text(p, money, num("-1234.5")) == "-1,234.50");
  CHECK(value_text(p, money, num("0.125")) == "0.125");  // more than cents: no digit rounded away
  CHECK(value_text(p, number, num("1234567.50")) == "1234567.5");
  CHECK(value_text(p, Type::of(BaseType::string), Value::of_string("a \"b\"")) == "\"a \\\"b\\\"\"");
  CHECK(value_text(p, Type::of(BaseType::date), Value::of_date(*parse_date("2025-06-01"))) == "2025-06-01");
  CHECK(value_text(p, Type::of(BaseType::boolean), Value::of_bool(false)) == "false");
  CHECK(value_text(p, money, Value{}) == "null");
  const Decision& tiers = p.decisions[0];
  CHECK(value_text(p, p.slots[tiers.slot].type, Value::of_symbol(1)) == "vip");
}

TEST_CASE("coverage: matched tier rows, matched segment rows, fired strategies, applied statements, drop rows") {
  Run r = run_text(R"(
  - name: mass only
    input: {}
    expect: { value_tier: mass }
)");
  std::string all;
  for (const CoverageUnit& u : r.run.coverage) all += (u.reached ? "+ " : "- ") + u.what + " (line " + std::to_string(u.line) + ")\n";
  CHECK(all ==
        "- tiers value_tier row gold (line 13)\n"
        "- tiers value_tier row vip (line 14)\n"
        "+ tiers value_tier row mass (line 15)\n"
        "- segments kind row saver (line 18)\n"
        "- segments kind row senior (line 19)\n"
        "- strategy gold_care (line 31)\n"
        "- strategy gold_care: action \"call\" (line 34)\n"
        "- strategy senior_care (line 36)\n"
        "- constraint suitability drop reason \"risk\" (line 40)\n");
  CHECK(r.run.reached == 1);
  CHECK(coverage_percent(r.run) == 11);

  Run full = run_text(R"(
  - { name: gold senior, input: { aum: 20万, age: 60, risk_level: C1 }, expect: { value_tier: gold } }
  - { name: vip, input: { aum: 10万 }, expect: { value_tier: vip } }
  - { name: mass, input: {}, expect: { value_tier: mass } }
)");
  CHECK(full.run.reached == full.run.coverage.size());
  CHECK(coverage_percent(full.run) == 100);
  CHECK_FALSE(coverage_below(full.run, Decimal::from_int(100)));
}

TEST_CASE("an evaluation error still counts what ran before it") {
  auto p = compile_text(R"(ruleset t { version "1" }
input c key id { id : string  aum : money }
tiers size {
  big "Big" when aum >= 100
  small "Small" when aum > 0
}
)");
  REQUIRE(p);
  CaseFile cases;
  Diagnostics d;
  REQUIRE(read_case_file(*p, "c.yaml", "cases:\n  - { name: none, input: { id: a, aum: 0 }, expect: { error: \"no tier\" } }\n", Date{}, cases, d));
  TestRun run = run_cases(*p, cases);
  CHECK(run.passed == 1);
  CHECK(run.reached == 0);
  CHECK(run.coverage.size() == 2);
}

TEST_CASE("coverage below a minimum is decided exactly, not on the rounded percent") {
  TestRun run;
  run.coverage.resize(3);
  run.reached = 2;  // 66.66...%
  auto pct = [](const char* text) {
    Decimal d;
    REQUIRE(Decimal::parse(text, d) == DecimalStatus::ok);
    return d;
  };
  CHECK(coverage_percent(run) == 66);
  CHECK(coverage_below(run, pct("66.7")));
  CHECK_FALSE(coverage_below(run, pct("66.6")));
  CHECK_FALSE(coverage_below(run, pct("0")));
  TestRun empty;
  CHECK(coverage_percent(empty) == 100);
  CHECK_FALSE(coverage_below(empty, pct("100")));
}

TEST_CASE("the report: ok lines, failures with expected, actual and explain, coverage, the count") {
  Run r = run_text(R"(
  - { name: mass, input: {}, expect: { value_tier: mass } }
  - { name: wrong, input: { aum: 10万 }, expect: { value_tier: gold } }
)");
  std::string text = report_text(r.cases, r.run, Decimal::from_int(50));
  std::string explain;
  for (size_t at = 0; at < r.run.results[1].explain.size();) {
    size_t end = r.run.results[1].explain.find('\n', at);
    std::string line = r.run.results[1].explain.substr(at, end - at);
    explain += (line.empty() ? "" : "    ") + line + "\n";
    at = end + 1;
  }
  CHECK(text ==
        "ok   mass\n"
        "FAIL wrong (line 6)\n"
        "  value_tier: expected gold, actual vip\n"
        "  explain:\n" +
            explain +
            "\n"
            "coverage: 3/9 (33%)\n"
            "not reached:\n"
            "  tiers value_tier row gold (line 13)\n"
            "  segments kind row senior (line 19)\n"
            "  strategy gold_care (line 31)\n"
            "  strategy gold_care: action \"call\" (line 34)\n"
            "  strategy senior_care (line 36)\n"
            "  constraint suitability drop reason \"risk\" (line 40)\n"
            "coverage 33% is below --min-coverage 50%\n"
            "1 passed, 1 failed\n");
}

}  // namespace
}  // namespace segrule
