#pragma once
// `diff`: what changed in meaning between two versions of a rule file, by
// declaration name. Expressions are compared by meaning (see expr_compare.hpp)
// and shown with their source text; for each tiers or segments whose rows, or
// whatever they depend on, changed, the equivalence analysis says whether every
// record still gets the same result, or gives one record that does not.

#include <optional>
#include <string>
#include <vector>

#include "analysis/equivalence.hpp"
#include "diff/version.hpp"

namespace segrule {

struct SemanticDiffOptions {
  bool show_pii = false;  // example records show `pii` fields in clear
};

// One change inside a declaration.
struct Change {
  enum class Op : uint8_t { added, removed, changed, reordered };
  Op op = Op::changed;
  std::string part;      // row, value, field, item, attribute, statement, drop, entry, when, key, kind, list, label
  std::string id;        // the row, value, field, item, attribute or entry; empty for statements and drops
  std::string label;     // rows and items: their label
  std::string aspect;    // changed: what of it (condition, score, label, type, default, pii, an attribute name)
  std::string old_text;  // changed, removed: before
  std::string new_text;  // changed, added: after
  std::string after;     // added rows: the row it now follows, empty when it comes first
  std::string note;      // why an unchanged-looking text changed, e.g. "the order of `rating` changed"
  std::vector<std::string> old_order, new_order;  // reordered: the span of ids that moved, before and after
};

// What the equivalence analysis said about one tiers or segments.
struct Judgement {
  DecisionComparison comparison;
  std::vector<std::string> depends_on;  // changed declarations it reads, when its own rows are unchanged
  bool reorder_only = false;            // the only change is the order of its rows
};

struct DeclarationDiff {
  enum class Status : uint8_t { added, removed, changed };
  Status status = Status::changed;
  std::string kind;     // ruleset, enum, input, let, tiers, segments, catalog, output, strategy, constraint, strategies, constraints
  std::string name;
  std::string summary;  // added, removed: what it is, in one line
  std::vector<Change> changes;
  std::optional<Judgement> judgement;  // tiers and segments that were compared
  bool changes_meaning = true;         // false: every change is a rewrite proven equivalent
};

struct SemanticDiff {
  std::vector<DeclarationDiff> declarations;
  // Anything besides layout, comments and rewrites proven equivalent changed.
  bool changed_meaning() const;
};

// Compares two compiled versions. Both must stay alive while the result is used.
SemanticDiff diff_versions(const RuleVersion& old_version, const RuleVersion& new_version, const SemanticDiffOptions& options);

// The reviewer's text: one group per declaration, ending with a newline;
// "no change in meaning" when nothing but layout, comments or proven-equivalent
// rewrites changed.
std::string diff_text(const SemanticDiff& diff);

// The same content as one JSON document (schema in docs/diff.md).
std::string diff_json(const SemanticDiff& diff, const std::string& old_name, const std::string& new_name);

}  // namespace segrule
