// The public Ruleset: the only place where include/segrule/ meets the
// internal stages (parse, check, record reading, evaluation, explain).

#include "segrule/ruleset.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "api/ruleset_impl.hpp"
#include "api/sha256.hpp"
#include "check/checker.hpp"
#include "eval/batch.hpp"
#include "explain/explain.hpp"

namespace segrule {

namespace {

Date today_utc() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date{static_cast<int32_t>(days.time_since_epoch().count())};
}

// The evaluation date of the options, or a message saying why it is not one.
std::optional<Date> as_of_date(const EvalOptions& options, std::string& error) {
  if (options.as_of.empty()) return today_utc();
  auto date = parse_date(options.as_of);
  if (!date) error = fmt::format("`{}` is not a valid as_of date: write it as YYYY-MM-DD", options.as_of);
  return date;
}


std::string json_string(std::string_view text) {
  std::string out;
  write_json_string(text, out);
  return out;
}

// The key as printed in error entries: a string's text, other values as JSON.
std::string key_text(const Program& p, const Outcome& outcome) {
  const InputField& key = p.inputs[p.key_field];
  const Value& value = outcome.slots[key.slot];
  if (value.kind == ValueKind::string) return value.text;
  std::string out;
  write_value(p, key.type, value, out);
  return out;
}

// Each thread keeps one Outcome between single-record evaluations of the same
// program, so a warm call allocates nothing. Tied to the program by a weak
// pointer: constants computed for a program that is gone are never reused.
Outcome& thread_outcome(const std::shared_ptr<const Program>& program) {
  thread_local std::weak_ptr<const Program> owner;
  thread_local Outcome outcome;
  if (owner.lock() != program) {
    outcome = Outcome{};
    owner = program;
  }
  return outcome;
}

}  // namespace

CompileResult compile_ruleset(std::string text, std::string_view file_name) {
  CompileResult result;
  std::string hash = "sha256:" + sha256_hex(text);
  auto source = std::make_shared<SourceFile>(std::string(file_name), std::move(text));
  auto program = compile_source(source, result.diagnostics);
  source->locate(result.diagnostics);
  result.rendered = render_diagnostics(result.diagnostics, source.get());
  if (!program) return result;
  auto impl = std::make_shared<Ruleset::Impl>();
  impl->program = std::move(program);
  impl->reader = std::make_unique<FastRecordReader>(*impl->program);
  impl->writer = std::make_unique<ResultWriter>(*impl->program);
  const Metadata& meta = impl->program->metadata;
  impl->info = RulesetInfo{meta.name, meta.title, meta.version, meta.effective, meta.owner, std::move(hash),
                           std::string(file_name)};
  result.ruleset.emplace(std::move(impl));
  return result;
}

CompileResult Ruleset::compile(std::string_view text, std::string_view file_name) {
  return compile_ruleset(std::string(text), file_name);
}

CompileResult Ruleset::compile_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    CompileResult result;
    Diagnostic d;
    d.code = "E0001";
    d.message = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    d.help = "check the path and the file's permissions";
    d.file = path;
    result.rendered = fmt::format("error[{}]: {}\n  = help: {}\n", d.code, d.message, d.help);
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  return compile_ruleset(std::move(text), path);
}

const RulesetInfo& Ruleset::info() const { return impl_->info; }

RecordResult Ruleset::evaluate(std::string_view record_json, const EvalOptions& options) const {
  const Program& p = *impl_->program;
  RecordResult result;
  result.content_hash = impl_->info.content_hash;
  auto as_of = as_of_date(options, result.error);
  if (!as_of) return result;
  Outcome& outcome = thread_outcome(impl_->program);
  reset_outcome(p, outcome);
  assign_value(outcome.slots[p.as_of_slot], Value::of_date(*as_of));
  RecordProblem problem;
  if (!impl_->reader->read_or_fall_back(record_json, RecordLimits{}, outcome.slots, problem)) {
    result.error = std::move(problem.message);
    result.key = std::move(problem.key);
    return result;
  }
  if (p.key_field != kNone) result.key = key_text(p, outcome);
  std::vector<Value> inputs = options.explain ? outcome.slots : std::vector<Value>{};
  EvalError error;
  if (!segrule::evaluate(p, outcome, error)) {
    result.error = std::move(error.message);
    return result;
  }
  impl_->writer->write(outcome, result.json);
  if (options.explain) add_member(result.json, "explain", explain_json(p, std::move(inputs), ExplainOptions{options.show_pii, false}));
  result.ok = true;
  return result;
}

RecordResult Ruleset::evaluate(const RecordBuilder& record, const EvalOptions& options) const {
  return evaluate(record.to_json(), options);
}

namespace {

// Runs either kind of batch input with the options of the API.
template <typename Input, typename Sink>
BatchSummary run_api_batch(const Program& p, Input& input, InputFormat format, const EvalOptions& options,
                           const Sink& sink, unsigned threads) {
  BatchSummary summary;
  BatchOptions batch;
  batch.format = format;
  batch.threads = std::clamp(threads, 1u, 256u);
  auto as_of = as_of_date(options, summary.error);
  if (!as_of) return summary;
  batch.as_of = *as_of;
  batch.explain = options.explain;
  batch.show_pii = options.show_pii;
  BatchCounts counts = run_batch(p, input, batch, sink);
  summary.read = counts.read;
  summary.results = counts.results;
  summary.errors = counts.errors;
  if (counts.input_failed)
    summary.error = fmt::format("reading the input failed after {} records: {}", counts.read, std::strerror(errno));
  return summary;
}

}  // namespace

BatchSummary Ruleset::evaluate_batch(std::string_view input, InputFormat format, const EvalOptions& options,
                                     const BatchSink& sink, unsigned threads) const {
  return run_api_batch(*impl_->program, input, format, options, sink, threads);
}

BatchSummary Ruleset::evaluate_stream(std::istream& input, InputFormat format, const EvalOptions& options,
                                      const BatchSink& sink, unsigned threads) const {
  return run_api_batch(*impl_->program, input, format, options, sink, threads);
}

BatchSummary Ruleset::evaluate_batch(std::string_view input, InputFormat format, const EvalOptions& options,
                                     const BatchRunSink& sink, unsigned threads) const {
  return run_api_batch(*impl_->program, input, format, options, sink, threads);
}

BatchSummary Ruleset::evaluate_stream(std::istream& input, InputFormat format, const EvalOptions& options,
                                      const BatchRunSink& sink, unsigned threads) const {
  return run_api_batch(*impl_->program, input, format, options, sink, threads);
}

std::string Ruleset::explain(std::string_view record_json, const EvalOptions& options, bool as_json) const {
  const Program& p = *impl_->program;
  std::string error;
  auto as_of = as_of_date(options, error);
  if (!as_of) return as_json ? fmt::format("{{\"error\":{}}}", json_string(error)) : error + "\n";
  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots[p.as_of_slot] = Value::of_date(*as_of);
  RecordProblem problem;
  ExplainOptions explain_options{options.show_pii, as_json};
  if (!record_from_json(p, record_json, RecordLimits{}, outcome.slots, problem))
    return as_json ? explain_record_error_json(p, problem, *as_of, explain_options)
                   : explain_record_error_text(p, problem, *as_of);
  return as_json ? explain_json(p, std::move(outcome.slots), explain_options)
                 : explain_text(p, std::move(outcome.slots), explain_options);
}

}  // namespace segrule
