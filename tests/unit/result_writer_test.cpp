// ResultWriter (eval/result_writer) against a reference: write_result, the
// plain writer it replaced on the hot paths. Outcomes come from evaluating
// generated records with every ruleset that compiles (rulesets/, tests/,
// examples/), then from overwriting their values with generated values of
// each member's type: strings that need escapes, nulls, empty lists, dropped
// items, dates, numbers of every shape.

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "eval/record.hpp"
#include "eval/result_writer.hpp"
#include "support.hpp"

using namespace segrule;
using segrule::testing::compile_text;

namespace {

// The reference is write_result, the plain writer ResultWriter replaced on
// the hot paths: one append per piece, as LANGUAGE.md §7 lays a result out.
std::string reference_result(const Program& p, const Outcome& o) {
  std::string out;
  write_result(p, o, out);
  return out;
}

// ---- generated values ----------------------------------------------------------

using testing::Random;

// Strings as records hold them: plain, CJK, and every kind of byte that needs an escape.
std::string random_text(Random& random) {
  static const std::vector<std::string> pieces = {
      "C00000001", "客户", "a", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", std::string(1, '\0'),
      "\x01", "\x1f", "\x7f", "/", "é", "large_inflow_alert", "0123456789abcdef", "'", "{}", "😀"};
  std::string s;
  size_t n = random.below(6);
  if (random.one_in(20)) n = 40 + random.below(200);  // long strings: runs of 8 bytes, room made mid-result
  for (size_t i = 0; i < n; ++i) s += pieces[random.below(pieces.size())];
  return s;
}

// Decimals of every magnitude, sign and number of decimals, the extremes included.
Decimal random_decimal(Random& random) {
  switch (random.below(8)) {
    case 0: return Decimal::from_int(static_cast<int64_t>(random.below(1000)) - 500);
    case 1: return random.one_in(2) ? Decimal::max_value() : Decimal::min_value();
    case 2: return Decimal::from_units(static_cast<Int128>(random.below(100)) - 50);  // 1e-18 scale
    default: break;
  }
  // Up to 38 random digits, with the decimal point anywhere.
  int digits = 1 + static_cast<int>(random.below(38));
  UInt128 units = 0;
  for (int i = 0; i < digits; ++i) units = units * 10 + random.below(10);
  if (random.one_in(3)) {  // trailing zeros, as money and whole numbers have
    int zeros = static_cast<int>(random.below(19));
    for (int i = 0; i < zeros && units < static_cast<UInt128>(Decimal::kMaxUnits) / 10; ++i) units *= 10;
  }
  if (units > static_cast<UInt128>(Decimal::kMaxUnits)) units = static_cast<UInt128>(Decimal::kMaxUnits);
  Int128 signed_units = static_cast<Int128>(units);
  return Decimal::from_units(random.one_in(3) ? -signed_units : signed_units);
}

Date random_date(Random& random) {
  if (random.one_in(10)) return Date{static_cast<int32_t>(random.next() % 6'000'000) - 3'000'000};  // any year
  return Date{static_cast<int32_t>(random.below(3'652'059)) - 719'162};  // 0001-01-01 .. 9999-12-31
}

Value random_scalar(const Program& p, BaseType base, uint32_t domain, Random& random) {
  switch (base) {
    case BaseType::boolean: return Value::of_bool(random.one_in(2));
    case BaseType::int_: return Value::of_number(Decimal::from_int(static_cast<int64_t>(random.next()) - (1LL << 30)));
    case BaseType::number:
    case BaseType::money: return Value::of_number(random_decimal(random));
    case BaseType::string: return Value::of_string(random_text(random));
    case BaseType::date: return Value::of_date(random_date(random));
    case BaseType::symbol: {
      size_t n = p.domains[domain].ids.size();
      return n ? Value::of_symbol(static_cast<uint32_t>(random.below(n))) : Value();
    }
    default: return Value();
  }
}

// A value of `type`: null sometimes when the type allows it, lists of 0 to 4 items.
Value random_value(const Program& p, const Type& type, Random& random) {
  if (type.nullable && random.one_in(4)) return Value();
  if (type.base != BaseType::list) return random_scalar(p, type.base, type.domain, random);
  Value list = Value::empty_list();
  size_t n = random.below(5);
  for (size_t i = 0; i < n; ++i) list.items.push_back(random_scalar(p, type.element, type.domain, random));
  return list;
}

// ---- generated records ------------------------------------------------------------

std::string json_of(const Program& p, const Type& type, const Value& v) {
  std::string out;
  write_value(p, type, v, out);
  return out;
}

// A record for the program's input: every field (or left out when it has a
// default), values of its type; numbers as written in JSON input.
std::string random_record(const Program& p, Random& random) {
  std::string text = "{";
  for (const InputField& f : p.inputs) {
    if (f.has_default && random.one_in(3)) continue;
    std::string value;
    if (f.type.base == BaseType::int_) {
      value = std::to_string(static_cast<int64_t>(random.below(200'000)) - 1000);
    } else if (f.type.base == BaseType::number || f.type.base == BaseType::money) {
      // Amounts a bank holds, and now and then any decimal at all.
      value = random.one_in(5) ? random_decimal(random).to_string()
                               : std::to_string(random.below(50'000'000)) + "." + std::to_string(random.below(100));
    } else {
      Value v = random_value(p, f.type, random);
      if (f.type.base == BaseType::date) v = Value::of_date(Date{static_cast<int32_t>(random.below(40'000))});
      value = json_of(p, f.type, v);
    }
    if (f.type.nullable && random.one_in(6)) value = "null";
    text += (text.size() > 1 ? "," : "") + ("\"" + f.name + "\":") + value;
  }
  return text + "}";
}

// ---- comparing ---------------------------------------------------------------------

struct Tally {
  size_t compared = 0, with_dropped = 0, escaped = 0;
};

// What a kept writer writes into: appended text, and eval's block of lines,
// whose bytes past `used` are left from earlier, longer lines.
struct Block {
  std::string appended = "earlier results\n";
  std::string lines = std::string(100, 'x');
  size_t used = 3;
};

// Both writers on one outcome; a kept writer appends after earlier text, and
// writes a line into a block, as eval does.
void compare(const Program& p, const ResultWriter& writer, const Outcome& o, Block& block, Tally& tally,
             const std::string& where) {
  std::string expected = reference_result(p, o);
  size_t start = block.appended.size();
  writer.write(o, block.appended);
  std::string got = block.appended.substr(start);
  size_t end = writer.write_line_at(o, block.lines, block.used);
  std::string line = block.lines.substr(block.used, end - block.used);
  block.used = end;
  ++tally.compared;
  tally.with_dropped += !o.dropped.empty();
  tally.escaped += expected.find('\\') != std::string::npos;
  if (got != expected) FAIL_CHECK(where << "\nexpected: " << expected << "\nwriter:   " << got);
  if (line != expected + "\n") FAIL_CHECK(where << "\nexpected: " << expected << "\nline:     " << line);
  if (block.appended.size() > (1 << 16)) block.appended.clear();
  if (block.used > (1 << 16)) block.used = 0;  // as a new block starts over the last one's bytes
}

// Overwrites every member of a result with a generated value of its type, and
// sets generated dropped entries (any list output, constraint and row).
void scramble(const Program& p, Outcome& o, Random& random) {
  if (p.key_field != kNone) {
    const InputField& key = p.inputs[p.key_field];
    o.slots[key.slot] = random_value(p, key.type, random);
  }
  for (const Decision& d : p.decisions) {
    o.slots[d.slot] = random_value(p, p.slots[d.slot].type, random);
    if (d.primary_slot != kNone) o.slots[d.primary_slot] = random_value(p, p.slots[d.primary_slot].type, random);
  }
  for (size_t i = 0; i < p.outputs.size(); ++i) o.outputs[i] = random_value(p, p.outputs[i].type, random);
  o.dropped.clear();
  std::vector<uint32_t> lists;
  for (size_t i = 0; i < p.outputs.size(); ++i)
    if (p.outputs[i].type.base == BaseType::list) lists.push_back(static_cast<uint32_t>(i));
  if (lists.empty() || p.constraints.empty()) return;
  size_t n = random.below(4);
  for (size_t i = 0; i < n; ++i) {
    Dropped d;
    d.field = lists[random.below(lists.size())];
    d.item = random_scalar(p, p.outputs[d.field].type.element, p.outputs[d.field].type.domain, random);
    d.constraint = static_cast<uint32_t>(random.below(p.constraints.size()));
    if (p.constraints[d.constraint].rows.empty()) continue;
    d.row = static_cast<uint32_t>(random.below(p.constraints[d.constraint].rows.size()));
    o.dropped.push_back(std::move(d));
  }
}

// Generated records evaluated with the program, then scrambled outcomes.
Tally check_program(const Program& p, const std::string& name, uint64_t seed, size_t records) {
  Tally tally;
  Random random{seed};
  ResultWriter writer(p);
  Block block;
  Outcome o;
  for (size_t i = 0; i < records; ++i) {
    reset_outcome(p, o);
    o.slots[p.as_of_slot] = Value::of_date(Date{20'269});  // 2025-06-30
    std::string record = random_record(p, random);
    RecordProblem problem;
    EvalError error;
    if (record_from_json(p, record, RecordLimits{}, o.slots, problem) && evaluate(p, o, error))
      compare(p, writer, o, block, tally, name + " record " + record);
    scramble(p, o, random);
    compare(p, writer, o, block, tally, name + " scrambled outcome of record " + record);
  }
  return tally;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Outputs of every type a result can hold, a dropped list and a scored segment.
const char* const kEveryOutput = R"SEG(
enum grade [low, mid, high]

tiers level {
  high "high" when aum >= 100万
  mid  "mid"  when aum >= 1万
  low  "low"  otherwise
}

segments kind {
  saver  "saver"  when aum >= 5万 score 2
  young  "young"  when age < 30 score 1
}

output {
  note     : string = "none"
  maybe    : string?
  amount   : money = 0
  ratio    : number?
  due      : date?
  flag     : bool = false
  grade_of : grade = low
  notes    : list<string>
  amounts  : list<money>
  days     : list<date>
  grades   : list<grade>
  actions  : list<string>
}

strategy rich "rich" when level == high {
  note = "rich \"client\"\n"
  amount = aum * 0.015
  ratio = aum / 3
  due = opened
  flag = true
  grade_of = high
  notes += name
  amounts += aum
  days += opened
  grades += high
  action "call\tnow"
}

strategy young "young" when young in kind {
  grades += low
  notes += "young"
}

constraint keep "keep" on grades as g {
  drop when g == low and level == high reason "low \"grade\" for a high tier"
}
)SEG";

}  // namespace

TEST_CASE("result writer: the same bytes as the reference for every output type") {
  auto program = compile_text(segrule::testing::with_prelude(kEveryOutput));
  REQUIRE(program);
  Tally tally = check_program(*program, "every output type", 7, 3000);
  CHECK(tally.compared > 3000);
  CHECK(tally.with_dropped > 100);
  CHECK(tally.escaped > 100);
}

TEST_CASE("result writer: the same bytes as the reference for every ruleset that compiles") {
  namespace fs = std::filesystem;
  size_t programs = 0, compared = 0, with_dropped = 0;
  uint64_t seed = 1;
  for (const char* dir : {"rulesets", "tests", "examples"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SEGRULE_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".seg") continue;
      Diagnostics diagnostics;
      auto program = compile_text(read_text(entry.path()), &diagnostics);
      if (!program) continue;
      ++programs;
      Tally tally = check_program(*program, entry.path().string(), seed++, 40);
      compared += tally.compared;
      with_dropped += tally.with_dropped;
    }
  }
  CHECK(programs >= 20);
  CHECK(compared > 40 * programs);
  CHECK(with_dropped > 100);
}

TEST_CASE("result writer: retail-2025 over the shipped sample customers") {
  auto program = compile_text(read_text(std::filesystem::path(SEGRULE_SOURCE_DIR) / "rulesets/retail-2025.seg"));
  REQUIRE(program);
  ResultWriter writer(*program);
  std::ifstream in(std::filesystem::path(SEGRULE_SOURCE_DIR) / "examples/customers.jsonl");
  Tally tally;
  Block block;
  Outcome o;
  for (std::string line; std::getline(in, line);) {
    reset_outcome(*program, o);
    o.slots[program->as_of_slot] = Value::of_date(Date{20'269});
    RecordProblem problem;
    EvalError error;
    REQUIRE(record_from_json(*program, line, RecordLimits{}, o.slots, problem));
    REQUIRE(evaluate(*program, o, error));
    compare(*program, writer, o, block, tally, line);
  }
  CHECK(tally.compared == 200);
  CHECK(tally.with_dropped > 10);
}

TEST_CASE("result writer: one writer shared by threads, and writers of several programs") {
  auto every = compile_text(segrule::testing::with_prelude(kEveryOutput));
  auto retail = compile_text(read_text(std::filesystem::path(SEGRULE_SOURCE_DIR) / "rulesets/retail-2025.seg"));
  REQUIRE(every);
  REQUIRE(retail);
  // Each thread checks its own outcomes with the shared writers (run under TSan
  // to see that writing touches nothing shared but the prepared pieces).
  const ResultWriter every_writer(*every), retail_writer(*retail);
  std::vector<std::string> failures(2);
  auto work = [&](size_t t) {
    Random random{100 + t};
    Outcome a, b;
    reset_outcome(*every, a);
    reset_outcome(*retail, b);
    for (int i = 0; i < 500; ++i) {
      scramble(*every, a, random);
      scramble(*retail, b, random);
      std::string got;
      every_writer.write(a, got);
      retail_writer.write(b, got);
      if (got != reference_result(*every, a) + reference_result(*retail, b)) failures[t] = got;
    }
  };
  std::thread first(work, 0), second(work, 1);
  first.join();
  second.join();
  CHECK(failures[0] == "");
  CHECK(failures[1] == "");
}

TEST_CASE("result writer: numbers, dates and escapes exactly as the plain writer prints them") {
  auto program = compile_text(segrule::testing::with_prelude(kEveryOutput));
  REQUIRE(program);
  const Program& p = *program;
  uint32_t amount = kNone, due = kNone, note = kNone;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    if (p.outputs[i].name == "amount") amount = static_cast<uint32_t>(i);
    if (p.outputs[i].name == "due") due = static_cast<uint32_t>(i);
    if (p.outputs[i].name == "note") note = static_cast<uint32_t>(i);
  }
  REQUIRE(amount != kNone);
  REQUIRE(due != kNone);
  REQUIRE(note != kNone);
  ResultWriter writer(p);
  Outcome o;
  reset_outcome(p, o);
  auto member = [&](uint32_t output) {  // the output's text in the result
    std::string result;
    writer.write(o, result);
    CHECK(result == reference_result(p, o));
    std::string name = "\"" + p.outputs[output].name + "\":";
    std::string next = ",\"" + p.outputs[output + 1].name + "\":";  // each is followed by another output
    size_t at = result.find(name) + name.size();
    return result.substr(at, result.find(next, at) - at);
  };
  auto number = [&](std::string_view text) {
    Decimal d;
    REQUIRE(Decimal::parse(text, d) == DecimalStatus::ok);
    o.outputs[amount] = Value::of_number(d);
    return member(amount);
  };
  CHECK(number("0") == "0");
  CHECK(number("-0.000") == "0");
  CHECK(number("1200000") == "1200000");
  CHECK(number("0.5") == "0.5");
  CHECK(number("-12.340") == "-12.34");
  CHECK(number("0.000000000000000001") == "0.000000000000000001");
  CHECK(number("18.446744073709551615") == "18.446744073709551615");  // the last 64-bit magnitude
  CHECK(number("18.446744073709551616") == "18.446744073709551616");
  CHECK(number("18446744073709551616") == "18446744073709551616");    // a whole part past 64 bits
  CHECK(number("-99999999999999999999.999999999999999999") == "-99999999999999999999.999999999999999999");
  CHECK(number("10000000000000000000.1") == "10000000000000000000.1");
  CHECK(number("1e3") == "1000");

  auto date = [&](int32_t days) {
    o.outputs[due] = Value::of_date(Date{days});
    return member(due);
  };
  CHECK(date(0) == "\"1970-01-01\"");
  CHECK(date(20'269) == "\"2025-06-30\"");
  CHECK(date(-719'162) == "\"0001-01-01\"");
  CHECK(date(2'932'896) == "\"9999-12-31\"");
  CHECK(date(2'932'897) == "\"10000-01-01\"");
  CHECK(date(-719'528) == "\"0000-01-01\"");
  CHECK(date(-719'529) == "\"-0001-12-31\"");

  auto text = [&](std::string s) {
    o.outputs[note] = Value::of_string(std::move(s));
    return member(note);
  };
  CHECK(text("") == "\"\"");
  CHECK(text("plain ascii run!") == "\"plain ascii run!\"");
  CHECK(text("客户\"1\"") == "\"客户\\\"1\\\"\"");
  CHECK(text(std::string("a\0b\x1f\x7f", 5)) == "\"a\\u0000b\\u001f\x7f\"");
  CHECK(text("12345678\\") == "\"12345678\\\\\"");  // the escape after a clean run of 8
  CHECK(text("\t\r\n") == "\"\\t\\r\\n\"");

  // Strings of any bytes, weighted to the edges of the 8-byte scan: bytes just
  // around the ones that need an escape, with and without the high bit.
  static const unsigned char kEdges[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d,
                                         0x7f, 0x80, 0x9f, 0xa0, 0xa2, 0xdc, 0xe5, 0xff, 'a', '0'};
  Random random{42};
  size_t escaped = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string s(random.below(40), '\0');
    for (char& c : s) {
      c = static_cast<char>(random.one_in(4) ? kEdges[random.below(sizeof(kEdges))] : random.below(256));
      if (random.below(3)) c = static_cast<char>('a' + random.below(26));  // mostly clean runs
    }
    std::string expected;
    write_json_string(s, expected);
    escaped += expected.size() != s.size() + 2;
    REQUIRE(text(s) == expected);
  }
  CHECK(escaped > 5'000);
  CHECK(escaped < 19'000);
}
