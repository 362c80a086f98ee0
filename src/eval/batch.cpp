#include "eval/batch.hpp"

#include <thread>

#include <fmt/format.h>

#include "eval/jsonl.hpp"
#include "explain/explain.hpp"

namespace segrule {

namespace {

// One unit of work: where the record is, how to read it.
struct Job {
  std::string_view text;
  size_t line = 0;
  const std::vector<CsvCell>* cells = nullptr;  // CSV rows are split while scanning
  std::string early_error;                       // a problem found while splitting (e.g. bad CSV quoting)
};

struct Worker {
  Outcome outcome;
  std::string out;
};

void evaluate_job(const Program& p, const Job& job, const BatchOptions& options, const CsvColumns* columns, Worker& w,
                  bool& is_error) {
  w.out.clear();
  RecordProblem problem;
  reset_outcome(p, w.outcome);
  w.outcome.slots[p.as_of_slot] = Value::of_date(options.as_of);
  bool ok;
  if (!job.early_error.empty()) {
    problem.message = job.early_error;
    ok = false;
  } else if (job.cells) {
    ok = record_from_csv(p, *columns, *job.cells, w.outcome.slots, problem);
  } else {
    ok = record_from_json(p, job.text, options.limits, w.outcome.slots, problem);
  }
  std::vector<Value> inputs;
  bool evaluated = false;
  if (ok) {
    if (options.explain) inputs = w.outcome.slots;  // explain_json evaluates again, with its own trace
    EvalError err;
    evaluated = evaluate(p, w.outcome, err, nullptr);
    if (!evaluated) problem.message = err.message;
  }
  if (evaluated) write_result(p, w.outcome, w.out);
  else write_error(job.line, problem.key, problem.message, w.out);
  is_error = !evaluated;
  if (!options.explain) return;
  ExplainOptions explain{options.show_pii, false};
  add_member(w.out, "explain",
             ok ? explain_json(p, std::move(inputs), explain) : explain_record_error_json(p, problem, options.as_of, explain));
}

// Evaluates a block of jobs, split across threads, and emits in order.
void run_block(const Program& p, const std::vector<Job>& jobs, const BatchOptions& options, const CsvColumns* columns,
               std::vector<Worker>& workers, const BatchSink& sink, BatchCounts& counts) {
  std::vector<std::string> texts(jobs.size());
  std::vector<char> errors(jobs.size(), 0);
  auto work = [&](size_t worker, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      bool is_error = false;
      evaluate_job(p, jobs[i], options, columns, workers[worker], is_error);
      texts[i] = workers[worker].out;
      errors[i] = is_error;
    }
  };
  size_t n = workers.size();
  if (n <= 1 || jobs.size() < 2 * n) {
    work(0, 0, jobs.size());
  } else {
    std::vector<std::thread> threads;
    size_t per = (jobs.size() + n - 1) / n;
    for (size_t t = 1; t < n; ++t) threads.emplace_back(work, t, std::min(jobs.size(), t * per), std::min(jobs.size(), (t + 1) * per));
    work(0, 0, std::min(jobs.size(), per));
    for (auto& th : threads) th.join();
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    ++counts.read;
    ++(errors[i] ? counts.errors : counts.results);
    sink(errors[i], texts[i]);
  }
}

constexpr size_t kBlock = 4096;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

InputFormat input_format_for(std::string_view path) {
  if (ends_with(path, ".csv")) return InputFormat::csv;
  if (ends_with(path, ".json")) return InputFormat::json;
  return InputFormat::jsonl;
}

BatchCounts run_batch(const Program& p, std::string_view input, const BatchOptions& options, const BatchSink& sink) {
  BatchCounts counts;
  std::vector<Worker> workers(std::max(1u, options.threads));
  std::vector<Job> jobs;
  jobs.reserve(kBlock);
  size_t bom = input.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  input.remove_prefix(bom);

  if (options.format == InputFormat::csv) {
    CsvReader reader(input);
    std::vector<CsvCell> header;
    std::optional<CsvError> error;
    if (!reader.next_row(header, error)) return counts;  // empty input: no records
    if (error) {
      Job job;
      job.line = reader.line();
      job.early_error = "malformed CSV header: " + error->message;
      jobs.push_back(job);
      run_block(p, jobs, options, nullptr, workers, sink, counts);
      return counts;
    }
    CsvColumns columns = csv_columns(p, header);
    std::vector<std::vector<CsvCell>> rows(kBlock);
    size_t used = 0;
    while (reader.next_row(rows[used], error)) {
      Job job;
      job.line = reader.line();
      if (error) job.early_error = "malformed CSV: " + error->message;
      else job.cells = &rows[used];
      jobs.push_back(std::move(job));
      if (++used == kBlock) {
        run_block(p, jobs, options, &columns, workers, sink, counts);
        jobs.clear();
        used = 0;
      }
    }
    run_block(p, jobs, options, &columns, workers, sink, counts);
    return counts;
  }

  if (options.format == InputFormat::json && input.find_first_not_of(" \t\r\n") == std::string_view::npos) return counts;
  if (options.format == InputFormat::json) {
    // A JSON array of records: split without building, then each element is one record.
    size_t line = 1;
    size_t counted_to = 0;
    auto line_at = [&](size_t offset) {
      for (; counted_to < offset && counted_to < input.size(); ++counted_to)
        if (input[counted_to] == '\n') ++line;
      return line;
    };
    auto outer = split_json_array(input, [&](std::string_view element, size_t offset) {
      Job job;
      job.text = element;
      job.line = line_at(offset);
      jobs.push_back(job);
      if (jobs.size() == kBlock) {
        run_block(p, jobs, options, nullptr, workers, sink, counts);
        jobs.clear();
      }
    }, JsonLimits{1024, input.size() + 1});
    run_block(p, jobs, options, nullptr, workers, sink, counts);
    jobs.clear();
    if (outer) {
      Job job;
      job.line = line_at(outer->offset);
      job.early_error = fmt::format("malformed JSON array: {}", outer->message);
      jobs.push_back(job);
      run_block(p, jobs, options, nullptr, workers, sink, counts);
    }
    return counts;
  }

  // JSON Lines: one record per non-blank line.
  for_each_jsonl_line(input, [&](std::string_view text, size_t line) {
    jobs.push_back(Job{text, line, nullptr, {}});
    if (jobs.size() == kBlock) {
      run_block(p, jobs, options, nullptr, workers, sink, counts);
      jobs.clear();
    }
  });
  run_block(p, jobs, options, nullptr, workers, sink, counts);
  return counts;
}

}  // namespace segrule
