#include "diff/version.hpp"

#include "check/checker.hpp"
#include "parse/parser.hpp"

namespace segrule {

bool compile_version(const std::string& name, std::string text, RuleVersion& out, Diagnostics& diagnostics) {
  auto source = std::make_shared<SourceFile>(name, std::move(text));
  Diagnostics found;
  out.ast = parse_source(*source, found);
  if (!has_errors(found)) out.program = check_ast(*out.ast, source, found);
  source->locate(found);
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  out.source = std::move(source);
  return out.program != nullptr;
}

std::string span_text(const SourceFile& source, Span span) {
  std::string_view text = source.text().substr(span.begin, span.end - span.begin);
  std::string out;
  bool blank = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      // A string literal, escapes included, up to its closing quote.
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, text.size());
      if (blank && !out.empty()) out += ' ';
      blank = false;
      out.append(text.substr(i, j - i));
      i = j - 1;
      continue;
    }
    if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      blank = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

}  // namespace segrule
