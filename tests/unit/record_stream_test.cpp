// RecordStream's JSON Lines splitting (next_lines, and next() on top of it)
// against for_each_jsonl_line, the reference framing: over generated inputs,
// with reads as small as 16 bytes, so that lines straddle every kind of read
// boundary; records longer than the limit; blocks capped at a few records.

#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "eval/jsonl.hpp"
#include "eval/record_stream.hpp"
#include "support.hpp"

using namespace segrule;

namespace {

using testing::Random;

// What a reader gets for one record: its line and its text, or its early error and key.
struct Seen {
  size_t line;
  std::string text;
  std::string error;
  std::string key;
  bool operator==(const Seen&) const = default;
};

std::string describe(const std::vector<Seen>& seen) {
  std::string s;
  for (const Seen& r : seen) s += std::to_string(r.line) + ": [" + r.text + "] " + r.error + " " + r.key + "\n";
  return s;
}

// A record longer than the limit is an error whichever way it is found: held
// whole (and rejected by the record reader, with the same message and key) or
// skipped while it is read. Both are shown as the error.
Seen normalised(size_t line, std::string_view text, const RecordLimits& limits) {
  if (text.size() <= limits.max_record_bytes) return Seen{line, std::string(text), "", ""};
  auto key = salvage_key(text.substr(0, kSalvageBytes), "id");
  return Seen{line, "", too_long_message(text.size(), limits.max_record_bytes), key.value_or("-")};
}

std::vector<Seen> expected_records(std::string_view input, const RecordLimits& limits) {
  if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);
  std::vector<Seen> out;
  for_each_jsonl_line(input, [&](std::string_view text, size_t line) { out.push_back(normalised(line, text, limits)); });
  return out;
}

// Hands out the input a few bytes at a time, as a pipe might.
class TrickleBuffer : public std::streambuf {
 public:
  TrickleBuffer(std::string text, size_t step) : text_(std::move(text)), step_(step) {}

 protected:
  int_type underflow() override {
    if (at_ >= text_.size()) return traits_type::eof();
    size_t n = std::min(step_, text_.size() - at_);
    setg(text_.data() + at_, text_.data() + at_, text_.data() + at_ + n);
    at_ += n;
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string text_;
  size_t step_;
  size_t at_ = 0;
};

std::vector<Seen> by_blocks(const std::string& input, size_t read_bytes, size_t max_records, const RecordLimits& limits,
                            size_t trickle = 0) {
  TrickleBuffer buffer(input, trickle == 0 ? input.size() + 1 : trickle);
  std::istream in(&buffer);
  RecordStream stream(in, InputFormat::jsonl, limits, read_bytes, "id");
  std::vector<Seen> out;
  LineBlock block;
  while (stream.next_lines(block, max_records)) {
    CHECK(block.lines.size() <= max_records);
    for (const LineBlock::Line& l : block.lines) {
      if (l.error == LineBlock::kNoError) out.push_back(normalised(l.line, block.text(l), limits));
      else out.push_back(Seen{l.line, "", block.errors[l.error].early_error, block.errors[l.error].key.value_or("-")});
    }
  }
  CHECK(!stream.next_lines(block, max_records));  // the end stays the end
  CHECK(!stream.failed());
  return out;
}

std::vector<Seen> one_by_one(const std::string& input, size_t read_bytes, const RecordLimits& limits) {
  std::istringstream in(input);
  RecordStream stream(in, InputFormat::jsonl, limits, read_bytes, "id");
  std::vector<Seen> out;
  RawRecord raw;
  while (stream.next(raw)) {
    if (raw.early_error.empty()) out.push_back(normalised(raw.line, raw.text, limits));
    else out.push_back(Seen{raw.line, "", raw.early_error, raw.key.value_or("-")});
  }
  return out;
}

// A generated input: records of many sizes, blank lines of spaces and tabs,
// LF and CRLF line ends, empty lines, maybe a byte order mark, maybe no final line end.
std::string generated_input(Random& random, size_t max_line) {
  std::string s = random.below(4) == 0 ? "\xEF\xBB\xBF" : "";
  size_t lines = random.below(40);
  for (size_t i = 0; i < lines; ++i) {
    switch (random.below(6)) {
      case 0: break;  // an empty line
      case 1: s += std::string(random.below(5), ' ') + (random.below(2) ? "\t" : ""); break;
      default: {
        std::string record = "{\"id\":\"K" + std::to_string(i) + "\",\"pad\":\"";
        record += std::string(random.below(max_line), 'a' + static_cast<char>(random.below(26)));
        s += record + "\"}";
        if (random.below(8) == 0) s += "  ";  // blanks after a record stay part of it
      }
    }
    if (i + 1 < lines || random.below(2)) s += random.below(3) == 0 ? "\r\n" : "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("record stream: lines split across reads of any size give the records of the whole text") {
  Random random{12345};
  const RecordLimits limits{};
  for (int round = 0; round < 300; ++round) {
    std::string input = generated_input(random, round % 3 == 0 ? 200 : 40);
    std::vector<Seen> expected = expected_records(input, limits);
    for (size_t read_bytes : {16, 17, 23, 64, 4096}) {
      for (size_t max_records : {size_t{1}, size_t{3}, size_t{4096}}) {
        CAPTURE(read_bytes);
        CAPTURE(max_records);
        CAPTURE(input);
        std::vector<Seen> got = by_blocks(input, read_bytes, max_records, limits, round % 2 ? 7 : 0);
        CHECK_MESSAGE(got == expected, describe(got), "\nexpected\n", describe(expected));
      }
      CHECK(one_by_one(input, read_bytes, limits) == expected);
    }
  }
}

TEST_CASE("record stream: records longer than the limit are errors with their size and key, however they are read") {
  Random random{777};
  RecordLimits limits;
  limits.max_record_bytes = 100;
  for (int round = 0; round < 300; ++round) {
    std::string input = generated_input(random, 400);
    std::vector<Seen> expected = expected_records(input, limits);
    for (size_t read_bytes : {16, 31, 64, 150, 4096}) {
      for (size_t max_records : {size_t{2}, size_t{4096}}) {
        CAPTURE(read_bytes);
        CAPTURE(input);
        std::vector<Seen> got = by_blocks(input, read_bytes, max_records, limits);
        CHECK_MESSAGE(got == expected, describe(got), "\nexpected\n", describe(expected));
      }
      CHECK(one_by_one(input, read_bytes, limits) == expected);
    }
  }
}

TEST_CASE("record stream: a long line is skipped, not held, and what follows it in the same read is kept") {
  RecordLimits limits;
  limits.max_record_bytes = 64;
  std::string input = "{\"id\":\"A\"}\n{\"id\":\"LONG\",\"x\":\"" + std::string(10000, 'x') + "\"}\r\n{\"id\":\"B\"}\n" +
                      std::string(5000, ' ') + "\n{\"id\":\"C\"}";
  std::istringstream in(input);
  RecordStream stream(in, InputFormat::jsonl, limits, 32, "id");
  LineBlock block;
  std::vector<Seen> got;
  while (stream.next_lines(block, 4096))
    for (const LineBlock::Line& l : block.lines)
      got.push_back(l.error == LineBlock::kNoError
                        ? Seen{l.line, std::string(block.text(l)), "", ""}
                        : Seen{l.line, "", block.errors[l.error].early_error, block.errors[l.error].key.value_or("-")});
  std::vector<Seen> expected = {
      {1, "{\"id\":\"A\"}", "", ""},
      {2, "", too_long_message(10000 + 20, 64), "LONG"},
      {3, "{\"id\":\"B\"}", "", ""},
      {5, "{\"id\":\"C\"}", "", ""},
  };
  CHECK_MESSAGE(got == expected, describe(got));
  CHECK(stream.peak_buffered() <= 64 + 3 * 32);
}
