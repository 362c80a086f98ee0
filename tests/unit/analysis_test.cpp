// The static analysis behind `segrule check`: small tables with a shadowed row,
// a gap, overlaps, impossible conditions, a conflict and unused declarations,
// each stating the codes it must give. Every example record the analysis
// prints is evaluated here and must show what its warning says.

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/analysis.hpp"
#include "analysis/equivalence.hpp"
#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;
using testing::eval_record;

struct Analysed {
  std::shared_ptr<Program> program;
  std::vector<Finding> findings;
};

Analysed analysed_text(const std::string& text, bool show_pii = true) {
  Diagnostics diagnostics;
  Analysed a;
  a.program = compile_text(text, &diagnostics);
  REQUIRE_MESSAGE(a.program, (diagnostics.empty() ? std::string("no program") : diagnostics[0].message));
  AnalysisOptions options;
  options.show_pii = show_pii;
  a.findings = analyse(*a.program, options);
  return a;
}

// The declarations after testing::with_prelude (fields id, aum, age, name (pii),
// occupation?, credit, opened, held, vip, bonus = 0).
Analysed analysed(const std::string& declarations, bool show_pii = true) {
  return analysed_text(testing::with_prelude(declarations), show_pii);
}

std::string codes(const Analysed& a) {
  std::string out;
  for (const Finding& f : a.findings) out += (out.empty() ? "" : " ") + f.diagnostic.code;
  return out;
}

const Finding& only(const Analysed& a, const std::string& code) {
  for (const Finding& f : a.findings)
    if (f.diagnostic.code == code) return f;
  FAIL("no finding " << code << " among: " << codes(a));
  return a.findings.front();
}

// An example note: "example: {...}" or "example (as of 2025-06-01): {...}", maybe followed by " → ...".
struct Example {
  std::string as_of = "2025-06-30";
  std::string json;
};

std::vector<Example> examples(const Finding& f) {
  std::vector<Example> out;
  for (const std::string& note : f.notes) {
    if (note.rfind("example", 0) != 0) continue;
    Example e;
    size_t as_of = note.find("(as of ");
    if (as_of != std::string::npos && as_of < note.find('{')) e.as_of = note.substr(as_of + 7, 10);
    size_t begin = note.find('{');
    size_t end = note.rfind('}');
    e.json = note.substr(begin, end - begin + 1);
    out.push_back(e);
  }
  return out;
}

// Evaluates every example of every finding and checks it shows what the code claims.
void check_examples(const Analysed& a) {
  for (const Finding& f : a.findings) {
    for (const Example& e : examples(f)) {
      INFO(f.diagnostic.code << " " << f.diagnostic.message << "\n  example: " << e.json);
      std::string result = eval_record(*a.program, e.json, e.as_of);
      CHECK(result.find("error: field") == std::string::npos);  // the schema accepts it
      CHECK(result.find("missing required field") == std::string::npos);
      if (f.diagnostic.code == "W0702") CHECK(result.find("error: no tier of") == 0);
      if (f.diagnostic.code == "W0704") CHECK(result.rfind("error:", 0) != 0);
      if (f.diagnostic.code == "E0702" && f.notes.size() == 2 && f.notes[1].rfind("example", 0) != 0)
        CHECK(result.find("error: invariant `") == 0);
    }
  }
}

TEST_CASE("analysis: a tier row that earlier rows cover is never reached (W0701)") {
  Analysed a = analysed(R"(
tiers t {
  gold     "G" when aum >= 20万
  platinum "P" when aum >= 100万
  mass     "M" otherwise
}
)");
  CHECK(codes(a) == "W0701");
  CHECK(only(a, "W0701").diagnostic.message == "row `platinum` of `t` is never reached: row `gold` above it matches every record it would match");
  CHECK(only(a, "W0701").diagnostic.line == 18);

  // Two rows together cover the third; the message names both.
  a = analysed(R"(
tiers t {
  a "A" when aum >= 10
  b "B" when aum < 20
  c "C" when age > 5
  d "D" otherwise
}
)");
  CHECK(codes(a) == "W0701 W0701");
  CHECK(a.findings[0].diagnostic.message == "row `c` of `t` is never reached: rows `a` and `b` above it match every record it would match");
  CHECK(a.findings[1].diagnostic.message == "the `otherwise` row `d` of `t` is never reached: rows `a` and `b` above it match every record");
}

TEST_CASE("analysis: overlapping rows and strategies that agree are not warned about") {
  // Rows that overlap partly are how tiers are written: the first match wins.
  CHECK(codes(analysed(R"(
tiers t {
  a "A" when aum >= 100 and age >= 18
  b "B" when aum >= 50
  c "C" otherwise
}
output { cadence : enum [yearly, monthly] = yearly }
strategy s1 "1" when t == a { cadence = monthly }
strategy s2 "2" when aum >= 80 { cadence = monthly }
)")) == "");
}

TEST_CASE("analysis: a tiers without `otherwise` that some record falls through (W0702)") {
  Analysed a = analysed(R"(
tiers t {
  rich "R" when aum >= 100
  poor "P" when aum < 50
}
)");
  CHECK(codes(a) == "W0702");
  const Finding& gap = only(a, "W0702");
  CHECK(gap.diagnostic.message == "some records match no row of `t`, which has no `otherwise` row");
  REQUIRE(examples(gap).size() == 1);
  CHECK(eval_record(*a.program, examples(gap)[0].json) == "error: no tier of `t` matched");
  check_examples(a);
  // A list in the record: the items rules look up, then distinct fillers up to the count.
  a = analysed("tiers t { few \"F\" when count(held) < 3  other \"O\" when not (\"card\" in held) }\n");
  REQUIRE(codes(a) == "W0702");
  CHECK(examples(only(a, "W0702"))[0].json.find(R"("held":["card","item1","item2"])") != std::string::npos);
  check_examples(a);
  // Nullable fields and dates.
  a = analysed("tiers t { known \"K\" when occupation is null or opened < 2020-01-01 }\n");
  REQUIRE(codes(a) == "W0702");
  CHECK(examples(only(a, "W0702"))[0].json.find(R"("occupation":null)") == std::string::npos);
  check_examples(a);
  // Rows that cover every record leave no gap.
  CHECK(codes(analysed("tiers t { rich \"R\" when aum >= 100  poor \"P\" when aum < 100 }\n")) == "");
  CHECK(codes(analysed("tiers t { a \"A\" when vip  b \"B\" when not vip }\n")) == "");
}

TEST_CASE("analysis: conditions that can never hold (W0703)") {
  struct Case {
    const char* rules;
    const char* codes;
  };
  const Case cases[] = {
      {"segments s { odd \"O\" when aum > 10 and aum < 5  ok \"K\" when aum > 10 }\n", "W0703"},
      {"tiers t { a \"A\" when aum > 10 and aum < 5  b \"B\" otherwise }\n", "W0703"},
      {"output { o : string }\nstrategy s \"S\" when credit > AAA { o = \"x\" }\n", "W0703"},
      {"output { o : string }\nstrategy s \"S\" when aum > 10 { o = \"x\" when aum < 10 }\n", "W0703"},
      // A share compared with a constant stays exact: more than all of aum, yet at most aum.
      {"segments s { x \"X\" when share(bonus, aum) > 1 and bonus <= aum and aum > 0 }\n", "W0703"},
      {"segments s { x \"X\" when share(bonus, aum) >= 50% and bonus > 0 }\n", ""},
      // Dates: ten whole years are at least 3652 days.
      {"segments s { x \"X\" when years_between(opened, as_of) >= 10 and days_between(opened, as_of) < 3650 }\n", "W0703"},
      {"segments s { x \"X\" when years_between(opened, as_of) >= 10 and days_between(opened, as_of) < 3660 }\n", ""},
      // 366 days are always a whole year, even from 29 February; 365 days may not be.
      {"segments s { x \"X\" when years_between(opened, as_of) == 0 and days_between(opened, as_of) >= 366 }\n", "W0703"},
      {"segments s { x \"X\" when years_between(opened, as_of) == 0 and days_between(opened, as_of) == 365 }\n", ""},
      {"segments s { x \"X\" when years_between(as_of, opened) == -1 and days_between(opened, as_of) == 365 }\n", ""},
      // Strings and lists.
      {"segments s { x \"X\" when starts_with(name, \"VIP\") and name == \"AB\" }\n", "W0703"},
      {"segments s { x \"X\" when (occupation ?? \"none\") == \"clerk\" and occupation is null }\n", "W0703"},
      {"segments s { x \"X\" when \"card\" in held and count(held) == 0 }\n", "W0703"},
      {"segments s { x \"X\" when \"card\" in held and count(held) == 1 and not (\"loan\" in held) }\n", ""},
      // Rounding is exact: round(x, 0) >= 1 needs x >= 0.5.
      {"segments s { x \"X\" when round(aum, 0) >= 1 and aum < 0.5 }\n", "W0703"},
      {"segments s { x \"X\" when round(aum, 0) >= 1 and aum < 0.51 }\n", ""},
  };
  for (const Case& c : cases) {
    INFO(std::string(c.rules));
    Analysed a = analysed(c.rules);
    CHECK(codes(a) == c.codes);
    check_examples(a);
  }
}

TEST_CASE("analysis: a drop row no offered item reaches (W0703)") {
  Analysed a = analysed(R"(
enum grade [R1, R2]
catalog product { risk : grade  a "A" { risk: R1 }  b "B" { risk: R2 } }
output { offers : list<product> }
strategy s "S" when aum > 0 { offer a }
constraint c "C" on offers as p {
  drop when p.risk == R2 reason "never offered"
  drop when aum < 100 reason "small"
}
)");
  CHECK(codes(a) == "W0803 W0703");  // `b` is never offered, so nothing is dropped for its grade
  CHECK(only(a, "W0703").diagnostic.message == "drop row 1 of `c` never drops anything: no item of `offers` that reaches it meets its condition");
}

TEST_CASE("analysis: two strategies that set one output differently (W0704), verified by evaluation") {
  Analysed a = analysed(R"(
output { advisor : enum [digital, shared, dedicated] = digital }
strategy vip_care "V" when aum >= 10万 { advisor = shared }
strategy high_value "H" when aum >= 100万 { advisor = dedicated }
)");
  CHECK(codes(a) == "W0704");
  const Finding& f = only(a, "W0704");
  CHECK(f.diagnostic.message == "`vip_care` and `high_value` can both fire for one record and set `advisor` differently");
  REQUIRE(examples(f).size() == 1);
  std::string result = eval_record(*a.program, examples(f)[0].json);
  CHECK(result.find("\"advisor\":\"shared\"") != std::string::npos);  // the first one wins
  CHECK(f.notes[1] == "there `vip_care` sets `advisor` = \"shared\" and `high_value` would set \"dedicated\"");
  check_examples(a);
  // Exclusive conditions, or the same value, are no conflict.
  CHECK(codes(analysed(R"(
output { advisor : enum [digital, shared, dedicated] = digital }
strategy vip_care "V" when aum >= 10万 and aum < 100万 { advisor = shared }
strategy high_value "H" when aum >= 100万 { advisor = dedicated }
)")) == "");
  CHECK(codes(analysed(R"(
output { advisor : enum [digital, shared, dedicated] = digital }
strategy vip_care "V" when aum >= 10万 { advisor = if aum >= 100万 then dedicated else shared }
strategy high_value "H" when aum >= 100万 { advisor = dedicated }
)")) == "");
}

TEST_CASE("analysis: what is beyond the analysis says \"not analysed\" (W0705), only where it matters") {
  Analysed a = analysed(R"(
let product_of_two = aum * age
segments s {
  odd  "O" when product_of_two > 100
  fine "F" when aum > 100
}
output { o : string }
strategy s1 "1" when fine in s { o = "x" }
)");
  CHECK(codes(a) == "W0705");
  const Finding& f = only(a, "W0705");
  CHECK(f.diagnostic.message == "segment `odd` of `s` was not analysed");
  CHECK(f.diagnostic.help == "`aum * age` multiplies two values that are not constants (line 16)");
}

TEST_CASE("analysis: unused lets, enum values, catalog items and outputs (W0801-W0804)") {
  Analysed a = analysed(R"(
enum grade [R1, R2, R3]
enum colour [red, blue]
let used = aum * 2
let unused = used + 1
catalog product { risk : grade  a "A" { risk: R1 }  b "B" { risk: R2 }  c "C" { risk: R1 } }
output {
  cadence : enum [yearly, monthly, weekly] = yearly
  offers : list<product>
  note : string
}
strategy s "S" when used > 10 { cadence = monthly  offer a, b }
)");
  CHECK(codes(a) == "W0802 W0802 W0801 W0803 W0802 W0804");
  std::vector<std::string> messages;
  for (const Finding& f : a.findings) messages.push_back(f.diagnostic.message);
  CHECK(messages == std::vector<std::string>{
                        "value `R3` of enum `grade` is never used",
                        "enum `colour` is never used",
                        "let `unused` is never used",
                        "catalog item `c` of `product` is never used",
                        "value `weekly` of output `cadence` is never set",
                        "output `note` is never set",
                    });
  // Values records can hold are used: `credit` is an input of enum `rating`.
  CHECK(codes(analysed("tiers t { a \"A\" when credit >= BBB  b \"B\" otherwise }\n")) == "");
}

TEST_CASE("analysis: personal data in example records is masked unless asked") {
  // The record that falls through must be named 张三丰.
  const std::string rules = "tiers t { a \"A\" when name != \"张三丰\"  b \"B\" when aum < 10 }\n";
  Analysed masked = analysed(rules, false);
  REQUIRE(codes(masked) == "W0702");
  CHECK(examples(only(masked, "W0702"))[0].json.find("\"name\":\"张**\"") != std::string::npos);
  Analysed clear = analysed(rules, true);
  CHECK(examples(only(clear, "W0702"))[0].json.find("\"name\":\"张三丰\"") != std::string::npos);
  CHECK(examples(only(clear, "W0702"))[0].json.find("\"id\":\"X1\"") != std::string::npos);  // the key is never masked
}

TEST_CASE("analysis: the seed policy gives no finding, quickly") {
  std::ifstream in(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto start = std::chrono::steady_clock::now();
  Analysed a = analysed_text(text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(codes(a) == "");
  CHECK(seconds < 5.0);  // well under a second in a release build; sanitizers are slower
}

TEST_CASE("analysis: every example printed for the rule files in the repository shows its warning") {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const char* dir : {"rulesets", "tests/golden"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SEGRULE_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".seg") continue;
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto program = compile_text(text);
      if (!program) continue;
      INFO(entry.path().string());
      Analysed a;
      a.program = program;
      AnalysisOptions options;
      options.show_pii = true;
      a.findings = analyse(*program, options);
      check_examples(a);
      ++files;
    }
  }
  CHECK(files > 10);
}

// Exactness, against brute force: random tiers over two int fields with constants in
// 0..10, where the records -1..11 × -1..11 cover every case. A row is warned about
// (W0701 or W0703) exactly when no record reaches it, and a gap (W0702) exactly when
// some record matches no row.
TEST_CASE("analysis: random tables agree with brute force") {
  uint32_t seed = 12345;
  auto next = [&](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  const char* ops[] = {"<", "<=", ">", ">=", "==", "!="};
  int unreached = 0, gaps = 0;  // the tables include both kinds of finding
  for (int table = 0; table < 40; ++table) {
    struct Atom {
      int field, op, value;
    };
    std::vector<std::vector<Atom>> rows(2 + next(3));
    std::string text = "ruleset r { version \"1\" }\ninput c key id { id : string  x : int  y : int }\ntiers t {\n";
    for (size_t r = 0; r < rows.size(); ++r) {
      rows[r].resize(1 + next(2));
      text += "  r" + std::to_string(r) + " when ";
      for (size_t k = 0; k < rows[r].size(); ++k) {
        Atom& a = rows[r][k];
        a = {static_cast<int>(next(2)), static_cast<int>(next(6)), static_cast<int>(next(11))};
        text += std::string(k ? " and " : "") + (a.field ? "y " : "x ") + ops[a.op] + " " + std::to_string(a.value);
      }
      text += "\n";
    }
    const bool otherwise = next(2) == 0;
    if (otherwise) text += "  rest otherwise\n";
    text += "}\n";
    INFO(text);
    auto holds = [&](const Atom& a, int x, int y) {
      int v = a.field ? y : x;
      switch (a.op) {
        case 0: return v < a.value;
        case 1: return v <= a.value;
        case 2: return v > a.value;
        case 3: return v >= a.value;
        case 4: return v == a.value;
        default: return v != a.value;
      }
    };
    std::vector<bool> reached(rows.size() + 1, false);
    for (int x = -1; x <= 11; ++x)
      for (int y = -1; y <= 11; ++y) {
        size_t first = rows.size();
        for (size_t r = 0; r < rows.size() && first == rows.size(); ++r) {
          bool all = true;
          for (const Atom& a : rows[r]) all = all && holds(a, x, y);
          if (all) first = r;
        }
        reached[first] = true;  // rows.size(): no row matched
      }
    Analysed a = analysed_text(text);
    std::vector<bool> warned(rows.size() + 1, false);
    bool gap = false;
    for (const Finding& f : a.findings) {
      REQUIRE(f.diagnostic.code != "W0705");
      if (f.diagnostic.code == "W0702") gap = true;
      if (f.diagnostic.code == "W0701" || f.diagnostic.code == "W0703") warned[f.diagnostic.line - 4] = true;
    }
    for (size_t r = 0; r < rows.size(); ++r) CHECK(warned[r] == !reached[r]);
    if (otherwise) CHECK(warned[rows.size()] == !reached[rows.size()]);
    else CHECK(gap == reached[rows.size()]);
    check_examples(a);
    for (size_t r = 0; r < rows.size(); ++r) unreached += !reached[r];
    gaps += gap;
  }
  CHECK(unreached > 5);
  CHECK(gaps > 5);
}

// ---- equivalence of one decision in two versions -------------------------------------

std::shared_ptr<Program> version(const std::string& declarations) {
  auto p = compile_text(testing::with_prelude(declarations));
  REQUIRE(p);
  return p;
}

TEST_CASE("equivalence: a rewritten condition is equivalent, a changed threshold differs") {
  auto old_p = version("tiers t { gold \"G\" when aum >= 20万  vip \"V\" when aum >= 10万  mass \"M\" otherwise }\n");
  auto same = version("tiers t { gold \"G\" when not (aum < 200000)  vip \"V\" when aum >= 10万 and aum < 20万  mass \"M\" otherwise }\n");
  CHECK(compare_decision(*old_p, *same, "t", false).verdict == Verdict::equivalent);

  auto moved = version("tiers t { gold \"G\" when aum >= 30万  vip \"V\" when aum >= 10万  mass \"M\" otherwise }\n");
  DecisionComparison c = compare_decision(*old_p, *moved, "t", false);
  REQUIRE(c.verdict == Verdict::differs);
  CHECK(c.old_result == "\"gold\"");
  CHECK(c.new_result == "\"vip\"");
  CHECK(eval_record(*old_p, c.example).find("\"t\":\"gold\"") != std::string::npos);
  CHECK(eval_record(*moved, c.example).find("\"t\":\"vip\"") != std::string::npos);
}

TEST_CASE("equivalence: segments compare as sets; a gap is a difference; what is beyond says why") {
  auto old_p = version("segments s { a \"A\" when aum > 10  b \"B\" when age > 30 }\n");
  auto reordered = version("segments s { b \"B\" when age > 30  a \"A\" when aum > 10 }\n");
  CHECK(compare_decision(*old_p, *reordered, "s", false).verdict == Verdict::equivalent);
  auto changed = version("segments s { b \"B\" when age > 30  a \"A\" when aum > 10 or vip }\n");
  DecisionComparison c = compare_decision(*old_p, *changed, "s", false);
  CHECK(c.verdict == Verdict::differs);
  CHECK(c.old_result != c.new_result);

  auto covered = version("tiers t { a \"A\" when aum >= 10  b \"B\" otherwise }\n");
  auto gap = version("tiers t { a \"A\" when aum >= 10  b \"B\" when aum < 5 }\n");
  c = compare_decision(*covered, *gap, "t", false);
  REQUIRE(c.verdict == Verdict::differs);
  CHECK(c.new_result == "no tier matched");

  auto product = version("tiers t { a \"A\" when aum * age >= 10  b \"B\" otherwise }\n");
  c = compare_decision(*covered, *product, "t", false);
  CHECK(c.verdict == Verdict::not_analysed);
  CHECK(c.reason == "`aum * age` multiplies two values that are not constants");
  CHECK(compare_decision(*covered, *product, "nope", false).verdict == Verdict::not_analysed);
}

TEST_CASE("equivalence: fields added in the new version are part of the record") {
  auto old_p = compile_text("ruleset r { version \"1\" }\ninput c key id { id : string  aum : money }\n"
                            "tiers t { a \"A\" when aum >= 10  b \"B\" otherwise }\n");
  auto new_p = compile_text("ruleset r { version \"2\" }\ninput c key id { id : string  aum : money  flag : bool = false }\n"
                            "tiers t { a \"A\" when aum >= 10 or flag  b \"B\" otherwise }\n");
  REQUIRE(old_p);
  REQUIRE(new_p);
  DecisionComparison c = compare_decision(*old_p, *new_p, "t", false);
  REQUIRE(c.verdict == Verdict::differs);
  CHECK(c.example.find("\"flag\":true") != std::string::npos);
  auto retyped = compile_text("ruleset r { version \"2\" }\ninput c key id { id : string  aum : int }\n"
                              "tiers t { a \"A\" when aum >= 10  b \"B\" otherwise }\n");
  REQUIRE(retyped);
  c = compare_decision(*old_p, *retyped, "t", false);
  CHECK(c.verdict == Verdict::not_analysed);
  CHECK(c.reason == "input field `aum` has a different type in the two versions");
}

}  // namespace
}  // namespace segrule
