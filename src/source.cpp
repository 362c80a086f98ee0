#include "source.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "utf8.hpp"

namespace segrule {

SourceFile::SourceFile(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) content_begin_ = 3;
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

uint32_t SourceFile::line_of(uint32_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<uint32_t>(it - line_starts_.begin());
}

uint32_t SourceFile::column_of(uint32_t offset) const {
  uint32_t begin = line_starts_[line_of(offset) - 1];
  if (line_of(offset) == 1) begin = std::max(begin, std::min(content_begin_, offset));
  uint32_t column = 1;
  for (uint32_t i = begin; i < offset && i < text_.size(); ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // count lead bytes only
  return column;
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t begin = line_starts_[line - 1];
  if (line == 1) begin = std::max(begin, content_begin_);
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  if (end > begin && text_[end - 1] == '\r') --end;
  if (end < begin) end = begin;
  return std::string_view(text_).substr(begin, end - begin);
}

void SourceFile::locate(Diagnostics& diagnostics) const {
  for (auto& d : diagnostics) {
    uint32_t offset = std::min<uint32_t>(d.span.begin, static_cast<uint32_t>(text_.size()));
    d.file = name_;
    d.line = line_of(offset);
    d.column = column_of(offset);
  }
}

namespace {

// Display width of one code point: CJK, fullwidth forms and emoji take two
// terminal cells; combining marks and zero-width spaces none.
int code_point_width(uint32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F)) return 0;
  if ((cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF)) return 2;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

}  // namespace

int text_width(std::string_view s) {
  int width = 0;
  for (size_t i = 0; i < s.size();) width += code_point_width(next_code_point(s, i));
  return width;
}

std::string render_diagnostics(const Diagnostics& diagnostics, const SourceFile* source) {
  std::string out;
  for (const auto& d : diagnostics) {
    const char* severity = d.severity == Severity::error ? "error" : "warning";
    out += fmt::format("{}[{}]: {}\n", severity, d.code, d.message);
    if (source != nullptr && d.line > 0) {
      std::string number = std::to_string(d.line);
      std::string pad(number.size(), ' ');
      out += fmt::format("{}--> {}:{}:{}\n", pad, d.file, d.line, d.column);
      std::string_view line = source->line_text(d.line);
      uint32_t line_begin = source->line_begin(d.line);
      if (d.line == 1) line_begin = std::max(line_begin, source->content_begin());
      uint32_t begin = std::max(d.span.begin, line_begin) - line_begin;
      begin = std::min<uint32_t>(begin, static_cast<uint32_t>(line.size()));
      uint32_t end = std::max(d.span.end, d.span.begin);
      end = end > line_begin ? end - line_begin : begin;
      end = std::min<uint32_t>(std::max(end, begin), static_cast<uint32_t>(line.size()));
      int lead = text_width(line.substr(0, begin));
      int marks = std::max(1, text_width(line.substr(begin, end - begin)));
      // Echo tabs and pad other characters by their width, so the caret lines up.
      std::string caret_line;
      for (size_t i = 0; i < begin;) {
        size_t n = 1;
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c >= 0xF0) n = 4;
        else if (c >= 0xE0) n = 3;
        else if (c >= 0xC0) n = 2;
        if (line[i] == '\t') caret_line += '\t';
        else caret_line.append(static_cast<size_t>(text_width(line.substr(i, n))), ' ');
        i += n;
      }
      (void)lead;
      caret_line.append(static_cast<size_t>(marks), '^');
      out += fmt::format("{} |\n{} | {}\n{} | {}\n", pad, number, line, pad, caret_line);
      if (!d.help.empty()) out += fmt::format("{} = help: {}\n", pad, d.help);
    } else if (!d.help.empty()) {
      out += fmt::format("  = help: {}\n", d.help);
    }
  }
  return out;
}

size_t find_invalid_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace segrule
