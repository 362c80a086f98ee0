// Fuzz target: bytes as rule text. When they parse without a syntax error,
// `fmt` must keep its promises (docs/fmt.md): the formatted text parses without
// error to the same AST, keeps every comment, and formats to itself.

#include "fmt/formatter.hpp"
#include "fuzz_support.hpp"
#include "parse/parser.hpp"

using namespace segrule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SourceFile original("fuzz.seg", std::string(fuzz::as_text(data, size)));
  Diagnostics diagnostics;
  std::unique_ptr<Ast> before = parse_source(original, diagnostics);
  if (has_errors(diagnostics)) return 0;
  std::string once = format_ast(*before, original);

  SourceFile formatted("formatted.seg", once);
  std::unique_ptr<Ast> after = parse_source(formatted, diagnostics);
  if (has_errors(diagnostics)) {
    formatted.locate(diagnostics);
    fuzz::fail("formatted text parses without error", render_diagnostics(diagnostics, &formatted) + "---- formatted:\n" + once);
  }
  if (dump(*after) != dump(*before))
    fuzz::fail("formatted text parses to the same AST",
               "---- AST before:\n" + dump(*before) + "---- AST after:\n" + dump(*after) + "---- formatted:\n" + once);
  if (fuzz::comment_texts(*after) != fuzz::comment_texts(*before))
    fuzz::fail("formatting keeps every comment", "---- formatted:\n" + once);
  std::string twice = format_ast(*after, formatted);
  if (twice != once) fuzz::fail("formatting formatted text changes nothing", "---- once:\n" + once + "---- twice:\n" + twice);
  return 0;
}
