// Reading records (JSON Lines, a JSON array, CSV) through the batch runner: each case
// gives the input text and the exact result lines and error entries it must produce.

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support.hpp"

namespace segrule {
namespace {

using testing::compile_text;

// Every input field is echoed into an output, so a result line shows what was read.
constexpr const char* kRules = R"(ruleset t { version "1" }
enum rating [C, B, BB, BBB, A, AA, AAA]
input customer key id {
  id         : string
  aum        : money
  age        : int
  name       : string pii
  occupation : string?
  credit     : rating
  opened     : date
  held       : list<string>
  vip        : bool
  bonus      : money = 0
  level      : rating = BBB
}
output {
  aum_ : money  age_ : int  name_ : string  occ : string  credit_ : rating  opened_ : date
  held_ : list<string>  vip_ : bool  bonus_ : money  level_ : rating
}
strategy echo "echo" when true {
  aum_ = aum  age_ = age  name_ = name  occ = occupation  credit_ = credit  opened_ = opened
  held_ += held  vip_ = vip  bonus_ = bonus  level_ = level
}
)";

const Program& program() {
  static const std::shared_ptr<Program> compiled = compile_text(kRules);
  REQUIRE(compiled);
  return *compiled;
}

// A good record's members, as JSON text, in the order of the input.
constexpr const char* kGood =
    R"("aum":1000,"age":40,"name":"张三","occupation":null,"credit":"BBB","opened":"2020-02-29","held":["card"],"vip":false)";

// The result line for kGood under the given key.
std::string good_result(std::string_view key) {
  return std::string(R"({"id":")") + std::string(key) +
         R"(","aum_":1000,"age_":40,"name_":"张三","occ":null,"credit_":"BBB","opened_":"2020-02-29",)"
         R"("held_":["card"],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})";
}

std::string good_json(std::string_view key, std::string_view extra = "") {
  return std::string(R"({"id":")") + std::string(key) + "\"," + kGood + std::string(extra) + "}";
}

struct Run {
  std::string text;
  BatchCounts counts;
};

// Runs the input and checks that the counts add up and match the lines written.
Run run(std::string_view input, InputFormat format, const BatchOptions* options = nullptr) {
  Run r;
  size_t result_lines = 0;
  size_t error_lines = 0;
  BatchOptions defaults;
  defaults.format = format;
  defaults.as_of = *parse_date("2025-06-30");
  const BatchOptions& use = options ? *options : defaults;
  r.counts = run_batch(program(), input, use, [&](bool is_error, std::string_view text) {
    ++(is_error ? error_lines : result_lines);
    if (!r.text.empty()) r.text += '\n';
    r.text += text;
  });
  CHECK(r.counts.read == r.counts.results + r.counts.errors);
  CHECK(r.counts.results == result_lines);
  CHECK(r.counts.errors == error_lines);
  return r;
}

struct Case {
  const char* what;
  std::string input;
  std::string expected;
};

void check_cases(const std::vector<Case>& cases, InputFormat format) {
  for (const auto& c : cases) {
    INFO("case: " << std::string(c.what));
    INFO("input: " << std::string(c.input));
    Run r = run(c.input, format);
    CHECK(r.text == c.expected);
  }
}

// One JSON Lines record with the given members (raw JSON text after the key).
std::string record(std::string_view key, std::string_view members) {
  return std::string(R"({"id":")") + std::string(key) + "\"," + std::string(members) + "}";
}

// ---- JSON Lines ---------------------------------------------------------------------------

TEST_CASE("record: a good JSON record is read field by field") {
  check_cases(
      {
          {"the base record", good_json("A"), good_result("A")},
          {"members in any order",
           R"({"vip":false,"held":["card"],"opened":"2020-02-29","credit":"BBB","occupation":null,"name":"张三","age":40,"aum":1000,"id":"A"})",
           good_result("A")},
          {"values of every kind",
           record("B", R"("aum":1234.5600,"age":-3,"name":"","occupation":"banker","credit":"AAA","opened":"1999-12-31","held":["b","a","b"],"vip":true,"bonus":0.10,"level":"C")"),
           R"({"id":"B","aum_":1234.56,"age_":-3,"name_":"","occ":"banker","credit_":"AAA","opened_":"1999-12-31",)"
           R"("held_":["b","a"],"vip_":true,"bonus_":0.1,"level_":"C","dropped":[]})"},
          {"an int written with a zero fraction or an exponent is whole",
           record("C", R"("aum":1E3,"age":40.000,"name":"张三","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"id":"C","aum_":1000,"age_":40,"name_":"张三","occ":null,"credit_":"BBB","opened_":"2020-02-29",)"
           R"("held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})"},
          {"numbers keep their exact text",
           record("D", R"("aum":99999999999999999999.999999999999999999,"age":0,"name":"张三","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"id":"D","aum_":99999999999999999999.999999999999999999,"age_":0,"name_":"张三","occ":null,"credit_":"BBB",)"
           R"("opened_":"2020-02-29","held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})"},
          {"escapes in strings are decoded",
           record("E", R"("aum":1,"age":1,"name":"a\"b\\c\u4e07\ud83d\ude00","occupation":"x\ty","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"id":"E","aum_":1,"age_":1,"name_":"a\"b\\c万😀","occ":"x\ty","credit_":"BBB","opened_":"2020-02-29",)"
           R"("held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})"},
      },
      InputFormat::jsonl);
}

TEST_CASE("record: defaults, T? and undeclared members") {
  check_cases(
      {
          {"default when absent", good_json("A"), good_result("A")},
          {"default when null", good_json("A", R"(,"bonus":null,"level":null)"), good_result("A")},
          {"a given value replaces the default", good_json("A", R"(,"bonus":5,"level":"AA")"),
           R"({"id":"A","aum_":1000,"age_":40,"name_":"张三","occ":null,"credit_":"BBB","opened_":"2020-02-29",)"
           R"("held_":["card"],"vip_":false,"bonus_":5,"level_":"AA","dropped":[]})"},
          {"T? absent is null",
           record("A", R"("aum":1000,"age":40,"name":"张三","credit":"BBB","opened":"2020-02-29","held":["card"],"vip":false)"),
           good_result("A")},
          {"undeclared members are ignored, whatever they hold",
           good_json("A", R"(,"branch":"上海","extra":{"x":[1,{"y":null}]},"score":1e400,"Aum":"x")"), good_result("A")},
      },
      InputFormat::jsonl);
}

TEST_CASE("record: a record that does not fit the input gives one message naming the field") {
  check_cases(
      {
          {"missing required field", record("B", R"("age":40,"name":"张三","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"B","error":"missing required field `aum`"})"},
          {"missing key field", R"({"aum":1,"age":40,"name":"张三","credit":"BBB","opened":"2020-02-29","held":[],"vip":false})",
           R"({"line":1,"error":"missing required field `id`"})"},
          {"null required field", record("C", R"("aum":null,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"C","error":"field `aum` is null, but it is required"})"},
          {"null required string", record("C", R"("aum":1,"age":40,"name":null,"credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"C","error":"field `name` is null, but it is required"})"},
          {"null required list", record("C", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":null,"vip":false)"),
           R"({"line":1,"key":"C","error":"field `held` is null, but it is required"})"},
          {"a number as a string", record("D", R"("aum":"1000","age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `aum`: expected a number, found a string"})"},
          {"a string as a number", record("D", R"("aum":1,"age":40,"name":42,"credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `name`: expected a string, found a number"})"},
          {"a bool as a string", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":"true")"),
           R"({"line":1,"key":"D","error":"field `vip`: expected true or false, found a string"})"},
          {"a bool as a number", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":1)"),
           R"({"line":1,"key":"D","error":"field `vip`: expected true or false, found a number"})"},
          {"a list as a string", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":"card","vip":false)"),
           R"({"line":1,"key":"D","error":"field `held`: expected a list, found a string"})"},
          {"an object for a number", record("D", R"("aum":{},"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `aum`: expected a number, found an object"})"},
          {"a null list item", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":["a",null],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `held`: item 2 should be a string, found null"})"},
          {"a boolean list item", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","held":[true],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `held`: item 1 should be a string, found a boolean"})"},
          {"a date that is not a date", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-30","held":[],"vip":false)"),
           R"~({"line":1,"key":"D","error":"field `opened`: `2020-02-30` is not a valid date (expected YYYY-MM-DD)"})~"},
          {"a date not in ISO form", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-2-29","held":[],"vip":false)"),
           R"~({"line":1,"key":"D","error":"field `opened`: `2020-2-29` is not a valid date (expected YYYY-MM-DD)"})~"},
          {"a date as a number", record("D", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":20200229,"held":[],"vip":false)"),
           R"({"line":1,"key":"D","error":"field `opened`: expected a date as \"YYYY-MM-DD\", found a number"})"},
          {"non-whole int", record("E", R"("aum":1,"age":3.5,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"E","error":"field `age`: expected a whole number, found 3.5"})"},
          {"non-whole int by exponent", record("E", R"("aum":1,"age":1e-1,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"E","error":"field `age`: expected a whole number, found 1e-1"})"},
          {"undeclared enum value", record("F", R"("aum":1,"age":1,"name":"x","credit":"ZZZ","opened":"2020-02-29","held":[],"vip":false)"),
           R"~({"line":1,"key":"F","error":"field `credit`: `ZZZ` is not a value of `rating` (expected one of C, B, BB, BBB, A, AA, AAA)"})~"},
          {"enum values are case-sensitive", record("F", R"("aum":1,"age":1,"name":"x","credit":"bbb","opened":"2020-02-29","held":[],"vip":false)"),
           R"~({"line":1,"key":"F","error":"field `credit`: `bbb` is not a value of `rating` (expected one of C, B, BB, BBB, A, AA, AAA)"})~"},
          {"undeclared enum value of a defaulted field", good_json("F", R"(,"level":"Z")"),
           R"~({"line":1,"key":"F","error":"field `level`: `Z` is not a value of `rating` (expected one of C, B, BB, BBB, A, AA, AAA)"})~"},
          {"T? of the wrong type", record("G", R"("aum":1,"age":1,"name":"x","occupation":5,"credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"({"line":1,"key":"G","error":"field `occupation`: expected a string, found a number"})"},
          {"a number beyond the decimal range", record("J", R"("aum":1e400,"age":1,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"~({"line":1,"key":"J","error":"field `aum`: number 1e400 is out of range (at most 20 digits before the point)"})~"},
          {"21 digits before the point", record("J", R"("aum":123456789012345678901,"age":1,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)"),
           R"~({"line":1,"key":"J","error":"field `aum`: number 123456789012345678901 is out of range (at most 20 digits before the point)"})~"},
          {"a key of the wrong type is still shown", R"({"id":7,"aum":1})",
           R"({"line":1,"key":"7","error":"field `id`: expected a string, found a number"})"},
          {"not an object", "[1,2]", R"({"line":1,"error":"a record must be a JSON object, found an array"})"},
          {"a bare string", R"("A")", R"({"line":1,"error":"a record must be a JSON object, found a string"})"},
      },
      InputFormat::jsonl);
}

TEST_CASE("record: malformed JSON is a record error with the column where it went wrong, and the key when readable") {
  // The prelude declares a `pii` field, so a malformed token (which field is it in?) is masked.
  check_cases(
      {
          {"duplicate keys", R"({"id":"H","aum":1,"aum":2})", R"({"line":1,"key":"H","error":"malformed JSON at column 19: duplicate key `aum`"})"},
          {"NaN", R"({"id":"I","aum":NaN})", R"({"line":1,"key":"I","error":"malformed JSON at column 17: number `N**` is not valid JSON"})"},
          {"Infinity", R"({"id":"I","aum":-Infinity})",
           R"({"line":1,"key":"I","error":"malformed JSON at column 17: number `-**` is not valid JSON"})"},
          {"an int key", R"({"id":12,"aum":NaN})", R"({"line":1,"key":"12","error":"malformed JSON at column 16: number `N**` is not valid JSON"})"},
          {"unquoted string", R"({"id":"I","name":张三})", R"({"line":1,"key":"I","error":"malformed JSON at column 18: expected a JSON value after `:`"})"},
          {"single quotes", R"({'id':'I'})",
           R"({"line":1,"error":"malformed JSON at column 2: single-quoted strings are not valid JSON, use `\"`"})"},
          {"trailing comma", R"({"id":"I",})",
           R"~({"line":1,"key":"I","error":"malformed JSON at column 11: expected a string key after `,` (trailing commas are not allowed)"})~"},
          {"truncated", R"({"id":"I","aum":1)", R"({"line":1,"key":"I","error":"malformed JSON at column 18: expected `,` or `}` after an object member"})"},
          {"two values on one line", R"({"id":"I"} {"id":"J"})",
           R"({"line":1,"key":"I","error":"malformed JSON at column 12: unexpected text after the JSON value"})"},
          {"an escaped key is not guessed", R"({"id":"K\"Q","aum":NaN})",
           R"({"line":1,"error":"malformed JSON at column 20: number `N**` is not valid JSON"})"},
      },
      InputFormat::jsonl);
}

// A nested member of the same name does not label the error entry with the wrong customer.
TEST_CASE("record: the key of a malformed record is its own top-level member") {
  Run r = run(R"({"x":{"id":"inner"},"id":"outer","aum":NaN})", InputFormat::jsonl);
  CHECK(r.text == R"({"line":1,"key":"outer","error":"malformed JSON at column 40: number `N**` is not valid JSON"})");
  // A string value equal to the key's name is not the key either.
  r = run(R"({"note":"id","id":"C7","aum":NaN})", InputFormat::jsonl);
  CHECK(r.text.find(R"("key":"C7")") != std::string::npos);
  // Only the record's own object: no key when the member sits in an array or nothing encloses it.
  r = run(R"([{"id":"C8"}, NaN])", InputFormat::jsonl);
  CHECK(r.text.find("\"key\"") == std::string::npos);
}

// Found by fuzz/jsonl_records: the key was echoed into the error entry as raw
// bytes, so invalid UTF-8 or a control character made the entry invalid JSON.
TEST_CASE("record: a salvaged key that is not plain valid text is left out") {
  for (std::string bad : {std::string("\x9a"), std::string("a\x01b"), std::string("\xE4\xB8")}) {
    Run r = run("{\"id\":\"" + bad + "\",\"aum\":NaN}", InputFormat::jsonl);
    CAPTURE(bad);
    CHECK(r.text.find("\"key\"") == std::string::npos);
    CHECK(r.counts.errors == 1);
  }
  Run ok = run(R"({"id":"客户7","aum":NaN})", InputFormat::jsonl);
  CHECK(ok.text.find(R"("key":"客户7")") != std::string::npos);
}

TEST_CASE("record: JSON Lines line numbers, blank lines, CRLF and a truncated last line") {
  const std::string input = good_json("A") + "\n" +             // line 1
                            "\n" +                              // line 2: blank, skipped
                            "   \t\n" +                         // line 3: blank, skipped
                            good_json("B", R"(,"age":1)") + "\r\n" +  // line 4: duplicate key
                            good_json("C") + "\r\n" +           // line 5: CRLF
                            record("D", R"("aum":1)") + "\n" +  // line 6: missing field
                            good_json("E") + "\n" +             // line 7
                            R"({"id":"F","aum":10)";            // line 8: cut off, no final newline
  Run r = run(input, InputFormat::jsonl);
  CHECK(r.text == good_result("A") + "\n" +
                      R"({"line":4,"key":"B","error":"malformed JSON at column 130: duplicate key `age`"})" + "\n" +
                      good_result("C") + "\n" +
                      R"({"line":6,"key":"D","error":"missing required field `age`"})" + "\n" +
                      good_result("E") + "\n" +
                      R"({"line":8,"key":"F","error":"malformed JSON at column 19: expected `,` or `}` after an object member"})");
  CHECK(r.counts.read == 6);
  CHECK(r.counts.results == 3);
  CHECK(r.counts.errors == 3);
}

TEST_CASE("record: empty inputs hold no records") {
  struct Empty {
    const char* what;
    const char* input;
    InputFormat format;
  };
  for (const Empty& e : std::vector<Empty>{{"empty JSON Lines", "", InputFormat::jsonl},
                                           {"blank JSON Lines", "\n \n\r\n\t\n", InputFormat::jsonl},
                                           {"a byte order mark only", "\xEF\xBB\xBF", InputFormat::jsonl},
                                           {"an empty JSON array", "[]", InputFormat::json},
                                           {"an empty file as a JSON array", "", InputFormat::json},
                                           {"a blank file as a JSON array", "  \n", InputFormat::json},
                                           {"an empty JSON array with space", " [ \n ] \n", InputFormat::json},
                                           {"empty CSV", "", InputFormat::csv},
                                           {"a CSV header only", "id,aum\n", InputFormat::csv}}) {
    INFO(std::string(e.what));
    Run r = run(e.input, e.format);
    CHECK(r.text == "");
    CHECK(r.counts.read == 0);
  }
}

TEST_CASE("record: personal data is masked in error messages, the key is not") {
  const char* rules_text = R"(ruleset t { version "1" }
enum level [low, high]
input person key id {
  id     : string pii
  name   : string pii
  salary : money pii
  born   : date pii
  lvl    : level pii
  kids   : int pii
  tags   : list<string> pii
}
output { v : number }
)";
  auto pii = compile_text(rules_text);
  REQUIRE(pii);
  auto person = [](std::string_view members) {
    return std::string(R"({"id":"客户001","name":"张三","salary":1,"born":"1990-01-01","lvl":"low","kids":1,"tags":[])") +
           std::string(members) + "}";
  };
  struct PiiCase {
    std::string input;
    const char* expected;
  };
  const std::vector<PiiCase> cases = {
      {person(""), R"({"id":"客户001","v":null,"dropped":[]})"},
      {R"({"id":"P","name":"张三","salary":1,"born":"1990-13-01","lvl":"low","kids":1,"tags":[]})",
       R"~({"line":1,"key":"P","error":"field `born`: `1**` is not a valid date (expected YYYY-MM-DD)"})~"},
      {R"({"id":"P","name":"张三","salary":1,"born":"1990-01-01","lvl":"秘密","kids":1,"tags":[]})",
       R"~({"line":1,"key":"P","error":"field `lvl`: `秘**` is not a value of `level` (expected one of low, high)"})~"},
      {R"({"id":"P","name":"张三","salary":1,"born":"1990-01-01","lvl":"low","kids":2.5,"tags":[]})",
       R"({"line":1,"key":"P","error":"field `kids`: expected a whole number, found 2**"})"},
      {R"({"id":"P","name":"张三","salary":123456789012345678901234,"born":"1990-01-01","lvl":"low","kids":1,"tags":[]})",
       R"~({"line":1,"key":"P","error":"field `salary`: number 1** is out of range (at most 20 digits before the point)"})~"},
      {R"({"id":"P","name":"张三","salary":1,"born":"1990-01-01","lvl":"low","kids":1,"tags":["秘密", true]})",
       R"({"line":1,"key":"P","error":"field `tags`: item 2 should be a string, found a boolean"})"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.input));
    BatchCounts counts;
    CHECK(testing::eval_batch(*pii, c.input, InputFormat::jsonl, &counts) == c.expected);
    CHECK(counts.read == 1);
  }
  // In CSV too.
  BatchCounts counts;
  CHECK(testing::eval_batch(*pii, "id,name,salary,born,lvl,kids,tags\nP,张三,secret123,1990-01-01,low,1,\nQ,张三,1,1990-01-01,low,yes,a;b\n",
                            InputFormat::csv, &counts) ==
        R"({"line":2,"key":"P","error":"field `salary`: expected a number, found `s**`"})"
        "\n"
        R"({"line":3,"key":"Q","error":"field `kids`: expected a whole number, found `y**`"})");
  CHECK(counts.errors == 2);
  CHECK(mask_pii("张三") == "张**");
  CHECK(mask_pii("Zhang") == "Z**");
  CHECK(mask_pii("") == "**");
}

// The reader cannot tell which field a malformed token belongs to: with any `pii` field, quoted tokens are masked.
TEST_CASE("record: personal data is masked in malformed JSON messages too") {
  auto pii = compile_text("ruleset t { version \"1\" }\ninput person key id { id : string  salary : money pii }\noutput { v : number }\n");
  REQUIRE(pii);
  for (const char* input : {R"({"id":"P","salary":98765abc})", R"({"id":"P","salary":0987654})", R"({"id":"P","salary":987654.})"}) {
    INFO(std::string(input));
    std::string out = testing::eval_batch(*pii, input, InputFormat::jsonl);
    CHECK(out.find("98765") == std::string::npos);
  }
}

// docs/decisions.md: more than 18 fractional digits are rounded half-even; a required list
// that is absent is the empty list (null is an error).
TEST_CASE("record: documented choices: extra fraction digits round half-even, an absent list is empty") {
  const char* rest = R"(,"age":1,"name":"x","credit":"BBB","opened":"2020-02-29","held":[],"vip":false)";
  struct Rounded {
    const char* aum;
    const char* read;
  };
  for (const Rounded& c : std::vector<Rounded>{{"0.0000000000000000001", "0"},
                                                {"0.0000000000000000005", "0"},
                                                {"0.0000000000000000015", "0.000000000000000002"},
                                                {"1.0000000000000000025", "1.000000000000000002"},
                                                {"1e-400", "0"}}) {
    INFO(std::string(c.aum));
    Run r = run(record("W", std::string(R"("aum":)") + c.aum + rest), InputFormat::jsonl);
    CHECK(r.text == std::string(R"({"id":"W","aum_":)") + c.read +
                        R"(,"age_":1,"name_":"x","occ":null,"credit_":"BBB","opened_":"2020-02-29","held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})");
  }
  Run r = run(record("T", R"("aum":1,"age":40,"name":"x","credit":"BBB","opened":"2020-02-29","vip":false)"), InputFormat::jsonl);
  CHECK(r.text == R"({"id":"T","aum_":1,"age_":40,"name_":"x","occ":null,"credit_":"BBB","opened_":"2020-02-29","held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})");
}

TEST_CASE("record: a record over the size limit is rejected and the batch goes on") {
  BatchOptions options;
  options.format = InputFormat::jsonl;
  options.as_of = *parse_date("2025-06-30");
  options.limits.max_record_bytes = 200;
  const std::string big = good_json("A", R"(,"pad":")" + std::string(100, 'x') + "\"");
  Run r = run(good_json("S") + "\n" + big + "\n" + good_json("T"), InputFormat::jsonl, &options);
  CHECK(r.text == good_result("S") + "\n" + R"({"line":2,"key":"A","error":"record is 238 bytes, more than the limit of 200 bytes"})" +
                      "\n" + good_result("T"));
}

// ---- JSON array ---------------------------------------------------------------------------

TEST_CASE("record: a JSON array of records, with the line each element starts on") {
  const std::string input = "[\n" +
                            ("  " + good_json("A") + ",\n") +                   // line 2
                            ("  " + good_json("B", R"(,"age":1)") + ",\n") +    // line 3: duplicate key
                            "\n" +                                              // line 4
                            ("  " + record("C", R"("aum":1)") + ",\n") +        // line 5: missing field
                            "  5,\n" +                                          // line 6: not an object
                            "  {\n    \"id\": \"D\",\n" +                       // line 7: one record over lines
                            ("    " + std::string(kGood) + "\n  }\n") + "]\n";
  Run r = run(input, InputFormat::json);
  CHECK(r.text == good_result("A") + "\n" +
                      R"({"line":3,"key":"B","error":"malformed JSON at column 130: duplicate key `age`"})" + "\n" +
                      R"({"line":5,"key":"C","error":"missing required field `age`"})" + "\n" +
                      R"({"line":6,"error":"a record must be a JSON object, found a number"})" + "\n" + good_result("D"));
  CHECK(r.counts.read == 5);
  CHECK(r.counts.results == 2);
}

TEST_CASE("record: a malformed JSON array keeps the records before the fault") {
  check_cases(
      {
          {"cut off inside a record", "[" + good_json("A") + ",\n" + R"({"id":"B")",
           good_result("A") + "\n" + R"({"line":2,"error":"malformed JSON array: unterminated array or object"})"},
          {"not an array", good_json("A"), R"({"line":1,"error":"malformed JSON array: expected `[` starting an array of records"})"},
          {"text after the array", "[" + good_json("A") + "] x",
           good_result("A") + "\n" + R"({"line":1,"error":"malformed JSON array: unexpected text after the JSON value"})"},
      },
      InputFormat::json);
}

// ---- CSV --------------------------------------------------------------------------------

constexpr const char* kHeader = "id,aum,age,name,occupation,credit,opened,held,vip\n";

std::string csv_result(std::string_view key, std::string_view fields) {
  return std::string(R"({"id":")") + std::string(key) + "\"," + std::string(fields) + R"(,"dropped":[]})";
}

TEST_CASE("record: CSV rows map cells to fields by the header") {
  check_cases(
      {
          {"the base row", std::string(kHeader) + "A,1000,40,张三,,BBB,2020-02-29,card,false\n",
           good_result("A")},
          {"columns in another order, undeclared columns ignored, a defaulted column absent",
           "vip,extra,held,opened,credit,occupation,name,age,aum,id\nfalse,zz,card,2020-02-29,BBB,,张三,40,1000,A\n",
           good_result("A")},
          {"a T? column absent", "id,aum,age,name,credit,opened,held,vip\nA,1000,40,张三,BBB,2020-02-29,card,false\n",
           good_result("A")},
          {"true, lists split on `;` without duplicates, numbers from their text",
           std::string(kHeader) + "B,1000.50,40,张三,banker,AA,2020-02-29,card;fund;card,true\n",
           csv_result("B", R"("aum_":1000.5,"age_":40,"name_":"张三","occ":"banker","credit_":"AA","opened_":"2020-02-29",)"
                           R"("held_":["card","fund"],"vip_":true,"bonus_":0,"level_":"BBB")")},
          {"an empty list cell is the empty list, an empty cell null; a quoted empty string is a string",
           std::string(kHeader) + "C,1000,40,\"\",\"\",BBB,2020-02-29,,false\n",
           csv_result("C", R"("aum_":1000,"age_":40,"name_":"","occ":"","credit_":"BBB","opened_":"2020-02-29",)"
                           R"("held_":[],"vip_":false,"bonus_":0,"level_":"BBB")")},
          {"quoted cells hold commas, quotes and line breaks",
           std::string(kHeader) + "D,1000,40,\"Zhang, \"\"San\"\"\n\",,BBB,2020-02-29,\"a,b;c\",false\n",
           csv_result("D", R"("aum_":1000,"age_":40,"name_":"Zhang, \"San\"\n","occ":null,"credit_":"BBB","opened_":"2020-02-29",)"
                           R"("held_":["a,b","c"],"vip_":false,"bonus_":0,"level_":"BBB")")},
          {"empty cells of defaulted fields take the default",
           "id,aum,age,name,credit,opened,held,vip,bonus,level\nE,1,1,x,C,2020-01-01,,true,,\n",
           csv_result("E", R"("aum_":1,"age_":1,"name_":"x","occ":null,"credit_":"C","opened_":"2020-01-01",)"
                           R"("held_":[],"vip_":true,"bonus_":0,"level_":"BBB")")},
          {"a byte order mark and CRLF", "\xEF\xBB\xBF" + std::string("id,aum,age,name,credit,opened,held,vip\r\nA,1000,40,张三,BBB,2020-02-29,card,false\r\n"),
           good_result("A")},
      },
      InputFormat::csv);
}

TEST_CASE("record: CSV rows that do not fit") {
  check_cases(
      {
          {"an empty required cell is null", std::string(kHeader) + "E,,40,张三,,BBB,2020-02-29,,false\n",
           R"({"line":2,"key":"E","error":"field `aum` is null, but it is required"})"},
          {"an empty required string cell is null", std::string(kHeader) + "F,1000,40,,,BBB,2020-02-29,,false\n",
           R"({"line":2,"key":"F","error":"field `name` is null, but it is required"})"},
          {"booleans are true/false only", std::string(kHeader) + "G,1000,40,x,,BBB,2020-02-29,,yes\nH,1,1,x,,BBB,2020-02-29,,TRUE\n",
           R"({"line":2,"key":"G","error":"field `vip`: expected true or false, found `yes`"})"
           "\n"
           R"({"line":3,"key":"H","error":"field `vip`: expected true or false, found `TRUE`"})"},
          {"a number with a thousands separator", std::string(kHeader) + "C,\"1,000\",40,x,,BBB,2020-02-29,,false\n",
           R"({"line":2,"key":"C","error":"field `aum`: expected a number, found `1,000`"})"},
          {"non-whole int", std::string(kHeader) + "I,1000,3.5,x,,BBB,2020-02-29,,false\n",
           R"({"line":2,"key":"I","error":"field `age`: expected a whole number, found 3.5"})"},
          {"undeclared enum value", std::string(kHeader) + "O,1000,40,x,,XX,2020-02-29,,false\n",
           R"~({"line":2,"key":"O","error":"field `credit`: `XX` is not a value of `rating` (expected one of C, B, BB, BBB, A, AA, AAA)"})~"},
          {"too few cells", std::string(kHeader) + "H,1000,40,x,,BBB,2020-02-29,,\nH2,1000,40,x,,BBB,2020-02-29,false\n",
           R"({"line":2,"key":"H","error":"field `vip` is null, but it is required"})"
           "\n"
           R"({"line":3,"key":"H2","error":"row has 8 cells, but the header has 9 columns"})"},
          {"too many cells", std::string(kHeader) + "H,1000,40,x,,BBB,2020-02-29,,false,extra\n",
           R"({"line":2,"key":"H","error":"row has 10 cells, but the header has 9 columns"})"},
          {"a required column missing from the header", "id,age,name,credit,opened,held,vip\nM,40,x,BBB,2020-02-29,,false\n",
           R"~({"line":2,"key":"M","error":"missing required field `aum` (no such column in the header)"})~"},
          {"a quote inside an unquoted cell", std::string(kHeader) + "R,1000,40,张\"三,,BBB,2020-02-29,,false\nS,1,1,x,,BBB,2020-02-29,,false\n",
           R"~({"line":2,"error":"malformed CSV: unexpected `\"` in an unquoted cell (quote the whole cell and write a quote as `\"\"`)"})~"
           "\n"
           R"({"id":"S","aum_":1,"age_":1,"name_":"x","occ":null,"credit_":"BBB","opened_":"2020-02-29","held_":[],"vip_":false,"bonus_":0,"level_":"BBB","dropped":[]})"},
      },
      InputFormat::csv);
}

TEST_CASE("record: CSV line numbers count blank lines and multi-line cells") {
  const std::string input = std::string(kHeader) +                         // line 1
                            "A,1000,40,张三,,BBB,2020-02-29,card,false\n" +  // line 2
                            "\n" +                                          // line 3: blank
                            "B,1000,40,\"two\nlines\",,BBB,2020-02-29,,false\n" +  // lines 4-5
                            "C,,40,x,,BBB,2020-02-29,,false\n" +            // line 6
                            "D,1000,40,x,,BBB,2020-02-29,,maybe";           // line 7, no final newline
  Run r = run(input, InputFormat::csv);
  CHECK(r.text == good_result("A") + "\n" +
                      csv_result("B", R"("aum_":1000,"age_":40,"name_":"two\nlines","occ":null,"credit_":"BBB","opened_":"2020-02-29",)"
                                      R"("held_":[],"vip_":false,"bonus_":0,"level_":"BBB")") +
                      "\n" + R"({"line":6,"key":"C","error":"field `aum` is null, but it is required"})" + "\n" +
                      R"({"line":7,"key":"D","error":"field `vip`: expected true or false, found `maybe`"})");
  CHECK(r.counts.read == 4);
  CHECK(r.counts.results == 2);
  CHECK(r.counts.errors == 2);
}

// Like a duplicate JSON key, a CSV header naming a field twice is ambiguous.
TEST_CASE("record: a CSV header naming a field twice rejects every row") {
  Run r = run("id,aum,age,name,credit,opened,held,vip,aum\nA,1,40,x,BBB,2020-02-29,,false,2\nB,1,40,x,BBB,2020-02-29,,false,2\n",
              InputFormat::csv);
  CHECK(r.text ==
        R"({"line":2,"key":"A","error":"column `aum` appears twice in the CSV header"})"
        "\n"
        R"({"line":3,"key":"B","error":"column `aum` appears twice in the CSV header"})");
  CHECK(r.counts.errors == 2);
  // A repeated undeclared column is harmless.
  Run ok = run("id,aum,age,name,credit,opened,held,vip,x,x\nA,1000,40,张三,BBB,2020-02-29,card,false,1,2\n", InputFormat::csv);
  CHECK(ok.text == good_result("A"));
}

// ---- Lists of other element types ----------------------------------------------------------

constexpr const char* kListRules = R"(ruleset t { version "1" }
enum rating [C, B, A]
input c key id { id : string  ns : list<number>  rs : list<rating>  ds : list<date> }
output { a : list<number>  b : list<rating>  c : list<date> }
strategy s "s" when true { a += ns  b += rs  c += ds }
)";

TEST_CASE("record: lists of numbers, enum values and dates, in JSON and CSV") {
  auto lists = compile_text(kListRules);
  REQUIRE(lists);
  BatchCounts counts;
  CHECK(testing::eval_batch(*lists,
                            R"({"id":"A","ns":[1,2.50,2.5,1.0],"rs":["A","C","A"],"ds":["2020-01-01","2020-01-01"]})"
                            "\n"
                            R"({"id":"B","ns":["1"],"rs":[],"ds":[]})"
                            "\n"
                            R"({"id":"C","ns":[],"rs":["Z"],"ds":[]})"
                            "\n"
                            R"({"id":"D","ns":[],"rs":[],"ds":["2020-13-01"]})"
                            "\n"
                            R"({"id":"E","ns":[1e400],"rs":[],"ds":[]})",
                            InputFormat::jsonl, &counts) ==
        R"({"id":"A","a":[1,2.5],"b":["A","C"],"c":["2020-01-01"],"dropped":[]})"
        "\n"
        R"({"line":2,"key":"B","error":"field `ns`: expected a number, found a string"})"
        "\n"
        R"~({"line":3,"key":"C","error":"field `rs`: `Z` is not a value of `rating` (expected one of C, B, A)"})~"
        "\n"
        R"~({"line":4,"key":"D","error":"field `ds`: `2020-13-01` is not a valid date (expected YYYY-MM-DD)"})~"
        "\n"
        R"~({"line":5,"key":"E","error":"field `ns`: number 1e400 is out of range (at most 20 digits before the point)"})~");
  CHECK(counts.read == 5);
  CHECK(counts.errors == 4);
  CHECK(testing::eval_batch(*lists, "id,ns,rs,ds\nA,1;2.50;2.5;1.0,A;C;A,2020-01-01\nB,x,,\nC,,Z,\n\"E,1\",1,A;B,2020-01-01;2020-01-01\n",
                            InputFormat::csv, &counts) ==
        R"({"id":"A","a":[1,2.5],"b":["A","C"],"c":["2020-01-01"],"dropped":[]})"
        "\n"
        R"({"line":3,"key":"B","error":"field `ns`: expected a number, found `x`"})"
        "\n"
        R"~({"line":4,"key":"C","error":"field `rs`: `Z` is not a value of `rating` (expected one of C, B, A)"})~"
        "\n"
        R"({"id":"E,1","a":[1],"b":["A","B"],"c":["2020-01-01"],"dropped":[]})");
  CHECK(counts.read == 4);
  CHECK(counts.errors == 2);
}

// An empty item in a CSV list (`1;`) is named, with its position, instead of "found ``".
TEST_CASE("record: an empty CSV list item is named clearly") {
  auto lists = compile_text(kListRules);
  REQUIRE(lists);
  CHECK(testing::eval_batch(*lists, "id,ns,rs,ds\nD,1;,C,\nE,1;;2,C,\n", InputFormat::csv) ==
        R"~({"line":2,"key":"D","error":"field `ns`: item 2 of the list is empty (items are separated by `;`: remove the extra `;`)"})~"
        "\n"
        R"~({"line":3,"key":"E","error":"field `ns`: item 2 of the list is empty (items are separated by `;`: remove the extra `;`)"})~");
}

TEST_CASE("record: keys are written as JSON strings in error entries") {
  check_cases(
      {
          {"a key with a quote and a backslash", R"({"id":"K\"Q\\","aum":"x"})",
           R"({"line":1,"key":"K\"Q\\","error":"field `aum`: expected a number, found a string"})"},
          {"a Chinese key", R"({"id":"客户7","aum":"x"})", R"({"line":1,"key":"客户7","error":"field `aum`: expected a number, found a string"})"},
      },
      InputFormat::jsonl);
}

// ---- Threads --------------------------------------------------------------------------

TEST_CASE("record: results come out in input order whatever the thread count") {
  std::string input;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    std::string key = "K" + std::to_string(i);
    if (i % 7 == 3) {
      input += record(key, R"("aum":1)") + "\n";
      expected += R"({"line":)" + std::to_string(i + 1) + R"(,"key":")" + key + R"(","error":"missing required field `age`"})" + "\n";
    } else {
      input += good_json(key) + "\n";
      expected += good_result(key) + "\n";
    }
  }
  expected.pop_back();
  for (unsigned threads : {1u, 2u, 4u, 7u}) {
    INFO("threads: " << threads);
    BatchOptions options;
    options.format = InputFormat::jsonl;
    options.as_of = *parse_date("2025-06-30");
    options.threads = threads;
    Run r = run(input, InputFormat::jsonl, &options);
    CHECK(r.text == expected);
    CHECK(r.counts.read == 300);
    CHECK(r.counts.errors == 43);
  }
}

}  // namespace
}  // namespace segrule
