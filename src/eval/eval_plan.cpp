#include "eval/eval_plan.hpp"

#include <mutex>

namespace segrule {

namespace {

bool is_leaf_slot(const Node& n) { return n.code == Code::slot || n.code == Code::local; }

// The comparison in the other direction: on tiers, a higher rank is a lower row index.
Code swapped(Code c) {
  switch (c) {
    case Code::lt: return Code::gt;
    case Code::le: return Code::ge;
    case Code::gt: return Code::lt;
    case Code::ge: return Code::le;
    default: return c;
  }
}

// Each catalog attribute as a column over the items (see FusedOperand).
void find_columns(const Program& p, EvalPlan& plan) {
  plan.columns.resize(p.catalogs.size());
  for (size_t c = 0; c < p.catalogs.size(); ++c) {
    const Catalog& catalog = p.catalogs[c];
    plan.columns[c].resize(catalog.attributes.size());
    for (size_t a = 0; a < catalog.attributes.size(); ++a) {
      AttributeColumn& column = plan.columns[c][a];
      const Type& type = catalog.attribute_types[a];
      const bool ranked = type.base == BaseType::symbol && type.domain < p.domains.size();
      for (const std::vector<Value>& item : catalog.values) {
        const Value& v = item[a];
        column.numbers.push_back(v.number);
        column.symbols.push_back(v.symbol);
        column.ranks.push_back(ranked ? p.domains[type.domain].rank(v.symbol) : 0);
      }
    }
  }
}

bool fuse_operand(const Program& p, const EvalPlan& plan, uint32_t index, FusedOperand& o) {
  const Node& n = p.nodes[index];
  if (n.type.nullable) return false;  // equality with a possible null keeps its null semantics in the general path
  using From = FusedOperand::From;
  switch (n.code) {
    case Code::slot: case Code::local:
      o.from = From::slot;
      o.slot = n.slot;
      return true;
    case Code::constant:
      o.from = From::constant;
      o.number = n.constant.number;
      o.symbol = n.constant.symbol;
      o.text = n.constant.text;
      return true;
    case Code::attribute: {
      const Node& item = p.nodes[n.args[0]];
      if (!is_leaf_slot(item) || item.type.nullable) return false;
      const AttributeColumn& column = plan.columns[p.domains[n.domain].catalog][n.slot];
      o.from = From::attribute;
      o.slot = item.slot;
      o.numbers = column.numbers.data();
      o.symbols = column.symbols.data();
      o.ranks = column.ranks.data();
      return true;
    }
    case Code::rank: {
      if (!fuse_operand(p, plan, n.args[0], o)) return false;
      if (o.from == From::constant) return false;  // folded by the checker anyway
      const Domain& ranked = p.domains[n.domain];
      if (o.from == From::attribute) {
        o.from = From::rank_of_attribute;
        return true;
      }
      o.from = From::rank_of_slot;
      bool reversed = ranked.kind == DomainKind::tiers;
      o.rank_base = reversed ? static_cast<int64_t>(ranked.ids.size()) : 1;
      o.rank_step = reversed ? -1 : 1;
      return true;
    }
    default: return false;
  }
}

bool fuse_comparison(const Program& p, const EvalPlan& plan, const Node& n, FusedTest& f) {
  const Node& a = p.nodes[n.args[0]];
  const Node& b = p.nodes[n.args[1]];
  if (!fuse_operand(p, plan, n.args[0], f.left) || !fuse_operand(p, plan, n.args[1], f.right)) return false;
  using From = FusedOperand::From;
  bool slot_vs_constant = f.left.from == From::slot && f.right.from == From::constant;
  Code compare = n.code;
  bool ranks = f.left.from >= From::rank_of_slot && f.right.from >= From::rank_of_slot;
  if (a.type.is_numeric() && b.type.is_numeric()) {
    f.kind = slot_vs_constant ? FusedTest::Kind::number_slot_vs_constant : ranks ? FusedTest::Kind::ranks : FusedTest::Kind::numbers;
  } else if (a.type.base == BaseType::symbol && b.type.base == BaseType::symbol) {
    if (f.left.from > From::attribute || f.right.from > From::attribute) return false;
    f.kind = slot_vs_constant ? FusedTest::Kind::symbol_slot_vs_constant : FusedTest::Kind::symbols;
    // Tiers list their highest row first: a higher rank is a lower row index.
    if (n.domain != kNone && p.domains[n.domain].kind == DomainKind::tiers) compare = swapped(compare);
  } else {
    return false;
  }
  switch (compare) {  // bit 0: less, bit 1: equal, bit 2: greater
    case Code::eq: f.accept = 0b010; break;
    case Code::ne: f.accept = 0b101; break;
    case Code::lt: f.accept = 0b001; break;
    case Code::le: f.accept = 0b011; break;
    case Code::gt: f.accept = 0b100; break;
    default: f.accept = 0b110; break;
  }
  return true;
}

// `x in [a, b]` with x a symbol slot and the list made of constant symbols of
// a small domain; or `a in xs` with a a symbol slot or constant and xs a list slot.
bool fuse_membership(const Program& p, const EvalPlan& plan, const Node& n, FusedTest& f) {
  const Node& a = p.nodes[n.args[0]];
  const Node& list = p.nodes[n.args[1]];
  f.negate = n.code == Code::not_in;
  if (is_leaf_slot(list) && list.type.element == BaseType::symbol && a.type.base == BaseType::symbol &&
      fuse_operand(p, plan, n.args[0], f.left) && f.left.from <= FusedOperand::From::constant) {
    const Slot& slot = p.slots[list.slot];
    bool segments = list.code == Code::slot && slot.kind == SlotKind::segments;
    f.kind = segments ? FusedTest::Kind::symbol_in_segments : FusedTest::Kind::symbol_in_list;
    f.right.slot = segments ? slot.decl : list.slot;
    return true;
  }
  if (is_leaf_slot(list) && list.type.element == BaseType::string && a.code == Code::constant &&
      a.constant.kind == ValueKind::string && fuse_operand(p, plan, n.args[0], f.left)) {
    f.kind = FusedTest::Kind::text_in_list;
    f.right.slot = list.slot;
    return true;
  }
  if (!is_leaf_slot(a) || a.type.nullable || a.type.base != BaseType::symbol) return false;
  if (a.type.domain == kNone || p.domains[a.type.domain].ids.size() > 64) return false;
  uint64_t set = 0;
  auto add = [&](const Value& v) {
    if (v.kind != ValueKind::symbol) return false;
    set |= uint64_t{1} << v.symbol;
    return true;
  };
  if (list.code == Code::constant) {
    for (const Value& v : list.constant.items)
      if (!add(v)) return false;
  } else if (list.code == Code::make_list) {
    for (uint32_t item : list.args)
      if (p.nodes[item].code != Code::constant || !add(p.nodes[item].constant)) return false;
  } else {
    return false;
  }
  f.kind = FusedTest::Kind::symbol_in_set;
  f.left.from = FusedOperand::From::slot;
  f.left.slot = a.slot;
  f.set = set;
  return true;
}

void find_fused(const Program& p, EvalPlan& plan) {
  PlanVector<FusedTest>& fused = plan.fused;
  PlanVector<uint32_t>& fused_at = plan.fused_at;
  fused.clear();
  fused_at.assign(p.nodes.size(), kNone);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node& n = p.nodes[i];
    FusedTest f;
    bool ok = false;
    switch (n.code) {
      case Code::eq: case Code::ne: case Code::lt: case Code::le: case Code::gt: case Code::ge:
        ok = fuse_comparison(p, plan, n, f);
        break;
      case Code::in: case Code::not_in: ok = fuse_membership(p, plan, n, f); break;
      default: break;
    }
    if (!ok) continue;
    fused_at[i] = static_cast<uint32_t>(fused.size());
    fused.push_back(f);
  }
  // `and` and `or` of one-step tests, to a fixed point: parts may be `and`s and
  // `or`s themselves, and do not always come before their parent in the array.
  // A part's index in `fused` stands in for its address until `fused` is complete.
  std::vector<uint32_t> part_indices;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < p.nodes.size(); ++i) {
      const Node& n = p.nodes[i];
      if ((n.code != Code::and_ && n.code != Code::or_) || fused_at[i] != kNone || n.args.empty()) continue;
      bool all_fused = true;
      for (uint32_t a : n.args) all_fused = all_fused && fused_at[a] != kNone;
      if (!all_fused) continue;
      FusedTest f;
      f.kind = n.code == Code::and_ ? FusedTest::Kind::all_of : FusedTest::Kind::any_of;
      f.set = part_indices.size();  // where its parts start, until they are resolved below
      f.part_count = static_cast<uint32_t>(n.args.size());
      for (uint32_t a : n.args) part_indices.push_back(fused_at[a]);
      fused_at[i] = static_cast<uint32_t>(fused.size());
      fused.push_back(f);
      changed = true;
    }
  }
  plan.parts.clear();
  for (uint32_t index : part_indices) plan.parts.push_back(&fused[index]);
  for (FusedTest& f : fused) {
    if (f.kind == FusedTest::Kind::all_of || f.kind == FusedTest::Kind::any_of) {
      f.parts = plan.parts.data() + f.set;
      f.set = 0;
    }
    f.run = fused_runner(f);
  }
}

// The decision and rows a one-step test holds only for: a tier slot equal to
// or in a set of constant rows, or a constant row in a segments decision.
bool guard_rows(const Program& p, const FusedTest& f, uint32_t& decision, std::vector<uint32_t>& rows) {
  using Kind = FusedTest::Kind;
  using From = FusedOperand::From;
  rows.clear();
  if (f.negate) return false;
  auto tier_decision = [&](const FusedOperand& o) {
    if (o.from != From::slot || p.slots[o.slot].kind != SlotKind::tiers) return false;
    decision = p.slots[o.slot].decl;
    return true;
  };
  switch (f.kind) {
    case Kind::symbol_slot_vs_constant: case Kind::symbols: {
      // `tier == gold`, `tier >= gold`: the rows the comparison accepts, compared
      // as the test compares them (by row index, the operator turned for tiers).
      bool tier_on_left = f.right.from == From::constant;
      const FusedOperand& tier = tier_on_left ? f.left : f.right;
      const FusedOperand& row = tier_on_left ? f.right : f.left;
      if (row.from != From::constant || !tier_decision(tier)) return false;
      for (uint32_t r = 0; r < p.decisions[decision].rows.size(); ++r) {
        int c = tier_on_left ? (r < row.symbol ? -1 : r > row.symbol) : (row.symbol < r ? -1 : row.symbol > r);
        if ((f.accept >> (c + 1)) & 1) rows.push_back(r);
      }
      return true;
    }
    case Kind::symbol_in_set:
      if (!tier_decision(f.left)) return false;
      for (uint32_t r = 0; r < 64; ++r)
        if ((f.set >> r) & 1) rows.push_back(r);
      return true;
    case Kind::symbol_in_segments:
      if (f.left.from != From::constant) return false;
      decision = f.right.slot;
      rows.push_back(f.left.symbol);
      return true;
    default: return false;
  }
}

// Finds each strategy's guard (see StrategyGuards). A guard may follow other
// parts of an `and` only when those are one-step tests, which cannot fail: a
// strategy skipped for its guard must not hide an error its `when` would raise.
// `whole_when[s]`: strategy s's guard is its whole `when`, which holds whenever the
// strategy is a candidate.
void find_guards(const Program& p, const PlanVector<FusedTest>& fused, const PlanVector<uint32_t>& fused_at, StrategyGuards& g,
                 std::vector<bool>& whole_when) {
  whole_when.assign(p.strategies.size(), false);
  g.unguarded.assign(p.strategies.size() / 64 + 1, 0);
  g.decisions.clear();
  std::vector<uint32_t> slot_of_decision(p.decisions.size(), kNone);  // index in g.decisions
  std::vector<uint32_t> rows;
  for (uint32_t s = 0; s < p.strategies.size(); ++s) {
    uint32_t when = p.strategies[s].when;
    bool guarded = false;
    if (when != kNone) {
      const Node& n = p.nodes[when];
      std::vector<uint32_t> parts = n.code == Code::and_ ? n.args : std::vector<uint32_t>{when};
      for (uint32_t part : parts) {
        if (fused_at[part] == kNone) break;
        uint32_t decision = kNone;
        if (!guard_rows(p, fused[fused_at[part]], decision, rows)) continue;
        uint32_t& at = slot_of_decision[decision];
        if (at == kNone) {
          at = static_cast<uint32_t>(g.decisions.size());
          const Decision& d = p.decisions[decision];
          g.decisions.push_back({decision, d.is_tiers, d.slot, PlanVector<PlanVector<uint32_t>>(d.rows.size()), {}});
        }
        for (uint32_t r : rows)
          if (r < g.decisions[at].strategies.size()) g.decisions[at].strategies[r].push_back(s);
        guarded = true;
        whole_when[s] = part == when;
        break;
      }
    }
    if (!guarded) g.unguarded[s / 64] |= uint64_t{1} << (s % 64);
  }
  size_t words = g.unguarded.size();
  if (words > StrategyGuards::kMaskWords) return;
  g.one_word = words == 1;
  for (StrategyGuards::ByRow& by_row : g.decisions) {
    by_row.masks.assign(by_row.strategies.size() * words, 0);
    for (size_t r = 0; r < by_row.strategies.size(); ++r)
      for (uint32_t s : by_row.strategies[r]) by_row.masks[r * words + s / 64] |= uint64_t{1} << (s % 64);
  }
}

// The steps of Program::order (see StepPlan). The checker allows no null
// operand in arithmetic (a `T?` cannot be computed with).
void find_steps(const Program& p, PlanVector<StepPlan>& steps) {
  for (const Step& step : p.order) {
    StepPlan& s = steps.emplace_back();
    s.index = step.index;
    if (!step.is_let) {
      s.kind = StepPlan::Kind::decision;
      continue;
    }
    const Let& let = p.lets[step.index];
    const Node& n = p.nodes[let.value];
    s.slot = let.slot;
    s.node = let.value;
    s.kind = n.type.is_numeric() && !n.type.nullable ? StepPlan::Kind::number_let : StepPlan::Kind::value_let;
    bool operation = n.code == Code::add || n.code == Code::sub || n.code == Code::mul || n.code == Code::div || n.code == Code::share;
    if (!operation || n.type.nullable || !n.type.is_numeric() || n.args.size() != 2) continue;
    auto slot_of = [&](uint32_t node) { return p.nodes[node].code == Code::slot ? p.nodes[node].slot : kNone; };
    s.kind = StepPlan::Kind::direct_let;
    s.code = n.code;
    s.left = slot_of(n.args[0]);
    s.right = slot_of(n.args[1]);
    s.left_node = n.args[0];
    s.right_node = n.args[1];
    if (s.code == Code::share && s.left != kNone && s.right != kNone) s.kind = StepPlan::Kind::share_of_slots;
  }
}

// A slot against a constant as one compare (see Condition).
void one_compare(const FusedTest& f, Condition& c) {
  const bool number = f.kind == FusedTest::Kind::number_slot_vs_constant;
  const Int128 k = number ? f.right.number.units() : static_cast<Int128>(f.right.symbol);
  using Op = Condition::Op;
  const Op less = number ? Op::number_less : Op::symbol_less;
  const Op equal = number ? Op::number_equal : Op::symbol_equal;
  c.slot = f.left.slot;
  c.set_bound(k);
  switch (f.accept) {  // bit 0: less, bit 1: equal, bit 2: greater
    case 0b001: c.op = less; break;                                          // x < k
    case 0b011: c.op = less; c.set_bound(k + 1); break;                      // x <= k: x < k + 1
    case 0b100: c.op = less; c.set_bound(k + 1); c.invert = true; break;     // x > k: not x < k + 1
    case 0b110: c.op = less; c.invert = true; break;                     // x >= k: not x < k
    case 0b010: c.op = equal; break;                                     // x == k
    default: c.op = equal; c.invert = true;                              // x != k
  }
}

// A one-step test as a condition; `parts`: whether an `and` or `or` may be
// taken apart (its parts are then conditions that are not).
Condition condition_of(EvalPlan& plan, const FusedTest& f, uint32_t node, bool parts) {
  Condition c;
  c.node = node;
  c.fused = &f;
  c.op = Condition::Op::fused;
  switch (f.kind) {
    case FusedTest::Kind::number_slot_vs_constant:
    case FusedTest::Kind::symbol_slot_vs_constant: one_compare(f, c); break;
    case FusedTest::Kind::all_of:
    case FusedTest::Kind::any_of: {
      if (!parts) break;
      // The parts go to the end of condition_parts, which may still move as
      // it grows: `slot` (unused by and/or) keeps where they start until
      // link_condition_parts points `parts` there, once the plan is built.
      c.slot = static_cast<uint32_t>(plan.condition_parts.size());
      for (uint32_t i = 0; i < f.part_count; ++i) plan.condition_parts.push_back(condition_of(plan, *f.parts[i], kNone, false));
      c.op = f.kind == FusedTest::Kind::all_of ? Condition::Op::all_of : Condition::Op::any_of;
      c.part_count = f.part_count;
      break;
    }
    default: break;
  }
  return c;
}

Condition condition(EvalPlan& plan, uint32_t node) {
  Condition c;
  c.node = node;
  if (node == kNone) return c;
  if (plan.fused_at[node] != kNone) return condition_of(plan, plan.fused[plan.fused_at[node]], node, true);
  c.op = Condition::Op::general;
  return c;
}

void find_decision_rows(const Program& p, EvalPlan& plan) {
  plan.rows.resize(p.decisions.size());
  for (size_t d = 0; d < p.decisions.size(); ++d)
    for (const CompiledRow& row : p.decisions[d].rows) {
      RowPlan& r = plan.rows[d].emplace_back();
      r.when = condition(plan, row.condition);
      if (row.score == kNone) continue;
      const Node& score = p.nodes[row.score];
      if (score.code == Code::slot && !score.type.nullable) r.score_slot = score.slot;
      else r.score_node = row.score;
    }
}

// A statement's plan: its `when`, a constant it assigns, or the constant
// symbols a list statement appends (folded or written out).
StatementPlan statement_plan(const Program& p, EvalPlan& plan, const CompiledStatement& st) {
  StatementPlan s;
  s.field = st.field;
  s.value = st.value;
  s.when = condition(plan, st.when);
  const Node& n = p.nodes[st.value];
  if (st.kind == StatementKindC::assign) {
    s.kind = n.code == Code::constant ? StatementPlan::Kind::assign_constant : StatementPlan::Kind::assign;
    s.constant = &n.constant;
    return s;
  }
  s.kind = StatementPlan::Kind::append;
  const Type& list = p.outputs[st.field].type;
  if (list.element != BaseType::symbol) return s;  // only lists of symbols have a bitmap (Outcome::in_list)
  bool all_symbols = true;
  std::vector<uint32_t> symbols;
  auto add = [&](const Value& v) {
    if (v.kind == ValueKind::symbol) symbols.push_back(v.symbol);
    else all_symbols = false;
  };
  if (n.code == Code::constant) {
    if (n.constant.kind == ValueKind::list) for (const Value& v : n.constant.items) add(v);
    else add(n.constant);
  } else if (n.code == Code::make_list) {
    for (uint32_t a : n.args) {
      if (p.nodes[a].code == Code::constant) add(p.nodes[a].constant);
      else all_symbols = false;
    }
  } else {
    all_symbols = false;
  }
  if (!all_symbols) return s;
  s.kind = StatementPlan::Kind::append_symbols;
  s.first_symbol = static_cast<uint32_t>(plan.statement_symbols.size());
  s.symbol_count = static_cast<uint32_t>(symbols.size());
  plan.statement_symbols.insert(plan.statement_symbols.end(), symbols.begin(), symbols.end());
  return s;
}

void find_strategies(const Program& p, EvalPlan& plan, const std::vector<bool>& whole_when) {
  for (size_t s = 0; s < p.strategies.size(); ++s) {
    const Strategy& strategy = p.strategies[s];
    StrategyPlan& sp = plan.strategies.emplace_back();
    sp.when = whole_when[s] ? Condition{} : condition(plan, strategy.when);
    sp.first_statement = static_cast<uint32_t>(plan.statements.size());
    sp.statement_count = static_cast<uint32_t>(strategy.statements.size());
    for (const CompiledStatement& st : strategy.statements) plan.statements.push_back(statement_plan(p, plan, st));
  }
}

// The drop row as an ItemTest, if it is one (see ItemTest); the list holds
// items of a catalog of `catalog_items`.
bool item_test(const FusedTest& f, uint32_t local, size_t catalog_items, ItemTest& t) {
  using From = FusedOperand::From;
  using Kind = FusedTest::Kind;
  auto reads_item = [&](const FusedOperand& o) { return (o.from == From::attribute || o.from == From::rank_of_attribute) && o.slot == local; };
  auto reads_local = [&](const FusedOperand& o) { return o.from != From::constant && o.slot == local; };
  if (f.kind != Kind::numbers && f.kind != Kind::ranks && f.kind != Kind::symbols) return false;
  const bool item_left = reads_item(f.left);
  const FusedOperand& item = item_left ? f.left : f.right;
  const FusedOperand& other = item_left ? f.right : f.left;
  if (!reads_item(item) || reads_local(other)) return false;
  // With the item on the right, less and greater trade places in the mask.
  t.accept = item_left ? f.accept : static_cast<uint8_t>(((f.accept & 1) << 2) | (f.accept & 2) | ((f.accept >> 2) & 1));
  t.other = other;
  if (f.kind == Kind::symbols) {
    t.kind = ItemTest::Kind::symbols;
    for (size_t i = 0; i < catalog_items; ++i) t.values.push_back(item.symbols[i]);
  } else if (f.kind == Kind::ranks) {  // both sides rank(): the item's is its attribute's
    t.kind = ItemTest::Kind::ranks;
    for (size_t i = 0; i < catalog_items; ++i) t.values.push_back(item.ranks[i]);
  } else {
    if (item.from != From::attribute) return false;  // a rank against a number: the general path
    t.kind = ItemTest::Kind::numbers;
    for (size_t i = 0; i < catalog_items; ++i) t.values.push_back(item.numbers[i].units());
  }
  return true;
}

void find_constraints(const Program& p, EvalPlan& plan) {
  for (const Constraint& c : p.constraints) {
    ConstraintPlan& cp = plan.constraints.emplace_back();
    for (const DropRule& row : c.rows) cp.rows.push_back(condition(plan, row.when));
    const Type& list = p.outputs[c.field].type;
    bool of_catalog = list.element == BaseType::symbol && list.domain < p.domains.size() &&
                      p.domains[list.domain].kind == DomainKind::catalog;
    size_t items = of_catalog ? p.domains[list.domain].ids.size() : 0;
    for (const Condition& row : cp.rows) {
      ItemTest t;
      if (!of_catalog || !row.fused || !item_test(*row.fused, c.local, items, t)) {
        cp.item_tests.clear();
        break;
      }
      cp.item_tests.push_back(t);
    }
  }
}

void find_output_resets(const Program& p, EvalPlan& plan) {
  plan.list_bits.assign(p.outputs.size(), kNone);
  for (uint32_t i = 0; i < p.outputs.size(); ++i) {
    const OutputField& output = p.outputs[i];
    OutputReset& r = plan.output_resets.emplace_back();
    r.output = i;
    r.initial = &output.initial;
    if (output.type.base != BaseType::list) continue;
    r.kind = output.initial.items.empty() ? OutputReset::Kind::empty_list : OutputReset::Kind::list;
    // Lists of symbols remember which symbols they hold, so appending stays
    // constant-time however long the list (offers from a large catalog).
    if (output.type.element != BaseType::symbol) continue;
    r.bitmap_words = static_cast<uint32_t>(p.domains[output.type.domain].ids.size() / 64 + 1);
    r.bitmap_at = plan.list_bit_words;
    plan.list_bits[i] = plan.list_bit_words;
    plan.list_bit_words += r.bitmap_words;
  }
}

// Points every and/or condition at its parts, now that condition_parts has
// stopped growing (see condition_of).
void link_condition_parts(EvalPlan& plan) {
  auto link = [&](Condition& c) {
    if (c.op == Condition::Op::all_of || c.op == Condition::Op::any_of) c.parts = plan.condition_parts.data() + c.slot;
  };
  for (auto& rows : plan.rows)
    for (RowPlan& row : rows) link(row.when);
  for (StrategyPlan& strategy : plan.strategies) link(strategy.when);
  for (StatementPlan& statement : plan.statements) link(statement.when);
  for (ConstraintPlan& constraint : plan.constraints)
    for (Condition& row : constraint.rows) link(row);
}

EvalPlan build_plan(const Program& p) {
  EvalPlan plan;
  find_columns(p, plan);
  find_fused(p, plan);
  std::vector<bool> whole_when;
  find_guards(p, plan.fused, plan.fused_at, plan.guards, whole_when);
  find_steps(p, plan.steps);
  find_decision_rows(p, plan);
  find_strategies(p, plan, whole_when);
  find_constraints(p, plan);
  find_output_resets(p, plan);
  link_condition_parts(plan);
  return plan;
}

}  // namespace

const EvalPlan& eval_plan(const Program& program) {
  std::call_once(program.eval_plan_once, [&] { program.eval_plan = std::make_shared<const EvalPlan>(build_plan(program)); });
  return *program.eval_plan;
}

}  // namespace segrule
