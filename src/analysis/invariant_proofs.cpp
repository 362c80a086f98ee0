// Proving invariants: each one holds for every record the schema accepts and
// the rules evaluate, or `check` reports it (E0702) with a record that breaks
// it, verified by evaluating it. `monotone(TIERS, FIELD)` compares two records
// that differ only in FIELD.

#include <fmt/format.h>

#include "analysis/example_record.hpp"
#include "analysis/report.hpp"
#include "analysis/warnings.hpp"
#include "eval/invariants.hpp"
#include "eval/result_writer.hpp"

namespace segrule::analysis {

namespace {

class InvariantProofs {
 public:
  InvariantProofs(SymbolicProgram& sp, const AnalysisOptions& options, std::vector<Finding>& out)
      : sp_(sp), ctx_(sp.context()), p_(sp.program()), options_(options), out_(out) {}

  void run() {
    for (size_t i = 0; i < p_.invariants.size(); ++i) {
      const Invariant& inv = p_.invariants[i];
      std::string what = fmt::format("invariant `{}`", inv.name);
      try {
        if (inv.body != kNone) condition(static_cast<uint32_t>(i), what);
        else monotone(inv, what);
      } catch (const NotAnalysed& e) {
        Finding f = not_analysed(inv.span, what, e, p_);
        if (inv.body != kNone) f.diagnostic.help += "; `eval` still checks it on every record";
        out_.push_back(std::move(f));
      }
    }
  }

 private:
  void condition(uint32_t i, const std::string& what) {
    const Invariant& inv = p_.invariants[i];
    z3::expr broken = !sp_.invariant(i);
    // A counterexample that keeps the invariants declared before it, when it can,
    // is reported by `eval` under this invariant's name.
    std::vector<z3::expr> earlier;
    for (uint32_t j = 0; j < i; ++j) {
      if (p_.invariants[j].body == kNone) continue;
      try {
        earlier.push_back(sp_.invariant(j));
      } catch (const NotAnalysed&) {
      }
    }
    std::optional<z3::model> model;
    Answer a = ctx_.solve(sp_.tiers_matched() && broken, &model, earlier);
    if (a == Answer::unknown) {
      out_.push_back(not_analysed(inv.span, what, gave_up(options_) + "; `eval` still checks it on every record"));
      return;
    }
    if (a == Answer::unsat) return;  // proved
    ExampleRecord record = example_record(ctx_, {&sp_}, *model, options_.show_pii);
    RecordRun run = run_record(p_, record.json, record.as_of);
    bool broke = run.read && !run.evaluated;
    if (broke) {
      try {
        broke = !eval_node(p_, inv.body, run.outcome.slots).boolean;
      } catch (const EvalError&) {
        broke = false;
      }
    }
    if (!broke) {
      out_.push_back(not_analysed(inv.span, what, because("the record the solver found does not break it when evaluated", run) + "; `eval` still checks it on every record"));
      return;
    }
    std::string result;
    write_result(p_, run.outcome, result);
    out_.push_back(finding(Severity::error, "E0702", inv.span, fmt::format("{} does not hold", what),
                           "this record breaks it: `eval` rejects such records; change the rules, or the invariant",
                           {example_note(record), fmt::format("its result would be: {}", result)}));
  }

  // More of the field, every other field equal, never gives a lower tier.
  void monotone(const Invariant& inv, const std::string& what) {
    const InputField& field = p_.inputs[inv.monotone_field];
    const Decision& d = p_.decisions[inv.monotone_decision];
    FieldVars& more_vars = ctx_.fresh_field(p_, field, "'more");
    SymbolicProgram more(ctx_, p_, {{inv.monotone_field, &more_vars}});
    SymValue x1 = sp_.slot_value(field.slot), x2 = more.slot_value(field.slot);
    z3::expr larger = !sp_.is_null(x1) && !more.is_null(x2) && sp_.compare(Code::lt, x1, x2, inv.body_span);
    // The first row is the highest tier: a larger index is a lower tier.
    z3::expr lower = more.tier_index(inv.monotone_decision) > sp_.tier_index(inv.monotone_decision);
    std::optional<z3::model> model;
    Answer a = ctx_.solve(sp_.evaluates() && more.evaluates() && larger && lower, &model);
    if (a == Answer::unknown) {
      out_.push_back(not_analysed(inv.span, what, gave_up(options_)));
      return;
    }
    if (a == Answer::unsat) return;  // proved
    ExampleRecord r1 = example_record(ctx_, {&sp_}, *model, options_.show_pii);
    ExampleRecord r2 = example_record(ctx_, {&more, &sp_}, *model, options_.show_pii);
    RecordRun run1 = run_record(p_, r1.json, r1.as_of);
    RecordRun run2 = run_record(p_, r2.json, r2.as_of);
    if (!run1.evaluated || !run2.evaluated || run2.outcome.slots[d.slot].symbol <= run1.outcome.slots[d.slot].symbol) {
      out_.push_back(not_analysed(inv.span, what, because("the records the solver found do not break it when evaluated", run1.evaluated ? run2 : run1)));
      return;
    }
    const Type& tier_type = p_.slots[d.slot].type;
    auto tier = [&](const RecordRun& run) { return value_json(p_, tier_type, run.outcome.slots[d.slot]); };
    out_.push_back(finding(Severity::error, "E0702", inv.span,
                           fmt::format("{} does not hold: more `{}` can give a lower `{}`", what, field.name, d.name),
                           "these two records differ only in `" + field.name + "`: change the rules, or the invariant",
                           {fmt::format("{} → `{}` = {}", example_note(r1), d.name, tier(run1)),
                            fmt::format("{} → `{}` = {}", example_note(r2), d.name, tier(run2))}));
  }

  SymbolicProgram& sp_;
  SymbolicContext& ctx_;
  const Program& p_;
  const AnalysisOptions& options_;
  std::vector<Finding>& out_;
};

}  // namespace

void invariant_findings(SymbolicProgram& program, const AnalysisOptions& options, std::vector<Finding>& out) {
  InvariantProofs(program, options, out).run();
}

}  // namespace segrule::analysis
