#pragma once
// Streaming reader for customer records given as CSV: RFC 4180 plus what bank extracts do
// (a UTF-8 byte order mark, LF or CRLF row ends, no final newline, blank lines).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segrule {

struct CsvCell {
  std::string text;
  bool quoted = false;  // written in double quotes, so "" is an empty string rather than a null
};

struct CsvError {
  size_t offset = 0;    // byte offset in the input where the problem is
  std::string message;  // lowercase, no final period, says what was expected
};

// Reads rows one at a time from a whole text buffer, which must outlive the reader.
// The header row is read like any other row (the caller treats row 1 as the header).
// Cells are separated by `,`; a quoted cell may hold commas, `""` for a quote, and line breaks
// (so a row can span lines). Rows end at LF or CRLF or at the end of input. A UTF-8 byte order
// mark at the very start is skipped. Empty lines are skipped but counted for line numbers.
// Malformed rows (a quote inside an unquoted cell, text after a closing quote, a carriage return
// that does not end a row, a quoted cell left open at the end of input, invalid UTF-8) are
// reported one per row; reading then goes on at the next line so the batch can continue.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Returns false at the end of input. Otherwise returns true with either `cells` holding the
  // row and `error` empty, or, for a malformed row, `error` set and `cells` empty (the row still
  // counts as read). Reuses the strings already in `cells`, so passing the same vector for every
  // row avoids allocating per cell.
  bool next_row(std::vector<CsvCell>& cells, std::optional<CsvError>& error);

  // 1-based line on which the last returned row started (0 before the first row).
  size_t line() const { return row_line_; }

 private:
  void skip_blank_lines();
  bool at_row_end() const;
  void consume_row_end();
  void skip_rest_of_line();

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;      // line of text_[pos_]
  size_t row_line_ = 0;  // line the last returned row started on
};

}  // namespace segrule
