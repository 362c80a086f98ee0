// Invariants: how they compile (and the errors for misuse), how `eval` checks
// them on every record, and how `check` proves them or shows a record that
// breaks them — the spec's two examples, "no offer above the customer's risk
// tolerance" and "value_tier is monotone in aum", each with a ruleset that
// keeps it and one that breaks it.

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/analysis.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::diagnostic_codes;
using testing::eval_record;

// A small suitability policy: tiers by aum, offers by tier, a suitability
// constraint; `{CONSTRAINT}` and `{INVARIANTS}` are filled in per case.
std::string policy(const std::string& constraint, const std::string& invariants) {
  return R"(ruleset p { version "1" effective 2025-06-01 }
enum risk  [C1, C2, C3, C4, C5]
enum grade [R1, R3, R4]
input customer key id {
  id         : string
  aum        : money
  age        : int
  risk_level : risk
}
tiers value_tier {
  private "私人银行" when aum >= 500万
  gold    "黄金"     when aum >= 20万
  mass    "大众"     otherwise
}
catalog product {
  risk : grade
  deposit "存款"     { risk: R1 }
  fund    "基金"     { risk: R3 }
  trust   "家族信托" { risk: R4 }
}
output {
  offers  : list<product>
  advisor : enum [digital, dedicated] = digital
}
strategy private_banking "私人银行" when value_tier == private { offer trust, fund  advisor = dedicated }
strategy gold_care "黄金" when value_tier == gold { offer fund, deposit }
)" + constraint +
         invariants;
}

const std::string kSuitability = R"(
constraint suitability "适当性" on offers as p {
  drop when rank(p.risk) > rank(risk_level) reason "risk"
}
)";
const std::string kNoTolerance = R"(
invariant no_offer_above_tolerance "不推荐超出风险承受能力的产品" {
  all p in offers: rank(p.risk) <= rank(risk_level)
}
)";
const std::string kMonotone = R"(
invariant value_tier_monotone "资产越多层级不降" { monotone(value_tier, aum) }
)";

std::vector<Finding> findings(const std::string& text) {
  Diagnostics diagnostics;
  auto program = compile_text(text, &diagnostics);
  REQUIRE_MESSAGE(program, (diagnostics.empty() ? std::string("no program") : diagnostics[0].message));
  AnalysisOptions options;
  options.show_pii = true;
  return analyse(*program, options);
}

std::string codes(const std::vector<Finding>& fs) {
  std::string out;
  for (const Finding& f : fs) out += (out.empty() ? "" : " ") + f.diagnostic.code;
  return out;
}

std::string example_json(const std::string& note) {
  size_t begin = note.find('{');
  size_t end = note.find("} →");
  return note.substr(begin, (end == std::string::npos ? note.rfind('}') : end) - begin + 1);
}

TEST_CASE("invariants: how they compile, and the errors for misuse") {
  struct Case {
    std::string invariant;
    const char* codes;
  };
  const std::vector<Case> cases = {
      {kNoTolerance, ""},
      {kMonotone, ""},
      {"invariant i { any p in offers: p == deposit or count(offers) == 0 }\n", ""},
      {"invariant i \"advisor set\" { value_tier != private or advisor == dedicated }\n", ""},
      {"invariant i { all r in [C1, C2]: r <= risk_level or aum < 20万 }\n", ""},
      {"invariant i { monotone(value_tier, age) and aum > 0 }\n", "E0701"},
      {"invariant i { monotone(offers, aum) }\n", "E0701"},
      {"invariant i { monotone(value_tier, id) }\n", "E0701"},
      {"invariant i { monotone(value_tier, offers) }\n", "E0701"},
      {"invariant i { monotone(value_tier) }\n", "E0701"},
      {"invariant i { all p in aum: p > 0 }\n", "E0301"},
      {"invariant i { all p in offers: p.risk }\n", "E0305"},
      {"let l = all p in offers: p == deposit\n", "E0901"},
  };
  for (const Case& c : cases) {
    INFO(c.invariant);
    CHECK(diagnostic_codes(policy(kSuitability, c.invariant)) == c.codes);
  }
}

TEST_CASE("invariants: eval rejects a record that breaks one, naming it") {
  // Without the suitability constraint, a C1 customer with 20万 is offered a fund (R3).
  auto program = compile_text(policy("", kNoTolerance + kMonotone));
  REQUIRE(program);
  // (eval_record shows the message as the error entry's JSON escapes it.)
  CHECK(eval_record(*program, R"({"id":"A","aum":200000,"age":40,"risk_level":"C1"})") ==
        R"(error: invariant `no_offer_above_tolerance` (\"不推荐超出风险承受能力的产品\") does not hold)");
  CHECK(eval_record(*program, R"({"id":"B","aum":200000,"age":40,"risk_level":"C3"})") ==
        R"({"id":"B","value_tier":"gold","offers":["fund","deposit"],"advisor":"digital","dropped":[]})");
  // monotone() compares two records, so it is not checked per record.
  CHECK(eval_record(*program, R"({"id":"C","aum":0,"age":40,"risk_level":"C1"})") ==
        R"({"id":"C","value_tier":"mass","offers":[],"advisor":"digital","dropped":[]})");
  // `any`, and an invariant without a label.
  auto any = compile_text(policy(kSuitability, "invariant some_offer { any p in offers: p == deposit or value_tier != gold }\n"));
  REQUIRE(any);
  CHECK(eval_record(*any, R"({"id":"D","aum":200000,"age":40,"risk_level":"C1"})").find("\"offers\":[\"deposit\"]") != std::string::npos);
  auto none = compile_text(policy(kSuitability, "invariant some_offer { any p in offers: p == trust }\n"));
  REQUIRE(none);
  CHECK(eval_record(*none, R"({"id":"E","aum":200000,"age":40,"risk_level":"C5"})") == "error: invariant `some_offer` does not hold");
}

TEST_CASE("invariants: check proves \"no offer above the customer's risk tolerance\", or shows a record that breaks it") {
  CHECK(codes(findings(policy(kSuitability, kNoTolerance))) == "");

  const std::string broken = policy("", kNoTolerance);
  std::vector<Finding> fs = findings(broken);
  REQUIRE(codes(fs) == "E0702");
  CHECK(fs[0].diagnostic.severity == Severity::error);
  CHECK(fs[0].diagnostic.message == "invariant `no_offer_above_tolerance` does not hold");
  REQUIRE(fs[0].notes.size() == 2);
  auto program = compile_text(broken);
  CHECK(eval_record(*program, example_json(fs[0].notes[0])) ==
        R"(error: invariant `no_offer_above_tolerance` (\"不推荐超出风险承受能力的产品\") does not hold)");
  CHECK(fs[0].notes[1].rfind("its result would be: {", 0) == 0);
}

TEST_CASE("invariants: check proves \"value_tier is monotone in aum\", or shows two records that break it") {
  CHECK(codes(findings(policy(kSuitability, kMonotone))) == "");

  // Private banking only up to 1000万: more aum moves such a customer down to gold.
  std::string broken = policy(kSuitability, kMonotone);
  broken.replace(broken.find("private \"私人银行\" when aum >= 500万"), std::string("private \"私人银行\" when aum >= 500万").size(),
                 "private \"私人银行\" when aum >= 500万 and aum < 1000万");
  std::vector<Finding> fs = findings(broken);
  REQUIRE(codes(fs) == "E0702");
  CHECK(fs[0].diagnostic.message == "invariant `value_tier_monotone` does not hold: more `aum` can give a lower `value_tier`");
  REQUIRE(fs[0].notes.size() == 2);
  auto program = compile_text(broken);
  std::string low = eval_record(*program, example_json(fs[0].notes[0]));
  std::string high = eval_record(*program, example_json(fs[0].notes[1]));
  CHECK(low.find("\"value_tier\":\"private\"") != std::string::npos);
  CHECK(high.find("\"value_tier\":\"gold\"") != std::string::npos);
  CHECK(fs[0].notes[0].find("→ `value_tier` = \"private\"") != std::string::npos);
  CHECK(fs[0].notes[1].find("→ `value_tier` = \"gold\"") != std::string::npos);
}

TEST_CASE("invariants: the seed policy keeps both of the spec's invariants") {
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(codes(findings(text + kMonotone + R"(
invariant no_offer_above_tolerance "不推荐超出风险承受能力的产品" {
  all p in offers: rank(p.risk) <= rank(risk_level)
}
)")) == "");
}

TEST_CASE("invariants: one beyond the analysis says so, and eval still checks it") {
  std::vector<Finding> fs = findings(policy(kSuitability, "invariant odd { aum * age >= 0 or count(offers) == 0 }\n"));
  REQUIRE(codes(fs) == "W0705");
  CHECK(fs[0].diagnostic.message == "invariant `odd` was not analysed");
  CHECK(fs[0].diagnostic.help == "`aum * age` multiplies two values that are not constants; `eval` still checks it on every record");
}

}  // namespace
}  // namespace segrule
