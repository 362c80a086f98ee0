// The checker: which diagnostic codes a snippet gives, in report order, and that good
// snippets compile cleanly. A few cases also pin the message and help text.

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::diagnostic_codes;
using testing::first_diagnostic;

// with_prelude (14 lines) plus these 4: a snippet's first line is line 19.
const std::string kBase = testing::with_prelude(R"(enum grade [R1, R2, R3]
tiers value_tier { gold "G" when aum >= 100  silver "S" otherwise }
catalog product { risk : grade  min_aum : money = 0  gold "金" { risk: R1 }  bond "债" { risk: R2, min_aum: 5万 } }
output { cadence : enum [yearly, monthly] = yearly  advisor : string  actions : list<string>  offers : list<product> }
)");

// A snippet is added after kBase, unless it starts with '!': then it is the whole file.
std::string text_of(std::string_view snippet) {
  if (!snippet.empty() && snippet[0] == '!') return std::string(snippet.substr(1));
  return std::string(kBase) + std::string(snippet);
}

// A minimal file: header and a one-field input, for declaration-level cases.
std::string minimal(std::string_view rest) {
  return "!ruleset t { version \"1\" }\ninput c key id { id : string  x : money }\n" + std::string(rest);
}

struct CodeCase {
  std::string snippet;
  const char* codes;
};

void check_codes(const std::vector<CodeCase>& cases) {
  for (const auto& c : cases) {
    INFO("snippet: " << std::string(c.snippet));
    const std::string text = text_of(c.snippet);
    CHECK(diagnostic_codes(text) == c.codes);
    // Errors mean no program; warnings alone still compile.
    const bool has_error = std::string(c.codes).find('E') != std::string::npos;
    CHECK((compile_text(text) == nullptr) == has_error);
  }
}

TEST_CASE("check: good snippets compile without diagnostics") {
  check_codes({
      {"", ""},
      {"let x = aum * 2", ""},
      {"let ratio = share(aum, bonus)\nlet big = ratio >= 50%", ""},
      {"let a = b + 1\nlet b = aum", ""},  // used before its declaration
      {"let x = value_tier.gold\nlet y = product.gold", ""},
      {"let x = value_tier > gold and value_tier in [gold, silver]", ""},  // bare tier values by context
      {"let ok = occupation is not null and starts_with(occupation, \"fin\")", ""},
      {"let ok = occupation is null or contains(occupation, \"fin\")", ""},
      {"let ok = not (occupation is null) and starts_with(occupation, \"a\")", ""},
      {"let x = if occupation is not null then occupation else \"none\"", ""},
      {"let x = if occupation is null then \"none\" else occupation", ""},
      {"let x = (occupation ?? \"\") == \"x\"", ""},
      {"let x = occupation == \"x\" or occupation != \"y\"", ""},  // == and != accept null
      {"let x = credit >= BBB and credit in [A, AA] and credit not in [C]", ""},
      {"let x = credit == \"BBB\"", ""},  // an enum value compared with text by its name
      {"let x = contains(held, \"card\") and \"card\" in held", ""},
      {"let x = days_between(opened, as_of) + years_between(opened, as_of)", ""},
      {"let x = round(abs(min(aum, 1, 2) - max(aum, 3)), 2) + count(held) + rank(credit) + rank(value_tier)", ""},
      {"let x = 1万 * 2 + 50% + 1.5k + 3M + 2亿 + 1_000", ""},
      {"let x = -aum * 2 + 1 / 3", ""},
      {"let x = if vip then BBB else credit", ""},
      {"segments seg { a \"A\" when aum > 0 score aum  b \"B\" when vip }\nlet x = a in seg and seg_primary == b", ""},
      {"strategy s \"s\" when value_tier == gold { offer gold, product.bond  cadence = monthly  advisor = \"x\" when vip  "
       "action \"a\"  actions += [\"b\"]  offers += bond }",
       ""},
      {"strategy s \"s\" when occupation is not null { advisor = occupation }", ""},
      {"strategy s \"s\" when true { advisor = occupation }", ""},  // outputs may hold null
      {"strategy s \"s\" when true { advisor = occupation ?? \"x\"  cadence = if vip then monthly else yearly }", ""},
      {"constraint c \"c\" on offers as p { drop when rank(p.risk) > 2 reason \"r\"  drop when aum < p.min_aum reason \"m\" }", ""},
      {"constraint c \"c\" on actions as a { drop when a == \"x\" reason \"r\" }", ""},
      {"constraint c \"c\" on offers as p { drop when p in held reason \"held\" }", ""},  // an item against text by name
      {minimal("let 资产占比 = x * 2\ntiers 层级 { 高净值 \"高\" when 资产占比 >= 100万  低价值 \"低\" otherwise }\n"
               "output { 等级 : string }\nstrategy 策略 \"s\" when 层级 == 高净值 { 等级 = \"高\" }\n"),
       ""},
      {minimal("tiers t { a when x > 1  b otherwise }\nenum e [p \"P\", q]\n"), ""},  // labels are optional
      {"!ruleset t { version \"1\" }\ninput c key n { n : int }\n", ""},  // an int key
      {"!\xEF\xBB\xBFruleset t { version \"1\" }\r\ninput c key id { id : string }\r\nlet x = 1 # comment\r\n", ""},
  });
}

TEST_CASE("check: the seed policy compiles without diagnostics") {
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg", std::ios::binary);
  REQUIRE(in);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(diagnostic_codes(text) == "");
  CHECK(compile_text(text) != nullptr);
}

TEST_CASE("check: syntax and lexical errors") {
  check_codes({
      {"let x =", "E0001"},
      {"let x = 1 < 2 < 3", "E0001"},
      {"let x = a == b == c", "E0001"},
      {"let x = if vip then 1", "E0001"},
      {"let x = [1, 2", "E0001"},
      {"let x = (1", "E0001"},
      {"let x = \"abc", "E0001"},
      {"let x = \"a\nb\"", "E0001"},  // a raw newline inside a string
      {"let x = \"\\q\"", "E0001"},
      {"let x = occupation is not", "E0001"},
      {minimal("tier x { a \"A\" otherwise }"), "E0001"},
      {minimal("segments s { a \"A\" otherwise }"), "E0001"},
      {minimal("tiers s { a \"A\" x > 1  b \"B\" otherwise }"), "E0001"},
      {minimal("enum e []"), "E0001"},
      {minimal("enum e [a, in]"), "E0001"},
      {"let x = 1 +\nlet y = 2 +", "E0001 E0001"},  // one error per declaration, all reported
      {"let a = aum +\nlet b = nope\nlet c = 1 1", "E0001 E0001"},  // names are not checked after a syntax error
      {"let x = 1x", "E0005"},
      {"let x = 1e5", "E0005"},
      {"let x = 1.5万万", "E0005"},
      {"let x = 10K", "E0005"},
      {"let x = 2025-02-30", "E0006"},
      {"let x = 2023-02-29", "E0006"},
      {"let x = \"\\u{D800}\"", "E0004"},
      {"let x = \"\\u{110000}\"", "E0004"},
      {"let x = 12345678901234567890123456789012345678901", "E0008"},
      {"let x = 999999999999999999999", "E0602"},
      {"let x = " + std::string(65, '(') + "1" + std::string(65, ')'), "E0007"},
      {"let x = \"\xff\"", "E0002"},
  });
}

TEST_CASE("check: declaration errors") {
  check_codes({
      {"!enum e [a]\ninput c key id { id : string }\n", "E0101"},
      {"!", "E0101"},
      {"!# only a comment\n", "E0101"},
      {"!ruleset t { version \"1\" }\nenum e [a]\n", "E0103"},
      {"let aum = 1", "E0102"},
      {"let x = 1\nlet x = 2", "E0102"},
      {"enum value_tier [a]", "E0102"},
      {"strategy aum \"s\" when true { advisor = \"a\" }", "E0102"},
      {"!ruleset t { version \"1\" version \"2\" }\ninput c key id { id : string }\n", "E0102"},
      {minimal("catalog p1 { r : number  a \"A\" { r: 1, r: 2 } }"), "E0102"},
      {minimal("catalog p1 { r : number  r : number  a \"A\" { r: 1 } }"), "E0102"},
      {"ruleset u { version \"2\" }", "E0104"},
      {"input other key id { id : string }", "E0104"},
      {"output { z : number }", "E0104"},
      {"!ruleset t { version \"1\" colour \"red\" }\ninput c key id { id : string }\n", "E0105"},
      {"!ruleset t { version \"1\" effective \"2025\" }\ninput c key id { id : string }\n", "E0105"},
      {"!ruleset t { version \"1\" }\ninput c { id : string }\n", "E0106"},
      {"!ruleset t { version \"1\" }\ninput c key idd { id : string }\n", "E0106"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string? }\n", "E0106"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : list<string> }\n", "E0106"},
      {minimal("tiers t { a \"A\" otherwise  b \"B\" when x > 0 }"), "E0107"},
      {minimal("tiers t { }"), "E0108"},
      {minimal("enum e [a, a]"), "E0109"},
      {minimal("tiers s { a \"A\" when true  a \"B\" otherwise }"), "E0109"},
      {"let as_of = 1", "E0110"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  as_of : date }\n", "E0110"},
      {minimal("catalog p1 { r : number  a \"A\" { } }"), "E0203"},
      {minimal("catalog p1 { r : number  a \"A\" { q: 1 } }"), "E0203 E0203"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  x : foo }\n", "E0204"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  x : list<list<string>> }\n", "E0204"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  x : list<string?> }\n", "E0204"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  x : enum [a, b] }\n", "E0204"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  x : money  y : money = x }\n", "E0312"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  y : money = \"a\" }\n", "E0312"},
      {minimal("catalog p1 { r : number  a \"A\" { r: \"x\" } }"), "E0312"},
      {minimal("output { l : list<string> = [\"a\"] }"), "E0312"},
      {"!ruleset t { version \"1\" }\ninput c key id { id : string  y : money = 1 / 0 }\n", "E0601"},
      {"invariant i \"I\" { all p in offers: rank(p.risk) <= 2 }", ""},
  });
}

TEST_CASE("check: name errors") {
  check_codes({
      {"let x = aun + 1", "E0201"},
      {"let x = aun + agee", "E0201 E0201"},
      {"let x = customer", "E0201"},
      {"let x = value_tier_primary", "E0201"},  // only scored segments have a _primary
      {"let x = gold", "E0202"},                 // a tier and a product
      {"let x = product.gold.colour", "E0203"},
      {"let x = bonus.x", "E0203"},
      {"constraint c \"c\" on offers as p { drop when p.colour reason \"r\" }", "E0203"},
      {"let x = foo(1)", "E0205"},
      {"let x = offers", "E0206"},
      {"let x = rating", "E0206"},
      {"let x = product", "E0206"},
      {"let x = s\nstrategy s \"s\" when true { advisor = \"a\" }", "E0206"},
      {"tiers t2 { a \"A\" when cadence == monthly  b \"B\" otherwise }", "E0206"},  // outputs are not read
      {"strategy s \"s\" when true { aum = 1 }", "E0207"},
      {"strategy s \"s\" when true { nope = 1 }", "E0207"},
      {"let x = rating.ZZ", "E0208"},
      {"let x = value_tier.bond", "E0208"},
  });
}

TEST_CASE("check: type errors") {
  check_codes({
      {"let x = aum + \"a\"", "E0301"},
      {"let x = -\"a\"", "E0301"},
      {"let x = not aum", "E0301"},
      {"let x = if vip then 1 else \"a\"", "E0301"},
      {"let x = occupation ?? 1", "E0301"},
      {"let x = aum in held", "E0301"},
      {"let x = aum in aum", "E0301"},
      {"strategy s \"s\" when true { advisor = 5 }", "E0301"},
      {"strategy s \"s\" when true { action 5 }", "E0301"},
      {"let x = credit == grade.R1", "E0302"},
      {"let x = value_tier > product.bond", "E0302"},
      {"strategy s \"s\" when true { offer credit }", "E0303"},
      {"strategy s \"s\" when true { offer silver }", "E0303"},  // a tier, not a product
      {"strategy s \"s\" when true { cadence = weekly }", "E0304"},
      {"strategy s \"s\" when true { cadence = credit }", "E0304"},
      {"tiers t2 { a \"A\" when aum  b \"B\" otherwise }", "E0305"},
      {"strategy s \"s\" when aum { advisor = \"5\" }", "E0305"},
      {"strategy s \"s\" when true { offer gold when aum }", "E0305"},
      {"constraint c \"c\" on offers as p { drop when p reason \"r\" }", "E0305"},
      {"let x = vip and occupation", "E0305"},
      {"let x = min()", "E0306"},
      {"let x = min(1)", "E0306"},
      {"let x = round(1)", "E0306"},
      {"let x = round(1.5, 0.5)", "E0306"},
      {"let x = rank(aum)", "E0306"},
      {"let x = count(aum)", "E0306"},
      {"let x = share(aum)", "E0306"},
      {"let x = max(aum, \"a\")", "E0306"},
      {"let x = days_between(opened, 1)", "E0306"},
      {"let x = years_between(opened)", "E0306"},
      {"let x = starts_with(aum, \"a\")", "E0306"},
      {"let x = \"a\" < \"b\"", "E0307"},
      {"let x = vip < true", "E0307"},
      {"let x = [1, \"a\"]", "E0308"},
      {"let x = credit in [A, grade.R1]", "E0308"},
      {"strategy s \"s\" when true { offers = gold }", "E0311"},
      {"strategy s \"s\" when true { cadence += yearly }", "E0311"},
      {"constraint c \"c\" on cadence as p { drop when true reason \"r\" }", "E0313"},
      {"constraint c \"c\" on aum as p { drop when true reason \"r\" }", "E0313"},
      {minimal("catalog p1 { r : number  a \"A\" { r: 1 } }\ncatalog p2 { r : number  b \"B\" { r: 1 } }\n"
               "output { o1 : list<p1>  o2 : list<p2> }\nstrategy s \"s\" when true { offer a }\n"),
       "E0309"},
      {minimal("catalog p1 { r : number  a \"A\" { r: 1 } }\noutput { n : number }\nstrategy s \"s\" when true { offer a }\n"),
       "E0309"},
      {minimal("output { n : number }\nstrategy s \"s\" when true { action \"x\" }\n"), "E0310"},
      {minimal("output { actions : list<number> }\nstrategy s \"s\" when true { action \"x\" }\n"), "E0310"},
  });
}

TEST_CASE("check: null errors and null narrowing") {
  check_codes({
      {"let x = starts_with(occupation, \"a\")", "E0401"},
      {"let x = occupation + 1", "E0401"},
      {"let x = occupation > \"a\"", "E0401"},
      {"let x = abs(occupation)", "E0401"},
      {"let x = occupation in [\"a\"]", "E0401"},
      {"let x = occupation is not null or starts_with(occupation, \"a\")", "E0401"},  // `or` does not narrow
      {"let x = occupation is null and starts_with(occupation, \"a\")", "E0401"},     // the wrong test
      {"let x = if occupation is null then starts_with(occupation, \"a\") else false", "E0401"},
      {"let known = occupation is not null\nlet x = known and starts_with(occupation, \"a\")", "E0401"},  // not through a let
      {"strategy s \"s\" when true { advisor = \"x\" when starts_with(occupation, \"a\") }", "E0401"},
      {"strategy s \"s\" when occupation is null { advisor = \"x\" when starts_with(occupation, \"a\") }", "E0401"},
      {"strategy s \"s\" when true { advisor = \"x\" when occupation is not null and starts_with(occupation, \"a\") }", ""},
      {"let x = aum is null", "W0401"},
      {"let x = aum is not null", "W0401"},
      {"let x = aum ?? 0", "W0402"},
      {"let x = held ?? []", "W0402"},
      {"let x = aum ?? 0\nlet y = nope", "W0402 E0201"},  // warnings and errors in source order
  });
}

TEST_CASE("check: cycles and constant failures") {
  check_codes({
      {"let a = b\nlet b = a", "E0501"},
      {"let a = a + 1", "E0501"},
      {"let a = b\nlet b = c\nlet c = a\nlet d = e\nlet e = d", "E0501 E0501"},
      {"tiers t2 { a \"A\" when rank(t2) > 1  b \"B\" otherwise }", "E0501"},
      {"let x = rank(v2) > 1\ntiers v2 { a \"A\" when x  b \"B\" otherwise }", "E0501"},
      {"let x = 1 / 0", "E0601"},
      {"let x = 1亿 * 1亿 * 1亿", "E0601"},
      {"let x = round(1, 19)", "E0601"},
      {"let x = aum / 0", ""},  // not constant: a record error at run time
  });
}

TEST_CASE("check: messages and help") {
  struct MessageCase {
    std::string snippet;
    const char* message;
    const char* help;
  };
  const std::vector<MessageCase> cases = {
      {"let x = aun + 1", "unknown name `aun`", "did you mean `aum`?"},
      {"let x = gold", "`gold` is ambiguous here: it names values of 2 declarations",
       "write the qualified form: `product.gold` or `value_tier.gold`"},
      {"let x = starts_with(occupation, \"a\")", "`occupation` may be null here",
       "give a default with `occupation ?? ...`, or test `occupation is not null and ...` first"},
      {"let a = b\nlet b = a", "`a` depends on itself: `a` → `b` → `a`",
       "break the cycle: one of these must be computed without the others"},
      {"let x = 1 / 0", "division by zero in `1 / 0` (line 19)", "this part of the rule is constant and always fails"},
      {"strategy s \"s\" when true { cadence = weekly }", "`weekly` is not a value of `cadence`",
       "did you mean `yearly`? `cadence` takes `yearly`, `monthly`"},
      {"let x = 1 < 2 < 3", "comparisons do not chain: join them with `and`, as in `a < b and b < c`", ""},
      {"let x = \"a\" < \"b\"", "string is not ordered: `<` only works with numbers, dates and enums",
       "strings compare with `==`, `!=`, `in`, `starts_with` and `contains`"},
      {"let x = aum is null", "`aum` is never null, so this test is always false", ""},
      {"let x = aum is not null", "`aum` is never null, so this test is always true", ""},
  };
  for (const auto& c : cases) {
    INFO("snippet: " << std::string(c.snippet));
    Diagnostics diagnostics;
    compile_text(text_of(c.snippet), &diagnostics);
    REQUIRE(!diagnostics.empty());
    CHECK(diagnostics[0].message == c.message);
    CHECK(diagnostics[0].help == c.help);
  }
}

TEST_CASE("check: a rendered diagnostic names file:line:column, shows the line and a caret") {
  CHECK(first_diagnostic("ruleset t { version \"1\" }\ninput c key id { id : string  aum : money }\n"
                         "tiers t { platinum \"铂金客户\" when aun >= 100万  b \"B\" otherwise }\n") ==
        "error[E0201]: unknown name `aun`\n"
        " --> test.seg:3:32\n"
        "  |\n"
        "3 | tiers t { platinum \"铂金客户\" when aun >= 100万  b \"B\" otherwise }\n"
        "  |                                    ^^^\n"
        "  = help: did you mean `aum`?\n");
  // A BOM is skipped and CRLF line ends are accepted; the caret sits where the operand is missing.
  CHECK(first_diagnostic("\xEF\xBB\xBFruleset t { version \"1\" }\r\ninput c key id { id : string  aum : money }\r\nlet x = aum +\r\n") ==
        "error[E0001]: expected a value after `+` or `-`\n"
        " --> test.seg:3:14\n"
        "  |\n"
        "3 | let x = aum +\n"
        "  |              ^\n");
}

// tests/unit/support.hpp's with_prelude() is the base of many tests: it must compile clean.
TEST_CASE("check: the with_prelude() test helper compiles") {
  CHECK(diagnostic_codes(testing::with_prelude("")) == "");
}

// One mistake, `let let = 1`, is reported once: the parser resumes at the next line,
// not at the second `let` on the same line.
TEST_CASE("check: a keyword used as a name is one error") {
  CHECK(diagnostic_codes(text_of(minimal("let let = 1\n"))) == "E0001");
}

}  // namespace
}  // namespace segrule
