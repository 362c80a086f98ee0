#pragma once
// UTF-8 encoding and decoding of single code points, shared by the parser
// (`\u{4E07}` escapes), the JSON reader, the formatter, widths and the analysis.

#include <cstdint>
#include <string>
#include <string_view>

namespace segrule {

// Appends the UTF-8 bytes of one code point (at most U+10FFFF).
inline void append_utf8(std::string& out, uint32_t cp) {
  const auto put = [&](uint32_t byte) { out.push_back(static_cast<char>(byte)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

// Decodes the code point at `i` and advances `i` past it. The text must be
// valid UTF-8 (rule files and records are checked when read); a truncated
// sequence at the end yields what is there.
inline uint32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  uint32_t cp = c;
  size_t n = 1;
  if (c >= 0xF0) {
    cp = c & 0x07;
    n = 4;
  } else if (c >= 0xE0) {
    cp = c & 0x0F;
    n = 3;
  } else if (c >= 0xC0) {
    cp = c & 0x1F;
    n = 2;
  }
  for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

}  // namespace segrule
