// The hot path allocates nothing per record: once an Outcome and the output
// buffer have served a few records, resetting, evaluating and writing the next
// ones takes no heap memory (issue 5). Counted by replacing the global
// operator new for this test binary; only the counting thread's calls count.

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "eval/record.hpp"
#include "eval/result_writer.hpp"
#include "support.hpp"

namespace {
thread_local bool counting = false;
thread_local size_t allocations = 0;
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer brings its own operator new and pairs every allocation with
// its release; replacing some forms here would break that pairing. The count
// is taken by the plain build.
constexpr bool kCountingBuild = false;
#else
constexpr bool kCountingBuild = true;

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace segrule {
namespace {

std::vector<std::string> sample_records(size_t count) {
  std::vector<std::string> lines;
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  for (std::string line; std::getline(in, line) && lines.size() < count;) lines.push_back(line);
  return lines;
}

TEST_CASE("evaluating and writing allocate nothing once warm" * doctest::skip(!kCountingBuild)) {
  std::ifstream file(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto program = testing::compile_text(text);
  REQUIRE(program);
  const Program& p = *program;
  // Every customer's inputs, read once: reading is not what this test is about.
  std::vector<std::vector<Value>> inputs;
  for (const std::string& record : sample_records(200)) {
    Outcome o;
    REQUIRE(testing::load_record(p, record, o) == "");
    inputs.push_back(o.slots);
  }
  REQUIRE(inputs.size() == 200);
  size_t actions_field = 0;
  while (actions_field < p.outputs.size() && p.outputs[actions_field].name != "actions") ++actions_field;
  REQUIRE(actions_field < p.outputs.size());
  Outcome outcome;
  ResultWriter writer(p);
  std::string out;
  EvalError error;
  size_t actions = 0, dropped = 0;
  auto run_all = [&] {
    for (const std::vector<Value>& record : inputs) {
      reset_outcome(p, outcome);
      outcome.slots.resize(record.size());
      for (size_t i = 0; i < record.size(); ++i) assign_value(outcome.slots[i], record[i]);
      REQUIRE(evaluate(p, outcome, error));
      out.clear();
      writer.write(outcome, out);
      actions += outcome.outputs[actions_field].items.size();
      dropped += outcome.dropped.size();
    }
  };
  run_all();  // warm: every vector and string reaches the size these records need
  counting = true;
  allocations = 0;
  run_all();
  counting = false;
  CHECK(allocations == 0);
  // The records reach the parts that could allocate: string list items (actions,
  // longer than a short string) and dropped offers.
  CHECK(actions > 0);
  CHECK(dropped > 0);
}

}  // namespace
}  // namespace segrule
