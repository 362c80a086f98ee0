#pragma once
// Records read from a stream in bounded blocks, for tools that must not hold a
// whole input in memory (`impact`). JSON Lines, a JSON array of records and
// CSV are split into records here and read into slots by record.hpp, exactly as
// `eval` does; memory stays within a few blocks plus the largest record.

#include <cstddef>
#include <deque>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/batch.hpp"

namespace segrule {

// One record before it is fitted to a schema.
struct RawRecord {
  size_t line = 0;              // 1-based line where it starts
  std::string text;             // JSON Lines and JSON arrays: the record's text
  std::vector<CsvCell> cells;   // CSV: the row's cells
  std::string early_error;      // found while splitting: a malformed CSV row or header, a broken array, a record too long
  std::optional<std::string> key;  // with early_error: the record's key, when it could be read
};

// JSON Lines records read in one go, for `eval`: each record is a view into the
// block's own bytes, so no line is copied and a record stays valid as long as
// its block, on whatever thread evaluates it. Reused from block to block:
// nothing is freed, so reading allocates nothing once the buffers have grown.
struct LineBlock {
  struct Line {
    size_t line = 0;      // 1-based line where it starts
    size_t begin = 0;     // the record's text: bytes[begin, begin + size), CRLF and LF not included
    size_t size = 0;
    size_t error = kNoError;  // a record too long to read: its entry in `errors`
  };
  static constexpr size_t kNoError = static_cast<size_t>(-1);

  std::vector<Line> lines;
  std::vector<RawRecord> errors;  // early errors (records longer than the limit), with their line and key
  std::string bytes;              // only its first `filled` bytes hold input; never shrunk, so never refilled with zeros
  size_t filled = 0;

  std::string_view text(const Line& l) const { return std::string_view(bytes.data() + l.begin, l.size); }
};

class RecordStream {
 public:
  // `in` must outlive the stream. `block_bytes` is how much is read at a time.
  // `key_field` (optional) names the member that identifies a record too long to read.
  RecordStream(std::istream& in, InputFormat format, const RecordLimits& limits = {}, size_t block_bytes = 1 << 16,
               std::string key_field = {});

  // Fills `record` with the next record; false at the end of input. A read error
  // of the stream itself ends the input early (see failed()).
  bool next(RawRecord& record);

  // JSON Lines only: replaces `block`'s records with the next ones, at most
  // `max_records` (and about one read of `block_bytes` for records of any
  // usual size); false at the end of input. The record lines, their numbers
  // and errors are exactly those next() gives one by one.
  bool next_lines(LineBlock& block, size_t max_records);

  InputFormat format() const { return format_; }

  // CSV: the header row, once next() has been called.
  const std::vector<CsvCell>& header() const { return header_; }

  // The stream reported an I/O error (not a malformed record).
  bool failed() const { return failed_; }

  // The most bytes of input held at once, so tests can check memory stays bounded.
  size_t peak_buffered() const { return peak_; }

 private:
  bool fill();
  void compact();
  bool next_line(RawRecord& record);
  size_t read_into(LineBlock& block);
  void add_line(LineBlock& block, size_t begin, size_t end);
  void skip_long_line(LineBlock& block, size_t begin);
  void split_csv();
  void split_array();
  size_t held() const { return buffer_.size() - begin_; }
  size_t stuck_limit() const { return limits_.max_record_bytes + block_bytes_; }

  std::istream& in_;
  InputFormat format_;
  RecordLimits limits_;
  size_t block_bytes_;
  std::string key_field_;
  std::string buffer_;      // JSON Lines: the start of a line carried from one block to the next
  size_t begin_ = 0;        // first byte of buffer_ not yet consumed
  size_t line_ = 1;         // line of buffer_[begin_] (JSON arrays: of buffer_[begin_ + 1])
  bool eof_ = false;
  bool failed_ = false;
  bool started_ = false;    // the byte order mark and, for JSON, the opening bracket are behind us
  bool finished_ = false;   // no more records will be split (CSV, JSON arrays)
  bool carried_ = false;    // JSON arrays: buffer_[begin_] is the `[` written before a carried element
  bool header_read_ = false;
  std::vector<CsvCell> header_;
  std::deque<RawRecord> pending_;
  LineBlock lines_;          // JSON Lines through next(): the records not yet handed out
  size_t next_in_lines_ = 0;
  size_t peak_ = 0;
};

}  // namespace segrule
