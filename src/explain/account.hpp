#pragma once
// The account of one record's evaluation, as data: what `explain` prints as
// text and as JSON (render_text.cpp, render_json.cpp) is built once here.
// Every list is in file order; indices point into the Program.

#include <optional>
#include <string>
#include <vector>

#include "check/program.hpp"
#include "eval/record.hpp"
#include "explain/explain.hpp"

namespace segrule::explain {

// One value as the account shows it: the expression as written and its value.
struct Shown {
  std::string expr;        // source text on one line ("aum", "500万", "rank(p.risk)")
  Type type;
  Value value;             // the value itself, even when masked: renderers print `text` then
  std::string text;        // for people: "5,000,000.00", "gold (黄金客户)", "5**" when masked
  bool constant = false;   // a literal (or constant expression) of the rules
  bool masked = false;     // personal data, not shown
};

enum class CheckKind : uint8_t {
  all,            // `and`: parts in order
  any,            // `or`: parts in order
  negation,       // `not`: one part
  compare,        // == != < <= > >= in, not in, is null, is not null: left, op, right
  test,           // any other yes/no expression: `left` is the expression itself
  otherwise,      // a tier row's `otherwise`
  not_evaluated,  // skipped by `and`/`or` short-circuit
};

// One condition, and how it came out.
struct Check {
  CheckKind kind = CheckKind::test;
  std::string expr;
  bool result = false;
  bool failed = false;       // evaluating it stopped the record (see `error`, set on the failing part)
  std::string error;
  std::string op;            // compare: "==", ">=", "in", "not in", "is null", "is not null"
  Shown left;
  std::optional<Shown> right;
  std::vector<Shown> uses;   // compare/test: fields and values read inside compound operands
  std::vector<Check> parts;  // all/any/negation
};

// How far evaluation got with one step.
enum class Status : uint8_t { done, failed, not_evaluated };

struct LetStep {
  Status status = Status::not_evaluated;
  Shown value;               // expr: the let's expression
  std::vector<Shown> uses;
  std::string error;
};

enum class RowStatus : uint8_t { matched, not_matched, not_tried, failed };

struct RowStep {
  RowStatus status = RowStatus::not_tried;
  Check condition;
  std::optional<Shown> score;  // segments with NAME_primary: the row's score when it matched
};

struct DecisionStep {
  Status status = Status::not_evaluated;
  std::vector<RowStep> rows;
  std::optional<Shown> result;   // the decision's value
  std::optional<Shown> primary;  // segments with a score: NAME_primary
  std::string error;             // tiers with no matching row; a score that failed
};

enum class StatementStatus : uint8_t { applied, overridden, skipped, failed, not_reached };

struct StatementStep {
  StatementStatus status = StatementStatus::not_reached;
  std::string verb;             // "set", "offer", "action", "add"
  std::optional<Check> when;
  std::optional<Shown> value;   // what it sets or adds (for `overridden`: what it would have set)
  std::vector<Shown> uses;
  uint32_t set_by = kNone;      // overridden: the strategy that set the field first
  std::optional<Shown> current; // overridden: the value that strategy set
  std::string error;
};

struct StrategyStep {
  Status status = Status::not_evaluated;
  Check condition;
  std::vector<StatementStep> statements;
};

struct DropStep {
  Shown item;
  uint32_t row = kNone;
  Check condition;
};

struct ConstraintStep {
  Status status = Status::not_evaluated;
  std::optional<size_t> checked;  // items the constraint was given (unknown when it failed)
  std::vector<DropStep> dropped;
  std::string error;
};

// Why the record has no result.
struct Failure {
  bool record = false;          // the record does not fit `input` (else: evaluation failed)
  std::string message;
  uint32_t field = kNone;       // record errors: the input field named, when one is
  uint32_t line = 0;            // evaluation errors: line in the rule file
  std::string expr;             // evaluation errors: the expression that failed, when one did
};

struct Account {
  std::optional<Shown> key;     // the key field; absent when it could not be read
  Date as_of;
  std::vector<LetStep> lets;
  std::vector<DecisionStep> decisions;
  std::vector<StrategyStep> strategies;
  std::vector<ConstraintStep> constraints;
  std::optional<Failure> failure;
  std::string result;           // the §7 result line; empty when the record failed
};

// Evaluates the record whose input and `as_of` slots are filled and accounts for each step.
Account build_account(const Program& program, std::vector<Value> slots, const ExplainOptions& options);

// The account of a record that does not fit the `input` schema.
Account record_error_account(const Program& program, const RecordProblem& problem, Date as_of);

std::string render_text(const Program& program, const Account& account);
std::string render_json(const Program& program, const Account& account, bool with_result);

}  // namespace segrule::explain
