#pragma once
// A compiled ruleset: compile a `.seg` file once, then evaluate any number of
// records with it, from any number of threads at once.
//
// Errors in rule files and in records are values, never exceptions: a rule
// file that does not compile gives diagnostics, a record that cannot be
// evaluated gives a RecordResult with `ok == false`. Only std::bad_alloc can
// escape.

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segrule/diagnostic.hpp"
#include "segrule/export.h"
#include "segrule/input_format.hpp"

namespace segrule {

// Identity of one version of a ruleset, from its `ruleset` header.
struct RulesetInfo {
  std::string name;          // the `ruleset` identifier, e.g. "retail_2025"
  std::string title;         // empty when the header has none
  std::string version;
  std::string effective;     // "YYYY-MM-DD", or empty
  std::string owner;
  std::string content_hash;  // "sha256:" + 64 hex digits of the rule file's bytes
  std::string file;          // the file name given when compiling
};

struct EvalOptions {
  std::string as_of;      // evaluation date "YYYY-MM-DD"; empty means today (UTC)
  bool explain = false;   // results carry an `explain` member (see docs/explain.md)
  bool show_pii = false;  // print `pii` fields in clear in explanations and errors
};

// What one record produced: a result, or a record error.
struct RecordResult {
  bool ok = false;
  std::string json;                // ok: the result object exactly as `segrule eval` prints it
  std::string error;               // not ok: what is wrong, naming the field or expression
  std::optional<std::string> key;  // the record's key, when it could be read
  std::string content_hash;        // the ruleset version that produced this result
};

// A record built field by field, for callers that do not hold JSON text.
// Values are converted by the ruleset's `input` schema when evaluated, exactly
// as JSON members are; a field set twice keeps the last value.
class SEGRULE_API RecordBuilder {
 public:
  RecordBuilder& set_number(std::string_view field, std::string_view decimal_text);  // "5000000.00"
  RecordBuilder& set_int(std::string_view field, long long value);
  RecordBuilder& set_bool(std::string_view field, bool value);
  RecordBuilder& set_string(std::string_view field, std::string_view value);  // also dates and enum values
  RecordBuilder& set_strings(std::string_view field, const std::vector<std::string>& values);
  RecordBuilder& set_null(std::string_view field);

  // The record as one JSON object. A malformed number text is kept as given,
  // so evaluating it reports a record error naming the field.
  std::string to_json() const;

 private:
  std::map<std::string, std::string, std::less<>> members_;  // field -> JSON text of its value
};

struct BatchSummary {
  size_t read = 0;     // records read; always results + errors
  size_t results = 0;
  size_t errors = 0;
  std::string error;   // non-empty: the batch did not run (say, a bad `as_of`)
};

// Receives each output line of a batch, in input order, without a newline:
// a result object, or an error entry `{"line":N,"key":"…","error":"…"}`.
using BatchSink = std::function<void(bool is_error, std::string_view line)>;
// Receives the same lines in runs, in input order: `lines` is `count` lines
// of one kind (results, or error entries), each ending in a newline. One call
// per block of records when none fails: for output written straight to a file.
// With threads, it is called on the worker threads, one call at a time.
using BatchRunSink = std::function<void(bool is_error, std::string_view lines, size_t count)>;

class CompileResult;

// An immutable compiled ruleset. Copies are cheap and share the compiled
// form; every member function is safe to call from many threads at once. A
// RecordResult does not refer to the Ruleset: it stays valid after it is gone.
class SEGRULE_API Ruleset {
 public:
  // Compiles rule text. `file_name` is used in diagnostics only.
  static CompileResult compile(std::string_view text, std::string_view file_name = "<rules>");
  // Reads and compiles a file; an unreadable file gives one error diagnostic.
  static CompileResult compile_file(const std::string& path);

  const RulesetInfo& info() const;

  // Evaluates one record given as a JSON object.
  RecordResult evaluate(std::string_view record_json, const EvalOptions& options = {}) const;
  RecordResult evaluate(const RecordBuilder& record, const EvalOptions& options = {}) const;

  // Evaluates a whole input (JSON Lines, a JSON array or CSV). Every record
  // read gives exactly one line to `sink`; the output does not depend on
  // `threads` (1 to 256). An exception thrown by `sink` (say, the output is
  // full) stops the batch and propagates to the caller.
  BatchSummary evaluate_batch(std::string_view input, InputFormat format, const EvalOptions& options,
                              const BatchSink& sink, unsigned threads = 1) const;
  // The same over a stream, read in bounded blocks while earlier blocks are
  // evaluated: memory does not grow with the input. An I/O error while reading
  // stops the batch after the records read so far, and `error` says so.
  BatchSummary evaluate_stream(std::istream& input, InputFormat format, const EvalOptions& options,
                               const BatchSink& sink, unsigned threads = 1) const;
  // Both, with the output in runs of lines.
  BatchSummary evaluate_batch(std::string_view input, InputFormat format, const EvalOptions& options,
                              const BatchRunSink& sink, unsigned threads = 1) const;
  BatchSummary evaluate_stream(std::istream& input, InputFormat format, const EvalOptions& options,
                               const BatchRunSink& sink, unsigned threads = 1) const;

  // A readable account of how one record was evaluated (as `segrule explain`
  // prints it), or the same as a JSON object when `as_json`. A record that
  // cannot be read is explained too: which field, and why.
  std::string explain(std::string_view record_json, const EvalOptions& options = {}, bool as_json = false) const;

  struct Impl;  // defined in src/api/; not part of the API
  explicit Ruleset(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const std::shared_ptr<const Impl>& impl() const { return impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// The outcome of compiling: a ruleset, or the diagnostics that prevent one.
// Warnings may come with a ruleset.
class CompileResult {
 public:
  std::optional<Ruleset> ruleset;
  Diagnostics diagnostics;  // file, line and column filled
  std::string rendered;     // the diagnostics as `segrule check` prints them

  explicit operator bool() const { return ruleset.has_value(); }
};

}  // namespace segrule
