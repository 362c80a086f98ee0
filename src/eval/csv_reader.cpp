#include "eval/csv_reader.hpp"

#include <cstdio>

#include "eval/json_reader.hpp"

namespace segrule {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

bool CsvReader::at_row_end() const {
  if (pos_ >= text_.size()) return true;
  if (text_[pos_] == '\n') return true;
  // A CR ends a row only as part of CRLF, or as the last byte of a file cut after it.
  return text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
}

void CsvReader::consume_row_end() {
  if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') {
    ++pos_;
    ++line_;
  }
}

void CsvReader::skip_blank_lines() {
  while (pos_ < text_.size() && at_row_end()) consume_row_end();
}

void CsvReader::skip_rest_of_line() {
  const size_t newline = text_.find('\n', pos_);
  if (newline == std::string_view::npos) {
    pos_ = text_.size();
    return;
  }
  pos_ = newline + 1;
  ++line_;
}

bool CsvReader::next_row(std::vector<CsvCell>& cells, std::optional<CsvError>& error) {
  error.reset();
  skip_blank_lines();
  if (pos_ >= text_.size()) {
    cells.clear();
    return false;
  }
  row_line_ = line_;

  const size_t size = text_.size();
  size_t used = 0;
  // The first invalid UTF-8 byte is reported only once the row has been read to its real end,
  // so that a bad byte inside a multi-line quoted cell does not throw the next rows off.
  std::optional<CsvError> encoding_error;
  // Scans bytes up to one of the stop characters, validating UTF-8 on the way. Newlines count
  // as lines only inside quoted cells, the one place they can appear mid-row.
  const auto scan = [&](auto is_stop) {
    while (pos_ < size) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (is_stop(c)) return;
      if (c < 0x80) {
        line_ += c == '\n';
        ++pos_;
        continue;
      }
      const size_t length = utf8_sequence_length(text_, pos_);
      if (length == 0 && !encoding_error) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "0x%02x", c);
        encoding_error = CsvError{pos_, std::string("invalid UTF-8 byte ") + buffer};
      }
      pos_ += length == 0 ? 1 : length;
    }
  };
  const auto fail = [&](size_t offset, const char* message) {
    error = CsvError{offset, message};
    cells.clear();
    skip_rest_of_line();
    return true;
  };

  for (;;) {
    // Reuse the caller's strings: their capacity is what keeps this loop allocation-free.
    if (used == cells.size()) cells.emplace_back();
    CsvCell& cell = cells[used++];
    cell.text.clear();
    cell.quoted = false;

    if (pos_ < size && text_[pos_] == '"') {
      cell.quoted = true;
      const size_t open = pos_++;
      for (;;) {
        const size_t run_start = pos_;
        scan([](unsigned char c) { return c == '"'; });
        cell.text.append(text_, run_start, pos_ - run_start);
        if (pos_ >= size) {
          error = CsvError{open, "unterminated quoted cell"};
          cells.clear();
          return true;
        }
        ++pos_;
        if (pos_ < size && text_[pos_] == '"') {
          cell.text.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < size && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (!at_row_end()) return fail(pos_, "expected `,` or the end of the row after a closing quote");
    } else {
      const size_t run_start = pos_;
      scan([](unsigned char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; });
      cell.text.append(text_, run_start, pos_ - run_start);
      if (pos_ < size && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < size && text_[pos_] == '"') {
        return fail(pos_, "unexpected `\"` in an unquoted cell (quote the whole cell and write a quote as `\"\"`)");
      }
      if (!at_row_end()) return fail(pos_, "carriage return without a line feed in an unquoted cell");
    }
    consume_row_end();
    break;
  }

  if (encoding_error) {
    error = std::move(encoding_error);
    cells.clear();
    return true;
  }
  cells.resize(used);
  return true;
}

}  // namespace segrule
