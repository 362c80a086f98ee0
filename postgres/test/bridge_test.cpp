// The extension's C++ side without a server: the per-backend cache (hits,
// compiles, least-recently-used eviction), results and error entries, and
// `segrule check` as rows. Runs in sanitizer builds too, unlike run_test.py.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "bridge.h"

namespace {

const std::string tiny = R"(ruleset tiny {
  version "1"
}

input customer key id {
  id  : string
  age : int
}

tiers band {
  senior "Senior" when age >= 60
  adult  "Adult"  otherwise
}
)";

// The text with a comment appended: the same rules, another cache entry.
std::string variant(int i) { return tiny + "# variant " + std::to_string(i) + "\n"; }

const segpg_ruleset* ruleset_for(const std::string& text) {
  int bad_rules = -1;
  char* message = nullptr;
  const segpg_ruleset* ruleset = segpg_ruleset_for(text.data(), text.size(), &bad_rules, &message);
  REQUIRE(ruleset != nullptr);
  CHECK(bad_rules == 0);
  CHECK(message == nullptr);
  return ruleset;
}

std::string evaluate(const segpg_ruleset* ruleset, const std::string& record, const char* as_of = "2025-06-30") {
  char* message = nullptr;
  char* json = segpg_evaluate(ruleset, record.data(), record.size(), as_of, &message);
  REQUIRE(json != nullptr);
  std::string out = json;
  segpg_free(json);
  return out;
}

}  // namespace

TEST_CASE("one compile per text; the least recently used entry goes first") {
  segpg_set_cache_capacity(3);
  segpg_cache_stats before = segpg_get_cache_stats();
  for (int i = 0; i < 3; ++i) ruleset_for(variant(i));
  for (int round = 0; round < 10; ++round) ruleset_for(variant(0));  // 0 is now the most recent
  segpg_cache_stats after = segpg_get_cache_stats();
  CHECK(after.compiles - before.compiles == 3);
  CHECK(after.hits - before.hits == 10);
  CHECK(after.entries == 3);
  CHECK(after.capacity == 3);

  ruleset_for(variant(3));  // evicts 1, the least recently used
  CHECK(segpg_get_cache_stats().evictions - before.evictions == 1);
  long long compiles = segpg_get_cache_stats().compiles;
  ruleset_for(variant(0));
  ruleset_for(variant(2));
  ruleset_for(variant(3));
  CHECK(segpg_get_cache_stats().compiles == compiles);  // still cached
  ruleset_for(variant(1));
  CHECK(segpg_get_cache_stats().compiles == compiles + 1);  // was evicted

  segpg_set_cache_capacity(1);
  CHECK(segpg_get_cache_stats().entries == 1);
  segpg_set_cache_capacity(16);
}

TEST_CASE("results are the CLI's result objects; record errors are entries") {
  const segpg_ruleset* ruleset = ruleset_for(tiny);
  CHECK(evaluate(ruleset, R"({"id":"A","age":61})") == R"({"id":"A","band":"senior","dropped":[]})");
  CHECK(evaluate(ruleset, R"({"age": 30, "id": "B"})") == R"({"id":"B","band":"adult","dropped":[]})");
  CHECK(evaluate(ruleset, R"({"id":"C","age":"old"})") ==
        R"({"key":"C","error":"field `age`: expected a whole number, found a string"})");
  auto not_object = nlohmann::json::parse(evaluate(ruleset, "[1,2]"));
  CHECK(not_object.size() == 1);
  CHECK(not_object["error"].get<std::string>().find("JSON object") != std::string::npos);
  auto bad_date = nlohmann::json::parse(evaluate(ruleset, R"({"id":"A","age":61})", "2025-02-30"));
  CHECK(bad_date["error"].get<std::string>().find("as_of") != std::string::npos);
}

TEST_CASE("rules that do not compile give the rendered diagnostics, and no entry") {
  std::string broken = tiny;
  broken.replace(broken.find("age >= 60"), 3, "agee");
  long long entries = segpg_get_cache_stats().entries;
  int bad_rules = 0;
  char* message = nullptr;
  CHECK(segpg_ruleset_for(broken.data(), broken.size(), &bad_rules, &message) == nullptr);
  CHECK(bad_rules == 1);
  REQUIRE(message != nullptr);
  std::string rendered = message;
  segpg_free(message);
  CHECK(rendered.find("error[E0201]: unknown name `agee`") != std::string::npos);
  CHECK(rendered.find("<rules>:11:24") != std::string::npos);
  CHECK(segpg_get_cache_stats().entries == entries);
}

TEST_CASE("segrule check as rows: severity, code, message, help, line, column, notes") {
  std::string broken = tiny;
  broken.replace(broken.find("age >= 60"), 3, "agee");
  char* message = nullptr;
  segpg_check_result* result = segpg_check(broken.data(), broken.size(), 1, &message);
  REQUIRE(result != nullptr);
  REQUIRE(segpg_check_count(result) == 1);
  const segpg_diagnostic* d = segpg_check_at(result, 0);
  CHECK(std::string(d->severity) == "error");
  CHECK(std::string(d->code) == "E0201");
  CHECK(std::string(d->message) == "unknown name `agee`");
  CHECK(std::string(d->help) == "did you mean `age`?");
  CHECK(d->line == 11);
  CHECK(d->column == 24);
  segpg_check_free(result);

  // A gap (no `otherwise`): a warning of the analysis, with an example record in its notes.
  std::string warned = tiny;
  warned.erase(warned.find("  adult"), std::string("  adult  \"Adult\"  otherwise\n").size());
  result = segpg_check(warned.data(), warned.size(), 1, &message);
  REQUIRE(result != nullptr);
  REQUIRE(segpg_check_count(result) == 1);
  d = segpg_check_at(result, 0);
  CHECK(std::string(d->severity) == "warning");
  CHECK(std::string(d->code) == "W0702");
  CHECK(d->line == 10);
  CHECK(d->column == 7);
  REQUIRE(d->note_count == 1);
  CHECK(std::string(d->notes[0]).find("example: {\"id\":") == 0);
  segpg_check_free(result);
  result = segpg_check(warned.data(), warned.size(), 0, &message);  // without the analysis
  REQUIRE(result != nullptr);
  CHECK(segpg_check_count(result) == 0);
  segpg_check_free(result);

  result = segpg_check(tiny.data(), tiny.size(), 1, &message);
  REQUIRE(result != nullptr);
  CHECK(segpg_check_count(result) == 0);
  segpg_check_free(result);
}

TEST_CASE("info names the version and its content hash") {
  char* message = nullptr;
  char* info = segpg_info(ruleset_for(tiny), &message);
  REQUIRE(info != nullptr);
  auto json = nlohmann::json::parse(info);
  segpg_free(info);
  CHECK(json["name"] == "tiny");
  CHECK(json["version"] == "1");
  CHECK(json["content_hash"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(json["content_hash"].get<std::string>().size() == 7 + 64);
}
