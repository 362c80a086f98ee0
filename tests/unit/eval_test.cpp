// Evaluation semantics, through whole rule files: each case states the rules (or one
// expression), the record, and the exact result line or error message it must give.

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::eval_batch;
using testing::eval_record;
using testing::first_diagnostic;

// Every case builds on testing::with_prelude (14 lines), so the first line a case adds is 15.
std::string rules(std::string_view declarations) { return testing::with_prelude(std::string(declarations)); }

// Raw JSON text per member; a change to "" removes the member.
using Fields = std::vector<std::pair<std::string, std::string>>;

const Fields kCustomer = {
    {"id", R"("A")"},          {"aum", "1000"},         {"age", "40"},
    {"name", R"("张三")"},      {"occupation", "null"},  {"credit", R"("BBB")"},
    {"opened", R"("2020-02-29")"}, {"held", R"(["card"])"}, {"vip", "false"},
};

// The base customer with some members replaced, added or removed, as one JSON line.
std::string customer(const Fields& changes = {}) {
  Fields fields = kCustomer;
  for (const auto& [key, value] : changes) {
    bool found = false;
    for (auto& field : fields) {
      if (field.first == key) {
        field.second = value;
        found = true;
      }
    }
    if (!found) fields.emplace_back(key, value);
  }
  std::string out = "{";
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;
    out += (out.size() > 1 ? "," : "") + ("\"" + key + "\":") + value;
  }
  return out + "}";
}

// The result line for the declarations (after the prelude) and record, "error: ..." for a
// record error, or "does not compile: ..." with the first diagnostic.
std::string run(std::string_view declarations, const std::string& record = customer(), const std::string& as_of = "2025-06-30") {
  const std::string text = rules(declarations);
  auto program = compile_text(text);
  if (!program) return "does not compile: " + first_diagnostic(text);
  return eval_record(*program, record, as_of);
}

// The value one expression gives, set into an output `v` of the given type: just the
// printed value, or the whole line when the record failed.
std::string value_of(std::string_view type, std::string_view expression, const std::string& record = customer()) {
  std::string decls = "output { v : " + std::string(type) + " }\nstrategy s \"s\" when true { v = " + std::string(expression) + " }\n";
  std::string line = run(decls, record);
  const std::string head = R"({"id":"A","v":)";
  const std::string tail = R"(,"dropped":[]})";
  if (line.size() >= head.size() + tail.size() && line.compare(0, head.size(), head) == 0 &&
      line.compare(line.size() - tail.size(), tail.size(), tail) == 0)
    return line.substr(head.size(), line.size() - head.size() - tail.size());
  return line;
}

struct ValueCase {
  const char* type;
  const char* expression;
  const char* expected;
};

void check_values(const std::vector<ValueCase>& cases, const std::string& record = customer()) {
  for (const auto& c : cases) {
    INFO("expression: " << std::string(c.expression));
    CHECK(value_of(c.type, c.expression, record) == c.expected);
  }
}

std::string read_ruleset(const char* relative) {
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << relative);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---- The seed policy ------------------------------------------------------------------

// A retail customer in the shape of LANGUAGE.md §2, with the given members replaced.
std::string retail_customer(const Fields& changes) {
  Fields fields = {
      {"id", R"("C1")"},        {"age", "52"},
      {"retired", "false"},     {"occupation", "null"},
      {"opened", R"("2012-04-01")"}, {"risk_level", R"("C3")"},
      {"credit_rating", R"("AA")"},  {"demand_deposits", "100000"},
      {"time_deposits", "3200000"},  {"wealth_products", "1000000"},
      {"investments", "700000"},     {"loans", "0"},
      {"aum", "5000000.00"},         {"monthly_txn_count", "4"},
      {"products_held", "[]"},
  };
  for (const auto& [key, value] : changes) {
    bool found = false;
    for (auto& field : fields)
      if (field.first == key) field.second = value, found = true;
    if (!found) fields.emplace_back(key, value);
  }
  std::string out = "{";
  for (const auto& [key, value] : fields) out += (out.size() > 1 ? "," : "") + ("\"" + key + "\":") + value;
  return out + "}";
}

TEST_CASE("eval: the LANGUAGE.md §2 customer gives exactly the stated result") {
  auto program = compile_text(read_ruleset("rulesets/retail-2025.seg"));
  REQUIRE(program);
  // The record exactly as the spec prints it (two lines joined).
  const std::string record =
      R"({"id":"C1","age":52,"retired":false,"occupation":null,"opened":"2012-04-01",)"
      R"("risk_level":"C3","credit_rating":"AA","demand_deposits":100000,"time_deposits":3200000,)"
      R"("wealth_products":1000000,"investments":700000,"loans":0,"aum":5000000.00,)"
      R"("monthly_txn_count":4,"products_held":[]})";
  CHECK(eval_record(*program, record, "2025-06-30") ==
        R"({"id":"C1","value_tier":"private","customer_type":["savings"],"customer_type_primary":"savings",)"
        R"("contact_cadence":"weekly","advisor":"dedicated","actions":[],)"
        R"("offers":["custom_portfolio","time_deposit","large_cd","money_fund","treasury_bond"],)"
        R"("dropped":[{"list":"offers","item":"family_trust","constraint":"suitability","reason":"risk"}]})");
}

TEST_CASE("eval: the seed policy over other retail customers") {
  auto program = compile_text(read_ruleset("rulesets/retail-2025.seg"));
  REQUIRE(program);
  struct Case {
    const char* what;
    Fields changes;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"aum just under 500万 is platinum: dedicated advisor from the `if`",
       {{"aum", "4999999.99"}},
       R"({"id":"C1","value_tier":"platinum","customer_type":["savings"],"customer_type_primary":"savings",)"
       R"("contact_cadence":"monthly","advisor":"dedicated","actions":[],)"
       R"("offers":["time_deposit","large_cd","money_fund","treasury_bond"],"dropped":[]})"},
      {"500万 but rating below BBB is platinum",
       {{"credit_rating", R"("BB")"}},
       R"({"id":"C1","value_tier":"platinum","customer_type":["savings"],"customer_type_primary":"savings",)"
       R"("contact_cadence":"monthly","advisor":"dedicated","actions":[],)"
       R"("offers":["time_deposit","large_cd","money_fund","treasury_bond"],"dropped":[]})"},
      {"gold: shared advisor; investor offers; trust_plan dropped for min_aum, equity_fund for risk",
       {{"aum", "200000"}, {"time_deposits", "0"}, {"demand_deposits", "0"}, {"wealth_products", "0"},
        {"investments", "200000"}, {"risk_level", R"("C5")"}},
       R"({"id":"C1","value_tier":"gold","customer_type":["investment"],"customer_type_primary":"investment",)"
       R"("contact_cadence":"monthly","advisor":"shared","actions":[],)"
       R"("offers":["equity_fund","gold"],)"
       R"("dropped":[{"list":"offers","item":"trust_plan","constraint":"suitability","reason":"min_aum"}]})"},
      {"a C3 investor loses equity_fund and trust_plan to the first (risk) row",
       {{"aum", "200000"}, {"time_deposits", "0"}, {"demand_deposits", "0"}, {"wealth_products", "0"},
        {"investments", "200000"}},
       R"({"id":"C1","value_tier":"gold","customer_type":["investment"],"customer_type_primary":"investment",)"
       R"("contact_cadence":"monthly","advisor":"shared","actions":[],)"
       R"("offers":["gold"],)"
       R"("dropped":[{"list":"offers","item":"equity_fund","constraint":"suitability","reason":"risk"},)"
       R"({"list":"offers","item":"trust_plan","constraint":"suitability","reason":"risk"}]})"},
      {"vip with settlement and liability: actions by their `when`, money_fund once",
       {{"aum", "100000"}, {"time_deposits", "0"}, {"demand_deposits", "60000"}, {"wealth_products", "40000"},
        {"investments", "0"}, {"loans", "90000"}, {"large_inflow_30d", "500000"}},
       R"({"id":"C1","value_tier":"vip","customer_type":["wealth","settlement","liability"],"customer_type_primary":"settlement",)"
       R"("contact_cadence":"quarterly","advisor":"shared","actions":["large_inflow_alert","repayment_reminder"],)"
       R"("offers":["wealth_plan","money_fund","bond_fund","large_cd","payment_package","credit_card","loan_combo"],"dropped":[]})"},
      {"mass customer with no assets: shares are 0, nothing matches, defaults stay",
       {{"aum", "0"}, {"time_deposits", "0"}, {"demand_deposits", "0"}, {"wealth_products", "0"}, {"investments", "0"}},
       R"({"id":"C1","value_tier":"mass","customer_type":[],"customer_type_primary":null,)"
       R"("contact_cadence":"yearly","advisor":"digital","actions":[],"offers":[],"dropped":[]})"},
      {"mass customer with a loan: debt_ratio divides by max(aum, 1)",
       {{"aum", "0"}, {"time_deposits", "0"}, {"demand_deposits", "0"}, {"wealth_products", "0"}, {"investments", "0"},
        {"loans", "1"}},
       R"({"id":"C1","value_tier":"mass","customer_type":["liability"],"customer_type_primary":"liability",)"
       R"("contact_cadence":"yearly","advisor":"digital","actions":["repayment_reminder"],)"
       R"("offers":["credit_card","loan_combo"],"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("what: " << std::string(c.what));
    CHECK(eval_record(*program, retail_customer(c.changes)) == c.expected);
  }
}

// ---- Decimals ---------------------------------------------------------------------------

TEST_CASE("eval: decimal arithmetic is exact and prints without exponent or trailing zeros") {
  check_values({
      {"bool", "0.1 + 0.2 == 0.3", "true"},
      {"bool", "0.1 * 3 == 0.3", "true"},
      {"number", "0.1 + 0.2", "0.3"},
      {"number", "1/3", "0.333333333333333333"},
      {"number", "2/3", "0.666666666666666667"},
      {"number", "-1/3", "-0.333333333333333333"},
      {"number", "2/3 * 3", "2.000000000000000001"},
      {"number", "0.000000000000000001 / 2", "0"},  // half-even: 0.5e-18 -> 0
      {"number", "0.000000000000000003 / 2", "0.000000000000000002"},  // 1.5e-18 -> 2e-18
      {"number", "1200000", "1200000"},
      {"number", "120万", "1200000"},
      {"number", "0.50", "0.5"},
      {"number", "50%", "0.5"},
      {"number", "1.5万", "15000"},
      {"number", "2亿", "200000000"},
      {"number", "10k + 3M", "3010000"},
      {"number", "1_000_000", "1000000"},
      {"number", "1 - 1.00", "0"},
      {"number", "-0", "0"},
      {"number", "0 - 0.0", "0"},
      {"number", "10 * 0.1", "1"},
      {"number", "0.000000000000000001", "0.000000000000000001"},
      {"number", "99999999999999999999.999999999999999999", "99999999999999999999.999999999999999999"},
      {"money", "aum * 1.5", "1500"},
      {"money", "aum / 8", "125"},
      {"money", "aum / 3", "333.333333333333333333"},
      {"int", "age * 2", "80"},
      {"number", "age / 3", "13.333333333333333333"},
      {"number", "-aum + 1", "-999"},
      {"number", "2 - 3 - 4", "-5"},
      {"number", "24 / 4 / 2", "3"},
      {"number", "1 + 2 * 3", "7"},
      {"number", "(1 + 2) * 3", "9"},
      {"number", "-2 * -3", "6"},
  });
}

TEST_CASE("eval: a JSON 5000000.00 is exactly 500万") {
  const char* rules_text = "tiers level { top \"T\" when aum >= 500万  rest \"R\" otherwise }\n";
  struct Case {
    const char* aum;
    const char* level;
  };
  for (const Case& c : std::vector<Case>{{"5000000.00", "top"},
                                         {"5000000", "top"},
                                         {"5000000.000000000000000000", "top"},
                                         {"4999999.999999999999999999", "rest"},
                                         {"5000000.000000000000000001", "top"},
                                         {"5.0e6", "top"}}) {
    INFO("aum: " << std::string(c.aum));
    CHECK(run(rules_text, customer({{"aum", c.aum}})) == std::string(R"({"id":"A","level":")") + c.level + R"(","dropped":[]})");
  }
  CHECK(value_of("bool", "aum == 500万", customer({{"aum", "5000000.00"}})) == "true");
  CHECK(value_of("money", "aum", customer({{"aum", "5000000.00"}})) == "5000000");
  CHECK(value_of("money", "aum", customer({{"aum", "0.10"}})) == "0.1");
  CHECK(value_of("money", "aum + 0.2", customer({{"aum", "0.1"}})) == "0.3");
}

TEST_CASE("eval: overflow and division by zero are record errors naming the expression") {
  const std::string big = customer({{"aum", "99999999999999999999"}});
  struct Case {
    const char* declarations;
    std::string record;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"let big = aum * aum\noutput { v : number }\nstrategy s \"s\" when true { v = big }\n", big,
       "error: number out of range in `aum * aum` (line 15): exact decimals hold at most 20 digits before the point"},
      {"output { v : number }\nstrategy s \"s\" when true { v = aum + aum }\n", big,
       "error: number out of range in `aum + aum` (line 16): exact decimals hold at most 20 digits before the point"},
      {"let gap = age - 40\noutput { v : number }\nstrategy s \"s\" when true { v = aum / gap }\n", customer(),
       "error: division by zero in `aum / gap` (line 17)"},
      {"output { v : number }\nstrategy s \"s\" when true { v = 1 + aum / bonus * 2 }\n", customer(),
       "error: division by zero in `aum / bonus` (line 16)"},
      {"let ratio = bonus / bonus\noutput { v : number }\n", customer(),
       "error: division by zero in `bonus / bonus` (line 15)"},
      // A division only evaluated when its guard holds does not fail.
      {"output { v : number }\nstrategy s \"s\" when age != 40 { v = aum / (age - 40) }\n", customer(),
       R"({"id":"A","v":null,"dropped":[]})"},
      {"output { v : number }\nstrategy s \"s\" when true { v = if age == 40 then 0 else aum / (age - 40) }\n", customer(),
       R"({"id":"A","v":0,"dropped":[]})"},
      {"output { v : number }\nstrategy s \"s\" when true { v = share(aum, age - 40) }\n", customer(),
       R"({"id":"A","v":0,"dropped":[]})"},
      {"output { v : number }\nstrategy s \"s\" when true { v = share(aum, 0) + share(0, 0) }\n", customer(),
       R"({"id":"A","v":0,"dropped":[]})"},
      {"output { v : number }\nstrategy s \"s\" when true { v = share(aum, 4000) }\n", customer(),
       R"({"id":"A","v":0.25,"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(c.declarations, c.record) == c.expected);
  }
}

// Regression: the span of a binary expression once stopped before the `)` of its right operand.
TEST_CASE("eval: division by zero names a parenthesised expression whole") {
  CHECK(run("output { v : number }\nstrategy s \"s\" when true { v = aum / (age - 40) }\n") ==
        "error: division by zero in `aum / (age - 40)` (line 16)");
  CHECK(run("output { v : number }\nstrategy s \"s\" when true { v = aum / (bonus) }\n") ==
        "error: division by zero in `aum / (bonus)` (line 16)");
  CHECK(run("output { v : number }\nstrategy s \"s\" when true { v = ((aum) / (bonus)) * 2 }\n") ==
        "error: division by zero in `((aum) / (bonus))` (line 16)");
}

TEST_CASE("eval: a record error does not stop the batch") {
  auto program = compile_text(rules("let gap = age - 40\noutput { v : number }\nstrategy s \"s\" when true { v = 100 / gap }\n"));
  REQUIRE(program);
  BatchCounts counts;
  const std::string input = customer({{"id", R"("A")"}, {"age", "41"}}) + "\n" + customer({{"id", R"("B")"}}) + "\n" +
                            customer({{"id", R"("C")"}, {"age", "44"}}) + "\n";
  CHECK(eval_batch(*program, input, InputFormat::jsonl, &counts) ==
        R"({"id":"A","v":100,"dropped":[]})"
        "\n"
        R"~({"line":2,"key":"B","error":"division by zero in `100 / gap` (line 17)"})~"
        "\n"
        R"({"id":"C","v":25,"dropped":[]})");
  CHECK(counts.read == 3);
  CHECK(counts.results == 2);
  CHECK(counts.errors == 1);
}

// ---- Built-in functions -----------------------------------------------------------------

TEST_CASE("eval: built-in functions") {
  check_values({
      {"number", "min(3, 1, 2)", "1"},
      {"number", "min(aum, 5)", "5"},
      {"number", "max(aum, 1)", "1000"},
      {"number", "max(-1, -2)", "-1"},
      {"number", "max(0.1, 0.10)", "0.1"},
      {"number", "abs(-2.5)", "2.5"},
      {"number", "abs(2.5)", "2.5"},
      {"number", "abs(-0)", "0"},
      {"number", "round(2.5, 0)", "3"},
      {"number", "round(-2.5, 0)", "-3"},
      {"number", "round(3.5, 0)", "4"},
      {"number", "round(2.4, 0)", "2"},
      {"number", "round(-2.4, 0)", "-2"},
      {"number", "round(1.005, 2)", "1.01"},
      {"number", "round(-1.005, 2)", "-1.01"},
      {"number", "round(1.0049, 2)", "1"},
      {"number", "round(1234.5, -2)", "1200"},
      {"number", "round(1250, -2)", "1300"},
      {"number", "round(-1250, -2)", "-1300"},
      {"number", "round(1/3, 4)", "0.3333"},
      {"number", "round(aum / 3, 2)", "333.33"},
      {"number", "share(1, 4)", "0.25"},
      {"number", "share(aum, 0)", "0"},
      {"number", "share(0, 0)", "0"},
      {"number", "share(1, 3)", "0.333333333333333333"},
      {"number", "rank(credit)", "4"},
      {"number", "rank(rating.C)", "1"},
      {"number", "rank(rating.AAA)", "7"},
      {"number", "count(held)", "1"},
      {"number", "count([1, 2, 2, 3])", "3"},
      {"number", "count([\"a\"])", "1"},
      {"number", "days_between(opened, as_of)", "1948"},
      {"number", "days_between(as_of, opened)", "-1948"},
      {"number", "days_between(2024-02-28, 2024-03-01)", "2"},
      {"number", "days_between(2025-02-28, 2025-03-01)", "1"},
      {"number", "days_between(as_of, as_of)", "0"},
      {"number", "years_between(opened, as_of)", "5"},
      {"number", "years_between(1973-07-01, as_of)", "51"},  // birthday tomorrow: still 51
      {"number", "years_between(1973-06-30, as_of)", "52"},  // birthday today: 52
      {"number", "years_between(opened, 2024-02-28)", "3"},
      {"number", "years_between(opened, 2024-02-29)", "4"},
      {"number", "years_between(2024-02-29, 2025-03-01)", "1"},
      {"number", "years_between(2024-02-29, 2028-02-29)", "4"},
      {"bool", "starts_with(\"finance\", \"fin\")", "true"},
      {"bool", "starts_with(\"fi\", \"fin\")", "false"},
      {"bool", "starts_with(\"finance\", \"\")", "true"},
      {"bool", "starts_with(\"Finance\", \"fin\")", "false"},  // byte-wise
      {"bool", "starts_with(\"理财经理\", \"理财\")", "true"},
      {"bool", "contains(\"finance\", \"nan\")", "true"},
      {"bool", "contains(\"finance\", \"x\")", "false"},
      {"bool", "contains(\"abc\", \"\")", "true"},
      {"bool", "contains(\"私人银行\", \"银行\")", "true"},
      {"bool", "contains(name, \"三\")", "true"},
  });
}

TEST_CASE("eval: years_between for a 29 February start in non-leap years") {
  // Born 2020-02-29 (the `opened` field): one year is complete on 1 March 2021, not on 28 February.
  struct Case {
    const char* as_of;
    const char* expected;
  };
  auto program = compile_text(rules(
      "let years = years_between(opened, as_of)\n"
      "output { v : number }\nstrategy s \"s\" when true { v = years }\n"));
  REQUIRE(program);
  for (const Case& c : std::vector<Case>{{"2021-02-27", "0"},
                                         {"2021-02-28", "0"},
                                         {"2021-03-01", "1"},
                                         {"2024-02-28", "3"},
                                         {"2024-02-29", "4"},
                                         {"2025-06-30", "5"},
                                         {"2020-02-29", "0"}}) {
    INFO("as_of: " << std::string(c.as_of));
    CHECK(eval_record(*program, customer(), c.as_of) == std::string(R"({"id":"A","v":)") + c.expected + R"(,"dropped":[]})");
  }
}

TEST_CASE("eval: as_of is the caller's evaluation date, usable as a name") {
  auto program = compile_text(rules(
      "let tenure_days = days_between(opened, as_of)\n"
      "tiers tenure { old \"O\" when as_of >= 2025-01-01  young \"Y\" otherwise }\n"
      "output { d : date  n : number }\n"
      "strategy s \"s\" when true { d = as_of  n = tenure_days }\n"));
  REQUIRE(program);
  CHECK(eval_record(*program, customer(), "2025-06-30") == R"({"id":"A","tenure":"old","d":"2025-06-30","n":1948,"dropped":[]})");
  CHECK(eval_record(*program, customer(), "2024-12-31") == R"({"id":"A","tenure":"young","d":"2024-12-31","n":1767,"dropped":[]})");
  CHECK(eval_record(*program, customer(), "2020-02-29") == R"({"id":"A","tenure":"young","d":"2020-02-29","n":0,"dropped":[]})");
}

// ---- Ordering of enums and tiers ----------------------------------------------------------

TEST_CASE("eval: enums are ordered by declaration") {
  struct Case {
    const char* credit;
    const char* expected;  // credit >= BBB, credit < A, credit == BBB, credit != C, rank(credit)
  };
  const char* decls =
      "output { ge : bool  lt : bool  eq : bool  ne : bool  r : number }\n"
      "strategy s \"s\" when true { ge = credit >= BBB  lt = credit < A  eq = credit == BBB  ne = credit != C  r = rank(credit) }\n";
  for (const Case& c : std::vector<Case>{
           {"C", R"("ge":false,"lt":true,"eq":false,"ne":false,"r":1)"},
           {"BB", R"("ge":false,"lt":true,"eq":false,"ne":true,"r":3)"},
           {"BBB", R"("ge":true,"lt":true,"eq":true,"ne":true,"r":4)"},
           {"A", R"("ge":true,"lt":false,"eq":false,"ne":true,"r":5)"},
           {"AAA", R"("ge":true,"lt":false,"eq":false,"ne":true,"r":7)"},
       }) {
    INFO("credit: " << std::string(c.credit));
    CHECK(run(decls, customer({{"credit", std::string("\"") + c.credit + "\""}})) ==
          std::string(R"({"id":"A",)") + c.expected + R"(,"dropped":[]})");
  }
}

TEST_CASE("eval: tiers are ordered from the first row down; first match wins") {
  const char* decls =
      "tiers level {\n"
      "  top  \"T\" when aum >= 100\n"
      "  gold \"G\" when aum >= 50\n"
      "  low  \"L\" when aum >= 10\n"
      "  none \"N\" otherwise\n"
      "}\n"
      "output { above : bool  below : bool  at_least : bool  r : number  is_gold : bool }\n"
      "strategy s \"s\" when true {\n"
      "  above = level > gold  below = level < gold  at_least = level >= gold  r = rank(level)  is_gold = level == gold\n"
      "}\n";
  struct Case {
    const char* aum;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {"1000", R"("level":"top","above":true,"below":false,"at_least":true,"r":4,"is_gold":false)"},
           {"100", R"("level":"top","above":true,"below":false,"at_least":true,"r":4,"is_gold":false)"},
           {"99.99", R"("level":"gold","above":false,"below":false,"at_least":true,"r":3,"is_gold":true)"},
           {"10", R"("level":"low","above":false,"below":true,"at_least":false,"r":2,"is_gold":false)"},
           {"0", R"("level":"none","above":false,"below":true,"at_least":false,"r":1,"is_gold":false)"},
       }) {
    INFO("aum: " << std::string(c.aum));
    CHECK(run(decls, customer({{"aum", c.aum}})) == std::string(R"({"id":"A",)") + c.expected + R"(,"dropped":[]})");
  }
}

TEST_CASE("eval: tiers without `otherwise` reject a record that matches no row") {
  const char* decls = "tiers level { rich \"R\" when aum >= 100  middle \"M\" when aum >= 10 }\n";
  CHECK(run(decls, customer({{"aum", "100"}})) == R"({"id":"A","level":"rich","dropped":[]})");
  CHECK(run(decls, customer({{"aum", "10"}})) == R"({"id":"A","level":"middle","dropped":[]})");
  CHECK(run(decls, customer({{"aum", "9.99"}})) == "error: no tier of `level` matched");
  auto program = compile_text(rules(decls));
  REQUIRE(program);
  BatchCounts counts;
  CHECK(eval_batch(*program, customer({{"aum", "5"}}) + "\n" + customer({{"aum", "50"}}), InputFormat::jsonl, &counts) ==
        R"({"line":1,"key":"A","error":"no tier of `level` matched"})"
        "\n"
        R"({"id":"A","level":"middle","dropped":[]})");
  CHECK(counts.errors == 1);
}

TEST_CASE("eval: decisions and lets refer to each other in any order") {
  const char* decls =
      "let doubled = half * 4\n"
      "tiers level { high \"H\" when doubled >= 1000  low \"L\" otherwise }\n"
      "let half = aum / 2\n"
      "segments kind { big \"B\" when level == high  small \"S\" when level < high }\n"
      "output { n : number  k : list<string> }\n"
      "strategy s \"s\" when big in kind { n = doubled }\n";
  CHECK(run(decls, customer({{"aum", "500"}})) == R"({"id":"A","level":"high","kind":["big"],"n":1000,"k":[],"dropped":[]})");
  CHECK(run(decls, customer({{"aum", "499"}})) == R"({"id":"A","level":"low","kind":["small"],"n":null,"k":[],"dropped":[]})");
}

// ---- Segments -------------------------------------------------------------------------

TEST_CASE("eval: segments list every match in declaration order, with a primary when scored") {
  struct Case {
    const char* declarations;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"segments seg { a \"A\" when aum > 0  b \"B\" when aum > 5000  c \"C\" when age >= 40 }\n",
       R"({"id":"A","seg":["a","c"],"dropped":[]})"},  // no score anywhere: no seg_primary member
      {"segments seg { a \"A\" when aum < 0  b \"B\" when age < 0 }\n", R"({"id":"A","seg":[],"dropped":[]})"},
      {"segments seg { a \"A\" when aum > 0 score 1  b \"B\" when aum > 0 score 3  c \"C\" when aum > 0 score 2 }\n",
       R"({"id":"A","seg":["a","b","c"],"seg_primary":"b","dropped":[]})"},
      {"segments seg { a \"A\" when aum > 0 score 1  b \"B\" when aum > 0 score 1  c \"C\" when aum > 0 score 0.5 }\n",
       R"({"id":"A","seg":["a","b","c"],"seg_primary":"a","dropped":[]})"},  // a tie goes to the earlier row
      {"segments seg { a \"A\" when aum < 0 score 9  b \"B\" when aum > 0 score 2  c \"C\" when aum > 0 score 2 }\n",
       R"({"id":"A","seg":["b","c"],"seg_primary":"b","dropped":[]})"},  // an unmatched row's score does not count
      {"segments seg { a \"A\" when aum < 0 score 1  b \"B\" when aum < 0 }\n",
       R"({"id":"A","seg":[],"seg_primary":null,"dropped":[]})"},  // nothing matched: null
      {"segments seg { a \"A\" when aum > 0  b \"B\" when aum > 0 score 1 }\n",
       R"({"id":"A","seg":["a","b"],"seg_primary":"b","dropped":[]})"},  // an unscored row scores 0
      {"segments seg { a \"A\" when aum > 0 score 0  b \"B\" when aum > 0 }\n",
       R"({"id":"A","seg":["a","b"],"seg_primary":"a","dropped":[]})"},  // 0 against 0: the earlier row
      {"segments seg { a \"A\" when aum > 0 score -1  b \"B\" when aum > 0 }\n",
       R"({"id":"A","seg":["a","b"],"seg_primary":"b","dropped":[]})"},
      {"segments seg { a \"A\" when aum > 0 score share(age, aum)  b \"B\" when aum > 0 score 0.041 }\n",
       R"({"id":"A","seg":["a","b"],"seg_primary":"b","dropped":[]})"},  // 0.041 > 40/1000
      {"segments seg { a \"A\" when aum > 0 score share(age, aum)  b \"B\" when aum > 0 score 0.04 }\n",
       R"({"id":"A","seg":["a","b"],"seg_primary":"a","dropped":[]})"},  // 40/1000 == 0.04 exactly: a tie
      {"segments seg { a \"A\" when aum > 0 score -5  b \"B\" when aum < 0 }\n",
       R"({"id":"A","seg":["a"],"seg_primary":"a","dropped":[]})"},  // a lone match is primary whatever its score
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(c.declarations) == c.expected);
  }
}

TEST_CASE("eval: segment results and the primary are usable in rules") {
  const char* decls =
      "segments seg { a \"A\" when aum > 0 score 1  b \"B\" when age > 30 score 2 }\n"
      "output { has_a : bool  not_b : bool  main : string  n : number }\n"
      "strategy s \"s\" when true {\n"
      "  has_a = a in seg  not_b = b not in seg  n = count(seg)\n"
      "  main = if seg_primary == b then \"b\" else \"other\"\n"
      "}\n";
  CHECK(run(decls) == R"({"id":"A","seg":["a","b"],"seg_primary":"b","has_a":true,"not_b":false,"main":"b","n":2,"dropped":[]})");
  CHECK(run(decls, customer({{"age", "30"}})) ==
        R"({"id":"A","seg":["a"],"seg_primary":"a","has_a":true,"not_b":true,"main":"other","n":1,"dropped":[]})");
}

// ---- Outputs and strategies -------------------------------------------------------------

TEST_CASE("eval: outputs start at their default, null, or the empty list") {
  const char* decls =
      "catalog product { grade : number  p1 \"P1\" { grade: 1 } }\n"
      "output {\n"
      "  cadence : enum [yearly, monthly] = yearly\n"
      "  limit   : money = 1.50\n"
      "  flag    : bool = false\n"
      "  note    : string = \"无\"\n"
      "  advisor : string\n"
      "  count_  : int\n"
      "  due     : date\n"
      "  actions : list<string>\n"
      "  offers  : list<product>\n"
      "}\n";
  CHECK(run(decls) ==
        R"({"id":"A","cadence":"yearly","limit":1.5,"flag":false,"note":"无","advisor":null,"count_":null,"due":null,)"
        R"("actions":[],"offers":[],"dropped":[]})");
}

TEST_CASE("eval: strategies fire in file order and the first set of a scalar wins") {
  const char* decls =
      "output { cadence : enum [yearly, quarterly, monthly] = yearly  advisor : string  note : string }\n"
      "strategy first \"1\" when aum >= 500 { cadence = monthly }\n"
      "strategy second \"2\" when aum >= 100 { cadence = quarterly  advisor = \"shared\" }\n"
      "strategy third \"3\" when true { advisor = \"digital\"  note = \"seen\" }\n";
  struct Case {
    const char* aum;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {"1000", R"({"id":"A","cadence":"monthly","advisor":"shared","note":"seen","dropped":[]})"},
           {"200", R"({"id":"A","cadence":"quarterly","advisor":"shared","note":"seen","dropped":[]})"},
           {"50", R"({"id":"A","cadence":"yearly","advisor":"digital","note":"seen","dropped":[]})"},
       }) {
    INFO("aum: " << std::string(c.aum));
    CHECK(run(decls, customer({{"aum", c.aum}})) == c.expected);
  }
}

TEST_CASE("eval: a statement's own `when` and the first set within one strategy") {
  struct Case {
    const char* declarations;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"output { v : string }\nstrategy s \"s\" when true { v = \"a\" when aum > 5000  v = \"b\" }\n",
       R"({"id":"A","v":"b","dropped":[]})"},
      {"output { v : string }\nstrategy s \"s\" when true { v = \"a\" when aum < 5000  v = \"b\" }\n",
       R"({"id":"A","v":"a","dropped":[]})"},
      // A skipped statement does not claim the field for a later strategy.
      {"output { v : string }\nstrategy s \"s\" when true { v = \"a\" when vip }\nstrategy t \"t\" when true { v = \"b\" }\n",
       R"({"id":"A","v":"b","dropped":[]})"},
      // A strategy whose condition fails does not claim it either.
      {"output { v : string }\nstrategy s \"s\" when vip { v = \"a\" }\nstrategy t \"t\" when true { v = \"b\" }\n",
       R"({"id":"A","v":"b","dropped":[]})"},
      // Setting the default's own value still counts as set.
      {"output { v : enum [x, y] = x }\nstrategy s \"s\" when true { v = x }\nstrategy t \"t\" when true { v = y }\n",
       R"({"id":"A","v":"x","dropped":[]})"},
      {"output { v : number }\nstrategy s \"s\" when true { v = age when age > 50  v = aum when aum > 50 }\n",
       R"({"id":"A","v":1000,"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(c.declarations) == c.expected);
  }
}

TEST_CASE("eval: offer, action and += build lists in first-seen order without duplicates") {
  const char* catalog =
      "catalog product { risk : rating  p1 \"P1\" { risk: C }  p2 \"P2\" { risk: B }  p3 \"P3\" { risk: A }  gold \"G\" { risk: A } }\n";
  struct Case {
    const char* declarations;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"output { offers : list<product> }\n"
       "strategy a \"a\" when true { offer p2, p1 }\n"
       "strategy b \"b\" when true { offer p1, p3, p2 }\n",
       R"({"id":"A","offers":["p2","p1","p3"],"dropped":[]})"},
      {"output { offers : list<product> }\n"
       "strategy a \"a\" when true { offer p1 when vip  offer p2  offer p3 when not vip }\n",
       R"({"id":"A","offers":["p2","p3"],"dropped":[]})"},
      {"output { offers : list<product> }\nstrategy a \"a\" when true { offer product.gold, p1 }\n",
       R"({"id":"A","offers":["gold","p1"],"dropped":[]})"},
      {"output { offers : list<product> }\nstrategy a \"a\" when vip { offer p1 }\n", R"({"id":"A","offers":[],"dropped":[]})"},
      {"output { actions : list<string> }\n"
       "strategy a \"a\" when true { action \"call\"  action \"visit\" when aum > 5000  action \"mail\"  action \"call\" }\n"
       "strategy b \"b\" when true { action \"mail\"  action \"提醒\" }\n",
       R"({"id":"A","actions":["call","mail","提醒"],"dropped":[]})"},
      {"output { tags : list<string> }\n"
       "strategy a \"a\" when true { tags += \"one\"  tags += [\"two\", \"one\", \"three\"]  tags += \"two\" }\n",
       R"({"id":"A","tags":["one","two","three"],"dropped":[]})"},
      {"output { tags : list<string> }\nstrategy a \"a\" when true { tags += held  tags += \"x\" when vip  tags += [\"y\"] when not vip }\n",
       R"({"id":"A","tags":["card","y"],"dropped":[]})"},
      {"output { offers : list<product> }\nstrategy a \"a\" when true { offers += p3  offers += [p1, p3]  offer p2 }\n",
       R"({"id":"A","offers":["p3","p1","p2"],"dropped":[]})"},
      {"output { ns : list<number> }\nstrategy a \"a\" when true { ns += 1.50  ns += [1.5, 2, aum] }\n",
       R"({"id":"A","ns":[1.5,2,1000],"dropped":[]})"},
      {"output { ds : list<rating> }\nstrategy a \"a\" when true { ds += credit  ds += [C, BBB] }\n",
       R"({"id":"A","ds":["BBB","C"],"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(std::string(catalog) + c.declarations) == c.expected);
  }
}

// ---- Constraints ------------------------------------------------------------------------

TEST_CASE("eval: constraints drop items by their first matching row, reported in list order") {
  const char* base =
      "catalog product { risk : rating  min_aum : money = 0\n"
      "  p1 \"P1\" { risk: C }  p2 \"P2\" { risk: A }  p3 \"P3\" { risk: B, min_aum: 5000 }  p4 \"P4\" { risk: AAA, min_aum: 5000 }\n"
      "}\n"
      "output { offers : list<product>  actions : list<string> }\n"
      "strategy s \"s\" when true { offer p4, p1, p3, p2  action \"call\" }\n";
  struct Case {
    const char* constraints;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"", R"({"id":"A","offers":["p4","p1","p3","p2"],"actions":["call"],"dropped":[]})"},
      {"constraint fit \"F\" on offers as p {\n"
       "  drop when p.risk > credit reason \"risk\"\n"
       "  drop when aum < p.min_aum reason \"min_aum\"\n"
       "}\n",
       R"({"id":"A","offers":["p1"],"actions":["call"],"dropped":[)"
       R"({"list":"offers","item":"p4","constraint":"fit","reason":"risk"},)"
       R"({"list":"offers","item":"p3","constraint":"fit","reason":"min_aum"},)"
       R"({"list":"offers","item":"p2","constraint":"fit","reason":"risk"}]})"},
      // The same rows in the other order: p4 now goes for min_aum, as that row is tried first.
      {"constraint fit \"F\" on offers as p {\n"
       "  drop when aum < p.min_aum reason \"min_aum\"\n"
       "  drop when p.risk > credit reason \"risk\"\n"
       "}\n",
       R"({"id":"A","offers":["p1"],"actions":["call"],"dropped":[)"
       R"({"list":"offers","item":"p4","constraint":"fit","reason":"min_aum"},)"
       R"({"list":"offers","item":"p3","constraint":"fit","reason":"min_aum"},)"
       R"({"list":"offers","item":"p2","constraint":"fit","reason":"risk"}]})"},
      // Two constraints: the second sees only what the first kept.
      {"constraint money \"M\" on offers as p { drop when aum < p.min_aum reason \"min_aum\" }\n"
       "constraint risky \"R\" on offers as q { drop when rank(q.risk) > rank(credit) reason \"risk\"  drop when true reason \"all\" }\n",
       R"({"id":"A","offers":[],"actions":["call"],"dropped":[)"
       R"({"list":"offers","item":"p4","constraint":"money","reason":"min_aum"},)"
       R"({"list":"offers","item":"p3","constraint":"money","reason":"min_aum"},)"
       R"({"list":"offers","item":"p1","constraint":"risky","reason":"all"},)"
       R"({"list":"offers","item":"p2","constraint":"risky","reason":"risk"}]})"},
      // A constraint on a list of strings.
      {"constraint quiet \"Q\" on actions as a { drop when a == \"call\" and not vip reason \"opted out\" }\n",
       R"({"id":"A","offers":["p4","p1","p3","p2"],"actions":[],"dropped":[)"
       R"({"list":"actions","item":"call","constraint":"quiet","reason":"opted out"}]})"},
      {"constraint none \"N\" on offers as p { drop when p.risk > AAA reason \"never\" }\n",
       R"({"id":"A","offers":["p4","p1","p3","p2"],"actions":["call"],"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("constraints: " << std::string(c.constraints));
    CHECK(run(std::string(base) + c.constraints) == c.expected);
  }
}

// ---- Nulls ------------------------------------------------------------------------------

TEST_CASE("eval: ?? and is null / is not null") {
  struct Case {
    const char* occupation;
    const char* type;
    const char* expression;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"null", "string", "occupation ?? \"none\"", "\"none\""},
      {"\"banker\"", "string", "occupation ?? \"none\"", "\"banker\""},
      {"", "string", "occupation ?? \"none\"", "\"none\""},  // absent is null too
      {"\"\"", "string", "occupation ?? \"none\"", "\"\""},  // the empty string is not null
      {"null", "bool", "occupation is null", "true"},
      {"null", "bool", "occupation is not null", "false"},
      {"\"x\"", "bool", "occupation is null", "false"},
      {"\"x\"", "bool", "occupation is not null", "true"},
      {"null", "bool", "occupation == \"x\"", "false"},
      {"null", "bool", "occupation != \"x\"", "true"},
      {"\"x\"", "bool", "occupation == \"x\"", "true"},
      {"null", "string", "occupation", "null"},
      {"null", "string", "if occupation is null then \"unknown\" else occupation", "\"unknown\""},
      {"\"clerk\"", "string", "if occupation is null then \"unknown\" else occupation", "\"clerk\""},
      {"null", "bool", "starts_with(occupation ?? \"\", \"fin\")", "false"},
      {"\"finance\"", "bool", "starts_with(occupation ?? \"\", \"fin\")", "true"},
  };
  for (const auto& c : cases) {
    INFO("occupation: " << std::string(c.occupation));
    INFO("expression: " << std::string(c.expression));
    CHECK(value_of(c.type, c.expression, customer({{"occupation", c.occupation}})) == c.expected);
  }
}

TEST_CASE("eval: a null test guards the use of a T? value") {
  struct Case {
    const char* expression;
    const char* occupation;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"occupation is not null and starts_with(occupation, \"fin\")", "null", "false"},
      {"occupation is not null and starts_with(occupation, \"fin\")", "\"finance\"", "true"},
      {"occupation is not null and starts_with(occupation, \"fin\")", "\"clerk\"", "false"},
      {"occupation is null or starts_with(occupation, \"fin\")", "null", "true"},
      {"occupation is null or contains(occupation, \"nan\")", "\"finance\"", "true"},
      {"if occupation is not null then contains(occupation, \"nan\") else false", "null", "false"},
      {"if occupation is null then false else contains(occupation, \"nan\")", "\"finance\"", "true"},
  };
  for (const auto& c : cases) {
    INFO("expression: " << std::string(c.expression));
    INFO("occupation: " << std::string(c.occupation));
    CHECK(value_of("bool", c.expression, customer({{"occupation", c.occupation}})) == c.expected);
  }
  // A strategy's condition guards its body.
  const char* guarded = "output { v : bool }\nstrategy s \"s\" when occupation is not null { v = starts_with(occupation, \"fin\") }\n";
  CHECK(run(guarded) == R"({"id":"A","v":null,"dropped":[]})");
  CHECK(run(guarded, customer({{"occupation", "\"finance\""}})) == R"({"id":"A","v":true,"dropped":[]})");
}

TEST_CASE("eval: without a guard a T? value is rejected before anything runs") {
  for (const char* expression : {"starts_with(occupation, \"fin\")", "contains(occupation, \"x\")",
                                 "occupation is null and starts_with(occupation, \"fin\")"}) {
    INFO("expression: " << std::string(expression));
    std::string text = rules(std::string("output { v : bool }\nstrategy s \"s\" when true { v = ") + expression + " }\n");
    Diagnostics diagnostics;
    CHECK_FALSE(compile_text(text, &diagnostics));
    REQUIRE(!diagnostics.empty());
    CHECK(diagnostics[0].code == "E0401");
    CHECK(diagnostics[0].message == "`occupation` may be null here");
  }
}

// ---- Conditionals and membership ----------------------------------------------------------

TEST_CASE("eval: if/then/else") {
  check_values({
      {"string", "if aum > 500 then \"rich\" else \"poor\"", "\"rich\""},
      {"string", "if aum > 5000 then \"rich\" else \"poor\"", "\"poor\""},
      {"string", "if aum > 5000 then \"a\" else if aum > 500 then \"b\" else \"c\"", "\"b\""},
      {"number", "if vip then 1 else 2", "2"},
      {"number", "(if vip then 1 else 2) + 10", "12"},
      {"number", "if not vip then aum / 4 else 0", "250"},
      {"rating", "if aum > 500 then AA else C", "\"AA\""},
      {"date", "if vip then as_of else opened", "\"2020-02-29\""},
      {"bool", "if credit >= BBB then aum >= 1000 else false", "true"},
  });
}

TEST_CASE("eval: in and not in with list literals and list fields") {
  struct Case {
    const char* held;
    const char* expression;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {R"(["card"])", "credit in [BBB, A]", "true"},
      {R"(["card"])", "credit in [A, AA]", "false"},
      {R"(["card"])", "credit not in [A, AA]", "true"},
      {R"(["card"])", "credit not in [BBB]", "false"},
      {R"(["card"])", "age in [30, 40, 50]", "true"},
      {R"(["card"])", "aum in [999.99, 1000.00]", "true"},
      {R"(["card"])", "\"card\" in held", "true"},
      {R"(["card"])", "\"loan\" in held", "false"},
      {R"(["card"])", "\"loan\" not in held", "true"},
      {R"([])", "\"card\" in held", "false"},
      {R"([])", "count(held) == 0", "true"},
      {R"(["a","b","a"])", "count(held)", "2"},  // list values hold no duplicates
      {R"(["card","fund"])", "\"fund\" in held and \"card\" in held", "true"},
      {R"(["card"])", "opened in [2020-02-29]", "true"},
      {R"(["card"])", "name in [\"张三\", \"李四\"]", "true"},
  };
  for (const auto& c : cases) {
    INFO("expression: " << std::string(c.expression));
    INFO("held: " << std::string(c.held));
    std::string type = std::string(c.expected) == "2" ? "number" : "bool";
    CHECK(value_of(type, c.expression, customer({{"held", c.held}})) == c.expected);
  }
}

// ---- Names ------------------------------------------------------------------------------

TEST_CASE("eval: bare names resolve by context; qualified names always work") {
  const char* base =
      "tiers value_tier { gold \"G\" when aum >= 1000  silver \"S\" otherwise }\n"
      "catalog product { risk : rating  gold \"金\" { risk: A }  silver \"银\" { risk: C } }\n";
  struct Case {
    const char* declarations;
    const char* aum;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"output { offers : list<product> }\nstrategy s \"s\" when value_tier == gold { offer gold }\n", "1000",
       R"({"id":"A","value_tier":"gold","offers":["gold"],"dropped":[]})"},
      {"output { offers : list<product> }\nstrategy s \"s\" when value_tier in [gold] { offer silver }\n", "1000",
       R"({"id":"A","value_tier":"gold","offers":["silver"],"dropped":[]})"},
      {"output { offers : list<product> }\nstrategy s \"s\" when value_tier == value_tier.silver { offer product.gold }\n", "999",
       R"({"id":"A","value_tier":"silver","offers":["gold"],"dropped":[]})"},
      {"let t = value_tier.gold\noutput { v : bool }\nstrategy s \"s\" when true { v = value_tier == t }\n", "1000",
       R"({"id":"A","value_tier":"gold","v":true,"dropped":[]})"},
      {"let p = product.gold\noutput { v : number }\nstrategy s \"s\" when true { v = rank(p.risk) }\n", "1000",
       R"({"id":"A","value_tier":"gold","v":5,"dropped":[]})"},
      {"output { v : rating }\nstrategy s \"s\" when true { v = product.silver.risk }\n", "1000",
       R"({"id":"A","value_tier":"gold","v":"C","dropped":[]})"},
      {"output { v : bool }\nstrategy s \"s\" when true { v = credit == rating.BBB }\n", "1000",
       R"({"id":"A","value_tier":"gold","v":true,"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(std::string(base) + c.declarations, customer({{"aum", c.aum}})) == c.expected);
  }
  // An ambiguous bare name is rejected, and the message asks for the qualified form.
  Diagnostics diagnostics;
  CHECK_FALSE(compile_text(rules(std::string(base) + "let x = gold\n"), &diagnostics));
  REQUIRE(!diagnostics.empty());
  CHECK(diagnostics[0].code == "E0202");
}

// ---- Choices recorded in docs/decisions.md ---------------------------------------------------

TEST_CASE("eval: enum values and catalog items compare with text by name; contains(list, x)") {
  check_values({
      {"bool", "credit == \"BBB\"", "true"},
      {"bool", "credit != \"BBB\"", "false"},
      {"bool", "credit == \"bbb\"", "false"},
      {"bool", "contains(held, \"card\")", "true"},
      {"bool", "contains(held, \"loan\")", "false"},
      {"number", "round(12345, -4)", "10000"},
      {"number", "round(15000, -4)", "20000"},
      {"number", "round(-15000, -4)", "-20000"},
  });
  const char* decls =
      "catalog product { risk : rating  card \"卡\" { risk: C }  fund \"基金\" { risk: C } }\n"
      "output { offers : list<product> }\n"
      "strategy s \"s\" when true { offer fund, card }\n"
      "constraint held_already \"已持有\" on offers as p { drop when p in held reason \"held\" }\n";
  CHECK(run(decls) == R"({"id":"A","offers":["fund"],"dropped":[{"list":"offers","item":"card","constraint":"held_already","reason":"held"}]})");
  CHECK(run(decls, customer({{"held", "[]"}})) == R"({"id":"A","offers":["fund","card"],"dropped":[]})");
}

TEST_CASE("eval: evaluation is eager for lets, short-circuits inside expressions") {
  struct Case {
    const char* declarations;
    const char* expected;
  };
  const std::vector<Case> cases = {
      // An unused let that fails still rejects the record.
      {"let unused = aum / bonus\n", "error: division by zero in `aum / bonus` (line 15)"},
      {"let safe = bonus > 0 and aum / bonus > 1\noutput { v : bool }\nstrategy s \"s\" when true { v = safe }\n",
       R"({"id":"A","v":false,"dropped":[]})"},
      {"let safe = bonus == 0 or aum / bonus > 1\noutput { v : bool }\nstrategy s \"s\" when true { v = safe }\n",
       R"({"id":"A","v":true,"dropped":[]})"},
  };
  for (const auto& c : cases) {
    INFO("declarations: " << std::string(c.declarations));
    CHECK(run(c.declarations) == c.expected);
  }
}

// ---- Printing -----------------------------------------------------------------------------

TEST_CASE("eval: values print as JSON: numbers without exponent or trailing zeros, strings escaped") {
  check_values({
      {"number", "1200000", "1200000"},
      {"number", "1200000.000", "1200000"},
      {"number", "0.5", "0.5"},
      {"number", "0.05", "0.05"},
      {"number", "-0.5", "-0.5"},
      {"number", "100", "100"},
      {"number", "1亿 * 1亿", "10000000000000000"},
      {"number", "12345678901234567890", "12345678901234567890"},
      {"number", "0.000000000000000001 * 1", "0.000000000000000001"},
      {"money", "10.10", "10.1"},
      {"money", "aum", "1000"},
      {"int", "age", "40"},
      {"string", "\"a\\\"b\\\\c\\nd\\te\"", R"("a\"b\\c\nd\te")"},
      {"string", "\"\\u{4E07}\"", R"("万")"},
      {"string", "\"a\\u{1}b\"", R"("a\u0001b")"},  // control characters are escaped
      {"number", "-0.0", "0"},                          // never a negative zero
      {"number", "round(-0.4, 0)", "0"},
      {"number", "aum * -0", "0"},
      {"number", "round(-0.000000000000000001, 2)", "0"},
      {"string", "name", R"("张三")"},  // pii is masked in messages, not in results
      {"bool", "true", "true"},
      {"date", "2025-06-01", "\"2025-06-01\""},
      {"rating", "credit", "\"BBB\""},
  });
}

TEST_CASE("eval: the key is printed as read, also for an int key") {
  const char* text =
      "ruleset t { version \"1\" }\n"
      "input row key n { n : int  aum : money }\n"
      "output { v : number }\n"
      "strategy s \"s\" when true { v = aum }\n";
  auto program = compile_text(text);
  REQUIRE(program);
  CHECK(eval_record(*program, R"({"n":7,"aum":1})") == R"({"n":7,"v":1,"dropped":[]})");
  CHECK(eval_record(*program, R"({"n":7.0,"aum":1})") == R"({"n":7,"v":1,"dropped":[]})");
}

}  // namespace
}  // namespace segrule
