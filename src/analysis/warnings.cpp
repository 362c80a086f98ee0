// Warnings about rules that do not do what they seem to: tier rows never
// reached (W0701), tiers with gaps (W0702), conditions that never hold
// (W0703), strategies that set one output differently for one record (W0704),
// and what could not be analysed (W0705).

#include "analysis/warnings.hpp"

#include <fmt/format.h>

#include "analysis/example_record.hpp"
#include "analysis/report.hpp"

namespace segrule::analysis {

namespace {

const char* const kImpossible = "no record meets the condition; check the thresholds and the values it names";

class RuleChecks {
 public:
  RuleChecks(SymbolicProgram& sp, const AnalysisOptions& options, std::vector<Finding>& out)
      : sp_(sp), ctx_(sp.context()), p_(sp.program()), options_(options), out_(out), ok_(sp.evaluates()) {}

  void run() {
    for (size_t d = 0; d < p_.decisions.size(); ++d) decision(static_cast<uint32_t>(d));
    dead_.assign(p_.strategies.size(), false);
    for (size_t s = 0; s < p_.strategies.size(); ++s) strategy(static_cast<uint32_t>(s));
    for (size_t c = 0; c < p_.constraints.size(); ++c) constraint(static_cast<uint32_t>(c));
    for (size_t f = 0; f < p_.outputs.size(); ++f)
      if (p_.outputs[f].type.base != BaseType::list) conflicts(static_cast<uint32_t>(f));
  }

 private:
  // A question the solver could not answer: say so rather than guess.
  bool answered(Answer a, Span span, const std::string& what) {
    if (a != Answer::unknown) return true;
    out_.push_back(not_analysed(span, what, gave_up(options_)));
    return false;
  }

  // W0703 for a condition no evaluated record meets. `cond` alone (without the
  // record evaluating) may still hold: then the records that meet it are all
  // rejected, by a tiers gap or an invariant, and the message says so.
  void never(Span span, const std::string& subject, const z3::expr& cond, const char* help) {
    bool alone = ctx_.solve(cond) == Answer::sat;
    out_.push_back(finding(Severity::warning, "W0703", span,
                           alone ? fmt::format("{}: every record that meets its condition is rejected", subject)
                                 : fmt::format("{}: its condition never holds", subject),
                           alone ? "such records match no row of a tiers, or break an invariant" : help));
  }

  void decision(uint32_t d) {
    const Decision& dec = p_.decisions[d];
    for (size_t r = 0; r < dec.rows.size(); ++r) {
      const CompiledRow& row = dec.rows[r];
      std::string what = fmt::format("{} `{}` of `{}`", dec.is_tiers ? "row" : "segment", row.id, dec.name);
      try {
        if (dec.is_tiers) {
          tier_row(d, static_cast<uint32_t>(r), what);
          continue;
        }
        z3::expr cond = sp_.row_condition(d, static_cast<uint32_t>(r));
        Answer a = ctx_.solve(ok_ && cond);
        if (answered(a, row.span, what) && a == Answer::unsat) never(row.span, what + " never matches", cond, kImpossible);
      } catch (const NotAnalysed& e) {
        out_.push_back(not_analysed(row.span, what, e, p_));
      }
    }
    if (dec.is_tiers && dec.rows.back().condition != kNone) gap(d);
  }

  void tier_row(uint32_t d, uint32_t r, const std::string& what) {
    const Decision& dec = p_.decisions[d];
    const CompiledRow& row = dec.rows[r];
    z3::expr cond = sp_.row_condition(d, r);
    std::vector<z3::expr> earlier;
    for (uint32_t j = 0; j < r; ++j) earlier.push_back(!sp_.row_condition(d, j));
    z3::expr reached = ok_ && cond;
    for (const z3::expr& e : earlier) reached = reached && e;
    Answer a = ctx_.solve(reached);
    if (!answered(a, row.span, what) || a == Answer::sat) return;
    Answer alone = ctx_.solve(ok_ && cond);
    if (!answered(alone, row.span, what)) return;
    if (alone == Answer::unsat) {
      never(row.span, what + " never matches", cond, kImpossible);
      return;
    }
    std::vector<std::string> cover;
    for (size_t j : ctx_.needed(ok_ && cond, earlier)) cover.push_back(dec.rows[j].id);
    std::string by = cover.size() == 1 ? fmt::format("row {} above it matches", name_list(cover))
                                       : fmt::format("{} above it match", cover.empty() ? "the rows" : "rows " + name_list(cover));
    if (row.condition == kNone)
      out_.push_back(finding(Severity::warning, "W0701", row.span,
                             fmt::format("the `otherwise` row `{}` of `{}` is never reached: {} every record", row.id, dec.name, by),
                             "remove it, or narrow the rows above"));
    else
      out_.push_back(finding(Severity::warning, "W0701", row.span, fmt::format("{} is never reached: {} every record it would match", what, by),
                             "rows are tried top to bottom and the first match wins: move it up, or change its condition"));
  }

  // A tiers without `otherwise`: a record that matches no row is rejected.
  void gap(uint32_t d) {
    const Decision& dec = p_.decisions[d];
    std::string what = fmt::format("the rows of `{}` together", dec.name);
    try {
      size_t step = 0;
      while (step < p_.order.size() && (p_.order[step].is_let || p_.order[step].index != d)) ++step;
      z3::expr none = sp_.tiers_matched(step);
      for (size_t r = 0; r < dec.rows.size(); ++r) none = none && !sp_.row_condition(d, static_cast<uint32_t>(r));
      std::optional<z3::model> model;
      Answer a = ctx_.solve(none, &model);
      if (!answered(a, dec.span, what) || a == Answer::unsat) return;
      ExampleRecord record = example_record(ctx_, {&sp_}, *model, options_.show_pii);
      RecordRun run = run_record(p_, record.json, record.as_of);
      std::string expected = fmt::format("no tier of `{}` matched", dec.name);
      if (!run.read || run.evaluated || run.error.message != expected) {
        out_.push_back(not_analysed(dec.span, what, because("the record the solver found does not fall through when evaluated", run)));
        return;
      }
      out_.push_back(finding(Severity::warning, "W0702", dec.span,
                             fmt::format("some records match no row of `{}`, which has no `otherwise` row", dec.name),
                             fmt::format("such a record is rejected with \"{}\": add a last row `ID \"label\" otherwise`, or widen the conditions", expected),
                             {example_note(record)}));
    } catch (const NotAnalysed& e) {
      out_.push_back(not_analysed(dec.span, what, e, p_));
    }
  }

  void strategy(uint32_t s) {
    const Strategy& st = p_.strategies[s];
    std::string what = fmt::format("strategy `{}`", st.name);
    try {
      z3::expr fires = sp_.fires(s);
      Answer a = ctx_.solve(ok_ && fires);
      if (!answered(a, st.span, what)) return;
      if (a == Answer::unsat) {
        dead_[s] = true;
        never(st.span, what + " never fires", fires, kImpossible);
        return;
      }
    } catch (const NotAnalysed& e) {
      out_.push_back(not_analysed(st.span, what, e, p_));
      return;
    }
    for (size_t k = 0; k < st.statements.size(); ++k) {
      const CompiledStatement& statement = st.statements[k];
      if (statement.when == kNone) continue;
      std::string part = fmt::format("the `when` of this statement of `{}`", st.name);
      try {
        Answer a = ctx_.solve(ok_ && sp_.applies(s, static_cast<uint32_t>(k)));
        if (answered(a, statement.span, part) && a == Answer::unsat)
          out_.push_back(finding(Severity::warning, "W0703", statement.span,
                                 fmt::format("this statement never applies: its `when` never holds when `{}` fires", st.name),
                                 "remove the statement, or fix its condition"));
      } catch (const NotAnalysed& e) {
        out_.push_back(not_analysed(statement.span, part, e, p_));
      }
    }
  }

  void constraint(uint32_t c) {
    const Constraint& con = p_.constraints[c];
    for (size_t r = 0; r < con.rows.size(); ++r) {
      const DropRule& row = con.rows[r];
      std::string what = fmt::format("drop row {} of `{}`", r + 1, con.name);
      try {
        // Some item of the list reaches this row (earlier rows keep it) and meets it.
        z3::expr reached = ctx_.z3().bool_val(false);
        for (const ListEntry& e : sp_.constraint_input(c)) {
          z3::expr here = e.guard;
          for (size_t j = 0; j < r; ++j) here = here && !sp_.drop_row(c, static_cast<uint32_t>(j), e.element);
          reached = reached || (here && sp_.drop_row(c, static_cast<uint32_t>(r), e.element));
        }
        Answer a = ctx_.solve(ok_ && reached);
        if (answered(a, row.span, what) && a == Answer::unsat)
          out_.push_back(finding(Severity::warning, "W0703", row.span,
                                 fmt::format("{} never drops anything: no item of `{}` that reaches it meets its condition", what, p_.outputs[con.field].name),
                                 "check the condition against the items strategies add"));
      } catch (const NotAnalysed& e) {
        out_.push_back(not_analysed(row.span, what, e, p_));
      }
    }
  }

  // Two strategies that can fire for one record and set `field` to different values.
  void conflicts(uint32_t field) {
    std::vector<std::pair<uint32_t, uint32_t>> sets;
    for (size_t s = 0; s < p_.strategies.size(); ++s)
      for (size_t k = 0; k < p_.strategies[s].statements.size(); ++k) {
        const CompiledStatement& st = p_.strategies[s].statements[k];
        if (st.field == field && st.kind == StatementKindC::assign && !dead_[s]) sets.emplace_back(static_cast<uint32_t>(s), static_cast<uint32_t>(k));
      }
    const std::string& name = p_.outputs[field].name;
    std::vector<std::pair<uint32_t, uint32_t>> reported;
    for (size_t i = 0; i < sets.size(); ++i)
      for (size_t j = i + 1; j < sets.size(); ++j) {
        auto [s1, k1] = sets[i];
        auto [s2, k2] = sets[j];
        if (s1 == s2 || std::find(reported.begin(), reported.end(), std::make_pair(s1, s2)) != reported.end()) continue;
        const Strategy& first = p_.strategies[s1];
        const Strategy& second = p_.strategies[s2];
        const CompiledStatement& later = second.statements[k2];
        std::string what = fmt::format("whether `{}` and `{}` set `{}` differently", first.name, second.name, name);
        try {
          SymValue v1 = sp_.statement_value(s1, k1), v2 = sp_.statement_value(s2, k2);
          z3::expr goal = ok_ && sp_.applies(s1, k1) && sp_.applies(s2, k2) && !sp_.equal(v1, v2, later.span);
          std::optional<z3::model> model;
          Answer a = ctx_.solve(goal, &model);
          if (!answered(a, later.span, what) || a == Answer::unsat) continue;
          ExampleRecord record = example_record(ctx_, {&sp_}, *model, options_.show_pii);
          RecordRun run = run_record(p_, record.json, record.as_of);
          std::string values;
          if (!verified(run, s1, k1, s2, k2, values)) {
            out_.push_back(not_analysed(later.span, what, because("the record the solver found does not show it when evaluated", run)));
            continue;
          }
          reported.emplace_back(s1, s2);
          out_.push_back(finding(Severity::warning, "W0704", later.span,
                                 fmt::format("`{}` and `{}` can both fire for one record and set `{}` differently", first.name, second.name, name),
                                 fmt::format("`{}` comes first, so its value is kept and this one is ignored; make the conditions exclusive, or set the same value", first.name),
                                 {example_note(record), values}));
        } catch (const NotAnalysed& e) {
          out_.push_back(not_analysed(later.span, what, e, p_));
        }
      }
  }

  // Both statements were reached and their values differ, as the engine evaluates them.
  bool verified(RecordRun& run, uint32_t s1, uint32_t k1, uint32_t s2, uint32_t k2, std::string& values) {
    if (!run.read || !run.evaluated) return false;
    auto reached = [&](uint32_t s, uint32_t k) { return run.trace.statement_applied[s][k] || run.trace.statement_overridden[s][k]; };
    if (!reached(s1, k1) || !reached(s2, k2)) return false;
    const CompiledStatement& a = p_.strategies[s1].statements[k1];
    const CompiledStatement& b = p_.strategies[s2].statements[k2];
    Value va, vb;
    try {
      va = eval_node(p_, a.value, run.outcome.slots);
      vb = eval_node(p_, b.value, run.outcome.slots);
    } catch (const EvalError&) {
      return false;
    }
    if (same_value(va, vb)) return false;
    const Type& t = p_.outputs[a.field].type;
    values = fmt::format("there `{}` sets `{}` = {} and `{}` would set {}", p_.strategies[s1].name, p_.outputs[a.field].name, value_json(p_, t, va),
                         p_.strategies[s2].name, value_json(p_, t, vb));
    return true;
  }

  SymbolicProgram& sp_;
  SymbolicContext& ctx_;
  const Program& p_;
  const AnalysisOptions& options_;
  std::vector<Finding>& out_;
  z3::expr ok_;
  std::vector<bool> dead_;
};

}  // namespace

void rule_warnings(SymbolicProgram& program, const AnalysisOptions& options, std::vector<Finding>& out) {
  RuleChecks(program, options, out).run();
}

}  // namespace segrule::analysis
