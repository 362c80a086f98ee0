#pragma once
// Evaluates a whole input (JSON Lines, a JSON array, or CSV) record by record:
// every record read gives exactly one result line or one error entry.

#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "eval/record.hpp"
#include "eval/result_writer.hpp"
#include "segrule/input_format.hpp"

namespace segrule {

struct BatchOptions {
  InputFormat format = InputFormat::jsonl;
  Date as_of;
  unsigned threads = 1;
  RecordLimits limits;
  // `eval --explain`: every line ends with an `explain` member, the record's
  // account as explain_json gives it (for an error entry: which field, or
  // where evaluation stopped). Costs nothing when off.
  bool explain = false;
  bool show_pii = false;  // explain members print `pii` fields in clear
};


struct BatchCounts {
  size_t read = 0;
  size_t results = 0;
  size_t errors = 0;
  bool input_failed = false;  // reading the input failed (an I/O error): the records after it were not read
};

// Called with whole lines of output, in input order; `is_error` tells a
// result from an error entry. Text has no trailing newline.
using BatchSink = std::function<void(bool is_error, std::string_view text)>;
// Called with runs of whole lines, in input order: `lines` is `count` lines
// of one kind, each ending in a newline. Far fewer calls than BatchSink (one
// per block when no record fails), for output written straight to a file.
// With threads, the workers call it, one call at a time (see ThreadedRun).
using BatchRunSink = std::function<void(bool is_error, std::string_view lines, size_t count)>;

// Runs the batch over the whole input, read as a stream in bounded blocks.
// Never throws for bad records; an exception thrown by `sink` stops the batch
// (the worker threads are stopped) and propagates.
BatchCounts run_batch(const Program& program, std::istream& input, const BatchOptions& options, const BatchSink& sink);
// The same over text in memory.
BatchCounts run_batch(const Program& program, std::string_view input, const BatchOptions& options, const BatchSink& sink);
// Both, with the output in runs of lines.
BatchCounts run_batch(const Program& program, std::istream& input, const BatchOptions& options, const BatchRunSink& sink);
BatchCounts run_batch(const Program& program, std::string_view input, const BatchOptions& options, const BatchRunSink& sink);

}  // namespace segrule
