// Strategies indexed by their guard (StrategyGuards): a strategy is tested
// only when the tier or segment row its `when` needs matched, and that must
// never change which strategies fire, nor hide an error a `when` raises.

#include <doctest/doctest.h>

#include <string>

#include "eval/evaluator.hpp"
#include "eval/record.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::with_prelude;

constexpr const char* kRules = R"(
tiers band {
  top  "顶" when aum >= 500万
  high "高" when aum >= 100万
  mid  "中" when aum >= 20万
  low  "低" otherwise
}
segments kind {
  rich  "富" when aum >= 20万 and credit >= A
  young "青" when age < 30
  owing "欠" when bonus > 0
}
output {
  level : enum [one, two, three] = one
  note  : list<string>
}
strategy g1 "一" when band == top { level = three }
strategy g2 "二" when high == band { level = two }
strategy g3 "三" when band in [mid, low] { note += "mid-low" }
strategy g4 "四" when rich in kind { note += "rich" }
strategy g5 "五" when young in kind and credit <= BB { note += "young" }
strategy g6 "六" when credit >= A and owing in kind { note += "owing" }
strategy u1 "七" when young not in kind { note += "not-young" }
strategy u2 "八" when band != low { note += "not-low" }
strategy u3 "九" when aum > bonus * 2 and band == mid { note += "after-arithmetic" }
strategy u4 "十" when band == top or rich in kind { note += "either" }
strategy u5 "十一" when vip { note += "vip" }
strategy g8 "十二" when band >= high { note += "high-up" }
strategy g9 "十三" when mid > band { note += "below-mid" }
)";

std::string record(testing::Random& random, int i) {
  static const char* kAmounts[] = {"0", "200000", "199999.99", "1000000", "5000000", "123.45"};
  static const char* kRatings[] = {"C", "B", "BB", "BBB", "A", "AA", "AAA"};
  return "{\"id\":\"R" + std::to_string(i) + "\",\"aum\":" + kAmounts[random.below(6)] + ",\"age\":" +
         std::to_string(20 + random.below(30)) + ",\"name\":\"n\",\"occupation\":null,\"credit\":\"" + kRatings[random.below(7)] +
         "\",\"opened\":\"2020-01-01\",\"held\":[],\"vip\":" + (random.one_in(2) ? "true" : "false") +
         ",\"bonus\":" + kAmounts[random.below(6)] + "}";
}

// The plan's per-row lists, as plain vectors to compare with.
std::vector<std::vector<uint32_t>> as_lists(const PlanVector<PlanVector<uint32_t>>& rows) {
  std::vector<std::vector<uint32_t>> lists;
  for (const auto& row : rows) lists.emplace_back(row.begin(), row.end());
  return lists;
}

TEST_CASE("strategy guards: each tier or segment guard is found, and nothing else is taken for one") {
  auto program = compile_text(with_prelude(kRules));
  REQUIRE(program);
  Outcome outcome;
  reset_outcome(*program, outcome);
  EvalError error;
  REQUIRE(evaluate(*program, outcome, error));  // builds the index (the empty record is not read)
  const StrategyGuards& guards = outcome.plan->guards;
  // g1..g6, g8, g9 are guarded, and so is u2 (`band != low`: every row but one);
  // u1, u3, u4, u5 (strategies 6, 8, 9, 10) are not: a negated membership, a
  // guard after arithmetic that may fail, an `or`, no guard.
  CHECK(guards.unguarded[0] == 0b11101000000u);
  REQUIRE(guards.decisions.size() == 2);
  const StrategyGuards::ByRow& band = guards.decisions[0].decision == 0 ? guards.decisions[0] : guards.decisions[1];
  const StrategyGuards::ByRow& kind = guards.decisions[0].decision == 0 ? guards.decisions[1] : guards.decisions[0];
  // Rows top, high, mid, low; a higher tier is an earlier row.
  CHECK(as_lists(band.strategies) == std::vector<std::vector<uint32_t>>{{0, 7, 11}, {1, 7, 11}, {2, 7}, {2, 12}});
  CHECK(as_lists(kind.strategies) == std::vector<std::vector<uint32_t>>{{3}, {4}, {5}});
}

// Evaluates `count` generated records and checks that each strategy fired
// exactly when its `when` holds on the general path (no index); returns how
// many times a strategy fired.
int fired_as_general_path(const Program& p, uint64_t seed, int count) {
  Outcome outcome;
  EvalError error;
  Trace trace;
  testing::Random random{seed};
  int fired = 0;
  for (int i = 0; i < count; ++i) {
    std::string text = record(random, i);
    REQUIRE(testing::load_record(p, text, outcome) == "");
    REQUIRE_MESSAGE(evaluate(p, outcome, error, &trace), error.message);
    for (size_t s = 0; s < p.strategies.size(); ++s) {
      bool holds = eval_node(p, p.strategies[s].when, outcome.slots).boolean;
      INFO("record ", text, ", strategy ", p.strategies[s].name);
      CHECK(trace.strategy_fired[s] == holds);
      fired += holds;
    }
  }
  return fired;
}

TEST_CASE("strategy guards: the strategies that fire are exactly those whose when holds") {
  auto program = compile_text(with_prelude(kRules));
  REQUIRE(program);
  int fired = fired_as_general_path(*program, 7, 2000);
  CHECK(fired > 1000);
  CHECK(fired < 2000 * static_cast<int>(program->strategies.size()) - 1000);  // and skipped often
}

TEST_CASE("strategy guards: a when that fails still fails when its guard does not hold") {
  // The division comes first, so the record is an error whatever its tier.
  auto program = compile_text(with_prelude(R"(
tiers band {
  top "顶" when aum >= 500万
  low "低" otherwise
}
output { level : enum [one, two] = one }
strategy s "一" when 100 / bonus > 1 and band == top { level = two }
)"));
  REQUIRE(program);
  std::string result = testing::eval_record(*program, R"({"id":"A","aum":10,"age":30,"name":"n","occupation":null,"credit":"A",)"
                                                      R"("opened":"2020-01-01","held":[],"vip":false,"bonus":0})");
  CHECK(result.find("division by zero") != std::string::npos);
}

}  // namespace
}  // namespace segrule

namespace segrule {
namespace {

// Past StrategyGuards::kMaskWords * 64 strategies the rows keep lists instead of bitmaps.
TEST_CASE("strategy guards: many strategies, by list rather than bitmap") {
  std::string rules = R"(
tiers band {
  top  "顶" when aum >= 500万
  high "高" when aum >= 100万
  mid  "中" when aum >= 20万
  low  "低" otherwise
}
output { note : list<string> }
)";
  static const char* kRows[] = {"top", "high", "mid", "low"};
  for (int s = 0; s < 300; ++s)
    rules += "strategy s" + std::to_string(s) + " \"策\" when band " + (s % 3 == 0 ? ">=" : "==") + " " + kRows[s % 4] +
             " { note += \"n" + std::to_string(s) + "\" }\n";
  auto program = compile_text(with_prelude(rules));
  REQUIRE(program);
  CHECK(fired_as_general_path(*program, 11, 200) > 0);
  const EvalPlan& plan = eval_plan(*program);
  REQUIRE(plan.guards.decisions.size() == 1);
  CHECK(plan.guards.decisions[0].masks.empty());
  CHECK(plan.guards.unguarded[0] == 0);
}

}  // namespace
}  // namespace segrule
