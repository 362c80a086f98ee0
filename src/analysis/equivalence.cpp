// Does a decision mean the same in two versions of a rule file? Both programs
// are translated into one solver context, sharing an input variable per field
// name, and the solver looks for a record on which the decision's results
// differ. Results are compared by row name: tiers by the row matched (or none),
// segments by the set of rows matched and the primary. See docs/analysis.md.

#include "analysis/equivalence.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "analysis/example_record.hpp"
#include "analysis/symbolic.hpp"

namespace segrule {

namespace {

using namespace analysis;

uint32_t find_decision(const Program& p, const std::string& name) {
  for (size_t i = 0; i < p.decisions.size(); ++i)
    if (p.decisions[i].name == name) return static_cast<uint32_t>(i);
  return kNone;
}

size_t step_of(const Program& p, uint32_t decision) {
  size_t step = 0;
  while (step < p.order.size() && (p.order[step].is_let || p.order[step].index != decision)) ++step;
  return step;
}

// One version's view of the decision, with row names mapped to shared codes.
struct Side {
  const Program& program;
  SymbolicProgram& symbolic;
  uint32_t decision;
  const Decision& d() const { return program.decisions[decision]; }
};

// The tier matched as a shared code (-1: none).
z3::expr tier_code(Side& s, const std::vector<std::string>& ids, z3::context& z) {
  z3::expr index = s.symbolic.tier_index(s.decision);
  z3::expr code = z.int_val(-1);
  for (size_t r = 0; r < s.d().rows.size(); ++r) {
    int c = static_cast<int>(std::find(ids.begin(), ids.end(), s.d().rows[r].id) - ids.begin());
    code = z3::ite(index == z.int_val(static_cast<int>(r)), z.int_val(c), code);
  }
  return code;
}

z3::expr primary_code(Side& s, const std::vector<std::string>& ids, z3::context& z) {
  SymValue v = s.symbolic.slot_value(s.d().primary_slot);
  z3::expr code = z.int_val(-1);
  for (size_t r = 0; r < s.d().rows.size(); ++r) {
    int c = static_cast<int>(std::find(ids.begin(), ids.end(), s.d().rows[r].id) - ids.begin());
    code = z3::ite(*v.term == z.int_val(static_cast<int>(r)), z.int_val(c), code);
  }
  return z3::ite(s.symbolic.is_null(v), z.int_val(-1), code);
}

// The decision's result in one evaluated record, as compared: for segments the
// matched rows in name order (and the primary), so that reordering rows is no change.
bool result_of(const Side& s, const RecordRun& run, std::string& shown, std::string& compared) {
  if (!run.read) return false;
  const Decision& d = s.d();
  if (d.is_tiers) {
    uint32_t row = run.trace.tier_row.empty() ? kNone : run.trace.tier_row[s.decision];
    if (row != kNone) {
      shown = value_json(s.program, s.program.slots[d.slot].type, Value::of_symbol(row));
      compared = d.rows[row].id;
      return true;
    }
    if (!run.evaluated && run.error.message == fmt::format("no tier of `{}` matched", d.name)) {
      shown = compared = "no tier matched";
      return true;
    }
    return false;
  }
  if (!run.evaluated) return false;
  const Value& list = run.outcome.slots[d.slot];
  shown = value_json(s.program, s.program.slots[d.slot].type, list);
  std::vector<std::string> names;
  for (const Value& v : list.items) names.push_back(d.rows[v.symbol].id);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) compared += n + ",";
  if (d.primary_slot != kNone) {
    std::string primary = value_json(s.program, s.program.slots[d.primary_slot].type, run.outcome.slots[d.primary_slot]);
    shown += fmt::format(" (primary {})", primary);
    compared += "|" + primary;
  }
  return true;
}

}  // namespace

DecisionComparison compare_decision(const Program& old_program, const Program& new_program, const std::string& name, bool show_pii) {
  DecisionComparison result;
  uint32_t d_old = find_decision(old_program, name), d_new = find_decision(new_program, name);
  if (d_old == kNone || d_new == kNone) {
    result.reason = fmt::format("`{}` is not a decision of both versions", name);
    return result;
  }
  if (old_program.decisions[d_old].is_tiers != new_program.decisions[d_new].is_tiers) {
    result.reason = fmt::format("`{}` is a tiers in one version and a segments in the other", name);
    return result;
  }
  try {
    SymbolicContext context;
    if (auto effective = parse_date(new_program.metadata.effective)) context.prefer_as_of(*effective);
    SymbolicProgram old_symbolic(context, old_program), new_symbolic(context, new_program);
    Side o{old_program, old_symbolic, d_old}, n{new_program, new_symbolic, d_new};
    z3::context& z = context.z3();
    std::vector<std::string> ids;
    for (const Side* s : {&o, &n})
      for (const CompiledRow& r : s->d().rows)
        if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) ids.push_back(r.id);
    z3::expr differ = z.bool_val(false);
    if (o.d().is_tiers) {
      differ = tier_code(o, ids, z) != tier_code(n, ids, z);
    } else {
      for (const std::string& id : ids) {
        auto has = [&](Side& s) {
          uint32_t r = s.program.domains[s.d().domain].find(id);
          return r == kNone ? z.bool_val(false) : s.symbolic.row_condition(s.decision, r);
        };
        differ = differ || has(o) != has(n);
      }
      if (o.d().primary_slot != kNone && n.d().primary_slot != kNone) differ = differ || primary_code(o, ids, z) != primary_code(n, ids, z);
    }
    // The decision is reached in both: the tiers evaluated before it matched.
    z3::expr reached = old_symbolic.tiers_matched(step_of(old_program, d_old)) && new_symbolic.tiers_matched(step_of(new_program, d_new));
    std::optional<z3::model> model;
    Answer a = context.solve(reached && differ, &model, {old_symbolic.evaluates(), new_symbolic.evaluates()});
    if (a == Answer::unsat) {
      result.verdict = Verdict::equivalent;
      return result;
    }
    if (a == Answer::unknown) {
      result.reason = "the solver found no answer in time";
      return result;
    }
    ExampleRecord record = example_record(context, {&new_symbolic, &old_symbolic}, *model, show_pii);
    RecordRun run_old = run_record(old_program, record.json, record.as_of);
    RecordRun run_new = run_record(new_program, record.json, record.as_of);
    std::string compared_old, compared_new;
    if (!result_of(o, run_old, result.old_result, compared_old) || !result_of(n, run_new, result.new_result, compared_new) ||
        compared_old == compared_new) {
      result.old_result.clear();
      result.new_result.clear();
      result.reason = "the record the solver found does not show a difference when evaluated";
      return result;
    }
    result.verdict = Verdict::differs;
    result.example = record.shown;
    if (record.as_of_matters) result.as_of = to_string(record.as_of);
    return result;
  } catch (const NotAnalysed& e) {
    result.reason = e.reason;
  } catch (const z3::exception& e) {
    result.reason = fmt::format("the solver stopped: {}", e.msg());
  }
  return result;
}

}  // namespace segrule
