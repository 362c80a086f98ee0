// Entry points of `explain`: build the account once, render it as text or JSON.

#include "explain/explain.hpp"

#include "explain/account.hpp"

namespace segrule {

std::string explain_text(const Program& program, std::vector<Value> slots, const ExplainOptions& options) {
  return explain::render_text(program, explain::build_account(program, std::move(slots), options));
}

std::string explain_json(const Program& program, std::vector<Value> slots, const ExplainOptions& options) {
  return explain::render_json(program, explain::build_account(program, std::move(slots), options), options.with_result);
}

std::string explain_record_error_text(const Program& program, const RecordProblem& problem, Date as_of) {
  return explain::render_text(program, explain::record_error_account(program, problem, as_of));
}

std::string explain_record_error_json(const Program& program, const RecordProblem& problem, Date as_of,
                                      const ExplainOptions& options) {
  return explain::render_json(program, explain::record_error_account(program, problem, as_of), options.with_result);
}

}  // namespace segrule
