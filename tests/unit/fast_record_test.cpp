// The fast JSON record reader (eval/fast_record) against record_from_json, the
// reference: whenever the fast path says yes, the slow path says yes too and
// every input slot holds the same value; the fast path says yes on the common
// shapes; it never accepts what the slow path rejects.

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "eval/fast_record.hpp"
#include "eval/jsonl.hpp"
#include "eval/record.hpp"
#include "support.hpp"

using namespace segrule;
using segrule::testing::compile_text;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every input type, nullable and defaulted fields, lists of each element type.
const char* const kAllTypes = R"SEG(
ruleset fast_record_test {
  title     "fast record: every input type"
  version   "1"
  effective 2025-06-01
}

enum rating [C, B, BB, BBB, A, AA, AAA]
enum risk   [C1 "保守型", C2, C3, C4, C5 "进取型"]

input customer key id {
  id                : string
  name              : string pii
  age               : int
  retired           : bool
  occupation        : string?
  opened            : date
  risk_level        : risk
  credit_rating     : rating
  demand_deposits   : money
  time_deposits     : money
  aum               : money
  loans             : money = 0
  monthly_txn_count : int
  large_inflow_30d  : money = 0
  products_held     : list<string>
  risk_history      : list<risk>
  counts            : list<int>
  flags             : list<bool>
  dates             : list<date>
  weight            : number = 0.5
  bonus             : money?
  birthday          : date?
  target_rating     : rating = A
  vip               : bool?
  nickname          : string = "none"
}

tiers value_tier {
  gold "黄金客户" when aum >= 20万
  mass "大众客户" otherwise
}
)SEG";

const Program& all_types() {
  static const auto program = compile_text(kAllTypes);
  REQUIRE(program);
  return *program;
}

const Program& retail() {
  static const auto program = compile_text(read_text(std::string(SEGRULE_SOURCE_DIR) + "/rulesets/retail-2025.seg"));
  REQUIRE(program);
  return *program;
}

// Every member compared, not only the ones the kind uses: the fast path must
// leave a slot exactly as the Value factories do.
bool identical(const Value& a, const Value& b) {
  if (a.kind != b.kind || a.boolean != b.boolean || a.symbol != b.symbol || a.date != b.date || a.number != b.number ||
      a.text != b.text || a.items.size() != b.items.size())
    return false;
  for (size_t i = 0; i < a.items.size(); ++i)
    if (!identical(a.items[i], b.items[i])) return false;
  return true;
}

std::string describe(const Value& v) {
  std::string s = "kind " + std::to_string(static_cast<int>(v.kind)) + " bool " + std::to_string(v.boolean) + " symbol " +
                  std::to_string(v.symbol) + " date " + std::to_string(v.date.days) + " number " + v.number.to_string() +
                  " text `" + v.text + "` items [";
  for (const Value& item : v.items) s += describe(item) + "; ";
  return s + "]";
}

// Runs both readers on one record and checks that they agree. The fast
// reader's slots are kept between calls (as a batch worker keeps them), so
// stale values from earlier records would show up as differences.
class Differential {
 public:
  explicit Differential(const Program& program) : program_(program), reader_(program), fast_slots_(program.slots.size()) {}

  // The fast reader's answer; fails the test on any disagreement.
  bool check(std::string_view text, const RecordLimits& limits = {}) {
    std::vector<Value> slow_slots(program_.slots.size());
    RecordProblem problem;
    const bool slow = record_from_json(program_, text, limits, slow_slots, problem);
    const bool fast = reader_.read(text, limits, fast_slots_);
    ++records_;
    fast_count_ += fast;
    slow_count_ += slow;
    if (fast && !slow) {
      FAIL_CHECK("fast path accepted a record the slow path rejects (" << problem.message << "): " << text);
      return fast;
    }
    if (!fast) return fast;
    for (const InputField& f : program_.inputs) {
      if (!identical(fast_slots_[f.slot], slow_slots[f.slot])) {
        FAIL_CHECK("field `" << f.name << "` differs: fast " << describe(fast_slots_[f.slot]) << " / slow "
                             << describe(slow_slots[f.slot]) << "\nrecord: " << text);
      }
    }
    return fast;
  }

  size_t records_ = 0, fast_count_ = 0, slow_count_ = 0;

 private:
  const Program& program_;
  FastRecordReader reader_;
  std::vector<Value> fast_slots_;
};

// A record of kAllTypes built from named members; with() replaces, adds (at the
// end) or removes (kAbsent) one member, keeping the order.
constexpr const char* kAbsent = "<absent>";
struct Record {
  std::vector<std::pair<std::string, std::string>> members = {
      {"id", R"("C00000001")"},
      {"name", R"("客户1")"},
      {"age", "20"},
      {"retired", "false"},
      {"occupation", R"("student")"},
      {"opened", R"("2016-11-03")"},
      {"risk_level", R"("C5")"},
      {"credit_rating", R"("B")"},
      {"demand_deposits", "5588.03"},
      {"time_deposits", "148888.44"},
      {"wealth_products", "39357.44"},
      {"aum", "211196.26"},
      {"monthly_txn_count", "16"},
      {"large_inflow_30d", "0.0"},
      {"products_held", R"(["gold","insurance","money_fund"])"},
      {"risk_history", R"(["C1","C5"])"},
      {"counts", "[1,2,3]"},
      {"flags", "[true,false]"},
      {"dates", R"(["2024-02-29"])"},
  };
  Record with(const std::string& key, const std::string& value) const {
    Record r = *this;
    for (auto it = r.members.begin(); it != r.members.end(); ++it) {
      if (it->first != key) continue;
      if (value == kAbsent) r.members.erase(it);
      else it->second = value;
      return r;
    }
    if (value != kAbsent) r.members.emplace_back(key, value);
    return r;
  }
  std::string text() const {
    std::string s = "{";
    for (const auto& [key, value] : members) s += (s.size() > 1 ? "," : "") + ("\"" + key + "\":") + value;
    return s + "}";
  }
};

using testing::Random;

// One random edit: a byte replaced, inserted or deleted, or a slice copied
// elsewhere (which makes duplicate keys, nested values and trailing garbage).
std::string mutate(std::string text, Random& random) {
  static const std::string interesting = std::string("\"\\,:{}[]01-.eE+ \t\r\nntfu9a\x7f") + '\0' + "\x1f\x80\xc3\xe5\xef\xbf\xff";
  auto byte = [&] { return random.below(4) == 0 ? static_cast<char>(random.below(256)) : interesting[random.below(interesting.size())]; };
  size_t at = random.below(text.size() + 1);
  switch (random.below(4)) {
    case 0:
      if (at < text.size()) text[at] = byte();
      break;
    case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), byte()); break;
    case 2:
      if (at < text.size()) text.erase(at, 1);
      break;
    default: {
      size_t from = random.below(text.size());
      std::string slice = text.substr(from, 1 + random.below(24));
      text.insert(at, slice);
    }
  }
  return text;
}

}  // namespace

TEST_CASE("fast record: the shipped customers are read fast and identically") {
  Differential retail_check(retail()), all_check(all_types());
  size_t lines = 0;
  for_each_jsonl_line(read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl"), [&](std::string_view text, size_t) {
    ++lines;
    CHECK_MESSAGE(retail_check.check(text), text);
    all_check.check(text);  // other schema: risk_history etc. absent, some lists required
  });
  CHECK(lines >= 100);
  CHECK(retail_check.fast_count_ == lines);
  CHECK(all_check.fast_count_ == all_check.slow_count_);
}

TEST_CASE("fast record: every record of the fuzz corpus") {
  Differential retail_check(retail()), all_check(all_types());
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SEGRULE_SOURCE_DIR) + "/fuzz/corpus/jsonl_records")) {
    ++files;
    const std::string data = read_text(entry.path().string());
    for_each_jsonl_line(data, [&](std::string_view text, size_t) {
      retail_check.check(text);
      all_check.check(text);
    });
    retail_check.check(data);  // the whole file as one record: arrays, several lines
  }
  CHECK(files >= 40);
  // The corpus is mostly edge cases; the valid ones without escapes take the fast path.
  CHECK(retail_check.fast_count_ >= 20);
  CHECK(all_check.fast_count_ >= 5);
  MESSAGE("fuzz corpus, retail: " << retail_check.fast_count_ << " fast of " << retail_check.slow_count_ << " valid, "
                                  << retail_check.records_ << " records");
}

TEST_CASE("fast record: edge cases") {
  const Record base;
  struct Case {
    const char* what;
    std::string text;
    bool slow;  // record_from_json accepts it
    bool fast;  // the fast path takes it (never when slow is false)
  };
  const std::string valid = base.text();
  const std::vector<Case> cases = {
      {"the base record", valid, true, true},
      // Unknown members: any valid JSON, checked in full.
      {"unicode in an unknown member", base.with("note", R"("日本語 ü 😀 \u00e9")").text(), true, false},
      {"unicode without escapes", base.with("note", R"("日本語 ü 😀")").text(), true, true},
      {"unicode key of an unknown member", base.with("备注", R"("x")").text(), true, true},
      {"escape in an unknown member", base.with("note", R"("a\nb")").text(), true, false},
      {"escaped key", base.with("n\\u006fte", R"("x")").text(), true, false},
      {"escaped key that names a declared field twice", base.with("\\u0061ge", "21").text(), false, false},
      {"\\u0000 in a declared string", base.with("occupation", R"("civil\u0000x")").text(), true, false},
      {"lone surrogate", base.with("note", R"("\ud800")").text(), false, false},
      {"raw control character in an unknown string", base.with("note", "\"a\x01b\"").text(), false, false},
      {"raw tab in a declared string", base.with("occupation", "\"a\tb\"").text(), false, false},
      {"DEL is allowed raw", base.with("occupation", "\"a\x7f" "b\"").text(), true, true},
      {"invalid UTF-8 in an unknown string", base.with("note", "\"a\xc3(\"").text(), false, false},
      {"overlong UTF-8", base.with("note", "\"\xc0\xaf\"").text(), false, false},
      {"UTF-8 surrogate", base.with("note", "\"\xed\xa0\x80\"").text(), false, false},
      {"truncated UTF-8 at the end of a string", base.with("note", "\"abcdefg\xe5\x85\"").text(), false, false},
      {"invalid UTF-8 in a key", base.with("no\xfete", "1").text(), false, false},
      {"nested unknown objects and arrays", base.with("x", R"({"a":[1,{"b":null,"c":[true,false,-1.5e3]}],"d":{}})").text(), true, true},
      {"the same key in two nested objects", base.with("x", R"({"a":{"a":1},"b":{"a":2}})").text(), true, true},
      {"a declared name inside an unknown member", base.with("x", R"({"age":"not a number"})").text(), true, true},
      {"duplicate key in a nested object", base.with("x", R"({"a":1,"b":2,"a":3})").text(), false, false},
      {"duplicate unknown key", valid.substr(0, valid.size() - 1) + R"(,"x":1,"y":2,"x":1})", false, false},
      {"duplicate declared key", valid.substr(0, valid.size() - 1) + R"(,"aum":1})", false, false},
      {"unknown key differing in case", base.with("AUM", "1").text(), true, true},
      // Numbers.
      {"-0", base.with("aum", "-0").text(), true, true},
      {"-0.0 for an int", base.with("age", "-0.0").text(), true, true},
      {"1e5", base.with("aum", "1e5").text(), true, true},
      {"1E+2 for an int", base.with("age", "1E+2").text(), true, true},
      {"0.1e-3", base.with("aum", "0.1e-3").text(), true, true},
      {"20.0 for an int", base.with("age", "20.0").text(), true, true},
      {"20.5 for an int", base.with("age", "20.5").text(), false, false},
      {"2e-1 for an int", base.with("age", "2e-1").text(), false, false},
      {"00", base.with("aum", "00").text(), false, false},
      {"01", base.with("aum", "01").text(), false, false},
      {"1.", base.with("aum", "1.").text(), false, false},
      {".5", base.with("aum", ".5").text(), false, false},
      {"+1", base.with("aum", "+1").text(), false, false},
      {"1e", base.with("aum", "1e").text(), false, false},
      {"1e+", base.with("aum", "1e+").text(), false, false},
      {"-", base.with("aum", "-").text(), false, false},
      {"NaN", base.with("aum", "NaN").text(), false, false},
      {"huge: 21 integer digits", base.with("aum", "123456789012345678901").text(), false, false},
      {"20 integer digits", base.with("aum", "12345678901234567890.5").text(), true, true},
      {"1e30", base.with("aum", "1e30").text(), false, false},
      {"many fraction digits round half-even", base.with("aum", "0.12345678901234567850").text(), true, true},
      {"huge number in an unknown member", base.with("x", "1e999999").text(), true, true},
      {"malformed number in an unknown member", base.with("x", "01").text(), false, false},
      {"number as a string", base.with("aum", R"("1")").text(), false, false},
      {"1 for a bool", base.with("retired", "1").text(), false, false},
      {"true for a string", base.with("occupation", "true").text(), false, false},
      {"an object for a money", base.with("aum", "{}").text(), false, false},
      {"truex", base.with("retired", "truex").text(), false, false},
      {"nul", base.with("occupation", "nul").text(), false, false},
      // Null, absent and defaults.
      {"null for a nullable field", base.with("occupation", "null").text(), true, true},
      {"absent nullable field", base.with("occupation", kAbsent).text(), true, true},
      {"null for a required field", base.with("age", "null").text(), false, false},
      {"absent required field", base.with("age", kAbsent).text(), false, false},
      {"null for a defaulted field", base.with("loans", "null").with("weight", "null").with("nickname", "null").text(), true, true},
      {"defaulted fields given", base.with("loans", "1").with("weight", "2").with("nickname", R"("nick")").with("target_rating", R"("AAA")").text(), true, true},
      {"null for a list", base.with("products_held", "null").text(), false, false},
      {"absent list", base.with("products_held", kAbsent).text(), true, true},
      {"empty lists", base.with("products_held", "[ ]").with("counts", "[]").text(), true, true},
      {"null inside a list", base.with("products_held", R"(["a",null])").text(), false, false},
      {"list duplicates dropped in first-seen order", base.with("products_held", R"(["b","a","b","c","a"])").with("counts", "[2,2.0,1,2e0]").with("flags", "[false,true,false]").text(), true, true},
      {"a nested list in a list", base.with("products_held", R"([["a"]])").text(), false, false},
      {"a scalar for a list", base.with("products_held", R"("gold")").text(), false, false},
      {"trailing comma in a list", base.with("products_held", R"(["a",])").text(), false, false},
      {"bool list with a string", base.with("flags", R"(["true"])").text(), false, false},
      {"int list with a fraction", base.with("counts", "[1.5]").text(), false, false},
      {"symbol list with an unknown symbol", base.with("risk_history", R"(["C9"])").text(), false, false},
      {"bool? given", base.with("vip", "true").text(), true, true},
      {"date? given", base.with("birthday", R"("1955-05-05")").text(), true, true},
      // Enums and dates.
      {"unknown enum value", base.with("credit_rating", R"("D")").text(), false, false},
      {"enum value with a different case", base.with("credit_rating", R"("bbb")").text(), false, false},
      {"29 February of a common year", base.with("opened", R"("2023-02-29")").text(), false, false},
      {"date with a time", base.with("opened", R"("2016-11-03T00:00")").text(), false, false},
      {"date as a number", base.with("opened", "20161103").text(), false, false},
      // Whitespace, framing.
      {"JSON whitespace everywhere", " \t\r\n{ \"id\" :\t\"C1\" ,\n\"name\":\"n\", \"age\" : 1 ,\"retired\":true,\"opened\":\"2020-01-01\",\"risk_level\":\"C1\",\"credit_rating\":\"A\",\"demand_deposits\":1,\"time_deposits\":2,\"aum\":3,\"monthly_txn_count\":4 , \"products_held\" : [ \"a\" , \"b\" ] } \r\n", true, true},
      {"form feed is not JSON whitespace", valid + "\f", false, false},
      {"vertical tab before the record", "\v" + valid, false, false},
      {"byte order mark", "\xEF\xBB\xBF" + valid, false, false},
      {"trailing garbage", valid + "x", false, false},
      {"two records on a line", valid + valid, false, false},
      {"trailing comma in the record", valid.substr(0, valid.size() - 1) + ",}", false, false},
      {"missing comma", base.with("x", "1").text().replace(valid.size() - 1, 1, " "), false, false},
      {"truncated", valid.substr(0, valid.size() - 1), false, false},
      {"truncated inside a string", valid.substr(0, 10), false, false},
      {"empty text", "", false, false},
      {"an array, not an object", "[" + valid + "]", false, false},
      {"an empty object", "{}", false, false},
      {"single quotes", base.with("x", "'a'").text(), false, false},
  };
  Differential check(all_types());
  for (const Case& c : cases) {
    const std::string what = c.what;
    CAPTURE(what);
    CAPTURE(c.text);
    std::vector<Value> slots(all_types().slots.size());
    RecordProblem problem;
    CHECK_MESSAGE(record_from_json(all_types(), c.text, RecordLimits{}, slots, problem) == c.slow, problem.message);
    CHECK(check.check(c.text) == c.fast);
  }
}

TEST_CASE("fast record: limits on depth and size") {
  const Record base;
  Differential check(all_types());
  RecordLimits limits;
  limits.max_depth = 4;
  // The record is level 1, so three brackets inside it reach the limit.
  CHECK(check.check(base.with("x", "[[[1]]]").text(), limits));
  CHECK(check.check(base.with("x", R"({"a":{"b":{}}})").text(), limits));
  CHECK_FALSE(check.check(base.with("x", "[[[[1]]]]").text(), limits));
  CHECK_FALSE(check.check(base.with("x", R"({"a":{"b":{"c":{}}}})").text(), limits));
  CHECK(check.slow_count_ == 2);
  limits.max_depth = 1;  // no list field can be given at all
  CHECK_FALSE(check.check(base.text(), limits));
  CHECK(check.check(R"({"id":"C1","name":"n","age":1,"retired":true,"opened":"2020-01-01","risk_level":"C1","credit_rating":"A","demand_deposits":1,"time_deposits":2,"aum":3,"monthly_txn_count":4})", limits));
  limits.max_depth = 0;
  CHECK_FALSE(check.check(base.text(), limits));

  // Exactly 32 levels by default.
  const std::string deep = base.with("x", std::string(31, '[') + std::string(31, ']')).text();
  const std::string deeper = base.with("x", std::string(32, '[') + std::string(32, ']')).text();
  CHECK(check.check(deep));
  CHECK_FALSE(check.check(deeper));

  const std::string text = base.text();
  limits = RecordLimits{};
  limits.max_record_bytes = text.size();
  CHECK(check.check(text, limits));
  limits.max_record_bytes = text.size() - 1;
  CHECK_FALSE(check.check(text, limits));
}

TEST_CASE("fast record: many unknown keys and long strings") {
  const Record base;
  Differential check(all_types());
  Record many = base;
  for (int i = 0; i < 300; ++i) many = many.with("extra_" + std::to_string(i), std::to_string(i));
  check.check(many.text());  // beyond the key buffer the fast path may fall back, but never disagrees
  CHECK(check.slow_count_ == 1);
  Record duplicated = many;
  duplicated.members.emplace_back("extra_250", "1");
  CHECK_FALSE(check.check(duplicated.text()));
  Record nested = base.with("x", "{" + [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":" + std::to_string(i));
    return s;
  }() + "}");
  check.check(nested.text());
  CHECK(check.slow_count_ == 2);
  // Strings of every length around the 8-byte steps, with multi-byte characters at each offset.
  for (size_t length = 0; length < 40; ++length) {
    for (const char* tail : {"", "é", "客", "😀"}) {
      std::string s = std::string(length, 'a') + tail + std::string(length % 9, 'b');
      CHECK(check.check(base.with("occupation", "\"" + s + "\"").with("name", "\"" + s + "\"").text()));
    }
  }
}

TEST_CASE("fast record: mutated records never disagree") {
  Differential retail_check(retail()), all_check(all_types());
  const Record base;
  std::vector<std::string> seeds = {
      base.text(),
      base.with("x", R"({"a":[1,{"b":null}],"c":"日本"})").with("occupation", "null").with("vip", "true").text(),
  };
  size_t n = 0;
  for_each_jsonl_line(read_text(std::string(SEGRULE_SOURCE_DIR) + "/examples/customers.jsonl"), [&](std::string_view text, size_t) {
    if (n++ < 3) seeds.emplace_back(text);
  });
  Random random{12345};
  for (const std::string& seed : seeds) {
    for (int i = 0; i < 1500; ++i) {
      std::string text = seed;
      const size_t edits = 1 + random.below(3);
      for (size_t e = 0; e < edits; ++e) text = mutate(text, random);
      retail_check.check(text);
      all_check.check(text);
    }
  }
  // Some mutants stay valid (a digit changed, blanks added): the fast path must take most of those.
  CHECK(all_check.slow_count_ > 100);
  CHECK(all_check.fast_count_ * 10 >= all_check.slow_count_ * 7);
  MESSAGE("mutants: " << all_check.records_ << " records, " << all_check.slow_count_ << " valid, " << all_check.fast_count_ << " fast");
}

TEST_CASE("fast record: slots keep their capacity between records") {
  const Record base;
  const Program& p = all_types();
  FastRecordReader reader(p);
  std::vector<Value> slots(p.slots.size());
  const std::string long_name = "\"" + std::string(100, 'x') + "\"";
  REQUIRE(reader.read(base.with("name", long_name).text(), RecordLimits{}, slots));
  const uint32_t name_slot = p.inputs[p.input_index.at("name")].slot;
  const uint32_t list_slot = p.inputs[p.input_index.at("products_held")].slot;
  const char* text_buffer = slots[name_slot].text.data();
  const Value* items_buffer = slots[list_slot].items.data();
  REQUIRE(reader.read(base.with("name", "\"" + std::string(90, 'y') + "\"").with("products_held", R"(["x","y"])").text(), RecordLimits{}, slots));
  CHECK(slots[name_slot].text == std::string(90, 'y'));
  CHECK(slots[name_slot].text.data() == text_buffer);
  CHECK(slots[list_slot].items.size() == 2);
  CHECK(slots[list_slot].items.data() == items_buffer);
}

namespace {

// A number of a random shape: signs, leading zeros, 0 to 21 digits on either
// side of the point, exponents, stray characters after it.
std::string random_number(Random& random) {
  auto digits = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + random.below(10));
    return s;
  };
  // Lengths around the 8-digit words the fast path reads, and around Decimal's limits.
  static const size_t kLengths[] = {0, 1, 1, 2, 3, 6, 7, 7, 8, 8, 9, 15, 16, 17, 18, 19, 20, 21};
  auto length = [&] { return kLengths[random.below(std::size(kLengths))]; };
  std::string s = random.below(4) == 0 ? "-" : "";
  s += random.below(6) == 0 ? "0" + digits(length() % 3) : digits(length());
  if (random.below(3) != 0) s += "." + digits(length());
  if (random.below(10) == 0) s += std::string(random.below(2) ? "e" : "E") + (random.below(2) ? "-" : "") + digits(1 + random.below(3));
  static const char* const kAfter[] = {"", "", "", "", ".", "x", "e", "E", "-", "+", " ", "0"};
  return s + kAfter[random.below(std::size(kAfter))];
}

}  // namespace

TEST_CASE("fast record: numbers of every shape, far from and near the record's end, read as the full reader reads them") {
  Differential check(all_types());
  const Record base;
  Random random{2024};
  for (int i = 0; i < 20000; ++i) {
    const std::string number = random_number(random);
    CAPTURE(number);
    // money, int and number fields; first in the record (many bytes follow) and last (few follow).
    check.check(base.with("aum", number).text());
    check.check(base.with("monthly_txn_count", number).text());
    check.check(base.with("weight", number).text());
    check.check("{\"aum\":" + number + "}");
    check.check("{\"age\":" + number + "}");
    check.check(base.with("aum", kAbsent).with("aum", number).text());
    check.check(base.with("counts", "[" + number + "," + number + "]").text());
  }
  // Most shapes are valid JSON numbers, and the valid ones are read fast.
  CHECK(check.slow_count_ > 20000);
  CHECK(check.fast_count_ == check.slow_count_);
}

TEST_CASE("fast record: keys and enum values of every length, matched in order or looked up") {
  // Field names from 1 to 40 bytes (word compares cover up to 31 and the closing
  // quote) and enum values around 8 and 16 bytes, in declaration order or shuffled.
  std::string rules = "ruleset names_test {\n  title \"t\"\n  version \"1\"\n  effective 2025-06-01\n}\n";
  rules += "enum grade [g, gg7" + std::string(6, 'x') + ", g8" + std::string(13, 'y') + ", g9" + std::string(14, 'z') + ", " +
           std::string(30, 'w') + "]\n";
  rules += "input customer key k {\n  k : string\n";
  std::vector<std::string> names;
  for (size_t n = 1; n <= 40; ++n) {
    names.push_back(std::string(n, static_cast<char>('a' + n % 26)) + "_" + std::to_string(n));
    rules += "  " + names.back() + " : " + (n % 3 == 0 ? "grade" : n % 3 == 1 ? "money" : "string?") + "\n";
  }
  rules += "}\ntiers t {\n  a \"A\" when k == \"x\"\n  b \"B\" otherwise\n}\n";
  auto program = compile_text(rules);
  REQUIRE(program);
  Differential check(*program);
  const std::vector<std::string> grades = {"g", "gg7" + std::string(6, 'x'), "g8" + std::string(13, 'y'), "g9" + std::string(14, 'z'),
                                           std::string(30, 'w'), "nope", "g8" + std::string(13, 'Y')};
  Random random{99};
  for (int round = 0; round < 2000; ++round) {
    std::vector<size_t> order(names.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (round % 2) {
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
    }
    std::string text = "{\"k\":\"K\"";
    for (size_t i : order) {
      const size_t n = i + 1;
      if (random.below(n % 3 == 2 ? 5 : 400) == 0) continue;  // absent: null for string?, an error otherwise
      // Mostly declared values; now and then one that is not (`nope`, a wrong case).
      const size_t grade = random.below(40) == 0 ? 5 + random.below(2) : random.below(5);
      std::string value = n % 3 == 0   ? "\"" + grades[grade] + "\""
                          : n % 3 == 1 ? std::to_string(random.below(100000)) + ".5"
                                       : "\"v\"";
      text += ",\"" + names[i] + "\":" + value;
      if (random.below(30) == 0) text += ",\"" + names[i] + "x\":1";  // an unknown key sharing a prefix
    }
    text += "}";
    check.check(text);
  }
  CHECK(check.slow_count_ > 50);
  CHECK(check.fast_count_ == check.slow_count_);
}
