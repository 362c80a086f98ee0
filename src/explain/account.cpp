// Builds the Account of one record. The fast evaluator runs first and gives
// the result; then each step is walked again in the same order, with every
// condition's parts re-evaluated (eval_node) against the slots the evaluator
// filled. Lets and decisions are computed eagerly in dependency order, so
// the final slots are exactly what each condition saw.

#include <algorithm>

#include <fmt/format.h>

#include "eval/evaluator.hpp"
#include "eval/result_writer.hpp"
#include "explain/account.hpp"
#include "explain/human.hpp"

namespace segrule::explain {

namespace {

const char* op_text(Code code) {
  switch (code) {
    case Code::eq: return "==";
    case Code::ne: return "!=";
    case Code::lt: return "<";
    case Code::le: return "<=";
    case Code::gt: return ">";
    case Code::ge: return ">=";
    case Code::in: case Code::list_contains: return "in";
    case Code::not_in: return "not in";
    case Code::is_null: return "is null";
    case Code::is_not_null: return "is not null";
    default: return nullptr;
  }
}

bool is_leaf(Code code) { return code == Code::slot || code == Code::local || code == Code::attribute; }

class Walker {
 public:
  Walker(const Program& p, Outcome& outcome, const Trace& trace, const ExplainOptions& options)
      : p_(p), slots_(outcome.slots), outcome_(outcome), trace_(trace), options_(options), slot_pii_(p.slots.size(), -1) {}

  bool stopped() const { return stopped_; }

  // A value known to the walker (a slot, an output), shown like an evaluated expression.
  Shown show(std::string expr, const Type& type, Value value, bool pii) const {
    Shown s;
    s.expr = std::move(expr);
    s.type = type;
    // A yes/no derived from personal data, or its absence, tells no more than the ✓ beside it.
    s.masked = pii && !options_.show_pii && value.kind != ValueKind::boolean && !value.is_null();
    if (s.masked) s.text = mask_pii(value.kind == ValueKind::string ? value.text : human_value(p_, type, value));
    else s.text = human_value(p_, type, value);
    s.value = std::move(value);
    return s;
  }

  // Evaluates a node for display. A symbol compared with text shows as the symbol, with its label.
  Shown evaluate_shown(uint32_t node) {
    if (p_.nodes[node].code == Code::symbol_text) node = p_.nodes[node].args[0];
    const Node& n = p_.nodes[node];
    Shown s = show(source_of(p_, n.span), n.type, eval_node(p_, node, slots_), reads_pii(node));
    s.constant = n.code == Code::constant;
    return s;
  }

  // The fields, lets and item attributes read inside compound expressions, once each,
  // in reading order. Reading a slot cannot fail.
  std::vector<Shown> uses(std::initializer_list<uint32_t> nodes) {
    std::vector<Shown> out;
    for (uint32_t node : nodes) {
      if (node == kNone) continue;
      Code code = p_.nodes[node].code;
      if (code == Code::symbol_text) code = p_.nodes[p_.nodes[node].args[0]].code;
      if (!is_leaf(code) && code != Code::constant) collect_leaves(node, out);
    }
    return out;
  }

  Check check(uint32_t node) {
    const Node& n = p_.nodes[node];
    Check c;
    c.expr = source_of(p_, n.span);
    if (n.code == Code::and_ || n.code == Code::or_) {
      c.kind = n.code == Code::and_ ? CheckKind::all : CheckKind::any;
      c.result = n.code == Code::and_;
      bool decided = false;
      for (uint32_t a : n.args) {
        if (decided || c.failed) {
          c.parts.push_back(not_evaluated(a));
          continue;
        }
        c.parts.push_back(check(a));
        const Check& part = c.parts.back();
        if (part.failed) {
          c.failed = true;
        } else if (part.result != c.result) {  // `and` met a false, or `or` a true: the rest is skipped
          c.result = part.result;
          decided = true;
        }
      }
      return c;
    }
    if (n.code == Code::not_) {
      c.kind = CheckKind::negation;
      c.parts.push_back(check(n.args[0]));
      c.failed = c.parts[0].failed;
      c.result = !c.parts[0].result;
      return c;
    }
    try {
      if (const char* op = op_text(n.code)) {
        c.kind = CheckKind::compare;
        c.op = op;
        uint32_t left = n.args[0];
        uint32_t right = n.args.size() > 1 ? n.args[1] : kNone;
        if (n.code == Code::list_contains) std::swap(left, right);  // contains(list, x) is x in list
        c.left = evaluate_shown(left);
        if (right != kNone) c.right = evaluate_shown(right);
        c.uses = uses({left, right});
        c.result = eval_node(p_, node, slots_).boolean;
      } else {
        c.kind = CheckKind::test;
        c.left = evaluate_shown(node);
        c.uses = uses({node});
        c.result = c.left.value.boolean;
      }
    } catch (const EvalError& e) {
      fail(c, e);
    }
    return c;
  }

  Check not_evaluated(uint32_t node) const {
    Check c;
    c.kind = CheckKind::not_evaluated;
    c.expr = source_of(p_, p_.nodes[node].span);
    return c;
  }

  void let_step(const Let& let, LetStep& step) {
    const Node& n = p_.nodes[let.value];
    step.uses = uses({let.value});
    try {
      // Recomputed rather than read from the slot, so a failing let fails here too.
      step.value = show(step.value.expr, p_.slots[let.slot].type, eval_node(p_, let.value, slots_), reads_pii(let.value));
      step.value.constant = n.code == Code::constant;
      step.status = Status::done;
    } catch (const EvalError& e) {
      step.status = Status::failed;
      step.error = e.message;
      stopped_ = true;
    }
  }

  void decision_step(const Decision& d, DecisionStep& step) {
    step.rows.resize(d.rows.size());
    bool tier_found = false;
    for (size_t r = 0; r < d.rows.size(); ++r) {
      const CompiledRow& row = d.rows[r];
      RowStep& out = step.rows[r];
      if (tier_found || stopped_) {
        out.status = RowStatus::not_tried;
        out.condition.kind = CheckKind::not_evaluated;
        out.condition.expr = row.condition == kNone ? "otherwise" : source_of(p_, p_.nodes[row.condition].span);
        continue;
      }
      if (row.condition == kNone) {
        out.condition.kind = CheckKind::otherwise;
        out.condition.expr = "otherwise";
        out.condition.result = true;
      } else {
        out.condition = check(row.condition);
      }
      if (out.condition.failed) {
        out.status = RowStatus::failed;
        continue;
      }
      out.status = out.condition.result ? RowStatus::matched : RowStatus::not_matched;
      tier_found = d.is_tiers && out.condition.result;
      if (!d.is_tiers && out.condition.result && d.primary_slot != kNone) {
        try {
          out.score = score(row);
        } catch (const EvalError& e) {
          out.status = RowStatus::failed;
          step.error = e.message;
          stopped_ = true;
        }
      }
    }
    if (stopped_) {
      step.status = Status::failed;
      return;
    }
    if (d.is_tiers && !tier_found) {
      step.status = Status::failed;
      step.error = fmt::format("no tier of `{}` matched", d.name);
      stopped_ = true;
      return;
    }
    step.status = Status::done;
    step.result = show(d.name, p_.slots[d.slot].type, slots_[d.slot], false);
    if (d.primary_slot != kNone)
      step.primary = show(p_.slots[d.primary_slot].name, p_.slots[d.primary_slot].type, slots_[d.primary_slot], false);
  }

  void strategy_step(size_t s, StrategyStep& step) {
    const Strategy& strategy = p_.strategies[s];
    step.condition = check(strategy.when);
    step.status = step.condition.failed ? Status::failed : Status::done;
    if (step.condition.failed || !step.condition.result) return;
    step.statements.resize(strategy.statements.size());
    for (size_t k = 0; k < strategy.statements.size() && !stopped_; ++k)
      statement_step(strategy.statements[k], step.statements[k], trace_.statement_overridden[s][k]);
    if (stopped_) step.status = Status::failed;
  }

  // `error`: the evaluator's failure, when the walk has not met it before the
  // constraints. It happened in a constraint's row, or after all of them
  // (an invariant), in which case every constraint ran.
  void constraint_steps(const std::optional<EvalError>& error, std::vector<ConstraintStep>& steps) {
    size_t failed_at = p_.constraints.size();
    if (error) {
      for (size_t c = 0; c < p_.constraints.size() && failed_at == p_.constraints.size(); ++c)
        for (const DropRule& row : p_.constraints[c].rows)
          if (within(error->span, p_.nodes[row.when].span)) failed_at = c;
    }
    bool lists_final = failed_at == p_.constraints.size();
    for (size_t c = 0; c < p_.constraints.size(); ++c) {
      const Constraint& constraint = p_.constraints[c];
      ConstraintStep& step = steps[c];
      if (c > failed_at) continue;
      if (c == failed_at) {
        step.status = Status::failed;
        step.error = error->message;
        continue;
      }
      step.status = Status::done;
      size_t dropped_here_or_later = 0;
      for (const Dropped& d : outcome_.dropped) {
        if (d.field == constraint.field && d.constraint >= c) ++dropped_here_or_later;
        if (d.constraint != c) continue;
        DropStep drop;
        slots_[constraint.local] = d.item;
        drop.item = show(p_.slots[constraint.local].name, p_.slots[constraint.local].type, d.item, output_reads_pii(constraint.field));
        drop.row = d.row;
        drop.condition = check(constraint.rows[d.row].when);
        step.dropped.push_back(std::move(drop));
      }
      // The items it was given: those still in the list, and those it or a later constraint dropped.
      if (lists_final) step.checked = outcome_.outputs[constraint.field].items.size() + dropped_here_or_later;
    }
  }

 private:
  static bool within(Span inner, Span outer) { return inner.begin >= outer.begin && inner.end <= outer.end; }

  void fail(Check& c, const EvalError& e) {
    c.failed = true;
    c.error = e.message;
    stopped_ = true;
  }

  // A matched segment row's score; rows without one count 0. Throws EvalError.
  Shown score(const CompiledRow& row) {
    if (row.score != kNone) return evaluate_shown(row.score);
    Shown zero = show("", Type::of(BaseType::number), Value::of_number(Decimal()), false);
    zero.constant = true;
    return zero;
  }

  void statement_step(const CompiledStatement& st, StatementStep& step, bool overridden) {
    std::string source = source_of(p_, st.span);
    std::string first_word = source.substr(0, source.find_first_of(" \""));
    if (st.kind == StatementKindC::assign) step.verb = "set";
    else if (first_word == "offer" || first_word == "action") step.verb = first_word;
    else step.verb = "add";  // FIELD += EXPR
    if (st.when != kNone) {
      step.when = check(st.when);
      if (step.when->failed) {
        step.status = StatementStatus::failed;
        return;
      }
      if (!step.when->result) {
        step.status = StatementStatus::skipped;
        return;
      }
    }
    if (overridden) {
      // The engine does not compute an overridden value; show it when it can be computed.
      step.status = StatementStatus::overridden;
      step.set_by = outcome_.set_by[st.field];
      const OutputField& field = p_.outputs[st.field];
      step.current = show(field.name, field.type, outcome_.outputs[st.field], output_reads_pii(st.field));
      try {
        step.value = evaluate_shown(st.value);
        step.uses = uses({st.value});
      } catch (const EvalError&) {
        // Left out: the engine never computed it, so it cannot stop the record.
      }
      return;
    }
    try {
      step.value = evaluate_shown(st.value);
      step.uses = uses({st.value});
      step.status = StatementStatus::applied;
    } catch (const EvalError& e) {
      step.status = StatementStatus::failed;
      step.error = e.message;
      stopped_ = true;
    }
  }

  void collect_leaves(uint32_t node, std::vector<Shown>& out) {
    const Node& n = p_.nodes[node];
    if (is_leaf(n.code)) {
      std::string expr = source_of(p_, n.span);
      for (const Shown& s : out)
        if (s.expr == expr) return;
      out.push_back(show(expr, n.type, eval_node(p_, node, slots_), reads_pii(node)));
      return;
    }
    for (uint32_t a : n.args) collect_leaves(a, out);
  }

  // An output some statement fills from personal data: its values are masked too.
  bool output_reads_pii(uint32_t field) {
    for (const Strategy& strategy : p_.strategies)
      for (const CompiledStatement& st : strategy.statements)
        if (st.field == field && reads_pii(st.value)) return true;
    return false;
  }

  // Personal data: a `pii` field, a let computed from one, an item of a list filled from one.
  bool reads_pii(uint32_t node) {
    const Node& n = p_.nodes[node];
    if (n.code == Code::slot || n.code == Code::local) return slot_is_pii(n.slot);
    for (uint32_t a : n.args)
      if (reads_pii(a)) return true;
    return false;
  }

  bool slot_is_pii(uint32_t slot) {
    if (slot_pii_[slot] < 0) {
      const Slot& s = p_.slots[slot];
      slot_pii_[slot] = 0;  // lets have no cycles; this only guards against reentry
      if (s.kind == SlotKind::input) slot_pii_[slot] = p_.inputs[s.decl].pii;
      else if (s.kind == SlotKind::let) slot_pii_[slot] = reads_pii(p_.lets[s.decl].value);
      for (const Constraint& c : p_.constraints)  // a constraint's item variable
        if (c.local == slot) slot_pii_[slot] = output_reads_pii(c.field);
    }
    return slot_pii_[slot] == 1;
  }

 private:
  const Program& p_;
  std::vector<Value>& slots_;
  Outcome& outcome_;
  const Trace& trace_;
  const ExplainOptions& options_;
  std::vector<int8_t> slot_pii_;
  bool stopped_ = false;
};

// The input field a record error names: the first `name` in its message that is one.
uint32_t field_named(const Program& p, std::string_view message) {
  for (size_t open = message.find('`'); open != std::string_view::npos; open = message.find('`', open + 1)) {
    size_t close = message.find('`', open + 1);
    if (close == std::string_view::npos) break;
    auto it = p.input_index.find(std::string(message.substr(open + 1, close - open - 1)));
    if (it != p.input_index.end()) return it->second;
    open = close;
  }
  return kNone;
}

Shown key_shown(const Program& p, const Value& value) {
  const InputField& key = p.inputs[p.key_field];
  Shown s;
  s.expr = key.name;
  s.type = key.type;
  s.value = value;
  // The key is printed as is: no grouping, no quotes.
  if (value.kind == ValueKind::string) s.text = value.text;
  else if (value.kind == ValueKind::number) s.text = value.number.to_string();
  else s.text = human_value(p, key.type, value);
  return s;
}

}  // namespace

Account build_account(const Program& p, std::vector<Value> slots, const ExplainOptions& options) {
  Account account;
  Outcome outcome;
  reset_outcome(p, outcome);
  outcome.slots = std::move(slots);
  outcome.slots.resize(p.slots.size());
  Trace trace;
  EvalError error;
  std::optional<EvalError> failed;
  if (!evaluate(p, outcome, error, &trace)) failed = error;

  account.as_of = outcome.slots[p.as_of_slot].date;
  if (p.key_field != kNone) account.key = key_shown(p, outcome.slots[p.inputs[p.key_field].slot]);
  account.lets.resize(p.lets.size());
  for (size_t i = 0; i < p.lets.size(); ++i) account.lets[i].value.expr = source_of(p, p.nodes[p.lets[i].value].span);
  account.decisions.resize(p.decisions.size());
  account.strategies.resize(p.strategies.size());

  Walker walker(p, outcome, trace, options);
  for (const Step& step : p.order) {
    if (step.is_let) walker.let_step(p.lets[step.index], account.lets[step.index]);
    else walker.decision_step(p.decisions[step.index], account.decisions[step.index]);
    if (walker.stopped()) break;
  }
  for (size_t s = 0; s < p.strategies.size() && !walker.stopped(); ++s) walker.strategy_step(s, account.strategies[s]);
  account.constraints.resize(p.constraints.size());
  if (!walker.stopped()) walker.constraint_steps(failed, account.constraints);

  if (failed) {
    Failure f;
    f.message = failed->message;
    f.line = line_of(p, failed->span);
    account.failure = std::move(f);
  } else {
    write_result(p, outcome, account.result);
  }
  return account;
}

Account record_error_account(const Program& p, const RecordProblem& problem, Date as_of) {
  Account account;
  account.as_of = as_of;
  if (problem.key && p.key_field != kNone) {
    account.key = key_shown(p, Value::of_string(*problem.key));
    account.key->type = Type::of(BaseType::string);
  }
  Failure f;
  f.record = true;
  f.message = problem.message;
  f.field = field_named(p, problem.message);
  account.failure = std::move(f);
  return account;
}

}  // namespace segrule::explain
