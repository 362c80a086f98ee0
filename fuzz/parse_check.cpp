// Fuzz target: bytes as rule text -> parse + check (compile_source), then the
// diagnostics rendered as `check` prints them. Whatever the bytes, checking
// must not crash or hang, must say where each problem is, and must compile
// exactly the files that have no error.

#include "check/checker.hpp"
#include "fuzz_support.hpp"

using namespace segrule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = std::make_shared<SourceFile>("fuzz.seg", std::string(fuzz::as_text(data, size)));
  Diagnostics diagnostics;
  std::shared_ptr<Program> program = compile_source(source, diagnostics);
  if ((program != nullptr) == has_errors(diagnostics))
    fuzz::fail("a program is returned exactly when no error was reported",
               program ? "a program came back with errors" : "no program and no error");
  for (const Diagnostic& d : diagnostics) {
    if (d.code.empty() || d.message.empty()) fuzz::fail("every diagnostic has a code and a message", d.code + " " + d.message);
    // A span may reach one byte past the end: the caret under "end of file".
    if (d.span.begin > d.span.end || d.span.end > source->text().size() + 1)
      fuzz::fail("every diagnostic's span lies inside the file or at its end",
                 d.code + " " + d.message + " at " + std::to_string(d.span.begin) + ".." + std::to_string(d.span.end));
  }
  source->locate(diagnostics);
  for (const Diagnostic& d : diagnostics)
    if (d.line == 0 || d.line > source->line_count() || d.column == 0)
      fuzz::fail("every diagnostic has a line and a column in the file",
                 d.code + " " + d.message + " at " + std::to_string(d.line) + ":" + std::to_string(d.column));
  std::string rendered = render_diagnostics(diagnostics, source.get());
  if (!diagnostics.empty() && rendered.empty()) fuzz::fail("diagnostics render to text", diagnostics.front().message);
  return 0;
}
