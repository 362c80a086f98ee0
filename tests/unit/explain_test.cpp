// `explain`: human formatting of values, the structure of the account (checked
// against the evaluator's own Trace), failures, personal data, the JSON form,
// `eval --explain` lines and finding a record by its key.

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "explain/account.hpp"
#include "explain/human.hpp"
#include "explain/record_lookup.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using explain::Account;
using explain::Check;
using explain::CheckKind;
using explain::RowStatus;
using explain::StatementStatus;
using explain::Status;
using testing::compile_text;

Decimal dec(const char* text) {
  Decimal d;
  REQUIRE(Decimal::parse(text, d) == DecimalStatus::ok);
  return d;
}

std::string read_text(const std::string& path) {
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/" + path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::shared_ptr<Program> compile_file(const std::string& path) {
  auto program = compile_text(read_text(path));
  REQUIRE(program);
  return program;
}

// The input slots of one JSON record, as the CLI fills them.
std::vector<Value> slots_for(const Program& p, const std::string& record, const char* as_of = "2025-06-30") {
  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots[p.as_of_slot] = Value::of_date(*parse_date(as_of));
  RecordProblem problem;
  REQUIRE_MESSAGE(record_from_json(p, record, RecordLimits{}, outcome.slots, problem), problem.message);
  return outcome.slots;
}

Account account_for(const Program& p, const std::string& record, ExplainOptions options = {}) {
  return explain::build_account(p, slots_for(p, record), options);
}

// The text a check renders from, flattened: "aum=4,999,999.99 >= 500万 -> false".
std::string describe(const Check& c) {
  std::string right = c.right ? (c.right->constant ? c.right->expr : c.right->expr + "=" + c.right->text) : "";
  return c.left.expr + "=" + c.left.text + " " + c.op + " " + right + " -> " + (c.result ? "true" : "false");
}

const char* kC1 =
    R"({"id":"C1","age":52,"retired":false,"occupation":null,"opened":"2012-04-01","risk_level":"C3","credit_rating":"AA",)"
    R"("demand_deposits":100000,"time_deposits":3200000,"wealth_products":1000000,"investments":700000,"loans":0,)"
    R"("aum":5000000.00,"monthly_txn_count":4,"products_held":[]})";

std::string with_aum(std::string record, const std::string& aum) {
  size_t at = record.find("\"aum\":");
  size_t end = record.find(',', at);
  return record.replace(at, end - at, "\"aum\":" + aum);
}

TEST_CASE("human_number: exact digits, thousands separators, money with two decimals") {
  struct Case {
    const char* number;
    bool money;
    const char* shown;
  };
  const Case cases[] = {
      {"0", false, "0"},
      {"0", true, "0.00"},
      {"7", false, "7"},
      {"999", false, "999"},
      {"1000", false, "1,000"},
      {"-1000", false, "-1,000"},
      {"1234567.891", false, "1,234,567.891"},
      {"0.64", false, "0.64"},
      {"-0.5", false, "-0.5"},
      {"4999999.99", true, "4,999,999.99"},
      {"5000000.00", true, "5,000,000.00"},
      {"-1234.5", true, "-1,234.50"},
      {"-0.5", true, "-0.50"},
      {"100000", true, "100,000.00"},
      // Money is never rounded into a misleading figure: extra digits stay.
      {"4999999.995", true, "4,999,999.995"},
      {"0.001", true, "0.001"},
      {"99999999999999999999.999999999999999999", false, "99,999,999,999,999,999,999.999999999999999999"},
      {"-99999999999999999999", true, "-99,999,999,999,999,999,999.00"},
      {"0.000000000000000001", false, "0.000000000000000001"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.number);
    CHECK(human_number(dec(c.number), c.money) == c.shown);
  }
}

TEST_CASE("human_value: labels, lists, strings, dates, null") {
  auto p = compile_text(testing::with_prelude(R"(
enum grade [R1 "低风险", R2]
tiers band { top "顶级" when aum >= 100  rest otherwise }
)"));
  REQUIRE(p);
  uint32_t grade = kNone;
  for (uint32_t d = 0; d < p->domains.size(); ++d)
    if (p->domains[d].name == "grade") grade = d;
  REQUIRE(grade != kNone);
  Type g = Type::symbol(grade);
  CHECK(human_value(*p, g, Value::of_symbol(0)) == "R1 (低风险)");
  CHECK(human_value(*p, g, Value::of_symbol(1)) == "R2");
  Value list = Value::empty_list();
  list.items = {Value::of_symbol(1), Value::of_symbol(0)};
  CHECK(human_value(*p, Type::list_of(g), list) == "[R2, R1 (低风险)]");
  CHECK(human_value(*p, Type::list_of(g), Value::empty_list()) == "[]");
  CHECK(human_value(*p, Type::of(BaseType::string), Value::of_string("say \"hi\"")) == R"("say \"hi\"")");
  CHECK(human_value(*p, Type::of(BaseType::date), Value::of_date(*parse_date("2025-06-30"))) == "2025-06-30");
  CHECK(human_value(*p, Type::of(BaseType::money, true), Value{}) == "null");
  CHECK(human_value(*p, Type::of(BaseType::boolean), Value::of_bool(true)) == "true");
  CHECK(human_value(*p, Type::of(BaseType::money), Value::of_number(dec("1234.5"))) == "1,234.50");
  CHECK(human_value(*p, Type::of(BaseType::int_), Value::of_number(dec("12345"))) == "12,345");
}

TEST_CASE("one_line: comments dropped, blanks and line breaks folded, strings kept") {
  CHECK(one_line("aum >= 500万   # big\n    and credit >= BBB") == "aum >= 500万 and credit >= BBB");
  CHECK(one_line("  a  ==  \"x  # not a comment\"  ") == "a == \"x  # not a comment\"");
  CHECK(one_line(R"(name == "say \"hi\"  there")") == R"(name == "say \"hi\"  there")");
  CHECK(one_line("(a\r\n or b)") == "(a or b)");
  CHECK(one_line("") == "");
}

TEST_CASE("account of the spec's customer C1 (LANGUAGE.md §2)") {
  auto p = compile_file("rulesets/retail-2025.seg");
  Account a = account_for(*p, kC1);
  REQUIRE_FALSE(a.failure);
  CHECK(a.key->text == "C1");
  CHECK(a.result == testing::eval_record(*p, kC1));

  // Every let has its value, in file order.
  REQUIRE(a.lets.size() == 5);
  CHECK(p->lets[0].name == "time_share");
  CHECK(a.lets[0].status == Status::done);
  CHECK(a.lets[0].value.expr == "share(time_deposits, aum)");
  CHECK(a.lets[0].value.text == "0.64");
  REQUIRE(a.lets[0].uses.size() == 2);
  CHECK(a.lets[0].uses[0].expr == "time_deposits");
  CHECK(a.lets[0].uses[0].text == "3,200,000.00");

  // value_tier: the first row matched; the rest were not tried.
  const auto& tiers = a.decisions[0];
  REQUIRE(tiers.rows.size() == 5);
  CHECK(tiers.rows[0].status == RowStatus::matched);
  for (size_t r = 1; r < 5; ++r) CHECK(tiers.rows[r].status == RowStatus::not_tried);
  const Check& private_row = tiers.rows[0].condition;
  REQUIRE(private_row.kind == CheckKind::all);
  REQUIRE(private_row.parts.size() == 2);
  CHECK(describe(private_row.parts[0]) == "aum=5,000,000.00 >= 500万 -> true");
  CHECK(describe(private_row.parts[1]) == "credit_rating=AA >= BBB -> true");
  CHECK(tiers.result->text == "private (私人银行客户)");

  // customer_type: every row tried, savings the only match and the primary.
  const auto& segments = a.decisions[1];
  CHECK(segments.rows[0].status == RowStatus::matched);
  CHECK(segments.rows[0].score->text == "0.64");
  for (size_t r = 1; r < 5; ++r) CHECK(segments.rows[r].status == RowStatus::not_matched);
  // investment: `invest_share >= 30%` fails, so `risk_level >= C3` is not evaluated.
  CHECK(segments.rows[2].condition.parts[1].kind == CheckKind::not_evaluated);
  CHECK(segments.rows[2].condition.parts[1].expr == "risk_level >= C3");
  CHECK(segments.primary->text == "savings (储蓄型)");

  // private_banking fired and set both scalars and two offers.
  const auto& banking = a.strategies[0];
  CHECK(banking.condition.result);
  REQUIRE(banking.statements.size() == 3);
  for (const auto& st : banking.statements) CHECK(st.status == StatementStatus::applied);
  CHECK(banking.statements[2].verb == "offer");
  CHECK_FALSE(a.strategies[1].condition.result);

  // suitability dropped family_trust with row 1: rank 4 > rank 3.
  const auto& suitability = a.constraints[0];
  CHECK(suitability.checked == 6u);
  REQUIRE(suitability.dropped.size() == 1);
  CHECK(suitability.dropped[0].item.text == "family_trust (家族信托)");
  CHECK(suitability.dropped[0].row == 0);
  CHECK(describe(suitability.dropped[0].condition) == "rank(p.risk)=4 > rank(risk_level)=3 -> true");
  const auto& uses = suitability.dropped[0].condition.uses;
  REQUIRE(uses.size() == 2);
  CHECK(uses[0].expr + " = " + uses[0].text == "p.risk = R4");
  CHECK(uses[1].expr + " = " + uses[1].text == "risk_level = C3");
}

TEST_CASE("a threshold missed by one cent shows the exact amount and the row that matched instead") {
  auto p = compile_file("rulesets/retail-2025.seg");
  Account a = account_for(*p, with_aum(kC1, "4999999.99"));
  const auto& tiers = a.decisions[0];
  CHECK(tiers.rows[0].status == RowStatus::not_matched);
  CHECK(describe(tiers.rows[0].condition.parts[0]) == "aum=4,999,999.99 >= 500万 -> false");
  CHECK(tiers.rows[1].status == RowStatus::matched);
  CHECK(tiers.rows[2].status == RowStatus::not_tried);
  std::string text = explain::render_text(*p, a);
  CHECK(text.find("aum = 4,999,999.99, needs >= 500万 ✗\n      and credit_rating >= BBB: not evaluated\n") != std::string::npos);
  CHECK(text.find("→ value_tier = platinum (铂金客户)") != std::string::npos);
}

// The account's statuses must be the evaluator's: checked over records that
// reach every kind of row, strategy and statement in the seed policy.
TEST_CASE("the account agrees with the evaluator's Trace on every row, strategy and statement") {
  auto p = compile_file("rulesets/retail-2025.seg");
  std::string customers = read_text("tests/golden/explain/inputs/retail.jsonl");
  std::vector<std::string> records;
  for (size_t pos = 0; pos < customers.size();) {
    size_t end = customers.find('\n', pos);
    records.push_back(customers.substr(pos, end - pos));
    pos = end == std::string::npos ? customers.size() : end + 1;
  }
  records.push_back(with_aum(kC1, "150000"));
  records.push_back(with_aum(kC1, "50000"));
  for (const std::string& record : records) {
    CAPTURE(record);
    Outcome outcome;
    reset_outcome(*p, outcome);
    outcome.slots = slots_for(*p, record);
    Trace trace;
    EvalError error;
    REQUIRE(evaluate(*p, outcome, error, &trace));
    Account a = account_for(*p, record);
    for (size_t d = 0; d < p->decisions.size(); ++d) {
      for (size_t r = 0; r < p->decisions[d].rows.size(); ++r) {
        bool matched = a.decisions[d].rows[r].status == RowStatus::matched;
        if (p->decisions[d].is_tiers) CHECK(matched == (trace.tier_row[d] == r));
        else CHECK(matched == trace.segment_matched[d][r]);
      }
    }
    for (size_t s = 0; s < p->strategies.size(); ++s) {
      CHECK(a.strategies[s].condition.result == trace.strategy_fired[s]);
      for (size_t k = 0; k < a.strategies[s].statements.size(); ++k) {
        StatementStatus st = a.strategies[s].statements[k].status;
        CHECK((st == StatementStatus::applied) == trace.statement_applied[s][k]);
        CHECK((st == StatementStatus::overridden) == trace.statement_overridden[s][k]);
      }
    }
    size_t dropped = 0;
    for (const auto& c : a.constraints) dropped += c.dropped.size();
    CHECK(dropped == outcome.dropped.size());
  }
}

const char* kServiceRules = "tests/golden/explain/inputs/service.seg";

TEST_CASE("overridden assignments name the strategy that set the field first") {
  auto p = compile_file(kServiceRules);
  Account a = account_for(*p, R"({"id":"S1","name":"王大明","age":66,"aum":6000000,"loans":0,"credit":"BBB",)"
                              R"("opened":"2010-03-15","channels":["app"]})");
  const auto& senior_care = a.strategies[1];
  REQUIRE(senior_care.statements.size() == 4);
  const auto& advisor = senior_care.statements[0];
  CHECK(advisor.status == StatementStatus::overridden);
  CHECK(p->strategies[advisor.set_by].name == "premium");
  CHECK(advisor.current->text == "dedicated");
  CHECK(advisor.value->text == "shared");
  CHECK(senior_care.statements[2].status == StatementStatus::applied);   // action "senior_visit" when senior
  CHECK(senior_care.statements[3].status == StatementStatus::skipped);   // action "loan_review" when borrower in traits
  CHECK_FALSE(senior_care.statements[3].when->result);
  std::string text = explain::render_text(*p, a);
  CHECK(text.find("✗ set advisor = shared: overridden, already set to dedicated by premium (尊享服务)") != std::string::npos);
}

TEST_CASE("personal data is masked in every value that comes from it, unless asked") {
  auto p = compile_file(kServiceRules);
  std::string record = R"({"id":"S1","name":"王大明","phone":"13800001111","age":66,"aum":6000000,"loans":0,)"
                       R"("credit":"BBB","opened":"2010-03-15","channels":["app"]})";
  Account masked = account_for(*p, record);
  std::string text = explain::render_text(*p, masked);
  std::string json = explain::render_json(*p, masked, false);
  for (const std::string* out : {&text, &json}) {
    CHECK(out->find("大明") == std::string::npos);
    CHECK(out->find("13800001111") == std::string::npos);
  }
  CHECK(text.find("phone = 1**, needs a value (not null) ✓") != std::string::npos);
  CHECK(text.find("where name = 王**") != std::string::npos);
  // A yes/no computed from personal data is shown: the ✓ beside it tells the same.
  CHECK(text.find("starts_with(name, \"王\") = true ✓") != std::string::npos);
  CHECK(json.find(R"({"expr":"name","value":"王**","masked":true,"shown":"王**"})") != std::string::npos);

  Account clear = account_for(*p, record, ExplainOptions{true, false});
  text = explain::render_text(*p, clear);
  CHECK(text.find("phone = \"13800001111\", needs a value (not null) ✓") != std::string::npos);
  CHECK(text.find("where name = \"王大明\"") != std::string::npos);
}

TEST_CASE("a let derived from a pii field is masked too") {
  auto p = compile_text(testing::with_prelude(R"(
let shouted = name
let older   = age + 1
tiers band { everyone "全部" when shouted != "x" }
)"));
  REQUIRE(p);
  Account a = account_for(*p, R"({"id":"A","aum":1,"age":40,"name":"张三","credit":"B","opened":"2020-01-01","vip":false})");
  CHECK(a.lets[0].value.masked);
  CHECK(a.lets[0].value.text == "张**");
  CHECK_FALSE(a.lets[1].value.masked);
  CHECK(describe(a.decisions[0].rows[0].condition) == "shouted=张** != \"x\" -> true");
}

TEST_CASE("outputs filled from personal data are masked where explain shows them") {
  auto p = compile_text(testing::with_prelude(R"(
output { note : string?  actions : list<string> }
strategy a "A" when age > 0 { note = name  actions += name }
strategy b "B" when age > 1 { note = "x" }
constraint c "C" on actions as t { drop when t != "" reason "r" }
)"));
  REQUIRE(p);
  std::string text = explain_text(*p, slots_for(*p, R"({"id":"A","aum":1,"age":40,"name":"张三","credit":"B","opened":"2020-01-01","vip":false})"), {});
  std::string account = text.substr(0, text.find("\nresult\n"));
  CHECK(account.find("三") == std::string::npos);
  CHECK(account.find("→ set note = name = 张**") != std::string::npos);
  CHECK(account.find("overridden, already set to 张** by a (A)") != std::string::npos);
  CHECK(account.find("dropped 张** by row 1") != std::string::npos);
  CHECK(account.find("t = 张**, needs != \"\" ✓") != std::string::npos);
}

TEST_CASE("a record that fails is explained up to the failure, which is named") {
  auto p = compile_file(kServiceRules);
  SUBCASE("division by zero in a let") {
    Account a = account_for(*p, R"({"id":"S5","name":"孙八","age":50,"aum":120000,"loans":0,"credit":"A",)"
                                R"("opened":"2019-07-01","channels":[],"months":0})");
    REQUIRE(a.failure);
    CHECK_FALSE(a.failure->record);
    CHECK(a.failure->message == "division by zero in `aum / months` (line 26)");
    CHECK(a.failure->line == 26);
    CHECK(a.lets[0].status == Status::failed);
    CHECK(a.lets[1].status == Status::not_evaluated);
    CHECK(a.decisions[0].status == Status::not_evaluated);
    CHECK(a.strategies[0].status == Status::not_evaluated);
    CHECK(a.result.empty());
  }
  SUBCASE("division by zero inside a segment's condition") {
    Account a = account_for(*p, R"({"id":"S4","name":"钱七","age":29,"aum":0,"loans":1000,"credit":"BB",)"
                                R"("opened":"2023-01-01","channels":["app"]})");
    REQUIRE(a.failure);
    const auto& traits = a.decisions[1];
    CHECK(traits.status == Status::failed);
    CHECK(traits.rows[0].status == RowStatus::matched);
    CHECK(traits.rows[1].status == RowStatus::failed);
    const Check& c = traits.rows[1].condition;
    CHECK(c.failed);
    CHECK(c.parts[0].result);
    CHECK(c.parts[1].failed);
    CHECK(c.parts[1].error == "division by zero in `loans / aum` (line 38)");
    CHECK(traits.rows[2].status == RowStatus::not_tried);
    CHECK(a.failure->message == c.parts[1].error);
  }
  SUBCASE("no tier matched") {
    Account a = account_for(*p, R"({"id":"S3","name":"赵六","age":41,"aum":-100,"loans":0,"credit":"B",)"
                                R"("opened":"2024-05-01","channels":[]})");
    REQUIRE(a.failure);
    CHECK(a.failure->message == "no tier of `band` matched");
    for (const auto& row : a.decisions[0].rows) CHECK(row.status == RowStatus::not_matched);
    CHECK(a.decisions[0].error == "no tier of `band` matched");
    CHECK(a.decisions[1].status == Status::not_evaluated);
  }
}

TEST_CASE("a record error names the field and why") {
  auto p = compile_file("rulesets/retail-2025.seg");
  struct Case {
    const char* record;
    const char* field;  // "" when no single field is to blame
  };
  const Case cases[] = {
      {R"({"id":"C9","age":40})", "retired"},
      {R"({"id":"C9","age":40.5})", "age"},
      {R"({"id":"C9","age":40,"retired":false,"opened":"2024-02-30"})", "opened"},
      {R"({"id":"C9","age":40,"retired":false,"opened":"2024-02-01","risk_level":"C9"})", "risk_level"},
      {R"([1])", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.record);
    Outcome outcome;
    reset_outcome(*p, outcome);
    RecordProblem problem;
    REQUIRE_FALSE(record_from_json(*p, c.record, RecordLimits{}, outcome.slots, problem));
    Account a = explain::record_error_account(*p, problem, *parse_date("2025-06-30"));
    REQUIRE(a.failure);
    CHECK(a.failure->record);
    CHECK(a.failure->message == problem.message);
    std::string field = a.failure->field == kNone ? "" : p->inputs[a.failure->field].name;
    CHECK(field == c.field);
    auto json = nlohmann::json::parse(explain_record_error_json(*p, problem, *parse_date("2025-06-30"), {}));
    CHECK(json["error"]["kind"] == "record");
    CHECK(json["error"]["message"] == problem.message);
    if (*c.field) CHECK(json["error"]["field"] == c.field);
    else CHECK(json["error"]["field"].is_null());
    CHECK_FALSE(json.contains("lets"));
  }
}

TEST_CASE("comparisons read with the values first, whichever side they are on") {
  auto p = compile_text(testing::with_prelude(R"(
tiers band {
  a "A" when 500万 <= aum
  b "B" when not (credit in [AA, AAA]) and "card" in held
  c "C" when occupation is null or age > 200
  d "D" otherwise
}
)"));
  REQUIRE(p);
  std::string record = R"({"id":"X","aum":100,"age":40,"name":"n","credit":"B","opened":"2020-01-01","held":["card"],"vip":false})";
  std::string text = explain_text(*p, slots_for(*p, record), {});
  CHECK(text.find("      aum = 100.00, needs >= 500万 ✗\n") != std::string::npos);
  CHECK(text.find("      not (credit in [AA, AAA]) ✓\n          credit = B, needs in [AA, AAA] ✗\n") != std::string::npos);
  CHECK(text.find("      and held = [\"card\"], needs to include \"card\" ✓\n") != std::string::npos);
  CHECK(text.find("→ band = b (B)") != std::string::npos);
}

TEST_CASE("explain_json: the schema of docs/explain.md") {
  auto p = compile_file("rulesets/retail-2025.seg");
  auto j = nlohmann::json::parse(explain_json(*p, slots_for(*p, kC1), ExplainOptions{false, true}));
  CHECK(j["key"] == "C1");
  CHECK(j["as_of"] == "2025-06-30");
  CHECK(j["error"].is_null());
  CHECK(j["result"] == nlohmann::json::parse(testing::eval_record(*p, kC1)));
  CHECK(j["lets"][0]["name"] == "time_share");
  CHECK(j["lets"][0]["value"] == 0.64);
  CHECK(j["lets"][0]["shown"] == "0.64");
  const auto& tier = j["decisions"][0];
  CHECK(tier["kind"] == "tiers");
  CHECK(tier["result"] == "private");
  CHECK(tier["rows"][0]["status"] == "matched");
  CHECK(tier["rows"][1]["status"] == "not_tried");
  CHECK(tier["rows"][1]["condition"] == nlohmann::json::parse(R"({"kind":"not_evaluated","expr":"aum >= 100万"})"));
  CHECK(tier["rows"][4]["condition"] == nlohmann::json::parse(R"({"kind":"not_evaluated","expr":"otherwise"})"));
  const auto& first = tier["rows"][0]["condition"]["parts"][0];
  CHECK(first["kind"] == "compare");
  CHECK(first["op"] == ">=");
  CHECK(first["left"]["expr"] == "aum");
  CHECK(first["left"]["shown"] == "5,000,000.00");
  CHECK(first["right"]["expr"] == "500万");
  CHECK(first["right"]["constant"] == true);
  CHECK(j["decisions"][1]["primary"] == "savings");
  CHECK(j["strategies"][0]["status"] == "fired");
  CHECK(j["strategies"][0]["statements"][0]["status"] == "applied");
  CHECK(j["strategies"][1]["status"] == "not_fired");
  CHECK_FALSE(j["strategies"][1].contains("statements"));
  const auto& drop = j["constraints"][0]["dropped"][0];
  CHECK(drop["item"] == "family_trust");
  CHECK(drop["row"] == 1);
  CHECK(drop["reason"] == "risk");
  CHECK(j["constraints"][0]["checked"] == 6);
  // Without with_result, no `result` member: `eval --explain` has the result beside it.
  auto bare = nlohmann::json::parse(explain_json(*p, slots_for(*p, kC1), {}));
  CHECK_FALSE(bare.contains("result"));
}

TEST_CASE("eval --explain: `explain` is the last member of every line, results and errors") {
  auto p = compile_file(kServiceRules);
  std::string input = read_text("tests/golden/explain/inputs/service_three.jsonl");
  BatchOptions options;
  options.as_of = *parse_date("2025-06-30");
  options.explain = true;
  std::vector<std::string> lines;
  std::vector<bool> errors;
  run_batch(*p, input, options, [&](bool is_error, std::string_view text) {
    lines.emplace_back(text);
    errors.push_back(is_error);
  });
  REQUIRE(lines.size() == 3);
  CHECK_FALSE(errors[0]);
  CHECK(errors[1]);
  CHECK(errors[2]);
  for (const std::string& line : lines) {
    CHECK(nlohmann::json::parse(line).contains("explain"));
    CHECK(line.find(",\"explain\":{") != std::string::npos);
    CHECK(line.rfind("}}") == line.size() - 2);
  }
  CHECK(lines[0].find(R"("dropped":[{"list":"actions","item":"app_push","constraint":"quiet","reason":"channel"}],"explain":{"key":"S1")") !=
        std::string::npos);
  auto failed = nlohmann::json::parse(lines[1]);
  CHECK(failed["error"] == "division by zero in `loans / aum` (line 38)");
  CHECK(failed["explain"]["error"]["kind"] == "evaluation");
  CHECK(failed["explain"]["error"]["line"] == 38);
  auto rejected = nlohmann::json::parse(lines[2]);
  CHECK(rejected["explain"]["error"]["field"] == "age");

  // Off, the lines are exactly the plain results.
  options.explain = false;
  std::string plain;
  run_batch(*p, input, options, [&](bool, std::string_view text) { plain += std::string(text) + "\n"; });
  CHECK(plain.find("explain") == std::string::npos);
  CHECK(plain.find(lines[0].substr(0, lines[0].find(",\"explain\":")) + "}\n") == 0);
}

TEST_CASE("find_record: by key in JSON Lines, a JSON array and CSV") {
  auto p = compile_file(kServiceRules);
  Outcome outcome;
  reset_outcome(*p, outcome);
  SUBCASE("JSON Lines: first of duplicates, unreadable lines counted") {
    std::string input = "{\"id\":\"A\"}\n\n{not json}\n" + read_text("tests/golden/explain/inputs/service.jsonl");
    FoundRecord f = find_record(*p, input, InputFormat::jsonl, "S2", RecordLimits{}, outcome.slots);
    CHECK(f.found);
    CHECK(f.fits);
    CHECK(f.line == 5);
    CHECK(f.matches == 2);
    CHECK(f.unreadable == 1);
    CHECK(outcome.slots[p->inputs[p->input_index.at("name")].slot].text == "李四");
    FoundRecord missing = find_record(*p, input, InputFormat::jsonl, "S404", RecordLimits{}, outcome.slots);
    CHECK_FALSE(missing.found);
    FoundRecord bad = find_record(*p, input, InputFormat::jsonl, "A", RecordLimits{}, outcome.slots);
    CHECK(bad.found);
    CHECK_FALSE(bad.fits);
    CHECK(bad.problem.message == "missing required field `name`");
  }
  SUBCASE("JSON array, with a number key written as a number") {
    auto q = compile_text(R"(ruleset t { version "1" }
input c key n { n : int  aum : money }
tiers band { everyone "全部" otherwise }
)");
    REQUIRE(q);
    Outcome o;
    reset_outcome(*q, o);
    FoundRecord f = find_record(*q, "[\n{\"n\":1,\"aum\":5},\n{\"n\":22,\"aum\":7}\n]", InputFormat::json, "22", RecordLimits{}, o.slots);
    CHECK(f.found);
    CHECK(f.line == 3);
    CHECK(o.slots[q->inputs[1].slot].number == dec("7"));
  }
  SUBCASE("CSV") {
    std::string csv = "id,name,age,aum,loans,credit,opened,channels\n"
                      "K1,王五,30,100,0,A,2020-01-01,app;web\n"
                      "K2,李六,31,200,0,A,2020-01-01,\n";
    FoundRecord f = find_record(*p, csv, InputFormat::csv, "K2", RecordLimits{}, outcome.slots);
    CHECK(f.found);
    CHECK(f.fits);
    CHECK(f.line == 3);
    CHECK(outcome.slots[p->inputs[p->input_index.at("aum")].slot].number == dec("200"));
  }
}

}  // namespace
}  // namespace segrule
