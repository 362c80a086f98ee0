#pragma once
// The analyst and reviewer tools as library calls, for programs (and the
// `segrule` command) that want what the command prints: formatting, ...
// Like the rest of the API: no exceptions for bad input, results own their data.

#include <iosfwd>
#include <string>
#include <string_view>

#include "segrule/diagnostic.hpp"
#include "segrule/export.h"
#include "segrule/ruleset.hpp"

namespace segrule {

// A rule file given by its text and the name to show for it.
struct RuleText {
  std::string_view text;
  std::string_view name;
};

// Rule text in the canonical layout (docs/fmt.md).
struct FormatResult {
  bool ok = false;           // false: the text has syntax errors and is not formatted
  std::string text;          // ok: the formatted text
  bool changed = false;      // ok: the formatted text differs from the input
  std::string check_report;  // changed: a unified diff, `--- FILE` / `+++ FILE (formatted)`
  Diagnostics diagnostics;   // not ok: the syntax errors, located
  std::string rendered;      // the diagnostics as `segrule check` prints them
};

// Formats rule text; `file_name` names it in diagnostics and in the report.
SEGRULE_API FormatResult format_rules(std::string_view text, std::string_view file_name = "<rules>");


// `segrule check`: every error, then the static analysis's warnings with
// example records, and the invariants proved or refuted (docs/analysis.md).
struct CheckOptions {
  bool analysis = true;   // false: errors and the checker's own warnings only (fast)
  bool show_pii = false;  // print `pii` fields of example records in clear
};

struct CheckResult {
  bool compiles = false;    // the file parses and type-checks (an invariant the analysis refutes is still an error)
  Diagnostics diagnostics;  // in source order, located; analysis findings carry `notes`
  std::string rendered;     // as `segrule check` prints them
  size_t errors = 0, warnings = 0;
};

SEGRULE_API CheckResult check_rules(const RuleText& rules, const CheckOptions& options = {});

// What changed in meaning between two versions (docs/diff.md).
struct DiffResult {
  bool ok = false;                  // false: a version does not compile; see its diagnostics
  bool changed = false;             // ok: some change in meaning (diff(1) would exit 1)
  std::string report;               // ok: the text report, or the JSON document when asked
  Diagnostics old_diagnostics, new_diagnostics;  // errors (or warnings) of each version, located
  std::string old_rendered, new_rendered;        // the same as `segrule check` prints them
};

struct DiffOptions {
  bool json = false;      // the report as the `diff --json` document
  bool show_pii = false;  // print `pii` fields of example records in clear
};

SEGRULE_API DiffResult diff_rules(const RuleText& old_rules, const RuleText& new_rules, const DiffOptions& options = {});

// `segrule explain`: the account of one record (docs/explain.md).
struct Explanation {
  bool ok = false;        // false: nothing to explain (the record is not JSON, the key is not found, bad options)
  std::string error;      // not ok: why
  std::string account;    // ok: the text account, or its JSON document (with a `result` member)
  bool rejected = false;  // ok: the record got no result (it does not fit the input, or evaluation failed)
  std::string note;       // ok, by key: said when several records share the key (the first is explained)
};

// Explains a record given as JSON text.
SEGRULE_API Explanation explain_record(const Ruleset& rules, std::string_view record_json, const EvalOptions& options = {},
                                       bool as_json = false);

// Explains the record of `input` (JSON Lines, a JSON array or CSV) whose key
// field equals `key`; `input_name` names the input in messages.
SEGRULE_API Explanation explain_key(const Ruleset& rules, std::string_view input, InputFormat format, std::string_view key,
                                    std::string_view input_name, const EvalOptions& options = {}, bool as_json = false);

// `segrule impact`: both versions over the same records (docs/impact.md).
enum class ReportFormat : uint8_t { text, json, csv };

struct ImpactRequest {
  InputFormat format = InputFormat::jsonl;
  std::string input_name = "-";  // names the input in the report and in messages
  std::string as_of;             // "YYYY-MM-DD"; empty means today (UTC)
  bool show_pii = false;
  ReportFormat report = ReportFormat::text;
};

struct ImpactResult {
  bool ok = false;       // false: the input could not be read to its end, or a bad option; see `error`
  std::string error;
  std::string report;    // ok: the report in the format asked for
  bool changed = false;  // ok: some record's result changed, or it fails in one version only
  size_t read = 0;       // records read (all of them add up in the report)
};

// Reads `input` as a stream, in bounded memory whatever its size. The names of
// the versions in the report are their RulesetInfo::file.
SEGRULE_API ImpactResult impact(const Ruleset& old_rules, const Ruleset& new_rules, std::istream& input,
                                const ImpactRequest& request = {});

// An analyst's case file run against a ruleset (docs/testing.md).
struct CaseRunOptions {
  std::string min_coverage;  // "", or a percentage such as "95", "92.5" or "95%"
};

struct CaseRunResult {
  bool ok = false;            // false: the case file is malformed (or an option is bad); no case ran
  Diagnostics diagnostics;    // problems in the case file, errors and warnings, located
  std::string rendered;       // the same as `segrule test` prints them, FILE:LINE:COLUMN
  std::string report;         // ok: failures, coverage, and the last line `N passed, N failed`
  size_t passed = 0, failed = 0;
  bool below_min_coverage = false;
  bool success() const { return ok && failed == 0 && !below_min_coverage; }
};

// Whether `text` is a date as every `as_of` takes it: YYYY-MM-DD, a real calendar day.
SEGRULE_API bool is_valid_date(std::string_view text);

// Whether `text` is a percentage CaseRunOptions::min_coverage accepts.
SEGRULE_API bool is_percentage(std::string_view text);

// `cases.name` names the case file in messages; cases without `as_of` use today.
SEGRULE_API CaseRunResult run_case_file(const Ruleset& rules, const RuleText& cases, const CaseRunOptions& options = {});

}  // namespace segrule
