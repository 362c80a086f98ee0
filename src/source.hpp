#pragma once
// A rule file's text with its line table: turns byte offsets into lines and columns.

#include <string>
#include <string_view>
#include <vector>

#include "segrule/diagnostic.hpp"

namespace segrule {

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  // Byte offset where the content starts: 3 when the file begins with a UTF-8 BOM.
  uint32_t content_begin() const { return content_begin_; }

  // 1-based line of a byte offset.
  uint32_t line_of(uint32_t offset) const;
  // 1-based column in characters (code points) of a byte offset.
  uint32_t column_of(uint32_t offset) const;
  // The text of a 1-based line, without its line end.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_begin(uint32_t line) const { return line_starts_[line - 1]; }
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }

  // Fills file, line and column of each diagnostic from its span.
  void locate(Diagnostics& diagnostics) const;

 private:
  std::string name_;
  std::string text_;
  uint32_t content_begin_ = 0;
  std::vector<uint32_t> line_starts_;
};

// Renders diagnostics as `file:line:col`, the source line, a caret under the
// span and the help text. `source` may be null (record errors have none).
std::string render_diagnostics(const Diagnostics& diagnostics, const SourceFile* source);

// Width of a UTF-8 text in terminal cells: CJK and fullwidth characters take
// two, everything else (tabs included) one. For carets and aligned columns.
int text_width(std::string_view text);

// Offset of the first invalid UTF-8 byte, or npos when the text is valid.
size_t find_invalid_utf8(std::string_view text);

}  // namespace segrule
