#pragma once
// The analyst and reviewer tools as library calls, for programs (and the
// `segrule` command) that want what the command prints: formatting, ...
// Like the rest of the API: no exceptions for bad input, results own their data.

#include <string>
#include <string_view>

#include "segrule/diagnostic.hpp"
#include "segrule/export.h"

namespace segrule {

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

// A rule file given by its text and the name to show for it.
struct RuleText {
  std::string_view text;
  std::string_view name;
};

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

}  // namespace segrule
