#pragma once
// JSON Lines framing shared by every reader of a whole input: one record per
// line, CRLF accepted, blank lines skipped but counted.

#include <cstddef>
#include <string_view>

namespace segrule {

// Calls `take(text, line)` for each non-blank line of `input` (1-based line
// numbers, a trailing `\r` removed).
template <typename Take>
void for_each_jsonl_line(std::string_view input, Take&& take) {
  size_t pos = 0;
  size_t line = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    ++line;
    std::string_view text = input.substr(pos, end - pos);
    pos = end + 1;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    take(text, line);
  }
}

}  // namespace segrule
