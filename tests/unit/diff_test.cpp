// The semantic diff: tables of (old rules, new rules) -> the reviewer's text.

#include <doctest/doctest.h>

#include "diff/diff.hpp"
#include "diff/expr_compare.hpp"
#include "diff/json_writer.hpp"
#include "tests/unit/support.hpp"

using namespace segrule;
using segrule::testing::with_prelude;

namespace {

RuleVersion compile(const std::string& name, const std::string& text) {
  RuleVersion v;
  Diagnostics diagnostics;
  bool ok = compile_version(name, text, v, diagnostics);
  INFO(render_diagnostics(diagnostics, v.source.get()));
  REQUIRE(ok);
  return v;
}

SemanticDiff diff_of(const std::string& old_text, const std::string& new_text, bool show_pii = false) {
  // Kept alive for the diff, which points into both.
  static std::vector<std::unique_ptr<RuleVersion>> keep;
  keep.push_back(std::make_unique<RuleVersion>(compile("old.seg", old_text)));
  keep.push_back(std::make_unique<RuleVersion>(compile("new.seg", new_text)));
  return diff_versions(*keep[keep.size() - 2], *keep.back(), SemanticDiffOptions{show_pii});
}

std::string text_of(const std::string& old_decls, const std::string& new_decls) {
  return diff_text(diff_of(with_prelude(old_decls), with_prelude(new_decls)));
}

// The diff's lines without the equivalence verdicts, which the analysis stage owns.
std::string changes_of(const std::string& old_decls, const std::string& new_decls) {
  std::string text = text_of(old_decls, new_decls), out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("  result differs") || line.starts_with("  equivalent after all") || line.starts_with("  not analysed") ||
        line.starts_with("no change in meaning: every change"))
      continue;
    out += line + '\n';
  }
  return out;
}

const char* kTiers = R"(
tiers value_tier {
  platinum "铂金客户" when aum >= 100万
  gold     "黄金客户" when aum >= 20万
  vip      "贵宾客户" when aum >= 10万
  mass     "大众客户" otherwise
}
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("diff: layout, comments and the spelling of numbers are no change in meaning") {
  std::string base = with_prelude(kTiers);
  std::string relaid = "# a comment at the top\n" + replace(replace(base, "when aum >= 20万", "when\n   aum>=200000   # was 20万\n"),
                                                              "when aum >= 100万", "when aum >= 1_000_000");
  SemanticDiff d = diff_of(base, relaid);
  CHECK(d.declarations.empty());
  CHECK_FALSE(d.changed_meaning());
  CHECK(diff_text(d) == "no change in meaning\n");
  // Qualified and bare names resolve to the same thing; folded constants are compared by value.
  std::string strategies = R"(
output { advisor : enum [digital, shared] = digital }
strategy s "s" when value_tier in [platinum, gold] and aum >= 2 * 10万 { advisor = shared }
)";
  std::string rewritten = R"(
output { advisor : enum [digital, shared] = digital }
strategy s "s" when value_tier in [value_tier.platinum, value_tier.gold] and aum >= 20万 { advisor = shared }
)";
  CHECK(text_of(kTiers + strategies, kTiers + rewritten) == "no change in meaning\n");
}

TEST_CASE("diff: rows changed, added, removed and reordered, by id") {
  struct Case {
    const char* what;
    std::string new_tiers;
    std::string expected;
  };
  std::string t = kTiers;
  Case cases[] = {
      {"threshold", replace(t, "aum >= 20万", "aum >= 30万"),
       "tiers value_tier\n  ~ row gold \"黄金客户\": condition  aum >= 20万  →  aum >= 30万\n"},
      {"label", replace(t, "\"黄金客户\"", "\"金卡客户\""), "tiers value_tier\n  ~ row gold: label \"黄金客户\" → \"金卡客户\"\n"},
      {"added", replace(t, "  mass ", "  basic \"基础客户\" when aum >= 1万\n  mass "),
       "tiers value_tier\n  + row basic \"基础客户\" when aum >= 1万 (after vip)\n"},
      {"added first", replace(t, "  platinum ", "  top \"顶级\" when aum >= 1亿\n  platinum "),
       "tiers value_tier\n  + row top \"顶级\" when aum >= 1亿 (first)\n"},
      {"removed", replace(t, "  vip      \"贵宾客户\" when aum >= 10万\n", ""),
       "tiers value_tier\n  - row vip \"贵宾客户\" when aum >= 10万\n"},
      {"swapped", replace(replace(t, "  gold     \"黄金客户\" when aum >= 20万\n", ""), "  platinum", "  gold \"黄金客户\" when aum >= 20万\n  platinum"),
       "tiers value_tier\n  reordered: platinum ↔ gold"},
      {"moved further", replace(replace(t, "  platinum \"铂金客户\" when aum >= 100万\n", ""), "  mass ", "  platinum \"铂金客户\" when aum >= 100万\n  mass "),
       "tiers value_tier\n  reordered: platinum, gold, vip → gold, vip, platinum"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::string out = changes_of(kTiers, c.new_tiers);
    CHECK(out.starts_with(c.expected));
  }
}

TEST_CASE("diff: every changed decision gets the equivalence analysis's verdict") {
  SemanticDiff d = diff_of(with_prelude(kTiers), with_prelude(replace(kTiers, "aum >= 20万", "aum >= 30万")));
  REQUIRE(d.declarations.size() == 1);
  REQUIRE(d.declarations[0].judgement);
  CHECK(d.declarations[0].judgement->depends_on.empty());
  // A decision whose rows are the same but which reads a let that changed is compared too.
  std::string with_let = "let wealth = aum + bonus\n" + replace(kTiers, "aum >= 20万", "wealth >= 20万");
  SemanticDiff through = diff_of(with_prelude(with_let), with_prelude(replace(with_let, "aum + bonus", "aum")));
  REQUIRE(through.declarations.size() == 2);
  CHECK(through.declarations[0].kind == "let");
  CHECK(through.declarations[1].kind == "tiers");
  REQUIRE(through.declarations[1].judgement);
  CHECK(through.declarations[1].judgement->depends_on == std::vector<std::string>{"wealth"});
  CHECK(diff_text(through).find("  depends on changed `wealth`\n") != std::string::npos);
  CHECK(through.changed_meaning());
}

TEST_CASE("diff: the equivalence analysis decides whether a changed decision still gives every record the same result") {
  std::string base = with_prelude(kTiers);
  // A new threshold: one record shows it, at the old threshold.
  SemanticDiff raised = diff_of(base, replace(base, "aum >= 20万", "aum >= 30万"));
  REQUIRE(raised.declarations.size() == 1);
  const DecisionComparison& r = raised.declarations[0].judgement->comparison;
  REQUIRE(r.verdict == Verdict::differs);
  CHECK(r.example.find("\"aum\":200000.00") != std::string::npos);
  CHECK(r.example.find("\"name\":\"**\"") != std::string::npos);  // pii masked
  CHECK(r.old_result == "\"gold\"");
  CHECK(r.new_result == "\"vip\"");
  CHECK(raised.changed_meaning());
  std::string text = diff_text(raised);
  CHECK(text.find("\n  result differs, e.g. {\"id\":") != std::string::npos);
  CHECK(text.ends_with("}: gold → vip\n"));
  // Written differently, the same meaning: proven, and no change in meaning (exit 0).
  SemanticDiff rewritten = diff_of(base, replace(base, "aum >= 20万", "aum >= 20万 or (aum >= 30万 and aum < 100万)"));
  CHECK(rewritten.declarations[0].judgement->comparison.verdict == Verdict::equivalent);
  CHECK_FALSE(rewritten.changed_meaning());
  CHECK(diff_text(rewritten).ends_with("  equivalent after all: every record gets the same result\nno change in meaning: every change above is proven equivalent\n"));
  // A label is not a rewrite: still a change even though no result moves.
  CHECK(diff_of(base, replace(base, "\"黄金客户\"", "\"金卡客户\"")).changed_meaning());
}

TEST_CASE("diff: reordered tier rows are no change in meaning only when they are disjoint") {
  std::string disjoint = with_prelude(R"(
tiers band {
  high "高" when aum >= 100万
  mid  "中" when aum >= 10万 and aum < 100万
  low  "低" when aum < 10万
}
)");
  SemanticDiff d = diff_of(disjoint, replace(replace(disjoint, "  high \"高\" when aum >= 100万\n", ""), "  low ", "  high \"高\" when aum >= 100万\n  low "));
  CHECK(diff_text(d) == "tiers band\n  reordered: high ↔ mid — rows are disjoint: no change in meaning\n"
                        "no change in meaning: every change above is proven equivalent\n");
  CHECK_FALSE(d.changed_meaning());
  std::string base = with_prelude(kTiers);
  SemanticDiff overlap = diff_of(base, replace(replace(base, "  gold     \"黄金客户\" when aum >= 20万\n", ""), "  platinum", "  gold \"黄金客户\" when aum >= 20万\n  platinum"));
  std::string text = diff_text(overlap);
  CHECK(text.starts_with("tiers value_tier\n  reordered: platinum ↔ gold — rows overlap, a record whose result differs: {"));
  CHECK(text.ends_with("}: platinum → gold\n"));
  CHECK(overlap.changed_meaning());
}

TEST_CASE("diff: an enum's order is meaning wherever its values are compared by order") {
  std::string old_rules = R"(
tiers credit_tier {
  good "好" when credit >= BBB
  rest "其他" otherwise
}
)";
  std::string out = diff_text(diff_of(with_prelude(old_rules), replace(with_prelude(old_rules), "[C, B, BB, BBB, A, AA, AAA]", "[C, BB, B, BBB, A, AA, AAA]")));
  CHECK(out.starts_with("enum rating\n  reordered: B ↔ BB\ntiers credit_tier\n"
                        "  ~ row good \"好\": condition  credit >= BBB  →  credit >= BBB (the order of `rating` changed)\n"));
}

TEST_CASE("diff: strategies, statements and strategy order") {
  std::string base = std::string(kTiers) + R"(
output {
  advisor : enum [digital, shared, dedicated] = digital
  contact : enum [yearly, monthly] = yearly
  actions : list<string>
}
strategy high "高价值" when value_tier in [platinum, gold] {
  advisor = if value_tier == platinum then dedicated else shared
  contact = monthly
  action "call" when aum > 50万
}
strategy low "低价值" when value_tier == mass { action "app" }
)";
  std::string changed = replace(replace(replace(base, "else shared", "else dedicated"), "  contact = monthly\n", ""),
                                "action \"call\" when aum > 50万", "action \"call\" when aum > 50万\n  action \"visit\"");
  CHECK(changes_of(base, changed) ==
        "strategy high\n"
        "  ~ statement advisor = if value_tier == platinum then dedicated else shared  →  advisor = if value_tier == platinum then dedicated else dedicated\n"
        "  - statement contact = monthly\n"
        "  + statement action \"visit\"\n");
  std::string relabelled = replace(replace(base, "\"高价值\" when value_tier in [platinum, gold]", "\"高价值客户\" when value_tier in [platinum]"), "", "");
  CHECK(changes_of(base, relabelled) ==
        "strategy high\n  ~ label \"高价值\" → \"高价值客户\"\n  ~ when  value_tier in [platinum, gold]  →  value_tier in [platinum]\n");
  std::string swapped = replace(base, "strategy low \"低价值\" when value_tier == mass { action \"app\" }\n", "");
  swapped = replace(swapped, "strategy high", "strategy low \"低价值\" when value_tier == mass { action \"app\" }\nstrategy high");
  CHECK(changes_of(base, swapped) == "strategy order\n  reordered: high ↔ low\n");
  CHECK(changes_of(base, replace(base, "strategy low \"低价值\" when value_tier == mass { action \"app\" }\n", "")) ==
        "- strategy low \"低价值\" when value_tier == mass\n");
}

TEST_CASE("diff: catalogs, outputs, constraints, input and metadata") {
  std::string base = R"(
catalog product {
  risk    : rating
  min_aum : money = 0
  deposit "存款" { risk: C }
  trust   "信托" { risk: AA, min_aum: 300万 }
}
output {
  advisor : enum [digital, shared] = digital
  offers  : list<product>
}
strategy all_in "全部" when aum > 0 { offer deposit, trust }
constraint fit "适当性" on offers as p {
  drop when p.risk > credit  reason "risk"
  drop when aum < p.min_aum  reason "min_aum"
}
)";
  struct Case {
    const char* what;
    std::string new_rules;
    std::string expected;
  };
  Case cases[] = {
      {"item attribute", replace(base, "min_aum: 300万", "min_aum: 500万"), "catalog product\n  ~ item trust: min_aum 300万 → 500万\n"},
      {"attribute default reaches items", replace(base, "min_aum : money = 0", "min_aum : money = 1000"),
       "catalog product\n  ~ attribute min_aum: default 0 → 1000\n  ~ item deposit: min_aum 0 (default) → 1000 (default)\n"},
      {"item added", replace(base, "  trust ", "  bond \"债券\" { risk: B }\n  trust "), "catalog product\n  + item bond \"债券\" { risk: B }\n"},
      {"output enum value", replace(base, "[digital, shared]", "[digital, shared, dedicated]"),
       "output\n  ~ field advisor: type enum [digital, shared]  →  enum [digital, shared, dedicated]\n"},
      {"output default", replace(base, "= digital", "= shared"), "output\n  ~ field advisor: default digital → shared\n"},
      {"drop reason", replace(base, "reason \"risk\"", "reason \"suitability\""),
       "constraint fit\n  ~ drop when p.risk > credit reason \"risk\"  →  when p.risk > credit reason \"suitability\"\n"},
      {"item variable renamed", replace(replace(replace(base, "as p", "as item"), "p.risk", "item.risk"), "p.min_aum", "item.min_aum"), "no change in meaning\n"},
      {"offer changed", replace(base, "offer deposit, trust", "offer deposit"), "strategy all_in\n  ~ statement offer deposit, trust  →  offer deposit\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    CHECK(changes_of(base, c.new_rules) == c.expected);
  }
  // The input and the ruleset header.
  std::string old_all = with_prelude(base);
  std::string new_all = replace(replace(replace(old_all, "version \"1\"", "version \"2\""), "  bonus : money = 0\n", "  bonus : money = 100\n  phone : string pii\n"),
                                "  name : string pii\n", "  name : string\n");
  CHECK(diff_text(diff_of(old_all, new_all)) ==
        "ruleset t\n  ~ version \"1\" → \"2\"\n"
        "input customer\n  ~ field name: pii yes → no\n  ~ field bonus: default 0 → 100\n  + field phone : string pii\n");
}

TEST_CASE("diff: declarations added and removed") {
  std::string segments = R"(
segments kind {
  rich "富" when aum >= 100万 score aum
  old  "老" when age >= 60
}
)";
  CHECK(changes_of(kTiers, std::string(kTiers) + segments + "let twice = aum * 2\n") == "+ let twice = aum * 2\n+ segments kind 2 rows\n");
  CHECK(changes_of(std::string(kTiers) + segments, kTiers) == "- segments kind 2 rows\n");
  CHECK(changes_of(std::string(kTiers) + segments, std::string(kTiers) + replace(segments, "score aum", "score aum / 2")) ==
        "segments kind\n  ~ row rich \"富\": score  aum  →  aum / 2\n");
}

TEST_CASE("diff: JSON carries the same changes") {
  SemanticDiff d = diff_of(with_prelude(kTiers), with_prelude(replace(replace(kTiers, "aum >= 20万", "aum >= 30万"), "  vip      \"贵宾客户\" when aum >= 10万\n", "")));
  std::string json = diff_json(d, "a.seg", "b.seg");
  CHECK(json.starts_with("{\n  \"old\": \"a.seg\",\n  \"new\": \"b.seg\",\n  \"changed_meaning\": true,\n  \"declarations\": [\n"));
  CHECK(json.find(R"({"change": "changed", "part": "row", "id": "gold", "label": "黄金客户", "aspect": "condition", "old": "aum >= 20万", "new": "aum >= 30万"})") !=
        std::string::npos);
  CHECK(json.find(R"({"change": "removed", "part": "row", "id": "vip", "label": "贵宾客户", "old": "when aum >= 10万"})") != std::string::npos);
  CHECK(json.find("\"equivalence\": {\n        \"verdict\": ") != std::string::npos);
}

TEST_CASE("diff: span text is one line without comments") {
  SourceFile source("x.seg", "a >= 1 and  # why\n   b == \"x  #y\"\n");
  CHECK(span_text(source, {0, static_cast<uint32_t>(source.text().size())}) == "a >= 1 and b == \"x  #y\"");
}

TEST_CASE("diff: the JSON writer nests and keeps raw values as they are") {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.begin_array(true);
  w.number(1);
  w.raw("200000.00");
  w.end_array();
  w.key("b");
  w.begin_object();
  w.end_object();
  w.end_object();
  CHECK(w.take() == "{\n  \"a\": [1, 200000.00],\n  \"b\": {}\n}\n");
  CHECK(unquoted("\"gold\"") == "gold");
  CHECK(unquoted("[\"a\"]") == "[\"a\"]");
  CHECK(unquoted("\"a\\\"b\"") == "\"a\\\"b\"");
}

TEST_CASE("diff: an expression whose text is the same but whose names mean something else is a change") {
  std::string old_rules = R"(
catalog product {
  min_aum : money = 0
  trust "信托" { min_aum: 300万 }
}
let floor = product.trust.min_aum
)";
  CHECK(changes_of(old_rules, replace(old_rules, "min_aum: 300万", "min_aum: 500万")) ==
        "let floor\n  ~ value  product.trust.min_aum  →  product.trust.min_aum (a value it reads changed)\n"
        "catalog product\n  ~ item trust: min_aum 300万 → 500万\n");
}

TEST_CASE("diff: invariants by name, quantifier variables whatever they are called") {
  std::string base = std::string(kTiers) + R"(
output { offers : list<string> }
strategy s "s" when aum > 0 { offers += "fund" }
invariant few "不多于三项" { all p in offers: p != "trust" }
invariant steady "资产越多层级不降" { monotone(value_tier, aum) }
)";
  CHECK(changes_of(base, replace(replace(base, "all p in offers: p != \"trust\"", "all item in offers: item != \"trust\""), "", "")) ==
        "no change in meaning\n");
  CHECK(changes_of(base, replace(base, "p != \"trust\"", "p != \"gold\"")) ==
        "invariant few\n  ~ body  all p in offers: p != \"trust\"  →  all p in offers: p != \"gold\"\n");
  CHECK(changes_of(base, replace(base, "monotone(value_tier, aum)", "monotone(value_tier, age)")) ==
        "invariant steady\n  ~ body  monotone(value_tier, aum)  →  monotone(value_tier, age)\n");
  CHECK(changes_of(base, replace(base, "invariant steady \"资产越多层级不降\" { monotone(value_tier, aum) }\n", "")) ==
        "- invariant steady \"资产越多层级不降\" { monotone(value_tier, aum) }\n");
}
