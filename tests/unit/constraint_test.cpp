// Constraints whose drop rows each compare an attribute of the item with a
// value of the record (ItemTest, src/eval/eval_plan.hpp) are tested without the
// general path: they must drop exactly the items, with exactly the rows, that
// the general path drops, for every kind of attribute, both sides and every
// operator.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "support.hpp"

namespace segrule {
namespace {

constexpr const char* kRules = R"(
enum grade [G1, G2, G3, G4]
catalog product {
  risk  : rating
  floor : money = 0
  level : grade = G2
  p1 "一" { risk: B, level: G1 }
  p2 "二" { risk: AA, floor: 100万, level: G4 }
  p3 "三" { risk: BBB, floor: 20万 }
  p4 "四" { risk: C, floor: 0.01, level: G3 }
  p5 "五" { risk: AAA, floor: 500万, level: G4 }
  p6 "六" { risk: BB, floor: 200000 }
}
output {
  offers : list<product>
  extras : list<product>
}
strategy everything "全" when aum >= 0 {
  offers += [p1, p2, p3, p4, p5, p6]
  extras += [p6, p5, p4, p3, p2, p1]
}
constraint ranks "等" on offers as x {
  drop when rank(x.risk) > rank(credit) reason "risk"
  drop when rank(credit) == rank(x.risk) reason "same"
}
constraint amounts "额" on offers as x {
  drop when aum < x.floor reason "floor"
  drop when x.floor >= bonus reason "bonus"
  drop when x.floor != 200000 and false reason "never"
}
constraint amounts_each "额二" on extras as y {
  drop when y.floor <= bonus reason "le"
  drop when bonus > y.floor reason "gt"
  drop when y.floor == aum reason "eq"
  drop when aum != y.floor reason "ne"
}
constraint symbols "符" on extras as y {
  drop when y.risk == credit reason "risk"
  drop when credit < y.risk reason "lt"
  drop when y.level >= G4 reason "level"
  drop when G2 != y.level reason "ne"
}
)";

std::string record(testing::Random& random, int i) {
  static const char* kAmounts[] = {"0", "0.01", "200000", "200000.01", "1000000", "5000000", "199999.99", "7"};
  static const char* kRatings[] = {"C", "B", "BB", "BBB", "A", "AA", "AAA"};
  return "{\"id\":\"R" + std::to_string(i) + "\",\"aum\":" + kAmounts[random.below(8)] + ",\"age\":40,\"name\":\"n\"," +
         "\"occupation\":null,\"credit\":\"" + kRatings[random.below(7)] + "\",\"opened\":\"2020-01-01\",\"held\":[]," +
         "\"vip\":false,\"bonus\":" + kAmounts[random.below(8)] + "}";
}

TEST_CASE("constraints tested per item drop what the general path drops") {
  auto program = testing::compile_text(testing::with_prelude(kRules));
  REQUIRE(program);
  const Program& p = *program;
  Outcome outcome;
  EvalError error;
  testing::Random random{7};
  size_t dropped = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = record(random, i);
    REQUIRE(testing::load_record(p, text, outcome) == "");
    std::vector<Value> slots = outcome.slots;
    REQUIRE_MESSAGE(evaluate(p, outcome, error), error.message);
    // The general path: both lists as the strategy builds them, each
    // constraint in order, each item against each row with eval_node.
    std::vector<std::vector<uint32_t>> lists(p.outputs.size());
    lists[0] = {0, 1, 2, 3, 4, 5};
    lists[1] = {5, 4, 3, 2, 1, 0};
    std::vector<Dropped> expected;
    for (uint32_t c = 0; c < p.constraints.size(); ++c) {
      const Constraint& constraint = p.constraints[c];
      std::vector<uint32_t> kept;
      for (uint32_t item : lists[constraint.field]) {
        slots[constraint.local] = Value::of_symbol(item);
        uint32_t row = kNone;
        for (uint32_t r = 0; r < constraint.rows.size() && row == kNone; ++r)
          if (eval_node(p, constraint.rows[r].when, slots).boolean) row = r;
        if (row == kNone) {
          kept.push_back(item);
          continue;
        }
        Dropped& d = expected.emplace_back();
        d.field = constraint.field;
        d.item = Value::of_symbol(item);
        d.constraint = c;
        d.row = row;
      }
      lists[constraint.field] = kept;
    }
    INFO("record ", text);
    for (size_t field = 0; field < lists.size(); ++field) {
      std::vector<uint32_t> got;
      for (const Value& item : outcome.outputs[field].items) got.push_back(item.symbol);
      CHECK(got == lists[field]);
    }
    REQUIRE(outcome.dropped.size() == expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      CHECK(outcome.dropped[k].field == expected[k].field);
      CHECK(same_value(outcome.dropped[k].item, expected[k].item));
      CHECK(outcome.dropped[k].constraint == expected[k].constraint);
      CHECK(outcome.dropped[k].row == expected[k].row);
    }
    dropped += expected.size();
  }
  CHECK(dropped > 2000);
  // The constraints above are all ItemTests but `amounts`, whose third row is an `and`.
  const EvalPlan& plan = *outcome.plan;
  REQUIRE(plan.constraints.size() == 4);
  CHECK(plan.constraints[0].item_tests.size() == 2);
  CHECK(plan.constraints[1].item_tests.empty());
  CHECK(plan.constraints[2].item_tests.size() == 4);
  CHECK(plan.constraints[3].item_tests.size() == 4);
}

}  // namespace
}  // namespace segrule
