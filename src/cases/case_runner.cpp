#include "cases/case_runner.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "eval/evaluator.hpp"
#include "eval/record.hpp"
#include "eval/result_writer.hpp"
#include "explain/explain.hpp"

namespace segrule {

namespace {

// A piece of rule text on one line, for naming a statement: `action "alert"`.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 60) {
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    out = out.substr(0, cut) + "...";
  }
  return out;
}

std::string money_text(Decimal d) {
  Decimal cents;
  if (d.round_half_away(2, cents) == DecimalStatus::ok && cents == d) return d.to_fixed(2, true);
  std::string s = d.to_fixed(Decimal::kScale, true);  // more than cents: every digit, none invented
  while (s.back() == '0') s.pop_back();
  return s;
}

// Every coverage unit, and where each part of a Trace counts.
class Coverage {
 public:
  explicit Coverage(const Program& p) : p_(p) {
    for (const Decision& d : p.decisions) {
      std::vector<size_t> units;
      for (const CompiledRow& row : d.rows)
        units.push_back(add(fmt::format("{} {} row {}", d.is_tiers ? "tiers" : "segments", d.name, row.id), row.span));
      row_units_.push_back(std::move(units));
    }
    for (const Strategy& s : p.strategies) {
      strategy_units_.push_back(add(fmt::format("strategy {}", s.name), s.span));
      std::vector<size_t> units;
      for (const CompiledStatement& st : s.statements)
        units.push_back(st.when == kNone ? kNone : add(fmt::format("strategy {}: {}", s.name, one_line(text_of(st.span))), st.span));
      statement_units_.push_back(std::move(units));
    }
    for (const Constraint& c : p.constraints) {
      std::vector<size_t> units;
      for (const DropRule& row : c.rows) {
        std::string reason;
        write_json_string(row.reason, reason);
        units.push_back(add(fmt::format("constraint {} drop reason {}", c.name, reason), row.span));
      }
      drop_units_.push_back(std::move(units));
    }
  }

  void count(const Trace& trace, const Outcome& outcome) {
    for (size_t d = 0; d < p_.decisions.size(); ++d) {
      if (p_.decisions[d].is_tiers) {
        if (trace.tier_row[d] != kNone) reach(row_units_[d][trace.tier_row[d]]);
      } else {
        for (size_t r = 0; r < trace.segment_matched[d].size(); ++r)
          if (trace.segment_matched[d][r]) reach(row_units_[d][r]);
      }
    }
    for (size_t s = 0; s < p_.strategies.size(); ++s) {
      if (trace.strategy_fired[s]) reach(strategy_units_[s]);
      for (size_t k = 0; k < trace.statement_applied[s].size(); ++k)
        if (trace.statement_applied[s][k] && statement_units_[s][k] != kNone) reach(statement_units_[s][k]);
    }
    for (const Dropped& d : outcome.dropped) reach(drop_units_[d.constraint][d.row]);
  }

  std::vector<CoverageUnit> units() const {
    std::vector<CoverageUnit> out = units_;
    std::stable_sort(out.begin(), out.end(), [](const CoverageUnit& a, const CoverageUnit& b) { return a.line < b.line; });
    return out;
  }

 private:
  std::string_view text_of(Span s) const {
    std::string_view t = p_.source ? p_.source->text() : std::string_view();
    return s.end <= t.size() && s.begin < s.end ? t.substr(s.begin, s.end - s.begin) : std::string_view("statement");
  }
  size_t add(std::string what, Span span) {
    units_.push_back({std::move(what), p_.source ? p_.source->line_of(span.begin) : 0, false});
    return units_.size() - 1;
  }
  void reach(size_t unit) { units_[unit].reached = true; }

  const Program& p_;
  std::vector<CoverageUnit> units_;
  std::vector<std::vector<size_t>> row_units_;        // per decision, per row
  std::vector<size_t> strategy_units_;                // per strategy
  std::vector<std::vector<size_t>> statement_units_;  // per strategy, per statement; kNone without its own `when`
  std::vector<std::vector<size_t>> drop_units_;       // per constraint, per drop row
};

Value actual_value(const Program& p, const Outcome& outcome, const Expectation& e) {
  if (e.target == ExpectTarget::slot) return outcome.slots[e.index];
  if (e.target == ExpectTarget::output) return outcome.outputs[e.index];
  Value list = Value::empty_list();
  for (const Dropped& d : outcome.dropped) {
    if (e.type.element != BaseType::string && d.item.kind == ValueKind::symbol) list.items.push_back(d.item);
    else if (d.item.kind == ValueKind::symbol) list.items.push_back(Value::of_string(p.domains[p.outputs[d.field].type.domain].ids[d.item.symbol]));
    else list.items.push_back(d.item);
  }
  return list;
}

bool list_has(const Value& list, const Value& item) {
  return std::any_of(list.items.begin(), list.items.end(), [&](const Value& v) { return same_value(v, item); });
}

std::string items_text(const Program& p, const Type& element, const std::vector<Value>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + value_text(p, element, items[i]);
  return out;
}

void compare(const Program& p, const Outcome& outcome, const Expectation& e, std::vector<Mismatch>& mismatches) {
  Value actual = actual_value(p, outcome, e);
  if (e.exact) {
    if (!same_value(e.value, actual)) mismatches.push_back({e.member, value_text(p, e.type, e.value), value_text(p, e.type, actual)});
    return;
  }
  std::vector<Value> missing, present;
  for (const Value& v : e.includes)
    if (!list_has(actual, v)) missing.push_back(v);
  for (const Value& v : e.excludes)
    if (list_has(actual, v)) present.push_back(v);
  Type element = e.type.element_type();
  if (!missing.empty()) mismatches.push_back({e.member, "to include " + items_text(p, element, missing), value_text(p, e.type, actual)});
  if (!present.empty()) mismatches.push_back({e.member, "not to include " + items_text(p, element, present), value_text(p, e.type, actual)});
}

std::string quoted(std::string_view text) {
  std::string out;
  write_json_string(text, out);
  return out;
}

}  // namespace

std::string value_text(const Program& p, const Type& type, const Value& v) {
  switch (v.kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return v.boolean ? "true" : "false";
    case ValueKind::number: return type.base == BaseType::money ? money_text(v.number) : v.number.to_string();
    case ValueKind::string: return quoted(v.text);
    case ValueKind::date: return to_string(v.date);
    case ValueKind::symbol: return p.domains[type.domain].ids[v.symbol];
    case ValueKind::list: return "[" + items_text(p, type.element_type(), v.items) + "]";
  }
  return "?";
}

TestRun run_cases(const Program& p, const CaseFile& cases) {
  TestRun run;
  Coverage coverage(p);
  for (const TestCase& c : cases.cases) {
    CaseResult result;
    Outcome outcome;
    reset_outcome(p, outcome);
    if (p.as_of_slot != kNone) outcome.slots[p.as_of_slot] = Value::of_date(c.as_of);
    RecordProblem problem;
    bool read = record_from_json_value(p, c.record, outcome.slots, problem);
    std::vector<Value> input_slots = outcome.slots;  // what explain starts from
    std::string error = problem.message;
    if (read) {
      Trace trace;
      EvalError eval_error;
      if (!evaluate(p, outcome, eval_error, &trace)) error = eval_error.message;
      coverage.count(trace, outcome);  // what ran before an evaluation error still ran
    }
    if (c.expected_error) {
      std::string expected = "a record error containing " + quoted(*c.expected_error);
      if (error.empty()) result.mismatches.push_back({"error", expected, "no record error"});
      else if (error.find(*c.expected_error) == std::string::npos) result.mismatches.push_back({"error", expected, quoted(error)});
    } else if (!error.empty()) {
      result.mismatches.push_back({"error", "no record error", quoted(error)});
    } else {
      for (const Expectation& e : c.expectations) compare(p, outcome, e, result.mismatches);
    }
    result.passed = result.mismatches.empty();
    if (!result.passed && read) result.explain = explain_text(p, std::move(input_slots), ExplainOptions{});
    (result.passed ? run.passed : run.failed)++;
    run.results.push_back(std::move(result));
  }
  run.coverage = coverage.units();
  for (const CoverageUnit& u : run.coverage) run.reached += u.reached;
  return run;
}

}  // namespace segrule
