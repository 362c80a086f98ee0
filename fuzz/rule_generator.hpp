#pragma once
// Turns fuzzer bytes into a well-typed rule file and a few records for it, for
// the eval_generated target. Every file it writes must compile without error:
// a rejected one is a bug in the generator or in the checker.
//
// The file has a ruleset header, enums, an input with fields of every type
// (nullable, with defaults, pii), lets with arithmetic and the built-in
// functions, one or two tiers with thresholds in units (万, 亿, k, M, %),
// segments with scores, a catalog with attributes, outputs of every kind,
// strategies with `when`, `offer`, `action`, `+=` and narrowing, constraints
// and sometimes an invariant. Names are unique across the file, so every bare
// value name is unambiguous; qualified names are used now and then all the same.

#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

namespace segrule::fuzz {

struct GeneratedCase {
  std::string rules;                 // the rule file
  std::vector<std::string> records;  // one JSON object per record, without line ends
  // The same records as CSV: a header row, then one row per record (a quoted
  // cell may span lines). `csv_alike[i]`: record i means the same in both
  // forms, so both must give the same result or both reject it. (Not when it
  // holds what only one form can say: a null list, an empty list item, a
  // number where a string is expected.)
  std::string csv;
  std::vector<bool> csv_alike;
};

GeneratedCase generate_case(FuzzedDataProvider& input);

}  // namespace segrule::fuzz
