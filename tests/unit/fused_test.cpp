// The evaluator's one-step tests (FusedTest) against the general path: every
// comparison, membership, `and` and `or` a rule file holds gives the same answer both ways,
// on records generated around the constants they compare with.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "eval/record.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::with_prelude;

constexpr const char* kRules = R"(
let debt = bonus * 2
let floor = if aum > 0 then BB else B
let picks = if aum > bonus then [B, BB, AAA] else [A]
tiers band {
  top  "顶" when aum >= 500万 and credit >= BBB
  high "高" when 100万 <= aum
  mid  "中" when aum > bonus
  low  "低" otherwise
}
segments kind {
  rich   "富" when aum >= 20万 and credit in [A, AA, AAA]   score aum
  rated  "评" when credit not in [C, B]
  young  "青" when age < 30 or age == 45
  owing  "欠" when debt != 0 and 0 < bonus
}
catalog product {
  risk  : rating
  floor : money = 0
  p1 "一" { risk: B }
  p2 "二" { risk: AA, floor: 100万 }
  p3 "三" { risk: BBB, floor: 20万 }
}
output {
  level  : enum [one, two, three] = one
  note   : list<string>
  offers : list<product>
}
constraint fit "适" on offers as x {
  drop when rank(x.risk) > rank(credit) reason "risk"
  drop when aum < x.floor reason "floor"
  drop when x.risk == credit and rank(credit) >= 5 reason "same"
  drop when x.risk != B and x.floor >= bonus reason "other"
}
strategy s1 "一" when band >= high and band != top { level = two }
strategy s2 "二" when band < mid or band == top { level = three }
strategy s3 "三" when rich in kind and kind_primary == rich { note += "rich" }
strategy s4 "四" when credit <= BB and band in [low, mid] { note += "low" }
strategy s5 "五" when aum <= bonus or credit > AA { note += "edge" }
strategy s6 "六" when credit >= floor and floor != credit { note += "floor" }
strategy s7 "七" when aum >= 0 { offer p1, p2, p3 }
strategy s8 "八" when young not in kind or (kind_primary is not null and kind_primary in kind) { note += "kinds" }
strategy s9 "九" when credit in picks { note += "picked" }
strategy s10 "十" when "gold" in held or "fund" not in held { note += "held" }
)";

// Deterministic records whose amounts often sit exactly on the constants above.
std::string record(testing::Random& random, int i) {
  auto next = [&random](size_t n) { return random.below(n); };
  static const char* kAmounts[] = {"0", "0.01", "200000", "199999.99", "1000000", "999999.99", "5000000", "5000000.01", "123.45"};
  static const char* kRatings[] = {"C", "B", "BB", "BBB", "A", "AA", "AAA"};
  static const char* kHeld[] = {"[]", "[\"gold\"]", "[\"fund\",\"gold\"]", "[\"fund\"]"};
  const char* aum = kAmounts[next(9)];
  const char* bonus = next(3) == 0 ? aum : kAmounts[next(9)];  // equal amounts: the `<=` / `>` edges
  return "{\"id\":\"R" + std::to_string(i) + "\",\"aum\":" + aum + ",\"age\":" + std::to_string(20 + next(40)) +
         ",\"name\":\"n\",\"occupation\":null,\"credit\":\"" + kRatings[next(7)] +
         "\",\"opened\":\"2020-01-01\",\"held\":" + kHeld[next(4)] + ",\"vip\":false,\"bonus\":" + bonus + "}";
}

TEST_CASE("fused tests answer as the general path does") {
  auto program = compile_text(with_prelude(kRules));
  REQUIRE(program);
  const Program& p = *program;
  Outcome outcome;
  EvalError error;
  testing::Random random{42};
  size_t fused_nodes = 0;
  bool seen_kind[11] = {};
  bool seen_from[5] = {};
  for (int i = 0; i < 3000; ++i) {
    std::string text = record(random, i);
    REQUIRE(testing::load_record(p, text, outcome) == "");
    REQUIRE_MESSAGE(evaluate(p, outcome, error), error.message);
    fused_nodes = 0;
    for (uint32_t node = 0; node < p.nodes.size(); ++node) {
      Code code = p.nodes[node].code;
      bool comparison = code == Code::eq || code == Code::ne || code == Code::lt || code == Code::le || code == Code::gt ||
                        code == Code::ge || code == Code::in || code == Code::not_in || code == Code::and_ || code == Code::or_;
      if (!comparison) continue;
      if (outcome.plan->fused_at[node] != kNone) {
        const FusedTest& f = outcome.plan->fused[outcome.plan->fused_at[node]];
        ++fused_nodes;
        seen_kind[static_cast<int>(f.kind)] = true;
        bool compound = f.kind == FusedTest::Kind::all_of || f.kind == FusedTest::Kind::any_of;  // no operands of its own
        if (!compound) seen_from[static_cast<int>(f.left.from)] = true;
        if (f.kind < FusedTest::Kind::symbol_in_set || f.kind == FusedTest::Kind::ranks) seen_from[static_cast<int>(f.right.from)] = true;
      }
      bool general = eval_node(p, node, outcome.slots).boolean;  // no fused tests there
      bool fused = eval_condition(p, node, outcome);
      INFO("record ", text, ", node ", node);
      CHECK(general == fused);
    }
  }
  // The file above must reach every kind, or this test would not test them.
  CHECK(fused_nodes >= 20);
  for (int k = 0; k < 11; ++k) CHECK_MESSAGE(seen_kind[k], "no one-step test of kind ", k);
  for (int k = 0; k < 5; ++k) CHECK_MESSAGE(seen_from[k], "no operand read from kind ", k);
}

// The plan's conditions (decision rows, whens, drop rows) as evaluate() tests
// them, with the commonest shapes as one compare against a bound, answer as
// the general path does, for every operator on numbers and symbols.
TEST_CASE("the plan's conditions answer as the general path does") {
  auto program = compile_text(with_prelude(kRules));
  REQUIRE(program);
  const Program& p = *program;
  Outcome outcome;
  EvalError error;
  testing::Random random{43};
  bool seen_op[9] = {};
  size_t tested = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = record(random, i);
    REQUIRE(testing::load_record(p, text, outcome) == "");
    REQUIRE_MESSAGE(evaluate(p, outcome, error), error.message);
    const EvalPlan& plan = *outcome.plan;
    std::vector<const Condition*> conditions;
    for (const auto& rows : plan.rows)
      for (const RowPlan& row : rows) conditions.push_back(&row.when);
    for (const StrategyPlan& strategy : plan.strategies) conditions.push_back(&strategy.when);
    for (const StatementPlan& st : plan.statements) conditions.push_back(&st.when);
    for (const ConstraintPlan& constraint : plan.constraints)
      for (const Condition& row : constraint.rows) conditions.push_back(&row);
    for (const Condition* c : conditions) {
      if (c->node == kNone) continue;
      seen_op[static_cast<int>(c->op)] = true;
      for (uint32_t k = 0; k < c->part_count; ++k) seen_op[static_cast<int>(c->parts[k].op)] = true;
      // Drop rows read the constraint's item: each catalog item in turn.
      for (uint32_t item = 0; item < 3; ++item) {
        for (const Constraint& constraint : p.constraints) outcome.slots[constraint.local] = Value::of_symbol(item);
        INFO("record ", text, ", node ", c->node);
        CHECK(eval_node(p, c->node, outcome.slots).boolean == eval_condition(p, *c, outcome));
        ++tested;
      }
    }
  }
  CHECK(tested > 100000);
  using Op = Condition::Op;
  for (Op op : {Op::number_less, Op::number_equal, Op::symbol_less, Op::symbol_equal, Op::all_of, Op::any_of, Op::fused, Op::general})
    CHECK_MESSAGE(seen_op[static_cast<int>(op)], "no condition of op ", static_cast<int>(op));
}

}  // namespace
}  // namespace segrule

namespace segrule {
namespace {

// Lets that are one number operation are computed directly (StepPlan::Kind::direct_let): the
// same values, and the same errors, as the general path.
TEST_CASE("direct lets compute what the general path computes") {
  auto program = testing::compile_text(testing::with_prelude(R"(
let total = aum + bonus
let gap = aum - bonus
let product = aum * bonus
let ratio = aum / bonus
let part = share(bonus, aum)
let years = age * age
let nested = share(bonus, aum + 1)
let bounded = bonus / max(aum, 1)
tiers band {
  every "全" otherwise
}
)"));
  REQUIRE(program);
  const Program& p = *program;
  Outcome outcome;
  EvalError error;
  static const char* kAmounts[] = {"0", "0.01", "200000", "1.5", "99999999999999999999", "123.45", "7"};
  int direct = 0, errors = 0;
  for (const char* aum : kAmounts)
    for (const char* bonus : kAmounts) {
      std::string text = std::string("{\"id\":\"R\",\"aum\":") + aum + ",\"age\":40,\"name\":\"n\",\"occupation\":null,\"credit\":\"A\"," +
                         "\"opened\":\"2020-01-01\",\"held\":[],\"vip\":false,\"bonus\":" + bonus + "}";
      REQUIRE(testing::load_record(p, text, outcome) == "");
      std::vector<Value> inputs = outcome.slots;
      bool ok = evaluate(p, outcome, error);
      // The general path, let by let on the same inputs, up to the first error.
      std::string general_error;
      for (const Let& let : p.lets) {
        try {
          inputs[let.slot] = eval_node(p, let.value, inputs);
        } catch (EvalError& e) {
          general_error = e.message;
          break;
        }
      }
      INFO("record ", text);
      REQUIRE(ok == general_error.empty());
      if (!ok) CHECK(error.message == general_error);
      for (const Let& let : p.lets) {
        INFO("let ", let.name);
        if (ok) CHECK(same_value(outcome.slots[let.slot], inputs[let.slot]));
      }
      errors += !ok;
    }
  for (const StepPlan& step : outcome.plan->steps) direct += step.kind == StepPlan::Kind::direct_let || step.kind == StepPlan::Kind::share_of_slots;
  CHECK(direct == 8);
  CHECK(errors > 0);   // division by zero and overflow are reached
}

}  // namespace
}  // namespace segrule
