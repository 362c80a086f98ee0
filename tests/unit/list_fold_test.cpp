// The checker folds a list of constants (`offer a, b`, `x in [a, b]`) into one
// constant list itself, without the evaluator: keeping compile time linear in
// the size of the ruleset (bench/ruleset_scale.cpp). The folded list must be
// what evaluating it would give: items in order, no duplicates.

#include <doctest/doctest.h>

#include "support.hpp"

namespace segrule {
namespace {

const std::string kRules = testing::with_prelude(R"(enum grade [R1, R2]
tiers value_tier { gold "G" when aum >= 100  silver "S" otherwise }
catalog product { risk : grade  gold "金" { risk: R1 }  bond "债" { risk: R2 } }
output { offers : list<product> }
strategy care "维护" when value_tier in [gold, silver, gold] { offer bond, gold, bond }
)");

TEST_CASE("check: a list of constants is folded to one constant list, in order, without duplicates") {
  Diagnostics diagnostics;
  auto program = testing::compile_text(kRules, &diagnostics);
  REQUIRE(program);
  CHECK(diagnostics.empty());
  const Node& offered = program->nodes[program->strategies[0].statements[0].value];
  CHECK(offered.code == Code::constant);
  CHECK(offered.args.empty());
  REQUIRE(offered.constant.kind == ValueKind::list);
  REQUIRE(offered.constant.items.size() == 2);
  const Domain& products = program->domains[offered.type.domain];
  CHECK(products.ids[offered.constant.items[0].symbol] == "bond");
  CHECK(products.ids[offered.constant.items[1].symbol] == "gold");
  // The `in [...]` list of the condition is folded the same way.
  const Node& when = program->nodes[program->strategies[0].when];
  REQUIRE(when.args.size() == 2);
  const Node& tiers = program->nodes[when.args[1]];
  CHECK(tiers.code == Code::constant);
  CHECK(tiers.constant.items.size() == 2);
}

TEST_CASE("check: a folded offer list evaluates as written") {
  auto program = testing::compile_text(kRules);
  REQUIRE(program);
  std::string result = testing::eval_record(*program, R"({"id":"A1","aum":5,"age":30,"name":"客户","occupation":null,"credit":"A","opened":"2020-01-01","held":[],"vip":false})");
  CHECK(result.find(R"("offers":["bond","gold"])") != std::string::npos);
}

}  // namespace
}  // namespace segrule
