// Inputs at and past the limits get a clear error and the batch goes on.
#include <doctest/doctest.h>

#include "support.hpp"

using namespace segrule;
using namespace segrule::testing;

namespace {
const char* kRules = R"(ruleset t { version "1" }
input customer key id { id : string  note : string?  aum : money }
tiers tier { high when aum >= 100 low otherwise }
)";
}

TEST_CASE("limits: a 10 MB record line is one error entry, and the next record is still evaluated") {
  auto program = compile_text(kRules);
  REQUIRE(program);
  std::string big = R"({"id":"A","aum":1,"note":")" + std::string(10u << 20, 'x') + "\"}";
  std::string input = big + "\n" + R"({"id":"B","aum":200})" + "\n";
  BatchCounts counts;
  std::string out = eval_batch(*program, input, InputFormat::jsonl, &counts);
  CHECK(counts.read == 2);
  CHECK(counts.errors == 1);
  CHECK(counts.results == 1);
  CHECK(out == "{\"line\":1,\"key\":\"A\",\"error\":\"record is 10485788 bytes, more than the limit of 1048576 bytes\"}\n"
               "{\"id\":\"B\",\"tier\":\"high\",\"dropped\":[]}");
}

TEST_CASE("limits: a record at the size limit is read") {
  auto program = compile_text(kRules);
  REQUIRE(program);
  std::string head = R"({"id":"A","aum":1,"note":")";
  std::string record = head + std::string((1u << 20) - head.size() - 2, 'x') + "\"}";
  REQUIRE(record.size() == (1u << 20));
  CHECK(eval_record(*program, record) == "{\"id\":\"A\",\"tier\":\"low\",\"dropped\":[]}");
}

TEST_CASE("limits: records nested past the depth limit are rejected, not recursed into") {
  auto program = compile_text(kRules);
  REQUIRE(program);
  std::string deep = R"({"id":"A","aum":1,"extra":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(eval_record(*program, deep).rfind("error: malformed JSON", 0) == 0);
}

TEST_CASE("limits: 10,000 nested parentheses in a rule file are a depth error") {
  std::string rules = std::string(kRules) + "let x = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n";
  CHECK(diagnostic_codes(rules) == "E0007");
}

TEST_CASE("limits: a long `or` chain stays shallow, a long `+` chain is a depth error") {
  std::string ors = "let many = aum == 0";
  for (int i = 1; i < 2000; ++i) ors += " or aum == " + std::to_string(i);
  CHECK(diagnostic_codes(std::string(kRules) + ors + "\n") == "");
  std::string sums = "let total = aum";
  for (int i = 0; i < 300; ++i) sums += " + aum";
  CHECK(diagnostic_codes(std::string(kRules) + sums + "\n") == "E0007");
}

TEST_CASE("limits: a rule file over 4 MiB is refused with E0010, one at the limit is read") {
  std::string base = std::string(kRules);
  std::string at_limit = base + std::string((4u << 20) - base.size() - 1, '#') + "\n";
  CHECK(diagnostic_codes(at_limit) == "");
  CHECK(diagnostic_codes(at_limit + "\n") == "E0010");
}
