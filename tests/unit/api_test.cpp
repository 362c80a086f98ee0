// The public C++ API (include/segrule/): compiling, evaluating by JSON text and
// field by field, batches, metadata, and hot reload under concurrent use.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/sha256.hpp"
#include "segrule/json.hpp"
#include "segrule/segrule.hpp"

namespace {

using namespace segrule;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::string kRetail = std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg";

// LANGUAGE.md §2: the customer C1 and the exact result it must give.
const char* kSpecCustomer =
    R"({"id":"C1","age":52,"retired":false,"occupation":null,"opened":"2012-04-01",)"
    R"("risk_level":"C3","credit_rating":"AA","demand_deposits":100000,"time_deposits":3200000,)"
    R"("wealth_products":1000000,"investments":700000,"loans":0,"aum":5000000.00,)"
    R"("monthly_txn_count":4,"products_held":[]})";
const char* kSpecResult =
    R"({"id":"C1","value_tier":"private","customer_type":["savings"],"customer_type_primary":"savings",)"
    R"("contact_cadence":"weekly","advisor":"dedicated","actions":[],)"
    R"("offers":["custom_portfolio","time_deposit","large_cd","money_fund","treasury_bond"],)"
    R"("dropped":[{"list":"offers","item":"family_trust","constraint":"suitability","reason":"risk"}]})";

// Two versions that differ in one threshold, so a result shows which version made it.
std::string versioned_rules(int gold_threshold) {
  return "ruleset v { version \"" + std::to_string(gold_threshold) + "\" }\n"
         "input c key id {\n  id : string\n  aum : money\n}\n"
         "tiers value_tier {\n"
         "  gold \"黄金\" when aum >= " + std::to_string(gold_threshold) + "\n"
         "  mass \"大众\" otherwise\n}\n";
}

TEST_CASE("compiling gives a ruleset with its identity, or located diagnostics") {
  CompileResult ok = Ruleset::compile_file(kRetail);
  REQUIRE(ok);
  const RulesetInfo& info = ok.ruleset->info();
  CHECK(info.name == "retail_2025");
  CHECK(info.title == "零售客户分层分类与服务策略");
  CHECK(info.version == "2025.05");
  CHECK(info.effective == "2025-06-01");
  CHECK(info.owner == "个人金融部");
  CHECK(info.file == kRetail);
  CHECK(info.content_hash.rfind("sha256:", 0) == 0);
  CHECK(info.content_hash.size() == 7 + 64);
  // The same text gives the same hash; one byte more gives another.
  std::string text = read_text(kRetail);
  CHECK(Ruleset::compile(text).ruleset->info().content_hash == info.content_hash);
  CHECK(Ruleset::compile(text + "\n").ruleset->info().content_hash != info.content_hash);

  CompileResult bad = Ruleset::compile("ruleset x {}\ninput c key id { id : string }\nlet y = aum + 1\n", "bad.seg");
  CHECK_FALSE(bad);
  REQUIRE(bad.diagnostics.size() == 1);
  CHECK(bad.diagnostics[0].file == "bad.seg");
  CHECK(bad.diagnostics[0].line == 3);
  CHECK(bad.diagnostics[0].column == 9);
  CHECK(bad.rendered.find("bad.seg:3:9") != std::string::npos);

  CompileResult missing = Ruleset::compile_file("/nonexistent/rules.seg");
  CHECK_FALSE(missing);
  REQUIRE(missing.diagnostics.size() == 1);
  CHECK(missing.diagnostics[0].message.find("cannot read `/nonexistent/rules.seg`") == 0);
}

TEST_CASE("the content hash is SHA-256, checked against the FIPS 180-2 vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits in the first padding block.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("evaluating one record gives the spec's exact result") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  EvalOptions options;
  options.as_of = "2025-06-30";
  RecordResult r = ruleset.evaluate(kSpecCustomer, options);
  REQUIRE(r.ok);
  CHECK(r.json == kSpecResult);
  CHECK(r.key == "C1");
  CHECK(r.content_hash == ruleset.info().content_hash);

  RecordResult bad = ruleset.evaluate(R"({"id":"C2","age":"old"})", options);
  CHECK_FALSE(bad.ok);
  CHECK(bad.key == "C2");
  CHECK(bad.error.find("age") != std::string::npos);

  options.as_of = "2025-02-30";
  RecordResult bad_date = ruleset.evaluate(kSpecCustomer, options);
  CHECK_FALSE(bad_date.ok);
  CHECK(bad_date.error == "`2025-02-30` is not a valid as_of date: write it as YYYY-MM-DD");
}

TEST_CASE("a record built field by field evaluates like the same JSON") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  RecordBuilder record;
  record.set_string("id", "C1").set_int("age", 52).set_bool("retired", false).set_null("occupation");
  record.set_string("opened", "2012-04-01").set_string("risk_level", "C3").set_string("credit_rating", "AA");
  record.set_number("demand_deposits", "100000").set_number("time_deposits", "3200000");
  record.set_number("wealth_products", "1000000").set_number("investments", "700000");
  record.set_number("loans", "0").set_number("aum", "5000000.00").set_int("monthly_txn_count", 4);
  record.set_strings("products_held", {});
  EvalOptions options;
  options.as_of = "2025-06-30";
  RecordResult r = ruleset.evaluate(record, options);
  REQUIRE(r.ok);
  CHECK(r.json == kSpecResult);

  // Text that is not a number is not spliced into the JSON: the field is reported.
  record.set_number("aum", "1,\"x\":2");
  RecordResult bad = ruleset.evaluate(record, options);
  CHECK_FALSE(bad.ok);
  CHECK(bad.error.find("aum") != std::string::npos);
  CHECK(RecordBuilder().set_string("a\"b", "x\ny").to_json() == R"({"a\"b":"x\ny"})");
}

TEST_CASE("a batch gives one line per record read, whatever the thread count") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  std::string input = read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  input += "{\"id\":\"broken\"}\nnot json\n";
  EvalOptions options;
  options.as_of = "2025-06-30";
  auto run = [&](unsigned threads, BatchSummary& summary) {
    std::string out;
    summary = ruleset.evaluate_batch(input, InputFormat::jsonl, options, [&](bool is_error, std::string_view line) {
      out += is_error ? "E " : "R ";
      out.append(line);
      out += '\n';
    }, threads);
    return out;
  };
  BatchSummary one, two;
  std::string a = run(1, one);
  std::string b = run(2, two);
  CHECK(a == b);
  CHECK(one.read == one.results + one.errors);
  CHECK(one.errors == 2);
  CHECK(one.results == 200);

  options.as_of = "soon";
  BatchSummary refused = ruleset.evaluate_batch(input, InputFormat::jsonl, options, [](bool, std::string_view) {});
  CHECK(refused.read == 0);
  CHECK(refused.error.find("`soon` is not a valid as_of date") == 0);
}

// Many blocks in flight at once (a block is 4,096 records): the same lines in the
// same order on 1, 2 and 3 threads, streamed or from memory; a sink that throws
// while workers are busy stops them cleanly (TSan runs this case).
TEST_CASE("a batch of many blocks gives the same lines whatever the thread count, streamed or not") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  std::string sample = read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  std::string input;
  for (int copy = 0; copy < 100; ++copy) {
    input += sample;
    if (copy % 9 == 4) input += "{\"id\":\"X" + std::to_string(copy) + "\"}\nnot json\n";
  }
  EvalOptions options;
  options.as_of = "2025-06-30";
  auto collect = [](std::string& out) {
    return [&out](bool is_error, std::string_view line) {
      out += is_error ? "E " : "R ";
      out.append(line);
      out += '\n';
    };
  };
  std::string reference;
  BatchSummary first = ruleset.evaluate_batch(input, InputFormat::jsonl, options, collect(reference), 1);
  CHECK(first.read == 20000 + 2 * 11);
  CHECK(first.errors == 22);
  CHECK(first.read == first.results + first.errors);
  for (unsigned threads : {1u, 2u, 3u}) {
    INFO("threads: " << threads);
    std::string from_memory, streamed;
    ruleset.evaluate_batch(input, InputFormat::jsonl, options, collect(from_memory), threads);
    std::istringstream in(input);
    BatchSummary summary = ruleset.evaluate_stream(in, InputFormat::jsonl, options, collect(streamed), threads);
    CHECK(from_memory == reference);
    CHECK(streamed == reference);
    CHECK(summary.read == first.read);
    CHECK(summary.error.empty());
  }
  // In runs: the same lines, each run of one kind, blocks without errors whole.
  auto collect_runs = [](std::string& out, size_t& calls) {
    return [&out, &calls](bool is_error, std::string_view lines, size_t count) {
      ++calls;
      REQUIRE(!lines.empty());
      REQUIRE(lines.back() == '\n');
      CHECK(static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')) == count);
      for (size_t begin = 0; begin < lines.size();) {
        size_t end = lines.find('\n', begin);
        out += is_error ? "E " : "R ";
        out.append(lines.substr(begin, end + 1 - begin));
        begin = end + 1;
      }
    };
  };
  for (unsigned threads : {1u, 2u, 3u}) {  // with threads, the workers call a run sink themselves
    INFO("threads, in runs: " << threads);
    std::string from_memory, streamed;
    size_t memory_calls = 0, stream_calls = 0;
    BatchSummary summary = ruleset.evaluate_batch(input, InputFormat::jsonl, options, collect_runs(from_memory, memory_calls), threads);
    std::istringstream in(input);
    ruleset.evaluate_stream(in, InputFormat::jsonl, options, collect_runs(streamed, stream_calls), threads);
    CHECK(from_memory == reference);
    CHECK(streamed == reference);
    CHECK(summary.read == first.read);
    CHECK(summary.errors == first.errors);
    // 11 blocks of 2 errors each cut the results into runs; far fewer calls than lines.
    CHECK(memory_calls >= 2 * 11);
    CHECK(memory_calls < 200);
  }
  for (unsigned threads : {1u, 3u}) {  // a run sink that throws on a worker thread stops the run the same way
    size_t seen = 0;
    struct Full {};
    BatchRunSink full = [&](bool, std::string_view, size_t count) {
      seen += count;
      if (seen >= 10000) throw Full{};
    };
    CHECK_THROWS_AS(ruleset.evaluate_batch(input, InputFormat::jsonl, options, full, threads), Full);
    CHECK(seen >= 10000);
    CHECK(seen < 20000);
  }
  for (unsigned threads : {1u, 3u}) {
    size_t seen = 0;
    struct Full {};
    CHECK_THROWS_AS(ruleset.evaluate_batch(input, InputFormat::jsonl, options, [&](bool, std::string_view) {
      if (++seen == 10000) throw Full{};
    }, threads), Full);
    CHECK(seen == 10000);
  }
}

// An input stream that breaks after some bytes, as a disk read error would.
class BrokenAfter : public std::streambuf {
 public:
  explicit BrokenAfter(std::string text) : text_(std::move(text)) { setg(text_.data(), text_.data(), text_.data() + text_.size()); }
 protected:
  int_type underflow() override { throw std::ios_base::failure("read error"); }
 private:
  std::string text_;
};

TEST_CASE("a stream that fails while being read stops the batch and says so") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  std::string sample = read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  std::string input;
  while (input.size() < (3u << 20)) input += sample;  // more than one read of 1 MiB
  BrokenAfter buffer(input);
  std::istream in(&buffer);
  EvalOptions options;
  options.as_of = "2025-06-30";
  size_t lines = 0;
  BatchSummary summary = ruleset.evaluate_stream(in, InputFormat::jsonl, options, [&](bool, std::string_view) { ++lines; });
  CHECK(summary.error.find("reading the input failed after") == 0);
  CHECK(summary.read == lines);
  CHECK(summary.read == summary.results + summary.errors);
}

// A caller whose output fails (a full disk) stops the batch by throwing from the sink.
TEST_CASE("an exception thrown by the batch sink stops the batch and reaches the caller") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  std::string input = read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl");
  for (unsigned threads : {1u, 2u}) {
    size_t seen = 0;
    struct Full {};
    CHECK_THROWS_AS(ruleset.evaluate_batch(input, InputFormat::jsonl, {}, [&](bool, std::string_view) {
      if (++seen == 3) throw Full{};
    }, threads), Full);
    CHECK(seen == 3);
  }
  // The ruleset is unharmed.
  BatchSummary after = ruleset.evaluate_batch(input, InputFormat::jsonl, {}, [](bool, std::string_view) {});
  CHECK(after.results == 200);
}

TEST_CASE("explain is available through the API, also for a record error") {
  Ruleset ruleset = *Ruleset::compile_file(kRetail).ruleset;
  EvalOptions options;
  options.as_of = "2025-06-30";
  CHECK_FALSE(ruleset.explain(kSpecCustomer, options).empty());
  CHECK(ruleset.explain(kSpecCustomer, options, true).front() == '{');
  CHECK(ruleset.explain(R"({"id":"C9"})", options).find("age") != std::string::npos);

  options.explain = true;
  RecordResult r = ruleset.evaluate(kSpecCustomer, options);
  REQUIRE(r.ok);
  CHECK(r.json.rfind(std::string(kSpecResult).substr(0, std::string(kSpecResult).size() - 1) + ",\"explain\":{", 0) == 0);
}

TEST_CASE("an engine reloads: a bad file keeps the old version serving") {
  std::string path = "api_test_engine.seg";
  std::ofstream(path) << versioned_rules(200000);
  Engine engine(*Ruleset::compile_file(path).ruleset, path);
  std::string first = engine.current().info().content_hash;
  CHECK(engine.evaluate(R"({"id":"a","aum":250000})").json == R"({"id":"a","value_tier":"gold","dropped":[]})");

  std::ofstream(path) << versioned_rules(300000);
  ReloadResult changed = engine.reload();
  CHECK(changed.ok);
  CHECK(changed.changed);
  CHECK(changed.content_hash != first);
  CHECK(engine.evaluate(R"({"id":"a","aum":250000})").json == R"({"id":"a","value_tier":"mass","dropped":[]})");

  ReloadResult same = engine.reload();
  CHECK(same.ok);
  CHECK_FALSE(same.changed);

  std::ofstream(path) << "ruleset v {\ninput c key id {\n";
  ReloadResult broken = engine.reload();
  CHECK_FALSE(broken.ok);
  CHECK_FALSE(broken.diagnostics.empty());
  CHECK(broken.rendered.find(path + ":") != std::string::npos);
  CHECK(broken.content_hash == changed.content_hash);
  CHECK(engine.evaluate(R"({"id":"a","aum":250000})").json == R"({"id":"a","value_tier":"mass","dropped":[]})");
  std::remove(path.c_str());
}

TEST_CASE("evaluations from 8 threads during 100 reloads each see one whole version") {
  std::string low = versioned_rules(200000), high = versioned_rules(300000);
  Ruleset low_version = *Ruleset::compile(low).ruleset;
  Ruleset high_version = *Ruleset::compile(high).ruleset;
  Engine engine(low_version);
  std::atomic<bool> done{false};
  std::atomic<long> checked{0}, wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&]() {
      // A record at 250,000 is gold under the low threshold and mass under the high one.
      while (!done.load()) {
        RecordResult r = engine.evaluate(R"({"id":"x","aum":250000})");
        bool is_low = r.content_hash == low_version.info().content_hash;
        bool is_high = r.content_hash == high_version.info().content_hash;
        std::string expected = is_low ? R"({"id":"x","value_tier":"gold","dropped":[]})" : R"({"id":"x","value_tier":"mass","dropped":[]})";
        if (!r.ok || !(is_low || is_high) || r.json != expected) ++wrong;
        ++checked;
      }
    });
  }
  for (int i = 0; i < 100; ++i) {
    ReloadResult r = engine.reload_text(i % 2 == 0 ? high : low);
    CHECK(r.ok);
    std::this_thread::yield();
  }
  done = true;
  for (auto& w : workers) w.join();
  CHECK(wrong.load() == 0);
  CHECK(checked.load() > 0);
  CHECK(engine.current().info().content_hash == low_version.info().content_hash);
}

TEST_CASE("watching a file reloads it when it changes") {
  std::string path = "api_test_watch.seg";
  std::ofstream(path) << versioned_rules(200000);
  Engine engine(*Ruleset::compile_file(path).ruleset, path);
  std::atomic<int> reloads{0};
  REQUIRE(engine.watch(std::chrono::milliseconds(10), [&](const ReloadResult& r) {
    if (r.ok && r.changed) ++reloads;
  }));
  CHECK_FALSE(engine.watch(std::chrono::milliseconds(10)));
  std::ofstream(path) << versioned_rules(300000) << "# changed\n";
  for (int i = 0; i < 500 && reloads.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(reloads.load() == 1);
  CHECK(engine.evaluate(R"({"id":"a","aum":250000})").json == R"({"id":"a","value_tier":"mass","dropped":[]})");
  engine.stop_watching();
  std::remove(path.c_str());
}

}  // namespace

namespace {

TEST_CASE("format_rules gives the canonical text, the --check report, or located syntax errors") {
  segrule::FormatResult messy = segrule::format_rules("ruleset   t { version \"1\" }\ninput c key id {\n id:string\n}\n", "t.seg");
  REQUIRE(messy.ok);
  CHECK(messy.changed);
  CHECK(messy.text == "ruleset t {\n  version \"1\"\n}\n\ninput c key id {\n  id : string\n}\n");
  CHECK(messy.check_report.rfind("--- t.seg\n+++ t.seg (formatted)\n@@", 0) == 0);
  segrule::FormatResult clean = segrule::format_rules(messy.text, "t.seg");
  CHECK(clean.ok);
  CHECK_FALSE(clean.changed);
  CHECK(clean.check_report.empty());
  segrule::FormatResult broken = segrule::format_rules("ruleset t {\ninput c key { }\n", "b.seg");
  CHECK_FALSE(broken.ok);
  REQUIRE_FALSE(broken.diagnostics.empty());
  CHECK(broken.diagnostics[0].file == "b.seg");
  CHECK(broken.rendered.find("b.seg:") != std::string::npos);
}

}  // namespace

namespace {

TEST_CASE("diff_rules says whether the meaning changed, with a report, or why a version does not compile") {
  std::string low = versioned_rules(200000), same_meaning = versioned_rules(200000) + "# a comment\n";
  segrule::DiffResult layout = segrule::diff_rules({low, "a.seg"}, {same_meaning, "b.seg"});
  REQUIRE(layout.ok);
  CHECK_FALSE(layout.changed);
  CHECK(layout.report == "no change in meaning\n");
  segrule::DiffResult changed = segrule::diff_rules({low, "a.seg"}, {versioned_rules(300000), "b.seg"});
  REQUIRE(changed.ok);
  CHECK(changed.changed);
  CHECK(changed.report.find("aum >= 200000  →  aum >= 300000") != std::string::npos);
  segrule::DiffOptions json;
  json.json = true;
  CHECK(segrule::diff_rules({low, "a.seg"}, {versioned_rules(300000), "b.seg"}, json).report.front() == '{');
  segrule::DiffResult broken = segrule::diff_rules({low, "a.seg"}, {"ruleset {", "b.seg"});
  CHECK_FALSE(broken.ok);
  CHECK(broken.old_diagnostics.empty());
  REQUIRE_FALSE(broken.new_diagnostics.empty());
  CHECK(broken.new_rendered.find("b.seg:1:") != std::string::npos);
}

}  // namespace

namespace {

TEST_CASE("run_case_file runs an analyst's cases: report, counts, coverage, or located case-file errors") {
  segrule::Ruleset rules = *segrule::Ruleset::compile(versioned_rules(200000)).ruleset;
  std::string cases =
      "as_of: 2025-06-30\ncases:\n"
      "  - name: gold at the threshold\n    input: { id: a, aum: 20万 }\n    expect: { value_tier: gold }\n"
      "  - name: a wrong expectation\n    input: { id: b, aum: 199999.99 }\n    expect: { value_tier: gold }\n";
  segrule::CaseRunResult run = segrule::run_case_file(rules, {cases, "c.yaml"});
  REQUIRE(run.ok);
  CHECK(run.passed == 1);
  CHECK(run.failed == 1);
  CHECK_FALSE(run.success());
  CHECK(run.report.find("FAIL a wrong expectation") != std::string::npos);
  CHECK(run.report.substr(run.report.size() - 19) == "1 passed, 1 failed\n");

  segrule::CaseRunOptions strict;
  strict.min_coverage = "100%";
  segrule::CaseRunResult covered = segrule::run_case_file(rules, {cases.substr(0, cases.find("  - name: a wrong")), "c.yaml"}, strict);
  REQUIRE(covered.ok);
  CHECK(covered.below_min_coverage);  // the `mass` row is never reached
  CHECK(segrule::is_percentage("92.5"));
  CHECK_FALSE(segrule::is_percentage("101"));

  segrule::CaseRunResult malformed = segrule::run_case_file(rules, {"cases:\n  - name: x\n    input: {}\n    expect: { valu_tier: gold }\n", "m.yaml"});
  CHECK_FALSE(malformed.ok);
  REQUIRE_FALSE(malformed.diagnostics.empty());
  CHECK(malformed.rendered.find("m.yaml:4:") != std::string::npos);
}

}  // namespace

namespace {

TEST_CASE("check_rules reports errors, and the analysis's warnings with their example records as notes") {
  std::string gap = "ruleset v { version \"1\" }\ninput c key id {\n  id : string\n  aum : money\n}\n"
                    "tiers value_tier {\n  gold \"黄金\" when aum >= 20万\n  mass \"大众\" when aum >= 0\n}\n";
  segrule::CheckResult checked = segrule::check_rules({gap, "gap.seg"});
  CHECK(checked.compiles);
  CHECK(checked.errors == 0);
  REQUIRE(checked.warnings == 1);
  const segrule::Diagnostic& w = checked.diagnostics[0];
  CHECK(w.code == "W0702");
  CHECK(w.line == 6);
  REQUIRE(w.notes.size() == 1);
  CHECK(w.notes[0].rfind("example: {\"id\":", 0) == 0);
  CHECK(checked.rendered.find("= example: ") != std::string::npos);

  segrule::CheckOptions fast;
  fast.analysis = false;
  CHECK(segrule::check_rules({gap, "gap.seg"}, fast).warnings == 0);

  segrule::CheckResult broken = segrule::check_rules({"ruleset v {}\ninput c key id { id : strin }\n", "b.seg"});
  CHECK_FALSE(broken.compiles);
  CHECK(broken.errors == 1);
  CHECK(broken.diagnostics[0].file == "b.seg");
}

}  // namespace

namespace {

TEST_CASE("explain_record and explain_key give the account, or say why there is none") {
  segrule::Ruleset rules = *segrule::Ruleset::compile(versioned_rules(200000)).ruleset;
  segrule::Explanation one = segrule::explain_record(rules, R"({"id":"a","aum":199999.99})");
  REQUIRE(one.ok);
  CHECK_FALSE(one.rejected);
  CHECK(one.account.find("aum = 199,999.99, needs >= 200000 ✗") != std::string::npos);
  CHECK(segrule::explain_record(rules, R"({"id":"a"})").rejected);
  segrule::Explanation not_json = segrule::explain_record(rules, "{id: a}");
  CHECK_FALSE(not_json.ok);
  CHECK(not_json.error.rfind("the record is not valid JSON: at column 2", 0) == 0);

  std::string input = "{\"id\":\"a\",\"aum\":1}\n{\"id\":\"b\",\"aum\":300000}\n{\"id\":\"b\",\"aum\":2}\n";
  segrule::Explanation by_key = segrule::explain_key(rules, input, segrule::InputFormat::jsonl, "b", "in.jsonl", {}, true);
  REQUIRE(by_key.ok);
  CHECK(by_key.account.front() == '{');
  CHECK(by_key.account.find(R"("value_tier":"gold")") != std::string::npos);
  CHECK(by_key.note == "2 records in `in.jsonl` have id `b`; explaining the first, at line 2");
  segrule::Explanation missing = segrule::explain_key(rules, input, segrule::InputFormat::jsonl, "z", "in.jsonl");
  CHECK_FALSE(missing.ok);
  CHECK(missing.error == "no record in `in.jsonl` has id `z`");
}

}  // namespace

namespace {

TEST_CASE("impact reads a stream and reports who moves, with totals that add up") {
  segrule::Ruleset low = *segrule::Ruleset::compile(versioned_rules(200000), "low.seg").ruleset;
  segrule::Ruleset high = *segrule::Ruleset::compile(versioned_rules(300000), "high.seg").ruleset;
  std::istringstream input("{\"id\":\"a\",\"aum\":250000}\n{\"id\":\"b\",\"aum\":1}\n{\"id\":\"c\"}\n");
  segrule::ImpactRequest request;
  request.input_name = "in.jsonl";
  request.as_of = "2025-06-30";
  segrule::ImpactResult moved = segrule::impact(low, high, input, request);
  REQUIRE(moved.ok);
  CHECK(moved.changed);
  CHECK(moved.read == 3);
  CHECK(moved.report.find("impact of low.seg → high.seg on in.jsonl (as of 2025-06-30)") == 0);
  CHECK(moved.report.find("gold → mass  1  a") != std::string::npos);

  std::istringstream again("{\"id\":\"b\",\"aum\":1}\n");
  request.report = segrule::ReportFormat::json;
  segrule::ImpactResult same = segrule::impact(low, high, again, request);
  REQUIRE(same.ok);
  CHECK_FALSE(same.changed);
  CHECK(same.report.front() == '{');

  request.as_of = "someday";
  std::istringstream unused("");
  CHECK_FALSE(segrule::impact(low, high, unused, request).ok);
}

}  // namespace

namespace {

TEST_CASE("a record given as nlohmann::json evaluates like the same JSON text") {
  segrule::Ruleset rules = *segrule::Ruleset::compile(versioned_rules(200000)).ruleset;
  nlohmann::json record = {{"id", "a"}, {"aum", 199999.99}};
  segrule::RecordResult below = segrule::evaluate(rules, record);
  REQUIRE(below.ok);
  CHECK(segrule::result_json(below)["value_tier"] == "mass");
  record["aum"] = 200000;
  CHECK(segrule::result_json(segrule::evaluate(rules, record))["value_tier"] == "gold");
  record.erase("aum");
  segrule::RecordResult missing = segrule::evaluate(rules, record);
  CHECK_FALSE(missing.ok);
  CHECK(segrule::result_json(missing).is_null());
}

}  // namespace
