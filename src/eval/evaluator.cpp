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

// Kept out of line: the message formatting would otherwise weigh on every call
// of the evaluator (a larger stack frame, more registers saved).
[[noreturn, gnu::cold, gnu::noinline]] void arithmetic_failed(const Program& p, uint32_t node, DecimalStatus st) {
  const Node& n = p.nodes[node];
  int line = p.source ? static_cast<int>(p.source->line_of(n.span.begin)) : 0;
  if (st == DecimalStatus::division_by_zero)
    fail(p, node, fmt::format("division by zero in `{}` (line {})", source_text(p, n.span), line));
  fail(p, node, fmt::format("number out of range in `{}` (line {}): exact decimals hold at most 20 digits before the point", source_text(p, n.span), line));
}

inline Decimal arithmetic(const Program& p, uint32_t node, DecimalStatus st, Decimal result) {
  if (st != DecimalStatus::ok) [[unlikely]] arithmetic_failed(p, node, st);
  return result;
}

[[noreturn, gnu::cold, gnu::noinline]] void bad_round_digits(const Program& p, uint32_t node, Decimal digits) {
  fail(p, node, fmt::format("`round` takes between -19 and 18 decimal places, not {}", digits.to_string()));
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

// Each node writes its value into its own scratch Value and returns a
// reference: constants and slots are returned where they are, so evaluating
// copies nothing and, once the scratch strings and lists have grown, allocates
// nothing. A node's scratch is only rewritten when that node is evaluated again.
// Whether each node's value is the same for every record: no slot, no local
// (a quantifier's item) below it. Such nodes are computed once per Outcome:
// 0 = depends on the record, 1 = constant but not computed yet, 2 = computed.
void find_settled(const Program& p, std::vector<uint8_t>& constant) {
  constant.assign(p.nodes.size(), 0);
  // Children come before their parents in the node array, except where they do
  // not; so iterate to a fixed point (two passes in practice).
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < p.nodes.size(); ++i) {
      const Node& n = p.nodes[i];
      if (constant[i] || n.code == Code::slot || n.code == Code::local || n.code == Code::all || n.code == Code::any) continue;
      bool all_constant = true;
      for (uint32_t a : n.args) all_constant = all_constant && constant[a] == 1;
      if (all_constant) {
        constant[i] = 1;
        changed = true;
      }
    }
  }
}

class Machine {
 public:
  // `settled` (optional) caches the values of constant nodes across records.
  // `fused` and `fused_at` (optional): the one-step tests and, per node, which one it is.
  // `segment_rows`: the Outcome's, with the fused tests (symbol_in_segments reads it).
  Machine(const Program& p, std::vector<Value>& slots, std::vector<Value>& scratch, std::vector<uint8_t>* settled = nullptr,
          const FusedTest* fused = nullptr, const uint32_t* fused_at = nullptr,
          const std::vector<std::vector<uint64_t>>* segment_rows = nullptr)
      : p_(p), nodes_(p.nodes.data()), settled_(settled), fused_(fused), fused_at_(fused_at),
        segment_rows_(segment_rows ? segment_rows->data() : nullptr) {
    if (scratch.size() < p.nodes.size()) scratch.resize(p.nodes.size());
    // Raw pointers, read once: through the vectors every access would reload
    // their start (a call in between may, as far as the compiler knows, have moved it).
    slots_ = slots.data();
    scratch_ = scratch.data();
  }

  // Typed evaluation: a condition, a number or a symbol straight into a
  // register, without writing the 96-byte Value of every node on the way.
  // The checker guarantees the operands these read are not null (a `T?`
  // cannot be compared or computed with), and each falls back to eval() for
  // anything it does not take itself.
  bool test(uint32_t index) {
    if (fused_at_ && fused_at_[index] != kNone) return run_fused(fused_[fused_at_[index]]);
    const Node& n = nodes_[index];
    switch (n.code) {
      case Code::slot: case Code::local: return slots_[n.slot].boolean;
      case Code::constant: return n.constant.boolean;
      case Code::not_: return !test(n.args[0]);
      case Code::and_:
        for (uint32_t a : n.args)
          if (!test(a)) return false;
        return true;
      case Code::or_:
        for (uint32_t a : n.args)
          if (test(a)) return true;
        return false;
      case Code::lt: case Code::le: case Code::gt: case Code::ge: {
        const Type& operand = nodes_[n.args[0]].type;
        int c;
        if (operand.is_numeric()) {
          Decimal a = num(n.args[0]);
          Decimal b = num(n.args[1]);
          c = a < b ? -1 : (b < a ? 1 : 0);
        } else if (operand.base == BaseType::symbol) {
          const Domain& d = p_.domains[n.domain];
          int64_t a = d.rank(sym(n.args[0]));
          int64_t b = d.rank(sym(n.args[1]));
          c = a < b ? -1 : (b < a ? 1 : 0);
        } else {
          break;
        }
        return n.code == Code::lt ? c < 0 : n.code == Code::le ? c <= 0 : n.code == Code::gt ? c > 0 : c >= 0;
      }
      case Code::eq: case Code::ne: {
        const Type& a = nodes_[n.args[0]].type;
        const Type& b = nodes_[n.args[1]].type;
        if (a.nullable || b.nullable) break;
        bool same;
        if (a.base == BaseType::symbol && b.base == BaseType::symbol) same = sym(n.args[0]) == sym(n.args[1]);
        else if (a.is_numeric() && b.is_numeric()) same = num(n.args[0]) == num(n.args[1]);
        else break;
        return same == (n.code == Code::eq);
      }
      case Code::in: case Code::not_in: {
        const Type& item = nodes_[n.args[0]].type;
        if (item.base != BaseType::symbol) break;
        uint32_t s = sym(n.args[0]);
        bool found = false;
        for (const Value& v : eval(n.args[1]).items)
          if (v.symbol == s && v.kind == ValueKind::symbol) {
            found = true;
            break;
          }
        return found == (n.code == Code::in);
      }
      default: break;
    }
    return eval(index).boolean;
  }

  // A number-typed node that is not null. Leaves are read in place, without a
  // call: they are half of all operands.
  [[gnu::always_inline]] Decimal num(uint32_t index) {
    const Node& n = nodes_[index];
    if (n.code == Code::slot || n.code == Code::local) return slots_[n.slot].number;
    if (n.code == Code::constant) return n.constant.number;
    return num_inner(index, n);
  }

  // A symbol-typed node that is not null.
  [[gnu::always_inline]] uint32_t sym(uint32_t index) {
    const Node& n = nodes_[index];
    if (n.code == Code::slot || n.code == Code::local) return slots_[n.slot].symbol;
    if (n.code == Code::constant) return n.constant.symbol;
    return sym_inner(index, n);
  }

 private:
  Decimal num_inner(uint32_t index, const Node& n) {
    switch (n.code) {
      case Code::add: case Code::sub: case Code::mul: case Code::div: case Code::share: {
        if (settled_ && (*settled_)[index]) break;  // constant: computed once, by eval()
        Decimal a = num(n.args[0]);
        Decimal b = num(n.args[1]);
        Decimal result;
        DecimalStatus st;
        switch (n.code) {
          case Code::add: st = Decimal::add(a, b, result); break;
          case Code::sub: st = Decimal::sub(a, b, result); break;
          case Code::mul: st = Decimal::mul(a, b, result); break;
          case Code::div: st = Decimal::div(a, b, result); break;
          default:
            if (b.is_zero()) return Decimal();  // share(x, 0) is 0
            st = Decimal::div(a, b, result);
        }
        return arithmetic(p_, index, st, result);
      }
      case Code::min: case Code::max: {
        if (settled_ && (*settled_)[index]) break;
        Decimal best = num(n.args[0]);
        for (size_t i = 1; i < n.args.size(); ++i) {
          Decimal x = num(n.args[i]);
          if (n.code == Code::min ? x < best : best < x) best = x;
        }
        return best;
      }
      case Code::neg: return num(n.args[0]).negated();
      case Code::abs: return num(n.args[0]).abs();
      case Code::rank: return Decimal::from_int(p_.domains[n.domain].rank(sym(n.args[0])));
      case Code::attribute: {
        const Catalog& cat = p_.catalogs[p_.domains[n.domain].catalog];
        return cat.values[sym(n.args[0])][n.slot].number;
      }
      default: break;
    }
    return eval(index).number;
  }

  uint32_t sym_inner(uint32_t index, const Node& n) {
    if (n.code == Code::attribute) {  // `p.risk`: the item's attribute, straight from the catalog
      const Catalog& cat = p_.catalogs[p_.domains[n.domain].catalog];
      return cat.values[sym(n.args[0])][n.slot].symbol;
    }
    return eval(index).symbol;
  }

 public:
  [[gnu::always_inline]] const Value& eval(uint32_t index) {
    const Node& n = nodes_[index];
    // Leaves first, without a call: most operands are a slot or a constant.
    if (n.code == Code::slot || n.code == Code::local) return slots_[n.slot];
    if (n.code == Code::constant) return n.constant;
    if (settled_) {
      uint8_t& state = (*settled_)[index];
      if (state == 2) return scratch_[index];
      if (state == 1) {
        const Value& v = compute(index, n);
        if (&v != &scratch_[index]) assign_value(scratch_[index], v);
        state = 2;
        return scratch_[index];
      }
    }
    return compute(index, n);
  }

 private:
  const Value& compute(uint32_t index, const Node& n) {
    Value& r = scratch_[index];
    switch (n.code) {
      case Code::constant: return n.constant;
      case Code::slot:
      case Code::local: return slots_[n.slot];
      case Code::attribute: {
        const Value& item = eval(n.args[0]);
        const Catalog& cat = p_.catalogs[p_.domains[n.domain].catalog];
        return cat.values[item.symbol][n.slot];
      }
      case Code::neg: return number(r, eval(n.args[0]).number.negated());
      case Code::not_: return boolean(r, !test(n.args[0]));
      case Code::add: case Code::sub: case Code::mul: case Code::div: {
        Decimal a = eval(n.args[0]).number;
        Decimal b = eval(n.args[1]).number;
        Decimal result;
        DecimalStatus st = n.code == Code::add   ? Decimal::add(a, b, result)
                           : n.code == Code::sub ? Decimal::sub(a, b, result)
                           : n.code == Code::mul ? Decimal::mul(a, b, result)
                                                 : Decimal::div(a, b, result);
        return number(r, arithmetic(p_, index, st, result));
      }
      case Code::eq: return boolean(r, same_value(eval(n.args[0]), eval(n.args[1])));
      case Code::ne: return boolean(r, !same_value(eval(n.args[0]), eval(n.args[1])));
      case Code::lt: case Code::le: case Code::gt: case Code::ge: {
        int c = compare(p_, n, eval(n.args[0]), eval(n.args[1]));
        bool holds = n.code == Code::lt ? c < 0 : n.code == Code::le ? c <= 0 : n.code == Code::gt ? c > 0 : c >= 0;
        return boolean(r, holds);
      }
      case Code::in: return boolean(r, list_has(eval(n.args[1]), eval(n.args[0])));
      case Code::not_in: return boolean(r, !list_has(eval(n.args[1]), eval(n.args[0])));
      case Code::coalesce: {
        const Value& a = eval(n.args[0]);
        return a.is_null() ? eval(n.args[1]) : a;
      }
      case Code::and_:
        for (uint32_t a : n.args)
          if (!test(a)) return boolean(r, false);
        return boolean(r, true);
      case Code::or_:
        for (uint32_t a : n.args)
          if (test(a)) return boolean(r, true);
        return boolean(r, false);
      case Code::if_then: return test(n.args[0]) ? eval(n.args[1]) : eval(n.args[2]);
      case Code::is_null: return boolean(r, eval(n.args[0]).is_null());
      case Code::is_not_null: return boolean(r, !eval(n.args[0]).is_null());
      case Code::make_list: {
        // r is this node's own scratch, never an argument's: clearing it first is safe.
        r.kind = ValueKind::list;
        r.items.clear();
        for (uint32_t a : n.args) append_unique(r, eval(a));
        return r;
      }
      case Code::min: case Code::max: {
        Decimal best = eval(n.args[0]).number;
        for (size_t i = 1; i < n.args.size(); ++i) {
          Decimal x = eval(n.args[i]).number;
          if (n.code == Code::min ? x < best : best < x) best = x;
        }
        return number(r, best);
      }
      case Code::abs: return number(r, eval(n.args[0]).number.abs());
      case Code::round: {
        Decimal x = eval(n.args[0]).number;
        auto digits = eval(n.args[1]).number.to_int64();
        if (!digits || *digits < -19 || *digits > 18) bad_round_digits(p_, index, eval(n.args[1]).number);
        Decimal result;
        return number(r, arithmetic(p_, index, x.round_half_away(static_cast<int>(*digits), result), result));
      }
      case Code::share: {
        Decimal a = eval(n.args[0]).number;
        Decimal b = eval(n.args[1]).number;
        if (b.is_zero()) return number(r, Decimal());
        Decimal result;
        return number(r, arithmetic(p_, index, Decimal::div(a, b, result), result));
      }
      case Code::rank: return number(r, Decimal::from_int(p_.domains[n.domain].rank(eval(n.args[0]).symbol)));
      case Code::count: return number(r, Decimal::from_int(static_cast<int64_t>(eval(n.args[0]).items.size())));
      case Code::days_between: {
        Date a = eval(n.args[0]).date;
        return number(r, Decimal::from_int(days_between(a, eval(n.args[1]).date)));
      }
      case Code::years_between: {
        Date a = eval(n.args[0]).date;
        return number(r, Decimal::from_int(years_between(a, eval(n.args[1]).date)));
      }
      case Code::starts_with: {
        const std::string& s = eval(n.args[0]).text;
        const std::string& prefix = eval(n.args[1]).text;
        return boolean(r, s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0);
      }
      case Code::contains: {
        const std::string& s = eval(n.args[0]).text;
        return boolean(r, s.find(eval(n.args[1]).text) != std::string::npos);
      }
      case Code::symbol_text: {
        r.kind = ValueKind::string;
        r.text.assign(p_.domains[n.domain].ids[eval(n.args[0]).symbol]);
        return r;
      }
      case Code::list_contains: return boolean(r, list_has(eval(n.args[0]), eval(n.args[1])));
      case Code::all: case Code::any: {  // invariants: the item variable takes each list item in turn
        bool want = n.code == Code::any;
        const Value& list = eval(n.args[0]);
        for (const Value& item : list.items) {
          assign_value(slots_[n.slot], item);
          if (test(n.args[1]) == want) return boolean(r, want);
        }
        return boolean(r, !want);
      }
    }
    unknown_operation(index);
  }

  [[noreturn, gnu::cold, gnu::noinline]] void unknown_operation(uint32_t index) { fail(p_, index, "internal error: unknown operation"); }

  bool run_fused(const FusedTest& f) const { return f(slots_, segment_rows_); }

 public:
  // A condition from the plan: its one-step test, or the general path.
  bool holds(const Condition& c) { return c.fused ? run_fused(*c.fused) : test(c.node); }

 private:

  static const Value& number(Value& r, Decimal d) {
    r.kind = ValueKind::number;
    r.number = d;
    return r;
  }
  static const Value& boolean(Value& r, bool b) {
    r.kind = ValueKind::boolean;
    r.boolean = b;
    return r;
  }

  const Program& p_;
  const Node* nodes_;
  Value* slots_;    // the Outcome's slots, which the Machine never resizes
  Value* scratch_;
  std::vector<uint8_t>* settled_;
  const FusedTest* fused_;
  const uint32_t* fused_at_;
  const std::vector<uint64_t>* segment_rows_;  // the Outcome's, per decision
};

void run_decision(const Decision& d, Machine& m, Outcome& out, Trace* trace, size_t index) {
  std::vector<Value>& slots = out.slots;
  const Condition* row_tests = out.plan->rows[index].data();
  if (d.is_tiers) {
    for (size_t r = 0, rows = d.rows.size(); r < rows; ++r) {
      const Condition& row = row_tests[r];
      if (row.node == kNone || m.holds(row)) {
        Value& tier = slots[d.slot];
        tier.kind = ValueKind::symbol;
        tier.symbol = static_cast<uint32_t>(r);
        if (trace) trace->tier_row[index] = static_cast<uint32_t>(r);
        return;
      }
    }
    throw EvalError{d.span, fmt::format("no tier of `{}` matched", d.name)};
  }
  Value& matched = slots[d.slot];
  matched.kind = ValueKind::list;
  // The items of the last record are overwritten in place and the rest cut
  // off: no Value is built or destroyed for the rows that match again.
  size_t count = 0;
  // The same rows as a bitmap, for `x in decision` (FusedTest::Kind::symbol_in_segments).
  std::vector<uint64_t>& bits = out.segment_rows[index];
  const size_t words = d.rows.size() / 64 + 1;
  if (bits.size() == words) std::fill(bits.begin(), bits.end(), 0);  // usually one word: no call
  else bits.assign(words, 0);
  uint32_t primary = kNone;
  Decimal best;
  for (size_t r = 0, rows = d.rows.size(); r < rows; ++r) {
    const CompiledRow& row = d.rows[r];
    bool hit = m.holds(row_tests[r]);
    if (trace) trace->segment_matched[index][r] = hit;
    if (!hit) continue;
    bits[r / 64] |= uint64_t{1} << (r % 64);
    if (count == matched.items.size()) matched.items.emplace_back();
    Value& item = matched.items[count++];
    item.kind = ValueKind::symbol;
    item.symbol = static_cast<uint32_t>(r);
    Decimal score = row.score == kNone ? Decimal() : m.num(row.score);
    if (primary == kNone || best < score) {  // ties keep the earlier row
      primary = static_cast<uint32_t>(r);
      best = score;
    }
  }
  if (count < matched.items.size()) matched.items.erase(matched.items.begin() + static_cast<std::ptrdiff_t>(count), matched.items.end());
  if (d.primary_slot != kNone) {
    Value& p = slots[d.primary_slot];
    p.kind = primary == kNone ? ValueKind::null : ValueKind::symbol;
    p.symbol = primary == kNone ? 0 : primary;
  }
}

// append_unique, with a string item built in the storage of a spare one (Outcome::spare_texts).
void append_reusing(Value& list, const Value& item, std::vector<Value>& spare) {
  for (const Value& existing : list.items)
    if (same_value(existing, item)) return;
  Value& added = list.items.emplace_back();
  if (item.kind == ValueKind::string && !spare.empty()) {
    added = std::move(spare.back());
    spare.pop_back();
  }
  assign_value(added, item);
}

// The outcome's cache of constant nodes, started afresh for a new program.
std::vector<uint8_t>* settled_nodes(const Program& p, Outcome& out) {
  if (out.settled_for != &p) {
    find_settled(p, out.settled);
    out.plan = &eval_plan(p);
    out.settled_for = &p;
  }
  return &out.settled;
}

}  // namespace

void reset_outcome(const Program& program, Outcome& outcome) {
  outcome.slots.resize(program.slots.size());
  outcome.outputs.resize(program.outputs.size());
  outcome.in_list.resize(program.outputs.size());
  outcome.segment_rows.resize(program.decisions.size());
  for (size_t i = 0, outputs = program.outputs.size(); i < outputs; ++i) {
    const OutputField& output = program.outputs[i];
    Value& value = outcome.outputs[i];
    if (output.initial.kind == ValueKind::list && output.initial.items.empty()) {  // most lists: emptied in place
      value.kind = ValueKind::list;
      // Strings longer than the short-string buffer own heap memory: kept for
      // the next record's items rather than freed and allocated again.
      for (Value& item : value.items)
        if (item.kind == ValueKind::string) outcome.spare_texts.push_back(std::move(item));
      value.items.clear();
    } else {
      assign_value(value, output.initial);
    }
    // Lists of symbols remember which symbols they hold, so appending stays
    // constant-time however long the list (offers from a large catalog).
    if (output.type.base != BaseType::list || output.type.element != BaseType::symbol) continue;
    std::vector<uint64_t>& bits = outcome.in_list[i];
    size_t words = program.domains[output.type.domain].ids.size() / 64 + 1;
    if (bits.size() == words) std::fill(bits.begin(), bits.end(), 0);
    else bits.assign(words, 0);
    for (const Value& item : output.initial.items) bits[item.symbol / 64] |= uint64_t{1} << (item.symbol % 64);
  }
  if (outcome.set_by.size() == program.outputs.size()) std::fill(outcome.set_by.begin(), outcome.set_by.end(), kNone);
  else outcome.set_by.assign(program.outputs.size(), kNone);
  outcome.dropped.clear();
}

Value eval_node(const Program& program, uint32_t node, std::vector<Value>& slots) {
  // Reused from call to call (explain evaluates every condition part this way):
  // each node writes its scratch before it is read, so what an earlier call or
  // program left there never shows.
  thread_local std::vector<Value> scratch;
  Machine m(program, slots, scratch);
  return m.eval(node);
}

bool eval_condition(const Program& program, uint32_t node, Outcome& outcome) {
  std::vector<uint8_t>* settled = settled_nodes(program, outcome);  // also sets outcome.plan
  Machine m(program, outcome.slots, outcome.scratch, settled, outcome.plan->fused.data(), outcome.plan->fused_at.data(), &outcome.segment_rows);
  return m.test(node);
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
  std::vector<uint8_t>* settled = settled_nodes(p, out);  // also sets out.plan
  Machine m(p, out.slots, out.scratch, settled, out.plan->fused.data(), out.plan->fused_at.data(), &out.segment_rows);
  try {
    for (const Step& step : p.order) {
      if (step.is_let && out.plan->direct_lets[step.index].code != 0) {
        const DirectLet& direct = out.plan->direct_lets[step.index];
        const Let& let = p.lets[step.index];
        Decimal a = direct.left != kNone ? out.slots[direct.left].number : m.num(direct.left_node);
        Decimal b = direct.right != kNone ? out.slots[direct.right].number : m.num(direct.right_node);
        Decimal result;
        DecimalStatus st = DecimalStatus::ok;
        switch (static_cast<Code>(direct.code)) {
          case Code::add: st = Decimal::add(a, b, result); break;
          case Code::sub: st = Decimal::sub(a, b, result); break;
          case Code::mul: st = Decimal::mul(a, b, result); break;
          case Code::div: st = Decimal::div(a, b, result); break;
          default:
            if (!b.is_zero()) st = Decimal::div(a, b, result);  // share(x, 0) is 0
        }
        Value& slot = out.slots[let.slot];
        slot.number = arithmetic(p, let.value, st, result);
        slot.kind = ValueKind::number;
      } else if (step.is_let) {
        const Let& let = p.lets[step.index];
        const Type& type = p.nodes[let.value].type;
        Value& slot = out.slots[let.slot];
        if (type.is_numeric() && !type.nullable) {
          slot.number = m.num(let.value);
          slot.kind = ValueKind::number;
        } else {
          assign_value(slot, m.eval(let.value));
        }
      } else {
        run_decision(p.decisions[step.index], m, out, trace, step.index);
      }
    }
    // Loop bounds are read once: the compiler cannot tell that the calls in the
    // bodies leave the vectors' sizes alone.
    // The strategies worth testing: those with no guard, and those whose guard's row matched.
    std::vector<uint64_t>& candidates = out.candidates;
    candidates.assign(out.plan->guards.unguarded.begin(), out.plan->guards.unguarded.end());
    const size_t words = candidates.size();
    for (const StrategyGuards::ByRow& by_row : out.plan->guards.decisions) {
      auto add = [&](uint32_t row) {
        if (!by_row.masks.empty()) {
          const uint64_t* mask = by_row.masks.data() + row * words;
          for (size_t w = 0; w < words; ++w) candidates[w] |= mask[w];
          return;
        }
        for (uint32_t s : by_row.strategies[row]) candidates[s / 64] |= uint64_t{1} << (s % 64);
      };
      const Decision& d = p.decisions[by_row.decision];
      if (d.is_tiers) {
        add(out.slots[d.slot].symbol);
      } else {
        const std::vector<uint64_t>& matched = out.segment_rows[by_row.decision];
        for (size_t w = 0; w < matched.size(); ++w)
          for (uint64_t bits = matched[w]; bits != 0; bits &= bits - 1)
            add(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
      }
    }
    for (size_t word = 0; word < words; ++word)
    for (uint64_t bits = candidates[word]; bits != 0; bits &= bits - 1) {
      size_t s = word * 64 + static_cast<size_t>(__builtin_ctzll(bits));
      const Strategy& strategy = p.strategies[s];
      const PlanVector<StatementPlan>& statement_plans = out.plan->statements[s];
      if (!m.holds(out.plan->strategy_when[s])) continue;
      if (trace) trace->strategy_fired[s] = true;
      for (size_t k = 0, statements = strategy.statements.size(); k < statements; ++k) {
        const CompiledStatement& st = strategy.statements[k];
        if (st.when != kNone && !m.holds(statement_plans[k].when)) continue;
        if (st.kind == StatementKindC::assign) {
          // First set wins: a later strategy does not change what an earlier one set.
          if (out.set_by[st.field] != kNone) {
            if (trace) trace->statement_overridden[s][k] = true;
            continue;
          }
          assign_value(out.outputs[st.field], m.eval(st.value));
          out.set_by[st.field] = static_cast<uint32_t>(s);
        } else {
          Value& list = out.outputs[st.field];
          std::vector<uint64_t>& bits = out.in_list[st.field];
          const StatementPlan& constant = statement_plans[k];
          if (constant.constant && !bits.empty()) {  // `offer a, b`: the symbols, straight from the plan
            for (uint32_t symbol : constant.symbols) {
              uint64_t bit = uint64_t{1} << (symbol % 64);
              if (bits[symbol / 64] & bit) continue;
              bits[symbol / 64] |= bit;
              Value& added = list.items.emplace_back();
              added.kind = ValueKind::symbol;
              added.symbol = symbol;
            }
            if (trace) trace->statement_applied[s][k] = true;
            continue;
          }
          const Value& v = m.eval(st.value);
          auto append = [&](const Value& item) {
            if (bits.empty() || item.kind != ValueKind::symbol) return append_reusing(list, item, out.spare_texts);
            uint64_t bit = uint64_t{1} << (item.symbol % 64);
            if (bits[item.symbol / 64] & bit) return;
            bits[item.symbol / 64] |= bit;
            Value& added = list.items.emplace_back();
            added.kind = ValueKind::symbol;
            added.symbol = item.symbol;
          };
          if (v.kind == ValueKind::list) {
            for (const Value& item : v.items) append(item);
          } else {
            append(v);
          }
        }
        if (trace) trace->statement_applied[s][k] = true;
      }
    }
    for (size_t c = 0, constraints = p.constraints.size(); c < constraints; ++c) {
      const Constraint& constraint = p.constraints[c];
      Value& list = out.outputs[constraint.field];
      Value& local = out.slots[constraint.local];
      const Condition* rows = out.plan->drop_rows[c].data();
      const size_t row_count = constraint.rows.size();
      size_t kept = 0;  // items kept move to the front, in order, without a second list
      for (size_t i = 0, items = list.items.size(); i < items; ++i) {
        Value& item = list.items[i];
        assign_value(local, item);
        uint32_t dropped_by = kNone;
        for (size_t r = 0; r < row_count; ++r)
          if (m.holds(rows[r])) {
            dropped_by = static_cast<uint32_t>(r);
            break;
          }
        if (dropped_by != kNone) {
          Dropped& dropped = out.dropped.emplace_back();
          dropped.field = constraint.field;
          assign_value(dropped.item, item);
          dropped.constraint = static_cast<uint32_t>(c);
          dropped.row = dropped_by;
          continue;
        }
        if (kept != i) {  // the item at `kept` was dropped: this one takes its place
          if (item.kind == ValueKind::symbol) assign_value(list.items[kept], item);
          else list.items[kept] = std::move(item);
        }
        ++kept;
      }
      if (kept < list.items.size()) list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(kept), list.items.end());
    }
  } catch (EvalError& e) {
    error = std::move(e);
    return false;
  }
  return check_invariants(p, out, error);
}

}  // namespace segrule
