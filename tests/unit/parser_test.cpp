// The parser: rule text -> AST, compared as the exact text of `dump()`; syntax errors
// compared by code and message.

#include "parse/parser.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "ast/ast.hpp"

namespace segrule {
namespace {

struct Parsed {
  std::string dump;
  std::string errors;  // "CODE message" per diagnostic, '\n'-separated
};

Parsed parse(std::string_view text) {
  SourceFile source("test.seg", std::string(text));
  Diagnostics diagnostics;
  auto ast = parse_source(source, diagnostics);
  Parsed p;
  if (ast) p.dump = dump(*ast);
  for (const auto& d : diagnostics) p.errors += (p.errors.empty() ? "" : "\n") + d.code + " " + d.message;
  return p;
}

constexpr std::string_view kHeader = "ruleset t { version \"1\" }\n";

// The dump of `let v = EXPR`, without the `let v = ` prefix; or the errors.
std::string expression(std::string_view text) {
  Parsed p = parse(std::string(kHeader) + "let v = " + std::string(text) + "\n");
  if (!p.errors.empty()) return "error: " + p.errors;
  const std::string head = "ruleset t\n  version = \"1\"\nlet v = ";
  REQUIRE(p.dump.compare(0, head.size(), head) == 0);
  std::string rest = p.dump.substr(head.size());
  if (!rest.empty() && rest.back() == '\n') rest.pop_back();
  return rest;
}

struct ExprCase {
  const char* text;
  const char* dump;
};

void check_expressions(const std::vector<ExprCase>& cases) {
  for (const auto& c : cases) {
    INFO("expression: " << std::string(c.text));
    CHECK(expression(c.text) == c.dump);
  }
}

TEST_CASE("parser: operator precedence and associativity") {
  check_expressions({
      {"a or b and not c", "(or a (and b (not c)))"},
      {"a and b or c", "(or (and a b) c)"},
      {"a or b or c", "(or a b c)"},  // `and` / `or` chains are n-ary
      {"a and b and c or d", "(or (and a b c) d)"},
      {"not not a", "(not (not a))"},
      {"not a == b", "(not (== a b))"},
      {"not x is null", "(not (is-null x))"},
      {"-x * y + z", "(+ (* (- x) y) z)"},
      {"- - x", "(- (- x))"},
      {"-x.y", "(- (. x y))"},
      {"a - b - c", "(- (- a b) c)"},
      {"a / b * c", "(* (/ a b) c)"},
      {"a + b * c", "(+ a (* b c))"},
      {"(a + b) * c", "(* (+ a b) c)"},
      {"a < b + c * d", "(< a (+ b (* c d)))"},
      {"a + b in l", "(in (+ a b) l)"},
      {"x == y", "(== x y)"},
      {"x != y", "(!= x y)"},
      {"x <= y", "(<= x y)"},
      {"x >= y", "(>= x y)"},
      {"x ?? y ?? z", "(?? x (?? y z))"},
      {"a ?? b or c", "(?? a (or b c))"},
      {"if c then a else b", "(if c a b)"},
      {"if c then a else b ?? d", "(if c a (?? b d))"},
      {"if a then b else if c then d else e", "(if a b (if c d e))"},
      {"if a or b then x + 1 else -x", "(if (or a b) (+ x 1) (- x))"},
      {"x in [a, b]", "(in x (list a b))"},
      {"x not in [a, b]", "(not in x (list a b))"},
      {"x in l and y != z", "(and (in x l) (!= y z))"},
      {"x is null", "(is-null x)"},
      {"x is not null", "(is-not-null x)"},
      {"x is null or y", "(or (is-null x) y)"},
      {"x is not null and starts_with(x, \"fin\")", "(and (is-not-null x) (call starts_with x \"fin\"))"},
  });
}

TEST_CASE("parser: names, members, calls and lists") {
  check_expressions({
      {"aum", "aum"},
      {"a.b", "(. a b)"},
      {"a.b.c", "(. (. a b) c)"},
      {"product.gold.risk", "(. (. product gold) risk)"},
      {"f(a, b).c", "(. (call f a b) c)"},
      {"f()", "(call f)"},
      {"rank(p.risk) > rank(risk_level)", "(> (call rank (. p risk)) (call rank risk_level))"},
      {"max(aum, 1)", "(call max aum 1)"},
      {"[]", "(list)"},
      {"[1, \"a\", b]", "(list 1 \"a\" b)"},
      {"资产占比 + 1", "(+ 资产占比 1)"},
      {"_x1", "_x1"},
      {"true and false", "(and true false)"},
      {"null", "null"},
  });
}

TEST_CASE("parser: number literals and units") {
  check_expressions({
      {"12", "12"},
      {"0.5", "0.5"},
      {"0.50", "0.5"},
      {"50%", "0.5"},
      {"1.5%", "0.015"},
      {"1.5万", "15000"},
      {"100万", "1000000"},
      {"2亿", "200000000"},
      {"0.5亿", "50000000"},
      {"1_000_000", "1000000"},
      {"1_000.000_1", "1000.0001"},
      {"10k", "10000"},
      {"1.23456789k", "1234.56789"},
      {"3M", "3000000"},
      {"-1", "(- 1)"},
      {"0.000000000000000001", "0.000000000000000001"},
      {"99999999999999999999", "99999999999999999999"},
      {"12345678901234567890.123456789012345678", "12345678901234567890.123456789012345678"},
      {"1.5万 * 2", "(* 15000 2)"},
  });
}

TEST_CASE("parser: dates and strings") {
  check_expressions({
      {"2025-06-01", "2025-06-01"},
      {"2024-02-29", "2024-02-29"},
      {"as_of", "as_of"},
      {"\"abc\"", "\"abc\""},
      {"\"\"", "\"\""},
      // The dump shows the decoded text between quotes, unescaped.
      {"\"a\\\"b\"", "\"a\"b\""},
      {"\"a\\\\b\"", "\"a\\b\""},
      {"\"a\\nb\"", "\"a\nb\""},
      {"\"a\\tb\"", "\"a\tb\""},
      {"\"\\u{4E07}\"", "\"万\""},
      {"\"a\\u{41}b\"", "\"aAb\""},
      {"\"\\u{1F600}\"", "\"😀\""},
      {"\"零售客户\"", "\"零售客户\""},
  });
}

TEST_CASE("parser: lexical and syntax errors") {
  check_expressions({
      {"a == b == c", "error: E0001 comparisons do not chain: join them with `and`, as in `a < b and b < c`"},
      {"a < b < c", "error: E0001 comparisons do not chain: join them with `and`, as in `a < b and b < c`"},
      {"if a then b", "error: E0001 expected `else`: an `if` needs both branches, as in `if c then a else b`"},
      {"x is not", "error: E0001 expected `null` after `is` (write `x is null` or `x is not null`)"},
      {"[1, 2", "error: E0001 expected `,` or `]` to close the list"},
      {"[1,]", "error: E0001 expected `,` or `]` to close the list"},
      {"(a", "error: E0001 expected `)` to close the parenthesis"},
      {"\"abc", "error: E0001 unterminated string: close it with `\"` on the same line (write `\\n` for a line break)"},
      {"\"\\q\"", "error: E0001 unknown escape: use `\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{4E07}`"},
      {"\"\\u{}\"", "error: E0001 unknown escape: use `\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{4E07}`"},
      {"\"\\u{D800}\"", "error: E0004 `\\u{D800}` is not a Unicode character"},
      {"\"\\u{110000}\"", "error: E0004 `\\u{110000}` is not a Unicode character"},
      {"1e5", "error: E0005 invalid number unit `e5` in `1e5`"},
      {"5x", "error: E0005 invalid number unit `x` in `5x`"},
      {"10K", "error: E0005 invalid number unit `K` in `10K`"},
      {"12%%", "error: E0005 invalid number unit `%%` in `12%%`"},
      {"1.5万万", "error: E0005 invalid number unit `万万` in `1.5万万`"},
      {"2025-02-30", "error: E0006 `2025-02-30` is not a valid calendar date"},
      {"2023-02-29", "error: E0006 `2023-02-29` is not a valid calendar date"},
      {"999999999999999999999", "error: E0602 number `999999999999999999999` is out of range"},
      {"12345678901234567890123456789012345678901", "error: E0008 number literal has 41 digits, more than the limit of 40"},
      {".5", "error: E0001 expected an expression"},
  });
}

// Regressions: these were once reported as "out of range" and silently rounded.
TEST_CASE("parser: misplaced digit separators and more than 18 fractional digits are errors") {
  check_expressions({
      {"1__0", "error: E0005 malformed number `1__0`"},
      {"1_", "error: E0005 malformed number `1_`"},
      {"0.0000000000000000001", "error: E0602 number `0.0000000000000000001` has 19 digits after the point, more than 18"},
      {"0.1234567890123456789", "error: E0602 number `0.1234567890123456789` has 19 digits after the point, more than 18"},
  });
}

TEST_CASE("parser: lexical rules: BOM, CRLF, comments, invalid UTF-8, raw newline in a string") {
  struct Case {
    std::string text;
    const char* dump;
    const char* errors;
  };
  const std::vector<Case> cases = {
      {"\xEF\xBB\xBFruleset t { version \"1\" }\r\nlet v = 1 # c\r\n# whole line\r\nlet w = v\r\n",
       "ruleset t\n  version = \"1\"\nlet v = 1\nlet w = v\n", ""},
      {"ruleset t { version \"1\" }\nlet v = \"a # not a comment\"\n", "ruleset t\n  version = \"1\"\nlet v = \"a # not a comment\"\n", ""},
      {"ruleset t { version \"1\" }\nlet v = 1\nlet w = \"\xff\"\n", "", "E0002 invalid UTF-8 byte 0xff at line 3, byte column 10"},
      {"ruleset t { version \"1\" }\nlet v = \"a\nb\"\n", "ruleset t\n  version = \"1\"\n",
       "E0001 unterminated string: close it with `\"` on the same line (write `\\n` for a line break)"},
      {"ruleset t { version \"1\" }\nlet v = 1\nlet and = 2\nlet w = 3\n", "ruleset t\n  version = \"1\"\nlet v = 1\nlet w = 3\n",
       "E0001 expected a name for this declaration"},
  };
  for (const auto& c : cases) {
    INFO("text: " << std::string(c.text));
    Parsed p = parse(c.text);
    CHECK(p.dump == c.dump);
    CHECK(p.errors == c.errors);
  }
}

TEST_CASE("parser: several syntax errors are reported in one run") {
  Parsed p = parse("ruleset t { version \"1\" }\nlet a = 1 +\nlet b = 2\nlet c = (3\nlet d = 4\nlet e = if x then y\n");
  CHECK(p.errors ==
        "E0001 expected a value after `+` or `-`\n"
        "E0001 expected `)` to close the parenthesis\n"
        "E0001 expected `else`: an `if` needs both branches, as in `if c then a else b`");
  CHECK(p.dump == "ruleset t\n  version = \"1\"\nlet b = 2\nlet d = 4\n");
}

TEST_CASE("parser: each declaration kind") {
  struct Case {
    const char* what;
    const char* text;
    const char* dump;
  };
  const std::vector<Case> cases = {
      {"ruleset header",
       "ruleset retail_2025 {\n  title \"零售\\\"x\\\"\"\n  version \"2025.05\"\n  effective 2025-06-01\n  owner \"个人金融部\"\n}\n",
       "ruleset retail_2025\n  title = \"零售\"x\"\"\n  version = \"2025.05\"\n  effective = 2025-06-01\n  owner = \"个人金融部\"\n"},
      {"enums, with and without labels", "enum rating [C, B, BB]\nenum risk [C1 \"保守型\", C2]\n",
       "enum rating C B BB\nenum risk C1\"保守型\" C2\n"},
      {"input with every kind of type",
       "input customer key id {\n  id : string\n  age : int\n  name : string pii\n  occupation : string?\n"
       "  opened : date\n  risk : risk\n  held : list<string>\n  large : money = 1.5万\n  flag : bool = true\n  n : number? = 0.5\n}\n",
       "input customer key id\n  field id : string\n  field age : int\n  field name : string pii\n  field occupation : string?\n"
       "  field opened : date\n  field risk : risk\n  field held : list<string>\n  field large : money = 15000\n"
       "  field flag : bool = true\n  field n : number? = 0.5\n"},
      {"lets", "let time_share = share(time_deposits, aum)\nlet debt_ratio = loans / max(aum, 1)\n",
       "let time_share = (call share time_deposits aum)\nlet debt_ratio = (/ loans (call max aum 1))\n"},
      {"tiers",
       "tiers value_tier {\n  private \"私人银行客户\" when aum >= 500万 and credit_rating >= BBB\n  gold \"黄金客户\" when aum >= 20万\n"
       "  mass otherwise\n}\n",
       "tiers value_tier\n  row private \"私人银行客户\" when (and (>= aum 5000000) (>= credit_rating BBB))\n"
       "  row gold \"黄金客户\" when (>= aum 200000)\n  row mass \"\" otherwise\n"},
      {"segments with and without score",
       "segments customer_type {\n  savings \"储蓄型\" when time_share >= 50% score time_share\n  liability \"负债型\" when loans > 0\n}\n",
       "segments customer_type\n  row savings \"储蓄型\" when (>= time_share 0.5) score time_share\n  row liability \"负债型\" when (> loans 0)\n"},
      {"catalog",
       "catalog product {\n  risk : grade\n  min_aum : money = 0\n  time_deposit \"定期存款\" { risk: R1 }\n"
       "  trust_plan \"信托计划\" { risk: R5, min_aum: 300万 }\n}\n",
       "catalog product\n  field risk : grade\n  field min_aum : money = 0\n  item time_deposit \"定期存款\" risk=R1\n"
       "  item trust_plan \"信托计划\" risk=R5 min_aum=3000000\n"},
      {"output",
       "output {\n  contact_cadence : enum [yearly, quarterly] = yearly\n  advisor : string?\n  actions : list<string>\n"
       "  offers : list<product>\n}\n",
       "output\n  field contact_cadence : enum[yearly,quarterly] = yearly\n  field advisor : string?\n"
       "  field actions : list<string>\n  field offers : list<product>\n"},
      {"strategy with every statement kind",
       "strategy s \"私人银行服务\" when value_tier == private {\n  contact_cadence = weekly\n"
       "  advisor = if value_tier == platinum then dedicated else shared\n  offer family_trust, product.gold\n"
       "  offer trust_plan when aum >= 300万\n  action \"large_inflow_alert\" when large_inflow_30d >= 50万\n"
       "  tags += [\"a\", \"b\"]\n  tags += \"c\" when vip\n}\n",
       "strategy s \"私人银行服务\" when (== value_tier private)\n  set contact_cadence = weekly\n"
       "  set advisor = (if (== value_tier platinum) dedicated shared)\n  offer family_trust (. product gold)\n"
       "  offer trust_plan when (>= aum 3000000)\n  action \"large_inflow_alert\" when (>= large_inflow_30d 500000)\n"
       "  append tags += (list \"a\" \"b\")\n  append tags += \"c\" when vip\n"},
      {"constraint",
       "constraint suitability \"适当性管理\" on offers as p {\n  drop when rank(p.risk) > rank(risk_level) reason \"risk\"\n"
       "  drop when aum < p.min_aum reason \"min_aum\"\n}\n",
       "constraint suitability \"适当性管理\" on offers as p\n  drop when (> (call rank (. p risk)) (call rank risk_level)) reason \"risk\"\n"
       "  drop when (< aum (. p min_aum)) reason \"min_aum\"\n"},
      {"invariant", "invariant never_above \"不超风险\" { all p in offers: rank(p.risk) <= rank(risk_level) }\n",
       "invariant never_above \"不超风险\" (all p offers (<= (call rank (. p risk)) (call rank risk_level)))\n"},
  };
  for (const auto& c : cases) {
    INFO("case: " << std::string(c.what));
    Parsed p = parse(c.text);
    CHECK(p.errors == "");
    CHECK(p.dump == c.dump);
  }
}

TEST_CASE("parser: declarations keep file order, and the seed policy parses cleanly") {
  Parsed p = parse("let b = a\nruleset t { version \"1\" }\nenum e [x]\nlet a = 1\n");
  CHECK(p.errors == "");
  CHECK(p.dump == "let b = a\nruleset t\n  version = \"1\"\nenum e x\nlet a = 1\n");

  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg", std::ios::binary);
  REQUIRE(in);
  Parsed seed = parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  CHECK(seed.errors == "");
  for (const char* line : {
           "ruleset retail_2025\n  title = \"零售客户分层分类与服务策略\"\n  version = \"2025.05\"\n  effective = 2025-06-01\n",
           "\nenum rating C B BB BBB A AA AAA\n",
           "\n  field large_inflow_30d : money = 0\n",
           "\nlet debt_ratio = (/ loans (call max aum 1))\n",
           "\n  row private \"私人银行客户\" when (and (>= aum 5000000) (>= credit_rating BBB))\n",
           "\n  row settlement \"结算型\" when (or (>= demand_share 0.5) (>= monthly_txn_count 30)) score demand_share\n",
           "\n  item trust_plan \"信托计划\" risk=R5 min_aum=3000000\n",
           "\n  set advisor = (if (== value_tier platinum) dedicated shared)\n",
           "\n  action \"repayment_reminder\" when (> debt_ratio 0.8)\n",
           "\n  drop when (< aum (. p min_aum)) reason \"min_aum\"\n",
       }) {
    INFO(std::string(line));
    CHECK(seed.dump.find(line) != std::string::npos);
  }
}

}  // namespace
}  // namespace segrule
