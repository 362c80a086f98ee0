#include "eval/record_stream.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace segrule {

namespace {

// Byte offset where 1-based `line` starts in `text`.
size_t offset_of_line(std::string_view text, size_t line) {
  size_t offset = 0;
  for (size_t l = 1; l < line; ++l) offset = text.find('\n', offset) + 1;
  return offset;
}

bool all_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

RecordStream::RecordStream(std::istream& in, InputFormat format, const RecordLimits& limits, size_t block_bytes,
                           std::string key_field)
    : in_(in), format_(format), limits_(limits), block_bytes_(std::max<size_t>(block_bytes, 16)), key_field_(std::move(key_field)) {}

void RecordStream::compact() {
  buffer_.erase(0, begin_);
  begin_ = 0;
}

bool RecordStream::fill() {
  if (eof_) return false;
  compact();
  size_t old = buffer_.size();
  buffer_.resize(old + block_bytes_);
  in_.read(buffer_.data() + old, static_cast<std::streamsize>(block_bytes_));
  size_t got = static_cast<size_t>(in_.gcount());
  buffer_.resize(old + got);
  if (got < block_bytes_) {
    eof_ = true;
    failed_ = in_.bad();
  }
  if (!started_) {
    started_ = true;
    if (buffer_.starts_with("\xEF\xBB\xBF")) begin_ = 3;
  }
  peak_ = std::max(peak_, buffer_.size());
  return got > 0;
}

bool RecordStream::next(RawRecord& record) {
  if (format_ == InputFormat::jsonl) return next_line(record);
  while (pending_.empty() && !finished_) {
    if (format_ == InputFormat::csv) split_csv();
    else split_array();
  }
  if (pending_.empty()) return false;
  record = std::move(pending_.front());
  pending_.pop_front();
  return true;
}

// JSON Lines through next(): the records of one block, handed out one by one.
bool RecordStream::next_line(RawRecord& record) {
  constexpr size_t kLinesPerBlock = 4096;
  if (next_in_lines_ == lines_.lines.size()) {
    next_in_lines_ = 0;
    if (!next_lines(lines_, kLinesPerBlock)) return false;
  }
  const LineBlock::Line& l = lines_.lines[next_in_lines_++];
  if (l.error != LineBlock::kNoError) {
    record = std::move(lines_.errors[l.error]);
    return true;
  }
  record.line = l.line;
  record.text.assign(lines_.text(l));
  record.cells.clear();
  record.early_error.clear();
  record.key.reset();
  return true;
}

// Reads up to block_bytes_ more input after what `block` holds; how much came.
size_t RecordStream::read_into(LineBlock& block) {
  if (eof_) return 0;
  if (block.bytes.size() < block.filled + block_bytes_) block.bytes.resize(std::max(block.filled + block_bytes_, 2 * block.bytes.size()));
  in_.read(block.bytes.data() + block.filled, static_cast<std::streamsize>(block_bytes_));
  size_t got = static_cast<size_t>(in_.gcount());
  block.filled += got;
  if (got < block_bytes_) {
    eof_ = true;
    failed_ = in_.bad();
  }
  peak_ = std::max(peak_, block.filled);
  return got;
}

// The line bytes[begin, end) of `block` (its LF not included): a record unless blank.
[[gnu::always_inline]] inline void RecordStream::add_line(LineBlock& block, size_t begin, size_t end) {
  size_t line = line_++;
  std::string_view text(block.bytes.data() + begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  // Records start with `{`: one compare settles most lines.
  bool blank = text.empty() || ((text[0] == ' ' || text[0] == '\t') && text.find_first_not_of(" \t") == std::string_view::npos);
  if (blank) return;
  block.lines.push_back(LineBlock::Line{line, begin, text.size(), LineBlock::kNoError});
}

// A line longer than any record may be, starting at bytes[begin]: read to its
// end without holding it, keeping its first bytes for its key and counting
// its size for the message. What follows its end is moved to `begin`.
void RecordStream::skip_long_line(LineBlock& block, size_t begin) {
  size_t line = line_++;
  std::string head(block.bytes.data() + begin, std::min(block.filled - begin, kSalvageBytes));
  size_t size = 0;
  bool blank = true;
  bool ends_with_cr = false;
  auto take = [&](size_t from, size_t to) {
    std::string_view part(block.bytes.data() + from, to - from);
    if (part.empty()) return;
    size += part.size();
    blank = blank && part.find_first_not_of(" \t\r") == std::string_view::npos;
    ends_with_cr = part.back() == '\r';
  };
  take(begin, block.filled);
  for (;;) {
    block.filled = begin;
    if (read_into(block) == 0) break;
    const char* data = block.bytes.data();
    const void* newline = std::memchr(data + begin, '\n', block.filled - begin);
    if (newline == nullptr) {
      take(begin, block.filled);
      continue;
    }
    size_t end = static_cast<size_t>(static_cast<const char*>(newline) - data);
    take(begin, end);
    std::memmove(block.bytes.data() + begin, data + end + 1, block.filled - end - 1);
    block.filled -= end + 1 - begin;
    break;
  }
  if (ends_with_cr) --size;  // CRLF line ends are not part of the record
  if (blank) return;         // a very long blank line is still a blank line
  RawRecord record;
  record.line = line;
  record.early_error = too_long_message(size, limits_.max_record_bytes);
  if (!key_field_.empty()) record.key = salvage_key(head, key_field_);
  block.errors.push_back(std::move(record));
  block.lines.push_back(LineBlock::Line{line, begin, 0, block.errors.size() - 1});
}

// JSON Lines: one record per line that is not blank, as run_batch reads them.
// The block reads straight into its own bytes, after the start of a line
// carried from the block before; only that start is copied.
bool RecordStream::next_lines(LineBlock& block, size_t max_records) {
  max_records = std::max<size_t>(max_records, 1);
  block.lines.clear();
  block.errors.clear();
  const size_t carried = held();
  if (block.bytes.size() < carried + block_bytes_) block.bytes.resize(carried + block_bytes_);
  if (carried > 0) std::memcpy(block.bytes.data(), buffer_.data() + begin_, carried);
  block.filled = carried;
  buffer_.clear();
  begin_ = 0;
  size_t start = 0;    // where the line being split starts
  size_t scanned = 0;  // no line end in [start, scanned)
  for (;;) {
    const char* data = block.bytes.data();
    while (block.lines.size() < max_records) {
      const void* newline = std::memchr(data + scanned, '\n', block.filled - scanned);
      if (newline == nullptr) break;
      size_t end = static_cast<size_t>(static_cast<const char*>(newline) - data);
      add_line(block, start, end);
      start = scanned = end + 1;
    }
    if (block.lines.size() >= max_records) break;
    scanned = block.filled;
    if (eof_) {
      if (start < block.filled) add_line(block, start, block.filled);  // the last line has no line end
      start = block.filled;
      break;
    }
    if (!block.lines.empty()) break;  // the start of the next line is carried
    // Longer than any record may be, even without a CR that a CRLF line end would drop.
    const size_t held_now = block.filled - start;
    if (held_now > 0 && held_now - 1 > limits_.max_record_bytes) {
      skip_long_line(block, start);
      scanned = start;
      continue;
    }
    read_into(block);
    if (!started_) {
      started_ = true;
      if (std::string_view(block.bytes.data(), block.filled).starts_with("\xEF\xBB\xBF")) start = scanned = 3;
    }
  }
  buffer_.assign(block.bytes.data() + start, block.filled - start);
  return !block.lines.empty();
}

// CSV: the rows of what is held, parsed by CsvReader. Every row but the last is
// complete (the reader moved on past it); the last is read again with the next block.
void RecordStream::split_csv() {
  for (;;) {
    if (!eof_ && held() < block_bytes_) fill();
    std::string_view view(buffer_.data() + begin_, held());
    CsvReader reader(view);
    std::vector<RawRecord> rows;
    std::vector<size_t> row_lines;
    RawRecord row;
    std::optional<CsvError> error;
    while (reader.next_row(row.cells, error)) {
      row.line = line_ + reader.line() - 1;
      if (error) row.early_error = error->message;
      row_lines.push_back(reader.line());
      rows.push_back(std::move(row));
      row = RawRecord{};
    }
    if (!eof_ && rows.size() < 2) {
      // Everything held up to its last line end is either blank lines or, when
      // held for too long, one row longer than any record may be.
      size_t drop = view.rfind('\n');
      bool stuck = !rows.empty() && held() > stuck_limit();
      if (rows.empty() || stuck) {
        drop = drop == std::string_view::npos ? (stuck ? view.size() : 0) : drop + 1;
        line_ += static_cast<size_t>(std::count(view.begin(), view.begin() + static_cast<std::ptrdiff_t>(drop), '\n'));
        begin_ += drop;
      }
      if (stuck) {
        RawRecord bad;
        bad.line = rows[0].line;
        std::string message = fmt::format("row is longer than the limit of {} bytes (is a quoted cell left open?)", limits_.max_record_bytes);
        bad.early_error = (header_read_ ? "malformed CSV: " : "malformed CSV header: ") + message;
        finished_ = !header_read_;
        header_read_ = true;
        pending_.push_back(std::move(bad));
        return;
      }
      fill();
      continue;
    }
    size_t keep = eof_ ? rows.size() : rows.size() - 1;
    for (size_t i = 0; i < keep; ++i) {
      RawRecord& r = rows[i];
      if (!header_read_) {
        header_read_ = true;
        if (!r.early_error.empty()) {
          r.early_error = "malformed CSV header: " + r.early_error;
          pending_.push_back(std::move(r));
          finished_ = true;
          return;
        }
        header_ = std::move(r.cells);
        continue;
      }
      if (!r.early_error.empty()) r.early_error = "malformed CSV: " + r.early_error;
      pending_.push_back(std::move(r));
    }
    if (eof_) {
      begin_ = buffer_.size();
      finished_ = true;
      return;
    }
    begin_ += offset_of_line(view, row_lines.back());
    line_ += row_lines.back() - 1;
    return;
  }
}

// A JSON array: its elements found by split_json_array over what is held. Every
// element but the last is complete; the last is carried into the next round,
// behind a `[` written over the byte before it so that the rest reads as an array.
void RecordStream::split_array() {
  for (;;) {
    if (!eof_ && held() < block_bytes_) fill();
    std::string_view view(buffer_.data() + begin_, held());
    if (!carried_ && eof_ && all_blank(view)) {
      finished_ = true;  // an empty input holds no records
      return;
    }
    std::vector<std::pair<size_t, size_t>> elements;  // offset, size
    auto error = segrule::split_json_array(
        view, [&](std::string_view element, size_t offset) { elements.emplace_back(offset, element.size()); },
        JsonLimits{1024, view.size() + 1});
    bool stuck = !eof_ && elements.size() < 2 && held() > stuck_limit();
    if (!eof_ && !stuck && elements.size() < 2) {
      fill();
      continue;
    }
    // Lines are counted from where this view's own text starts (after a carried `[`).
    size_t origin = carried_ ? 1 : 0;
    size_t counted = origin;
    size_t line = line_;
    auto line_at = [&](size_t offset) {
      for (; counted < offset; ++counted) line += view[counted] == '\n';
      return line;
    };
    size_t keep = eof_ || stuck ? elements.size() : elements.size() - 1;
    for (size_t i = 0; i < keep; ++i) {
      RawRecord r;
      r.line = line_at(elements[i].first);
      r.text.assign(view.substr(elements[i].first, elements[i].second));
      pending_.push_back(std::move(r));
    }
    if (eof_ || stuck) {
      if (error) {
        RawRecord r;
        r.line = line_at(std::min(error->offset, view.size()));
        r.early_error = "malformed JSON array: " + error->message;
        pending_.push_back(std::move(r));
      }
      finished_ = true;
      return;
    }
    size_t start = elements.back().first;
    line_ = line_at(start);
    begin_ += start - 1;
    buffer_[begin_] = '[';
    carried_ = true;
    return;
  }
}

}  // namespace segrule
