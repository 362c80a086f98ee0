// Inputs at and past the limits get a clear error and the batch goes on.
#include <doctest/doctest.h>

#include "parse/parser.hpp"
#include "segrule/ruleset.hpp"
#include "segrule/tools.hpp"
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

// ---- Each limit at the limit and one past it, through every stage ----------------------------
// At the limit, a file goes through parse, check (with the Z3 analysis), evaluate,
// explain, fmt, diff and destruction; this binary runs on a 256 KiB stack (main.cpp),
// so none of them may recurse deeper than the limits allow.

namespace {

const char* kDeepHeader = R"(ruleset t { version "1" }
input customer key id { id : string  aum : money }
)";

// Every stage over `rules`; the record's result is returned.
std::string all_stages(const std::string& rules) {
  segrule::CompileResult compiled = segrule::Ruleset::compile(rules, "deep.seg");
  REQUIRE_MESSAGE(compiled, compiled.rendered);
  segrule::CheckResult checked = segrule::check_rules(segrule::RuleText{rules, "deep.seg"});
  CHECK(checked.errors == 0);
  segrule::FormatResult formatted = segrule::format_rules(rules);
  REQUIRE(formatted.ok);
  CHECK(segrule::format_rules(formatted.text).text == formatted.text);
  CHECK_FALSE(segrule::diff_rules({rules, "old.seg"}, {formatted.text, "new.seg"}).changed);
  const char* record = R"({"id":"A","aum":150})";
  segrule::Explanation explained = segrule::explain_record(*compiled.ruleset, record);
  CHECK(explained.ok);
  CHECK(!explained.account.empty());
  segrule::RecordResult result = compiled.ruleset->evaluate(record);
  return result.ok ? result.json : "error: " + result.error;
}

std::string nested_parentheses(int depth) {
  return std::string(kDeepHeader) + "tiers tier { high when " + std::string(static_cast<size_t>(depth), '(') + "aum >= 100" +
         std::string(static_cast<size_t>(depth), ')') + "  low otherwise }\n";
}

// `aum + 1 + 1 ...`: each `+` stacks one more level in the tree.
std::string long_sum(int operators) {
  std::string sum = "aum";
  for (int i = 0; i < operators; ++i) sum += " + 0";
  return std::string(kDeepHeader) + "let total = " + sum + "\ntiers tier { high when total >= 100  low otherwise }\n";
}

std::string deep_negation(int count) {
  std::string neg;
  for (int i = 0; i < count; ++i) neg += "- ";
  return std::string(kDeepHeader) + "let x = " + neg + "aum\ntiers tier { high when x >= 100 or x <= -100  low otherwise }\n";
}

std::string deep_not(int count) {
  std::string nots;
  for (int i = 0; i < count; ++i) nots += "not ";
  std::string cond = count % 2 == 0 ? "aum >= 100" : "aum < 100";
  return std::string(kDeepHeader) + "tiers tier { high when " + nots + "(" + cond + ")  low otherwise }\n";
}

}  // namespace

TEST_CASE("limits: brackets nested 64 deep go through every stage; 65 is E0007") {
  ParseLimits defaults;
  REQUIRE(defaults.max_nesting == 64);
  // The tiers block's own brace is one level.
  CHECK(all_stages(nested_parentheses(63)) == R"({"id":"A","tier":"high","dropped":[]})");
  CHECK(diagnostic_codes(nested_parentheses(64)) == "E0007");
  CHECK(first_diagnostic(nested_parentheses(64)).find("brackets nested more than 64 levels deep") != std::string::npos);
}

TEST_CASE("limits: an expression 256 operators deep goes through every stage; 257 is E0007") {
  ParseLimits defaults;
  REQUIRE(defaults.max_expression_depth == 256);
  CHECK(all_stages(long_sum(255)) == R"({"id":"A","tier":"high","dropped":[]})");
  CHECK(diagnostic_codes(long_sum(256)) == "E0007");
  CHECK(first_diagnostic(long_sum(256)).find("operators stacked 257 deep, more than the limit of 256") != std::string::npos);
  // Unary operators stack the same way.
  CHECK(all_stages(deep_negation(254)) == R"({"id":"A","tier":"high","dropped":[]})");
  CHECK(diagnostic_codes(deep_negation(256)) == "E0007");
  CHECK(diagnostic_codes(deep_negation(100000)) == "E0007");
  CHECK(all_stages(deep_not(254)) == R"({"id":"A","tier":"high","dropped":[]})");
  CHECK(diagnostic_codes(deep_not(100000)) == "E0007");
}

TEST_CASE("limits: a number literal of 40 digits is read; 41 is E0008") {
  ParseLimits defaults;
  REQUIRE(defaults.max_literal_digits == 40);
  // Leading zeros count: 40 digits in all, a value well in range.
  std::string forty = std::string(37, '0') + "150";
  std::string rules = std::string(kDeepHeader) + "tiers tier { high when aum >= " + forty + "  low otherwise }\n";
  CHECK(diagnostic_codes(rules) == "");
  CHECK(all_stages(rules) == R"({"id":"A","tier":"high","dropped":[]})");
  std::string rules41 = std::string(kDeepHeader) + "tiers tier { high when aum >= " + forty + "0  low otherwise }\n";
  CHECK(diagnostic_codes(rules41) == "E0008");
  CHECK(first_diagnostic(rules41).find("number literal has 41 digits, more than the limit of 40") != std::string::npos);
}

TEST_CASE("limits: a record nested 32 levels deep is read; 33 is a record error") {
  auto program = compile_text(kRules);
  REQUIRE(program);
  // The record object itself is level 1.
  auto nested = [](int levels) {
    return R"({"id":"A","aum":1,"extra":)" + std::string(static_cast<size_t>(levels - 1), '[') +
           std::string(static_cast<size_t>(levels - 1), ']') + "}";
  };
  CHECK(eval_record(*program, nested(32)) == R"({"id":"A","tier":"low","dropped":[]})");
  CHECK(eval_record(*program, nested(33)) == "error: malformed JSON at column 58: nesting deeper than 32 levels");
}
