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

  // The compares of a slot with a bound (see Condition).
  [[gnu::always_inline]] bool number_less(const Condition& c) const { return (slots_[c.slot].number.units() < c.bound()) != c.invert; }
  [[gnu::always_inline]] bool number_equal(const Condition& c) const { return (slots_[c.slot].number.units() == c.bound()) != c.invert; }
  [[gnu::always_inline]] bool symbol_less(const Condition& c) const {
    return (static_cast<int64_t>(slots_[c.slot].symbol) < static_cast<int64_t>(c.bound_low)) != c.invert;
  }
  [[gnu::always_inline]] bool symbol_equal(const Condition& c) const {
    return (static_cast<int64_t>(slots_[c.slot].symbol) == static_cast<int64_t>(c.bound_low)) != c.invert;
  }

  // A compare, or a one-step test by its function: the parts of an `and` or `or` condition.
  [[gnu::always_inline]] bool holds_part(const Condition& c) const {
    switch (c.op) {
      case Condition::Op::number_less: return number_less(c);
      case Condition::Op::number_equal: return number_equal(c);
      case Condition::Op::symbol_less: return symbol_less(c);
      case Condition::Op::symbol_equal: return symbol_equal(c);
      default: return run_fused(*c.fused);
    }
  }

 public:
  // A condition from the plan (see Condition).
  [[gnu::always_inline]] bool holds(const Condition& c) {
    switch (c.op) {
      case Condition::Op::none: return true;
      case Condition::Op::number_less: return number_less(c);
      case Condition::Op::number_equal: return number_equal(c);
      case Condition::Op::symbol_less: return symbol_less(c);
      case Condition::Op::symbol_equal: return symbol_equal(c);
      case Condition::Op::all_of:
        for (uint32_t i = 0; i < c.part_count; ++i)
          if (!holds_part(c.parts[i])) return false;
        return true;
      case Condition::Op::any_of:
        for (uint32_t i = 0; i < c.part_count; ++i)
          if (holds_part(c.parts[i])) return true;
        return false;
      case Condition::Op::fused: return run_fused(*c.fused);
      case Condition::Op::general: break;
    }
    return test(c.node);
  }

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

// Segments of up to 64 rows: the rows that hold as one word first, then the
// list written from it, with no branch per row on whether it matched.
void run_small_segments(const Decision& d, Machine& m, Outcome& out, Trace* trace, size_t index) {
  Value* const slots = out.slots.data();
  const RowPlan* const rows = out.plan->rows[index].data();
  const uint32_t row_count = static_cast<uint32_t>(d.rows.size());
  uint64_t hits = 0;
  for (uint32_t r = 0; r < row_count; ++r) hits |= static_cast<uint64_t>(m.holds(rows[r].when)) << r;
  if (trace)
    for (uint32_t r = 0; r < row_count; ++r) trace->segment_matched[index][r] = (hits >> r) & 1;
  std::vector<uint64_t>& bits = out.segment_rows[index];
  if (bits.size() != 1) bits.assign(1, 0);
  bits[0] = hits;
  std::vector<Value>& items = slots[d.slot].items;
  const size_t count = static_cast<size_t>(__builtin_popcountll(hits));
  // The items of the last record are overwritten in place: only a change in
  // their number builds or destroys one.
  if (items.size() != count) items.resize(count);
  Value* item = items.data();
  uint32_t primary = kNone;
  Decimal best;
  for (uint64_t left = hits; left != 0; left &= left - 1, ++item) {
    const uint32_t r = static_cast<uint32_t>(__builtin_ctzll(left));
    item->kind = ValueKind::symbol;
    item->symbol = r;
    const RowPlan& row = rows[r];
    const Decimal score = row.score_slot != kNone ? slots[row.score_slot].number : row.score_node != kNone ? m.num(row.score_node) : Decimal();
    if (primary == kNone || best < score) {  // ties keep the earlier row
      primary = r;
      best = score;
    }
  }
  if (d.primary_slot != kNone) {
    Value& p = slots[d.primary_slot];
    p.kind = primary == kNone ? ValueKind::null : ValueKind::symbol;
    p.symbol = primary == kNone ? 0 : primary;
  }
}

// Tiers: the first row that holds. Segments: every row that holds, in order,
// and the primary one by score.
void run_decision(const Decision& d, Machine& m, Outcome& out, Trace* trace, size_t index) {
  Value* const slots = out.slots.data();
  const RowPlan* const rows = out.plan->rows[index].data();
  const uint32_t row_count = static_cast<uint32_t>(d.rows.size());
  if (d.is_tiers) {
    for (uint32_t r = 0; r < row_count; ++r) {
      if (!m.holds(rows[r].when)) continue;
      Value& tier = slots[d.slot];
      tier.kind = ValueKind::symbol;
      tier.symbol = r;
      if (trace) trace->tier_row[index] = r;
      return;
    }
    throw EvalError{d.span, fmt::format("no tier of `{}` matched", d.name)};
  }
  Value& matched = slots[d.slot];
  matched.kind = ValueKind::list;
  std::vector<Value>& items = matched.items;
  if (row_count <= 64) return run_small_segments(d, m, out, trace, index);
  // The items of the last record are overwritten in place and the rest cut
  // off: no Value is built or destroyed for the rows that match again.
  uint32_t count = 0;
  // The same rows as a bitmap, for `x in decision` (FusedTest::Kind::symbol_in_segments).
  std::vector<uint64_t>& bits = out.segment_rows[index];
  const size_t words = row_count / 64 + 1;
  if (bits.size() != words) bits.assign(words, 0);
  uint64_t* const bit_words = bits.data();
  bit_words[0] = 0;
  for (size_t w = 1; w < words; ++w) bit_words[w] = 0;
  uint32_t primary = kNone;
  Decimal best;
  for (uint32_t r = 0; r < row_count; ++r) {
    const RowPlan& row = rows[r];
    const bool hit = m.holds(row.when);
    if (trace) trace->segment_matched[index][r] = hit;
    if (!hit) continue;
    bit_words[r / 64] |= uint64_t{1} << (r % 64);
    if (count == items.size()) items.emplace_back();
    Value& item = items[count++];
    item.kind = ValueKind::symbol;
    item.symbol = r;
    const Decimal score = row.score_slot != kNone ? slots[row.score_slot].number : row.score_node != kNone ? m.num(row.score_node) : Decimal();
    if (primary == kNone || best < score) {  // ties keep the earlier row
      primary = r;
      best = score;
    }
  }
  if (count < items.size()) items.erase(items.begin() + count, items.end());
  if (d.primary_slot != kNone) {
    Value& p = slots[d.primary_slot];
    p.kind = primary == kNone ? ValueKind::null : ValueKind::symbol;
    p.symbol = primary == kNone ? 0 : primary;
  }
}

// Sizes an Outcome's state for `p` and finds the program's plan and constant
// nodes: once, when the Outcome meets the program.
void bind_outcome(const Program& p, Outcome& out) {
  find_settled(p, out.settled);
  out.plan = &eval_plan(p);
  out.settled_for = &p;
  out.slots.resize(p.slots.size());
  out.outputs.assign(p.outputs.size(), Value{});
  out.list_size.assign(p.outputs.size(), 0);
  out.in_list.assign(out.plan->list_bit_words, 0);
  out.segment_rows.resize(p.decisions.size());
  out.set_by.assign(p.outputs.size(), kNone);
  out.dropped.clear();
  out.dropped_size = 0;
}

// List outputs are built over the last record's items (Outcome::list_size):
// an item overwritten in place keeps its string's capacity and costs no
// construction or destruction.
class ListBuilder {
 public:
  explicit ListBuilder(Outcome& out) : out_(out), list_bits_(out.plan->list_bits.data()) {}

  // Appends `item` to the list output `field` unless it holds it already.
  void append(uint32_t field, const Value& item) {
    if (list_bits_[field] != kNone && item.kind == ValueKind::symbol) return append_symbol(field, item.symbol);
    Value& list = out_.outputs[field];
    uint32_t& size = out_.list_size[field];
    for (uint32_t i = 0; i < size; ++i)
      if (same_value(list.items[i], item)) return;
    assign_value(next_item(list, size, item.kind == ValueKind::string), item);
  }

  // Constant symbols (`offer a, b`), each unless the list holds it already:
  // the list's state is looked up once for all of them.
  void append_symbols(uint32_t field, const uint32_t* symbols, size_t count) {
    uint64_t* const bits = out_.in_list.data() + list_bits_[field];
    std::vector<Value>& items = out_.outputs[field].items;
    uint32_t& size = out_.list_size[field];
    if (items.size() < size + count) items.resize(size + count);
    Value* const at = items.data();
    uint32_t n = size;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t symbol = symbols[i];
      uint64_t& word = bits[symbol / 64];
      const uint64_t bit = uint64_t{1} << (symbol % 64);
      if (word & bit) continue;
      word |= bit;
      at[n].kind = ValueKind::symbol;
      at[n].symbol = symbol;
      ++n;
    }
    size = n;
  }

  // The same for a symbol of a list of symbols, looked up in its bitmap.
  [[gnu::always_inline]] void append_symbol(uint32_t field, uint32_t symbol) {
    uint64_t& word = out_.in_list[list_bits_[field] + symbol / 64];
    const uint64_t bit = uint64_t{1} << (symbol % 64);
    if (word & bit) return;
    word |= bit;
    Value& item = next_item(out_.outputs[field], out_.list_size[field], false);
    item.kind = ValueKind::symbol;
    item.symbol = symbol;
  }

 private:
  // The item at `size`, made when the list never held that many (from a spare
  // string's storage for a string); `size` grows by one.
  Value& next_item(Value& list, uint32_t& size, bool for_text) {
    if (size == list.items.size()) {
      if (!for_text || out_.spare_texts.empty()) list.items.emplace_back();
      else {
        list.items.push_back(std::move(out_.spare_texts.back()));
        out_.spare_texts.pop_back();
      }
    }
    return list.items[size++];
  }

  Outcome& out_;
  const uint32_t* list_bits_;  // EvalPlan::list_bits
};

// Cuts list outputs and `dropped` to what this record produced. Strings cut
// off are kept, for their capacity, for the next record's lists.
void finish_lists(const EvalPlan& plan, Outcome& out) {
  for (const OutputReset& r : plan.output_resets) {
    if (r.kind == OutputReset::Kind::scalar) continue;
    std::vector<Value>& items = out.outputs[r.output].items;
    const size_t size = out.list_size[r.output];
    if (items.size() <= size) continue;
    for (size_t i = size; i < items.size(); ++i)
      if (items[i].kind == ValueKind::string) out.spare_texts.push_back(std::move(items[i]));
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(size), items.end());
  }
  if (out.dropped.size() > out.dropped_size)
    out.dropped.erase(out.dropped.begin() + static_cast<std::ptrdiff_t>(out.dropped_size), out.dropped.end());
}

}  // namespace

void reset_outcome(const Program& program, Outcome& outcome) {
  if (outcome.settled_for != &program) bind_outcome(program, outcome);
  const EvalPlan& plan = *outcome.plan;
  Value* const outputs = outcome.outputs.data();
  uint32_t* const list_size = outcome.list_size.data();
  uint64_t* const bits = outcome.in_list.data();
  for (const OutputReset& r : plan.output_resets) {
    Value& value = outputs[r.output];
    if (r.kind == OutputReset::Kind::scalar) {
      assign_value(value, *r.initial);
      continue;
    }
    value.kind = ValueKind::list;
    list_size[r.output] = 0;
    for (uint32_t w = 0; w < r.bitmap_words; ++w) bits[r.bitmap_at + w] = 0;
    if (r.kind == OutputReset::Kind::list) {
      ListBuilder lists(outcome);
      for (const Value& item : r.initial->items) lists.append(r.output, item);
    }
  }
  uint32_t* const set_by = outcome.set_by.data();
  for (size_t i = 0, n = outcome.set_by.size(); i < n; ++i) set_by[i] = kNone;
  outcome.dropped_size = 0;
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
  if (outcome.settled_for != &program) bind_outcome(program, outcome);
  Machine m(program, outcome.slots, outcome.scratch, &outcome.settled, outcome.plan->fused.data(), outcome.plan->fused_at.data(),
            &outcome.segment_rows);
  return m.test(node);
}

bool eval_condition(const Program& program, const Condition& condition, Outcome& outcome) {
  if (outcome.settled_for != &program) bind_outcome(program, outcome);
  Machine m(program, outcome.slots, outcome.scratch, &outcome.settled, outcome.plan->fused.data(), outcome.plan->fused_at.data(),
            &outcome.segment_rows);
  return m.holds(condition);
}

namespace {

void start_trace(const Program& p, Trace& trace) {
  trace.tier_row.assign(p.decisions.size(), kNone);
  trace.segment_matched.assign(p.decisions.size(), {});
  for (size_t i = 0; i < p.decisions.size(); ++i) trace.segment_matched[i].assign(p.decisions[i].rows.size(), false);
  trace.strategy_fired.assign(p.strategies.size(), false);
  trace.statement_applied.assign(p.strategies.size(), {});
  trace.statement_overridden.assign(p.strategies.size(), {});
  for (size_t i = 0; i < p.strategies.size(); ++i) {
    trace.statement_applied[i].assign(p.strategies[i].statements.size(), false);
    trace.statement_overridden[i].assign(p.strategies[i].statements.size(), false);
  }
}

// A let that is one number operation, computed in place (see StepPlan).
// Divisions by the same value (`share(x, aum)` for several x, and
// `loans / max(aum, 1)`) work out the divisor once: `divisor` is the last one.
[[gnu::always_inline]] inline void run_direct_let(const Program& p, const StepPlan& step, Machine& m, Value* slots,
                                                  Decimal::Divisor& divisor) {
  const Decimal a = step.left != kNone ? slots[step.left].number : m.num(step.left_node);
  const Decimal b = step.right != kNone ? slots[step.right].number : m.num(step.right_node);
  Decimal result;
  DecimalStatus st = DecimalStatus::ok;
  switch (step.code) {
    case Code::add: st = Decimal::add(a, b, result); break;
    case Code::sub: st = Decimal::sub(a, b, result); break;
    case Code::mul: st = Decimal::mul(a, b, result); break;
    default:
      if (step.code == Code::share && b.is_zero()) break;  // share(x, 0) is 0
      if (b.units() != divisor.units) divisor = Decimal::divisor(b);
      st = Decimal::div(a, divisor, result);
  }
  Value& slot = slots[step.slot];
  slot.number = arithmetic(p, step.node, st, result);
  slot.kind = ValueKind::number;
}

void run_steps(const Program& p, Machine& m, Outcome& out, Trace* trace) {
  Value* const slots = out.slots.data();  // never resized while evaluating
  Decimal::Divisor divisor;  // of 0: no division yet (and dividing by 0 takes the long path, which says so)
  for (const StepPlan& step : out.plan->steps) {
    switch (step.kind) {
      case StepPlan::Kind::share_of_slots: {
        const Decimal b = slots[step.right].number;
        Int128 units = 0;  // share(x, 0) is 0
        if (!b.is_zero()) {
          if (b.units() != divisor.units) divisor = Decimal::divisor(b);
          units = Decimal::quotient_units(slots[step.left].number, divisor);
          if (units == Decimal::kNoQuotient) [[unlikely]] {
            Decimal result;
            const DecimalStatus st = Decimal::div(slots[step.left].number, divisor, result);
            if (st != DecimalStatus::ok) arithmetic_failed(p, step.node, st);
            units = result.units();
          }
        }
        Value& slot = slots[step.slot];
        slot.number = Decimal::from_units(units);
        slot.kind = ValueKind::number;
        break;
      }
      case StepPlan::Kind::direct_let: run_direct_let(p, step, m, slots, divisor); break;
      case StepPlan::Kind::number_let: {
        Value& slot = slots[step.slot];
        slot.number = m.num(step.node);
        slot.kind = ValueKind::number;
        break;
      }
      case StepPlan::Kind::value_let: assign_value(slots[step.slot], m.eval(step.node)); break;
      case StepPlan::Kind::decision: run_decision(p.decisions[step.index], m, out, trace, step.index); break;
    }
  }
}

// The strategies worth testing this record: those with no guard, and those
// whose guard's row matched (see StrategyGuards).
void find_candidates(Outcome& out) {
  const StrategyGuards& guards = out.plan->guards;
  const size_t words = guards.unguarded.size();
  if (out.candidates.size() != words) out.candidates.resize(words);
  uint64_t* const candidates = out.candidates.data();
  const uint64_t* const unguarded = guards.unguarded.data();
  const Value* const slots = out.slots.data();
  if (words == 1 && guards.one_word) {  // up to 64 strategies, each row's as one word: no loop over words
    uint64_t c = unguarded[0];
    for (const StrategyGuards::ByRow& by_row : guards.decisions) {
      const uint64_t* const masks = by_row.masks.data();
      if (by_row.tiers) {
        c |= masks[slots[by_row.slot].symbol];
        continue;
      }
      for (uint64_t bits : out.segment_rows[by_row.decision])
        for (; bits != 0; bits &= bits - 1) c |= masks[__builtin_ctzll(bits)];
    }
    candidates[0] = c;
    return;
  }
  for (size_t w = 0; w < words; ++w) candidates[w] = unguarded[w];
  for (const StrategyGuards::ByRow& by_row : guards.decisions) {
    const uint64_t* const masks = by_row.masks.data();
    auto add = [&](uint32_t row) {
      if (masks != nullptr) {
        const uint64_t* mask = masks + row * words;
        for (size_t w = 0; w < words; ++w) candidates[w] |= mask[w];
        return;
      }
      for (uint32_t s : by_row.strategies[row]) candidates[s / 64] |= uint64_t{1} << (s % 64);
    };
    if (by_row.tiers) {
      add(slots[by_row.slot].symbol);
      continue;
    }
    const std::vector<uint64_t>& matched = out.segment_rows[by_row.decision];
    for (size_t w = 0; w < matched.size(); ++w)
      for (uint64_t bits = matched[w]; bits != 0; bits &= bits - 1)
        add(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
  }
}

// Strategies in file order: a statement sets a scalar output (the first
// strategy to set it wins) or appends to a list output.
void run_strategies(Machine& m, Outcome& out, Trace* trace) {
  const StrategyPlan* const strategies = out.plan->strategies.data();
  const StatementPlan* const all_statements = out.plan->statements.data();
  const uint32_t* const statement_symbols = out.plan->statement_symbols.data();
  find_candidates(out);
  ListBuilder lists(out);
  Value* const outputs = out.outputs.data();
  uint32_t* const set_by = out.set_by.data();
  const std::vector<uint64_t>& candidates = out.candidates;
  for (size_t word = 0, words = candidates.size(); word < words; ++word)
    for (uint64_t bits = candidates[word]; bits != 0; bits &= bits - 1) {
      const size_t s = word * 64 + static_cast<size_t>(__builtin_ctzll(bits));
      const StrategyPlan& strategy = strategies[s];
      if (!m.holds(strategy.when)) continue;
      if (trace) trace->strategy_fired[s] = true;
      const StatementPlan* statements = all_statements + strategy.first_statement;
      for (size_t k = 0, count = strategy.statement_count; k < count; ++k) {
        const StatementPlan& st = statements[k];
        if (!m.holds(st.when)) continue;
        switch (st.kind) {
          case StatementPlan::Kind::assign:
          case StatementPlan::Kind::assign_constant:
            if (set_by[st.field] != kNone) {
              if (trace) trace->statement_overridden[s][k] = true;
              continue;
            }
            assign_value(outputs[st.field], st.kind == StatementPlan::Kind::assign_constant ? *st.constant : m.eval(st.value));
            set_by[st.field] = static_cast<uint32_t>(s);
            break;
          case StatementPlan::Kind::append_symbols:
            lists.append_symbols(st.field, statement_symbols + st.first_symbol, st.symbol_count);
            break;
          case StatementPlan::Kind::append: {
            const Value& v = m.eval(st.value);
            if (v.kind != ValueKind::list) {
              lists.append(st.field, v);
            } else {
              for (const Value& item : v.items) lists.append(st.field, item);
            }
            break;
          }
        }
        if (trace) trace->statement_applied[s][k] = true;
      }
    }
}

// A drop row for one record: its ItemTest as one compare against a bound
// from the other side (see FusedTest::bound). Trivially constructible, so an
// array of them on the stack costs nothing before it is filled.
// The bound is kept as two halves: as one Int128 on the stack GCC wrote it in
// halves and read it back whole, a load that waits for both stores.
struct ItemRow {
  bool equality;
  bool invert;
  const Int128* values;  // per item
  uint64_t bound_low;
  int64_t bound_high;

  void set(const ItemTest& t, Int128 other) {
    values = t.values.data();
    equality = t.accept == 0b010 || t.accept == 0b101;
    invert = t.accept == 0b101 || t.accept == 0b100 || t.accept == 0b110;
    const Int128 bound = other + (t.accept == 0b011 || t.accept == 0b100);  // <= and >: against other + 1
    bound_low = static_cast<uint64_t>(bound);
    bound_high = static_cast<int64_t>(bound >> 64);
  }
  bool drops(uint32_t item) const {
    const Int128 bound = static_cast<Int128>(static_cast<UInt128>(static_cast<uint64_t>(bound_high)) << 64 | bound_low);
    return (equality ? values[item] == bound : values[item] < bound) != invert;
  }
};

// Keeps the dropped item in `dropped`, over the last record's entries.
void add_dropped(Outcome& out, uint32_t field, const Value& item, uint32_t constraint, uint32_t row) {
  if (out.dropped_size == out.dropped.size()) out.dropped.emplace_back();
  Dropped& dropped = out.dropped[out.dropped_size++];
  dropped.field = field;
  assign_value(dropped.item, item);
  dropped.constraint = constraint;
  dropped.row = row;
}

// A constraint whose rows are all ItemTests: no row reads the item variable's slot.
void run_item_tests(const ConstraintPlan& plan, const Constraint& constraint, uint32_t c, Outcome& out) {
  constexpr size_t kRows = 16;
  ItemRow rows[kRows];
  const size_t row_count = plan.item_tests.size();
  const Value* slots = out.slots.data();
  for (size_t r = 0; r < row_count; ++r) {
    const ItemTest& t = plan.item_tests[r];
    switch (t.kind) {
      case ItemTest::Kind::numbers: rows[r].set(t, operand_number(t.other, slots).units()); break;
      case ItemTest::Kind::ranks: rows[r].set(t, operand_rank(t.other, slots)); break;
      case ItemTest::Kind::symbols: rows[r].set(t, operand_symbol(t.other, slots)); break;
    }
  }
  Value* const items = out.outputs[constraint.field].items.data();
  uint32_t& size = out.list_size[constraint.field];
  uint32_t kept = 0;
  for (uint32_t i = 0; i < size; ++i) {
    const uint32_t symbol = items[i].symbol;
    size_t r = 0;
    while (r < row_count && !rows[r].drops(symbol)) ++r;
    if (r == row_count) {
      items[kept++].symbol = symbol;  // a symbol over a symbol: the kind is already right
      continue;
    }
    add_dropped(out, constraint.field, items[i], c, static_cast<uint32_t>(r));
  }
  size = kept;
}

// Each constraint filters its list in place: kept items move to the front,
// dropped ones are written to `dropped`.
void run_constraints(const Program& p, Machine& m, Outcome& out) {
  const ConstraintPlan* const plans = out.plan->constraints.data();
  for (size_t c = 0, constraints = p.constraints.size(); c < constraints; ++c) {
    const Constraint& constraint = p.constraints[c];
    const ConstraintPlan& plan = plans[c];
    if (!plan.item_tests.empty() && plan.item_tests.size() <= 16) {
      run_item_tests(plan, constraint, static_cast<uint32_t>(c), out);
      continue;
    }
    Value& list = out.outputs[constraint.field];
    Value& local = out.slots[constraint.local];
    const Condition* rows = plan.rows.data();
    const size_t row_count = plan.rows.size();
    uint32_t& size = out.list_size[constraint.field];
    uint32_t kept = 0;
    for (uint32_t i = 0; i < size; ++i) {
      Value& item = list.items[i];
      assign_value(local, item);
      size_t r = 0;
      while (r < row_count && !m.holds(rows[r])) ++r;
      if (r < row_count) {
        add_dropped(out, constraint.field, item, static_cast<uint32_t>(c), static_cast<uint32_t>(r));
        continue;
      }
      if (kept != i) {  // the item at `kept` was dropped: this one takes its place
        if (item.kind == ValueKind::string) std::swap(list.items[kept], item);
        else assign_value(list.items[kept], item);
      }
      ++kept;
    }
    size = kept;
  }
}

}  // namespace

bool evaluate(const Program& p, Outcome& out, EvalError& error, Trace* trace) {
  if (trace) start_trace(p, *trace);
  if (out.settled_for != &p) reset_outcome(p, out);
  Machine m(p, out.slots, out.scratch, &out.settled, out.plan->fused.data(), out.plan->fused_at.data(), &out.segment_rows);
  try {
    run_steps(p, m, out, trace);
    run_strategies(m, out, trace);
    run_constraints(p, m, out);
  } catch (EvalError& e) {
    finish_lists(*out.plan, out);
    error = std::move(e);
    return false;
  }
  finish_lists(*out.plan, out);
  return check_invariants(p, out, error);
}

}  // namespace segrule
