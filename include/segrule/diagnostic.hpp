#pragma once
// One diagnostic type for every stage: parse, check and record errors alike.

#include <cstdint>
#include <string>
#include <vector>

namespace segrule {

enum class Severity : uint8_t { error, warning };

// A half-open byte range in a source text. Line and column are derived from it
// only when a diagnostic is located for display.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;     // stable, e.g. "E0201"; listed in docs/diagnostics.md
  std::string message;  // lowercase, no final period, user names in backticks
  std::string help;     // optional: what to do about it ("did you mean `aum`?")
  std::vector<std::string> notes;  // `check`'s analysis: lines such as `example: {"id":"X1",...}`
  Span span;
  // Filled by locate(): 1-based; column counts characters, not bytes.
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

using Diagnostics = std::vector<Diagnostic>;

inline bool has_errors(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::error) return true;
  return false;
}

}  // namespace segrule
