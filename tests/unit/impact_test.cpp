// Impact: the streaming record reader against the batch reader, the report's
// cells and totals, and memory that does not grow with the input.

#include <doctest/doctest.h>

#include <sstream>
#include <streambuf>

#include "eval/record_stream.hpp"
#include "impact/impact.hpp"
#include "tests/unit/support.hpp"

using namespace segrule;
using segrule::testing::compile_text;
using segrule::testing::with_prelude;

namespace {

const char* kRules = R"(
tiers value_tier {
  gold "黄金" when aum >= 20万
  vip  "贵宾" when aum >= 10万
  mass "大众" otherwise
}
segments kind {
  rich  "富" when aum >= 50万 score aum
  young "少" when age < 30 score 1
}
output {
  advisor : enum [digital, shared] = digital
  greeting : string
  offers  : list<string>
}
strategy s "s" when value_tier == gold { advisor = shared  offers += "fund" }
strategy g "g" when vip { greeting = name }
)";

// What run_batch writes for an input, line by line.
std::vector<std::string> batch_lines(const Program& p, const std::string& input, InputFormat format) {
  BatchOptions options;
  options.format = format;
  options.as_of = *parse_date("2025-06-30");
  std::vector<std::string> out;
  run_batch(p, input, options, [&](bool, std::string_view text) { out.emplace_back(text); });
  return out;
}

// The same, read through RecordStream in blocks of `block` bytes.
std::vector<std::string> stream_lines(const Program& p, const std::string& input, InputFormat format, size_t block) {
  std::istringstream in(input);
  RecordStream stream(in, format, RecordLimits{}, block);
  std::vector<std::string> out;
  RawRecord raw;
  CsvColumns columns;
  bool have_columns = false;
  Outcome outcome;
  while (stream.next(raw)) {
    if (format == InputFormat::csv && !have_columns) {
      columns = csv_columns(p, stream.header());
      have_columns = true;
    }
    reset_outcome(p, outcome);
    outcome.slots[p.as_of_slot] = Value::of_date(*parse_date("2025-06-30"));
    RecordProblem problem;
    bool ok = raw.early_error.empty() &&
              (format == InputFormat::csv ? record_from_csv(p, columns, raw.cells, outcome.slots, problem)
                                          : record_from_json(p, raw.text, RecordLimits{}, outcome.slots, problem));
    if (!raw.early_error.empty()) problem.message = raw.early_error;
    EvalError err;
    if (ok && !evaluate(p, outcome, err)) {
      ok = false;
      problem.message = err.message;
    }
    std::string line;
    if (ok) write_result(p, outcome, line);
    else write_error(raw.line, problem.key, problem.message, line);
    out.push_back(line);
  }
  return out;
}

ImpactReport impact_of(const std::string& old_rules, const std::string& new_rules, const std::string& input,
                       InputFormat format = InputFormat::jsonl, size_t block = 64, bool show_pii = false) {
  auto a = compile_text(old_rules);
  auto b = compile_text(new_rules);
  REQUIRE(a);
  REQUIRE(b);
  std::istringstream in(input);
  RecordStream stream(in, format, RecordLimits{}, block);
  ImpactOptions options;
  options.as_of = *parse_date("2025-06-30");
  options.show_pii = show_pii;
  return run_impact(*a, *b, stream, options);
}

std::string record(const std::string& id, const std::string& aum, int age = 40, const std::string& extra = "", bool vip = false) {
  return R"({"id":")" + id + R"(","aum":)" + aum + R"(,"age":)" + std::to_string(age) +
         R"(,"name":"王小明","credit":"A","opened":"2020-01-01","held":[],"vip":)" + (vip ? "true" : "false") + extra + "}\n";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Generates JSON Lines records on demand, so that a test can feed a long input
// without ever holding it.
class GeneratedRecords : public std::streambuf {
 public:
  explicit GeneratedRecords(size_t count) : count_(count) {}

 protected:
  int_type underflow() override {
    if (next_ >= count_) return traits_type::eof();
    line_ = record("C" + std::to_string(next_), std::to_string(next_ % 400 * 1000), static_cast<int>(20 + next_ % 50));
    if (next_ % 97 == 0) line_ = "{\"id\":\"C" + std::to_string(next_) + "\",\"aum\":\"oops\"}\n";  // fails in both versions
    ++next_;
    setg(line_.data(), line_.data(), line_.data() + line_.size());
    return traits_type::to_int_type(line_[0]);
  }

 private:
  size_t count_;
  size_t next_ = 0;
  std::string line_;
};

}  // namespace

TEST_CASE("impact: the record stream reads every format exactly as the batch runner does, whatever the block size") {
  auto p = compile_text(with_prelude(kRules));
  REQUIRE(p);
  std::string jsonl = "\xEF\xBB\xBF" + record("A", "300000") + "\n  \r\n" + record("B", "120000") + "{\"id\":\"C\", broken\n" +
                      record("D", "5000", 22) + "[1]\r\n" + record("E", "600000").substr(0, record("E", "600000").size() - 1);
  std::string csv =
      "\xEF\xBB\xBFid,aum,age,name,credit,opened,held,vip\r\n"
      "A,300000,40,\"王,小明\",A,2020-01-01,x;y,false\r\n"
      "\n"
      "B,120000,40,\"multi\nline \"\"name\"\"\",A,2020-01-01,,true\n"
      "C,1\"0,40,n,A,2020-01-01,,false\n"
      "D,5000,22,n,A,2020-01-01,,false\n"
      "E,600000,40,\"open quote,A,2020-01-01,,false\n"
      "F,1,1,n,A,2020-01-01,,false\n";
  std::string json = "\xEF\xBB\xBF [\n" + record("A", "300000") + "," + record("B", "120000") + ",\n 7, \"x\" ,\n" + record("D", "5000", 22) + "]\n";
  std::string bad_header = "id,a\"um\nA,1\nB,2\n";
  std::string broken_json = "[" + record("A", "300000") + "," + record("B", "1") + " " + record("C", "2") + "]";
  struct Case {
    const char* what;
    const std::string* input;
    InputFormat format;
  };
  Case cases[] = {{"jsonl", &jsonl, InputFormat::jsonl}, {"csv", &csv, InputFormat::csv}, {"json", &json, InputFormat::json},
                  {"broken json", &broken_json, InputFormat::json},
                  {"bad csv header", &bad_header, InputFormat::csv}};
  for (const Case& c : cases) {
    std::vector<std::string> expected = batch_lines(*p, *c.input, c.format);
    REQUIRE(!expected.empty());
    for (size_t block : {16, 17, 31, 64, 100, 4096}) {
      CAPTURE(c.what);
      CAPTURE(block);
      CHECK(stream_lines(*p, *c.input, c.format, block) == expected);
    }
  }
  for (const char* empty : {"", "  \n", "\xEF\xBB\xBF"}) {
    CHECK(stream_lines(*p, empty, InputFormat::jsonl, 16).empty());
    CHECK(stream_lines(*p, empty, InputFormat::json, 16).empty());
    CHECK(stream_lines(*p, empty, InputFormat::csv, 16).empty());
  }
}

TEST_CASE("impact: a line longer than any record is skipped without being held") {
  auto p = compile_text(with_prelude(kRules));
  std::string input = record("A", "1") + "{\"id\":\"C7\",\"name\":\"" + std::string(3u << 20, 'x') + "\"}\r\n" +
                      std::string(2u << 20, ' ') + "\n" + record("B", "2");
  std::istringstream in(input);
  RecordStream stream(in, InputFormat::jsonl, RecordLimits{}, 4096, "id");
  RawRecord raw;
  std::vector<std::string> seen;
  std::optional<std::string> long_key;
  while (stream.next(raw)) {
    seen.push_back(raw.early_error.empty() ? raw.text.substr(0, 10) : std::to_string(raw.line) + ": " + raw.early_error);
    if (!raw.early_error.empty()) long_key = raw.key;
  }
  REQUIRE(seen.size() == 3);
  // The same message as a record held in memory: its size (without the CRLF) and its key;
  // the long blank line after it is skipped like any blank line.
  size_t size = std::string("{\"id\":\"C7\",\"name\":\"\"}").size() + (3u << 20);
  CHECK(seen[1] == "2: record is " + std::to_string(size) + " bytes, more than the limit of 1048576 bytes");
  CHECK(long_key == std::optional<std::string>("C7"));
  CHECK(raw.line == 4);
  CHECK(seen[2] == "{\"id\":\"B\",");
  CHECK(stream.peak_buffered() < (1u << 20) + 3 * 4096);
}

TEST_CASE("impact: tiers matrix, segments, lists and fields, with at most three example keys per cell") {
  std::string old_rules = with_prelude(kRules);
  std::string new_rules = replace(replace(old_rules, "gold \"黄金\" when aum >= 20万", "gold \"黄金\" when aum >= 30万"), "offers += \"fund\"",
                                  "offers += \"bond\"");
  std::string input;
  for (int i = 0; i < 5; ++i) input += record("G" + std::to_string(i), "250000");  // gold -> vip
  input += record("P", "400000");                                                    // gold -> gold
  input += record("M", "1000", 25);                                                  // mass -> mass
  ImpactReport r = impact_of(old_rules, new_rules, input);
  CHECK(r.read == 7);
  CHECK(r.evaluated_by_both == 7);
  CHECK(r.changed == 6);
  CHECK(r.adds_up());
  REQUIRE(r.tiers.size() == 1);
  const TierMatrix& m = r.tiers[0];
  CHECK(m.old_rows == std::vector<std::string>{"gold", "vip", "mass"});
  CHECK(m.cells[0][1].count == 5);
  CHECK(m.cells[0][1].examples == std::vector<std::string>{"G0", "G1", "G2"});
  CHECK(m.cells[0][0].count == 1);
  CHECK(m.cells[2][2].count == 1);
  // Segments: nobody moved; list items: fund lost by all gold records, bond gained by the one still gold.
  REQUIRE(r.memberships.size() == 2);
  CHECK(r.memberships[0].kind == "segments");
  for (const GainLoss& g : r.memberships[0].ids) CHECK(g.gained.count + g.lost.count == 0);
  const MembershipChanges& offers = r.memberships[1];
  REQUIRE(offers.ids.size() == 2);
  CHECK(offers.ids[0].id == "\"fund\"");
  CHECK(offers.ids[0].lost.count == 6);
  CHECK(offers.ids[1].id == "\"bond\"");
  CHECK(offers.ids[1].gained.count == 1);
  CHECK(offers.ids[1].gained.examples == std::vector<std::string>{"P"});
  // advisor: shared -> digital for the five that left gold.
  const FieldChanges* advisor = nullptr;
  for (const FieldChanges& f : r.fields)
    if (f.name == "advisor") advisor = &f;
  REQUIRE(advisor);
  REQUIRE(advisor->changes.size() == 1);
  CHECK(advisor->changes[0].from == "\"shared\"");
  CHECK(advisor->changes[0].to == "\"digital\"");
  CHECK(advisor->changes[0].cell.count == 5);
  std::string text = impact_text(r, {"a.seg", "b.seg", "in.jsonl", "2025-06-30"});
  CHECK(text.find("    gold → vip  5  G0, G1, G2\n") != std::string::npos);
  CHECK(text.find("\noutput advisor\n  shared → digital  5  G0, G1, G2\n") != std::string::npos);
  CHECK(text.find("  fund       0     6  lost P, G0, G1\n") == std::string::npos);  // examples are in input order
  CHECK(text.find("  fund       0     6  lost G0, G1, G2\n") != std::string::npos);
  std::string csv = impact_csv(r);
  CHECK(csv.find("tier,value_tier,gold,vip,5,G0;G1;G2\n") != std::string::npos);
  CHECK(csv.find("item_lost,offers,fund,,6,G0;G1;G2\n") != std::string::npos);
  std::string json = impact_json(r, {"a.seg", "b.seg", "in.jsonl", "2025-06-30"});
  CHECK(json.find(R"({"from": "gold", "to": "vip", "count": 5, "examples": ["G0", "G1", "G2"]})") != std::string::npos);
}

TEST_CASE("impact: totals equal the records read, whichever version fails") {
  std::string old_rules = with_prelude(kRules);
  // The new version needs a field the old one does not, and divides by age.
  std::string new_rules = replace(replace(old_rules, "  bonus : money = 0\n", "  bonus : money = 0\n  segment_code : string\n"),
                                  "young \"少\" when age < 30", "young \"少\" when 100 / age > 3");
  std::string input = record("OK1", "1000", 40, ",\"segment_code\":\"x\"") +  // both
                      record("OLDONLY", "1000", 40) +                        // new lacks segment_code
                      record("BOTH", "\"x\"", 40) +                          // aum is not a number
                      "not json at all\n" +                                  // both, no key
                      record("DIV", "1000", 0, ",\"segment_code\":\"x\"");   // new divides by zero
  ImpactReport r = impact_of(old_rules, new_rules, input);
  CHECK(r.read == 5);
  CHECK(r.evaluated_by_both == 1);
  CHECK(r.failed_old_only.count == 0);
  CHECK(r.failed_new_only.count == 2);  // OLDONLY (missing field), DIV (division by zero)
  CHECK(r.failed_both.count == 2);
  CHECK(r.adds_up());
  REQUIRE(r.failed_new_only.examples.size() == 2);
  CHECK(r.failed_new_only.examples[0].key == "OLDONLY");
  CHECK(r.failed_new_only.examples[0].old_error.empty());
  CHECK(r.failed_new_only.examples[0].new_error == "missing required field `segment_code`");
  CHECK(r.failed_new_only.examples[1].key == "DIV");
  CHECK(r.failed_new_only.examples[1].line == 5);
  CHECK(r.failed_both.examples[1].key.empty());
  CHECK(r.failed_both.examples[1].line == 4);
  // Swapped, the same records fail in the old version only.
  ImpactReport back = impact_of(new_rules, old_rules, input);
  CHECK(back.failed_old_only.count == 2);
  CHECK(back.failed_new_only.count == 0);
  CHECK(back.adds_up());
  std::string text = impact_text(r, {"a", "b", "i", "2025-06-30"});
  CHECK(text.starts_with("impact of a → b on i (as of 2025-06-30)\n5 records read: 1 evaluated by both (0 changed, 1 unchanged), 0 failed in "
                         "the old version only, 2 in the new version only, 2 in both\n"));
  CHECK(text.find("    line 4: malformed JSON at column 1") != std::string::npos);
}

TEST_CASE("impact: a generated stream of 200,000 records is read in bounded memory and every record is counted") {
  std::string old_rules = with_prelude(kRules);
  std::string new_rules = replace(old_rules, "gold \"黄金\" when aum >= 20万", "gold \"黄金\" when aum >= 30万");
  auto a = compile_text(old_rules);
  auto b = compile_text(new_rules);
  const size_t n = 200000;
  GeneratedRecords source(n);
  std::istream in(&source);
  RecordStream stream(in, InputFormat::jsonl, RecordLimits{}, 4096);
  ImpactOptions options;
  options.as_of = *parse_date("2025-06-30");
  ImpactReport r = run_impact(*a, *b, stream, options);
  CHECK(r.read == n);
  CHECK(r.adds_up());
  CHECK(r.failed_both.count == (n + 96) / 97);
  // aum = (i % 400) * 1000: 200000..299000 move from gold to vip, except the records made to fail.
  size_t moved = 0;
  for (size_t i = 0; i < n; ++i) moved += i % 400 >= 200 && i % 400 < 300 && i % 97 != 0;
  CHECK(r.tiers[0].cells[0][1].count == moved);
  // The whole input is some 30 MB; what is held at once stays within a few blocks.
  CHECK(stream.peak_buffered() <= 3 * 4096);
}

TEST_CASE("impact: output values computed from pii fields are masked unless asked") {
  std::string old_rules = with_prelude(kRules);
  std::string new_rules = replace(old_rules, "greeting = name", "greeting = \"您好\"");
  std::string input = record("V", "1000", 40, "", true);
  for (bool show_pii : {false, true}) {
    ImpactReport r = impact_of(old_rules, new_rules, input, InputFormat::jsonl, 64, show_pii);
    const FieldChanges* greeting = nullptr;
    for (const FieldChanges& f : r.fields)
      if (f.name == "greeting") greeting = &f;
    REQUIRE(greeting);
    CHECK(greeting->masked == !show_pii);
    REQUIRE(greeting->changes.size() == 1);
    CHECK(greeting->changes[0].from == (show_pii ? "\"王小明\"" : "\"王**\""));
    CHECK(greeting->changes[0].to == (show_pii ? "\"您好\"" : "\"您**\""));
    CHECK(greeting->changes[0].cell.examples == std::vector<std::string>{"V"});  // keys are printed as they are
  }
}
