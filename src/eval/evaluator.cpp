#include "eval/evaluator.hpp"

#include <fmt/format.h>

#include "eval/invariants.hpp"

namespace segrule {

namespace {

[[noreturn]] void fail(const Program& p, uint32_t node, std::string message) {
  (void)p;
  throw EvalError{p.nodes[node].span, std::move(message)};
}

std::string source_text(const Program& p, Span s) {
  std::string_view t = p.source ? p.source->text() : std::string_view();
  if (s.end > t.size() || s.begin >= s.end) return "expression";
  return std::string(t.substr(s.begin, s.end - s.begin));
}

Decimal arithmetic(const Program& p, uint32_t node, DecimalStatus st, Decimal result) {
  if (st == DecimalStatus::ok) return result;
  const Node& n = p.nodes[node];
  int line = p.source ? static_cast<int>(p.source->line_of(n.span.begin)) : 0;
  if (st == DecimalStatus::division_by_zero)
    fail(p, node, fmt::format("division by zero in `{}` (line {})", source_text(p, n.span), line));
  fail(p, node, fmt::format("number out of range in `{}` (line {}): exact decimals hold at most 20 digits before the point", source_text(p, n.span), line));
}

// Three-way comparison of two non-null values of one type.
int compare(const Program& p, const Node& n, const Value& a, const Value& b) {
  switch (a.kind) {
    case ValueKind::number: return a.number < b.number ? -1 : (b.number < a.number ? 1 : 0);
    case ValueKind::date: return a.date.days < b.date.days ? -1 : (a.date.days > b.date.days ? 1 : 0);
    case ValueKind::symbol: {
      int64_t ra = p.domains[n.domain].rank(a.symbol);
      int64_t rb = p.domains[n.domain].rank(b.symbol);
      return ra < rb ? -1 : (ra > rb ? 1 : 0);
    }
    default: return 0;
  }
}

bool list_has(const Value& list, const Value& item) {
  for (const Value& v : list.items)
    if (same_value(v, item)) return true;
  return false;
}

class Machine {
 public:
  Machine(const Program& p, std::vector<Value>& slots) : p_(p), slots_(slots) {}

  bool test(uint32_t node) { return eval(node).boolean; }

  Value eval(uint32_t index) {
    const Node& n = p_.nodes[index];
    switch (n.code) {
      case Code::constant: return n.constant;
      case Code::slot:
      case Code::local: return slots_[n.slot];
      case Code::attribute: {
        Value item = eval(n.args[0]);
        const Catalog& cat = p_.catalogs[p_.domains[n.domain].catalog];
        return cat.values[item.symbol][n.slot];
      }
      case Code::neg: return Value::of_number(eval(n.args[0]).number.negated());
      case Code::not_: return Value::of_bool(!test(n.args[0]));
      case Code::add: case Code::sub: case Code::mul: case Code::div: {
        Decimal a = eval(n.args[0]).number;
        Decimal b = eval(n.args[1]).number;
        Decimal r;
        DecimalStatus st = n.code == Code::add   ? Decimal::add(a, b, r)
                           : n.code == Code::sub ? Decimal::sub(a, b, r)
                           : n.code == Code::mul ? Decimal::mul(a, b, r)
                                                 : Decimal::div(a, b, r);
        return Value::of_number(arithmetic(p_, index, st, r));
      }
      case Code::eq: return Value::of_bool(same_value(eval(n.args[0]), eval(n.args[1])));
      case Code::ne: return Value::of_bool(!same_value(eval(n.args[0]), eval(n.args[1])));
      case Code::lt: case Code::le: case Code::gt: case Code::ge: {
        int c = compare(p_, n, eval(n.args[0]), eval(n.args[1]));
        bool r = n.code == Code::lt ? c < 0 : n.code == Code::le ? c <= 0 : n.code == Code::gt ? c > 0 : c >= 0;
        return Value::of_bool(r);
      }
      case Code::in: return Value::of_bool(list_has(eval(n.args[1]), eval(n.args[0])));
      case Code::not_in: return Value::of_bool(!list_has(eval(n.args[1]), eval(n.args[0])));
      case Code::coalesce: {
        Value a = eval(n.args[0]);
        return a.is_null() ? eval(n.args[1]) : a;
      }
      case Code::and_:
        for (uint32_t a : n.args)
          if (!test(a)) return Value::of_bool(false);
        return Value::of_bool(true);
      case Code::or_:
        for (uint32_t a : n.args)
          if (test(a)) return Value::of_bool(true);
        return Value::of_bool(false);
      case Code::if_then: return test(n.args[0]) ? eval(n.args[1]) : eval(n.args[2]);
      case Code::is_null: return Value::of_bool(eval(n.args[0]).is_null());
      case Code::is_not_null: return Value::of_bool(!eval(n.args[0]).is_null());
      case Code::make_list: {
        Value list = Value::empty_list();
        for (uint32_t a : n.args) append_unique(list, eval(a));
        return list;
      }
      case Code::min: case Code::max: {
        Decimal best = eval(n.args[0]).number;
        for (size_t i = 1; i < n.args.size(); ++i) {
          Decimal x = eval(n.args[i]).number;
          if (n.code == Code::min ? x < best : best < x) best = x;
        }
        return Value::of_number(best);
      }
      case Code::abs: return Value::of_number(eval(n.args[0]).number.abs());
      case Code::round: {
        Decimal x = eval(n.args[0]).number;
        auto digits = eval(n.args[1]).number.to_int64();
        if (!digits || *digits < -19 || *digits > 18)
          fail(p_, index, fmt::format("`round` takes between -19 and 18 decimal places, not {}", eval(n.args[1]).number.to_string()));
        Decimal r;
        return Value::of_number(arithmetic(p_, index, x.round_half_away(static_cast<int>(*digits), r), r));
      }
      case Code::share: {
        Decimal a = eval(n.args[0]).number;
        Decimal b = eval(n.args[1]).number;
        if (b.is_zero()) return Value::of_number(Decimal());
        Decimal r;
        return Value::of_number(arithmetic(p_, index, Decimal::div(a, b, r), r));
      }
      case Code::rank: return Value::of_number(Decimal::from_int(p_.domains[n.domain].rank(eval(n.args[0]).symbol)));
      case Code::count: return Value::of_number(Decimal::from_int(static_cast<int64_t>(eval(n.args[0]).items.size())));
      case Code::days_between: return Value::of_number(Decimal::from_int(days_between(eval(n.args[0]).date, eval(n.args[1]).date)));
      case Code::years_between: return Value::of_number(Decimal::from_int(years_between(eval(n.args[0]).date, eval(n.args[1]).date)));
      case Code::starts_with: {
        Value s = eval(n.args[0]);
        Value prefix = eval(n.args[1]);
        return Value::of_bool(s.text.compare(0, prefix.text.size(), prefix.text) == 0 && s.text.size() >= prefix.text.size());
      }
      case Code::contains: return Value::of_bool(eval(n.args[0]).text.find(eval(n.args[1]).text) != std::string::npos);
      case Code::symbol_text: return Value::of_string(p_.domains[n.domain].ids[eval(n.args[0]).symbol]);
      case Code::list_contains: return Value::of_bool(list_has(eval(n.args[0]), eval(n.args[1])));
      case Code::all: case Code::any: {  // invariants: the item variable takes each list item in turn
        bool want = n.code == Code::any;
        Value list = eval(n.args[0]);
        for (const Value& item : list.items) {
          slots_[n.slot] = item;
          if (test(n.args[1]) == want) return Value::of_bool(want);
        }
        return Value::of_bool(!want);
      }
    }
    fail(p_, index, "internal error: unknown operation");
  }

 private:
  const Program& p_;
  std::vector<Value>& slots_;
};

void run_decision(const Program& p, const Decision& d, Machine& m, std::vector<Value>& slots, Trace* trace, size_t index) {
  if (d.is_tiers) {
    for (size_t r = 0; r < d.rows.size(); ++r) {
      const CompiledRow& row = d.rows[r];
      if (row.condition == kNone || m.test(row.condition)) {
        slots[d.slot] = Value::of_symbol(static_cast<uint32_t>(r));
        if (trace) trace->tier_row[index] = static_cast<uint32_t>(r);
        return;
      }
    }
    throw EvalError{d.span, fmt::format("no tier of `{}` matched", d.name)};
  }
  Value matched = Value::empty_list();
  uint32_t primary = kNone;
  Decimal best;
  for (size_t r = 0; r < d.rows.size(); ++r) {
    const CompiledRow& row = d.rows[r];
    bool hit = m.test(row.condition);
    if (trace) trace->segment_matched[index][r] = hit;
    if (!hit) continue;
    matched.items.push_back(Value::of_symbol(static_cast<uint32_t>(r)));
    Decimal score = row.score == kNone ? Decimal() : m.eval(row.score).number;
    if (primary == kNone || best < score) {  // ties keep the earlier row
      primary = static_cast<uint32_t>(r);
      best = score;
    }
  }
  slots[d.slot] = std::move(matched);
  if (d.primary_slot != kNone) slots[d.primary_slot] = primary == kNone ? Value{} : Value::of_symbol(primary);
  (void)p;
}

}  // namespace

void reset_outcome(const Program& program, Outcome& outcome) {
  outcome.slots.resize(program.slots.size());
  outcome.outputs.resize(program.outputs.size());
  for (size_t i = 0; i < program.outputs.size(); ++i) outcome.outputs[i] = program.outputs[i].initial;
  outcome.set_by.assign(program.outputs.size(), kNone);
  outcome.dropped.clear();
}

Value eval_node(const Program& program, uint32_t node, std::vector<Value>& slots) {
  Machine m(program, slots);
  return m.eval(node);
}

bool evaluate(const Program& p, Outcome& out, EvalError& error, Trace* trace) {
  if (trace) {
    trace->tier_row.assign(p.decisions.size(), kNone);
    trace->segment_matched.assign(p.decisions.size(), {});
    for (size_t i = 0; i < p.decisions.size(); ++i) trace->segment_matched[i].assign(p.decisions[i].rows.size(), false);
    trace->strategy_fired.assign(p.strategies.size(), false);
    trace->statement_applied.assign(p.strategies.size(), {});
    trace->statement_overridden.assign(p.strategies.size(), {});
    for (size_t i = 0; i < p.strategies.size(); ++i) {
      trace->statement_applied[i].assign(p.strategies[i].statements.size(), false);
      trace->statement_overridden[i].assign(p.strategies[i].statements.size(), false);
    }
  }
  Machine m(p, out.slots);
  try {
    for (const Step& step : p.order) {
      if (step.is_let) {
        const Let& let = p.lets[step.index];
        out.slots[let.slot] = m.eval(let.value);
      } else {
        run_decision(p, p.decisions[step.index], m, out.slots, trace, step.index);
      }
    }
    for (size_t s = 0; s < p.strategies.size(); ++s) {
      const Strategy& strategy = p.strategies[s];
      if (!m.test(strategy.when)) continue;
      if (trace) trace->strategy_fired[s] = true;
      for (size_t k = 0; k < strategy.statements.size(); ++k) {
        const CompiledStatement& st = strategy.statements[k];
        if (st.when != kNone && !m.test(st.when)) continue;
        if (st.kind == StatementKindC::assign) {
          // First set wins: a later strategy does not change what an earlier one set.
          if (out.set_by[st.field] != kNone) {
            if (trace) trace->statement_overridden[s][k] = true;
            continue;
          }
          out.outputs[st.field] = m.eval(st.value);
          out.set_by[st.field] = static_cast<uint32_t>(s);
        } else {
          Value v = m.eval(st.value);
          Value& list = out.outputs[st.field];
          if (v.kind == ValueKind::list) {
            for (const Value& item : v.items) append_unique(list, item);
          } else {
            append_unique(list, v);
          }
        }
        if (trace) trace->statement_applied[s][k] = true;
      }
    }
    for (size_t c = 0; c < p.constraints.size(); ++c) {
      const Constraint& constraint = p.constraints[c];
      Value& list = out.outputs[constraint.field];
      std::vector<Value> kept;
      kept.reserve(list.items.size());
      for (Value& item : list.items) {
        out.slots[constraint.local] = item;
        uint32_t dropped_by = kNone;
        for (size_t r = 0; r < constraint.rows.size() && dropped_by == kNone; ++r)
          if (m.test(constraint.rows[r].when)) dropped_by = static_cast<uint32_t>(r);
        if (dropped_by == kNone) kept.push_back(std::move(item));
        else out.dropped.push_back(Dropped{constraint.field, std::move(item), static_cast<uint32_t>(c), dropped_by});
      }
      list.items = std::move(kept);
    }
  } catch (EvalError& e) {
    error = std::move(e);
    return false;
  }
  return check_invariants(p, out, error);
}

}  // namespace segrule
