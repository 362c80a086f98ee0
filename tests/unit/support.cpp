#include "support.hpp"

#include "eval/record.hpp"

namespace segrule::testing {

std::shared_ptr<Program> compile_text(const std::string& text, Diagnostics* diagnostics) {
  Diagnostics local;
  auto program = compile_source(std::make_shared<SourceFile>("test.seg", text), diagnostics ? *diagnostics : local);
  return program;
}

std::string load_record(const Program& program, const std::string& record, Outcome& outcome) {
  reset_outcome(program, outcome);
  outcome.slots[program.as_of_slot] = Value::of_date(*make_date(2025, 6, 30));
  RecordProblem problem;
  return record_from_json(program, record, RecordLimits{}, outcome.slots, problem) ? std::string() : problem.message;
}

std::string diagnostic_codes(const std::string& text) {
  Diagnostics d;
  compile_text(text, &d);
  std::string out;
  for (const auto& x : d) out += (out.empty() ? "" : " ") + x.code;
  return out;
}

std::string first_diagnostic(const std::string& text) {
  auto source = std::make_shared<SourceFile>("test.seg", text);
  Diagnostics d;
  compile_source(source, d);
  if (d.empty()) return "";
  d.resize(1);
  return render_diagnostics(d, source.get());
}

std::string eval_record(const Program& program, const std::string& record, const std::string& as_of) {
  BatchCounts counts;
  std::string out = eval_batch(program, record, InputFormat::jsonl, &counts, as_of);
  if (counts.errors) {
    // {"line":1,"key":"..","error":"MESSAGE"} -> error: MESSAGE
    auto at = out.find("\"error\":\"");
    return "error: " + out.substr(at + 9, out.size() - at - 11);
  }
  return out;
}

std::string eval_batch(const Program& program, const std::string& input, InputFormat format, BatchCounts* counts,
                       const std::string& as_of) {
  BatchOptions options;
  options.format = format;
  options.as_of = *parse_date(as_of);
  std::string out;
  BatchCounts c = run_batch(program, input, options, [&](bool, std::string_view text) {
    if (!out.empty()) out += '\n';
    out += text;
  });
  if (counts) *counts = c;
  return out;
}

std::string with_prelude(const std::string& declarations) {
  return R"(ruleset t { version "1" effective 2025-01-01 }
enum rating [C, B, BB, BBB, A, AA, AAA]
input customer key id {
  id : string
  aum : money
  age : int
  name : string pii
  occupation : string?
  credit : rating
  opened : date
  held : list<string>
  vip : bool
  bonus : money = 0
}
)" + declarations;
}

}  // namespace segrule::testing
