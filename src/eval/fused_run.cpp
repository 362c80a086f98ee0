// Runs one-step tests (FusedTest). Each kind and each shape of its operands
// (a slot, a constant, a catalog attribute, a rank) has its own function,
// chosen once when the plan is built: a test then costs one call and the
// reads it needs, with no branch on what kind of test it is.

#include "eval/eval_plan.hpp"

namespace segrule {

namespace {

using From = FusedOperand::From;
using SegmentRows = std::vector<uint64_t>;

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// The comparison's mask (FusedTest::accept) for a three-way result.
bool accepted(const FusedTest& f, int c) { return (f.accept >> (c + 1)) & 1; }

// Operand readers, one per source. Every source compiles for every reader; the
// plan only ever pairs a reader with the sources fuse_operand allows for it.
template <From F>
int64_t rank(const FusedOperand& o, const Value* slots) {
  if constexpr (F == From::rank_of_attribute) return o.ranks[slots[o.slot].symbol];
  else return o.rank_base + o.rank_step * static_cast<int64_t>(slots[o.slot].symbol);
}

template <From F>
Decimal number(const FusedOperand& o, const Value* slots) {
  if constexpr (F == From::slot) return slots[o.slot].number;
  else if constexpr (F == From::constant) return o.number;
  else if constexpr (F == From::attribute) return o.numbers[slots[o.slot].symbol];
  else return Decimal::from_int(rank<F>(o, slots));
}

template <From F>
uint32_t symbol(const FusedOperand& o, const Value* slots) {
  if constexpr (F == From::constant) return o.symbol;
  else if constexpr (F == From::attribute) return o.symbols[slots[o.slot].symbol];
  else return slots[o.slot].symbol;
}

template <From L, From R>
struct Numbers {
  static bool run(const FusedTest& f, const Value* s, const SegmentRows*) { return accepted(f, three_way(number<L>(f.left, s), number<R>(f.right, s))); }
};

template <From L, From R>
struct Symbols {
  static bool run(const FusedTest& f, const Value* s, const SegmentRows*) { return accepted(f, three_way(symbol<L>(f.left, s), symbol<R>(f.right, s))); }
};

template <From L, From R>
struct Ranks {
  static bool run(const FusedTest& f, const Value* s, const SegmentRows*) { return accepted(f, three_way(rank<L>(f.left, s), rank<R>(f.right, s))); }
};

bool symbol_in_set(const FusedTest& f, const Value* s, const SegmentRows*) {
  uint32_t x = s[f.left.slot].symbol;
  return (x < 64 && ((f.set >> x) & 1)) != f.negate;
}

template <From L>
bool symbol_in_list(const FusedTest& f, const Value* s, const SegmentRows*) {
  uint32_t x = symbol<L>(f.left, s);
  for (const Value& v : s[f.right.slot].items)
    if (v.symbol == x && v.kind == ValueKind::symbol) return !f.negate;
  return f.negate;
}

template <From L>
bool symbol_in_segments(const FusedTest& f, const Value* s, const SegmentRows* segment_rows) {
  uint32_t x = symbol<L>(f.left, s);
  const SegmentRows& rows = segment_rows[f.right.slot];
  return (x / 64 < rows.size() && ((rows[x / 64] >> (x % 64)) & 1)) != f.negate;
}

bool text_in_list(const FusedTest& f, const Value* s, const SegmentRows*) {
  for (const Value& v : s[f.right.slot].items)
    if (v.kind == ValueKind::string && v.text == f.left.text) return !f.negate;
  return f.negate;
}

bool all_of(const FusedTest& f, const Value* s, const SegmentRows* segment_rows) {
  for (uint32_t i = 0; i < f.part_count; ++i)
    if (!(*f.parts[i])(s, segment_rows)) return false;
  return true;
}

bool any_of(const FusedTest& f, const Value* s, const SegmentRows* segment_rows) {
  for (uint32_t i = 0; i < f.part_count; ++i)
    if ((*f.parts[i])(s, segment_rows)) return true;
  return false;
}

// The instantiation of a two-operand test for its operands' sources.
template <template <From, From> class Test, From L>
FusedRun with_right(From right) {
  switch (right) {
    case From::slot: return &Test<L, From::slot>::run;
    case From::constant: return &Test<L, From::constant>::run;
    case From::attribute: return &Test<L, From::attribute>::run;
    case From::rank_of_slot: return &Test<L, From::rank_of_slot>::run;
    default: return &Test<L, From::rank_of_attribute>::run;
  }
}

template <template <From, From> class Test>
FusedRun with_operands(From left, From right) {
  switch (left) {
    case From::slot: return with_right<Test, From::slot>(right);
    case From::constant: return with_right<Test, From::constant>(right);
    case From::attribute: return with_right<Test, From::attribute>(right);
    case From::rank_of_slot: return with_right<Test, From::rank_of_slot>(right);
    default: return with_right<Test, From::rank_of_attribute>(right);
  }
}

// The same for a one-operand test (the symbol looked up in a list).
template <bool (*Slot)(const FusedTest&, const Value*, const SegmentRows*),
          bool (*Constant)(const FusedTest&, const Value*, const SegmentRows*)>
FusedRun with_item(From item) {
  return item == From::constant ? Constant : Slot;
}

}  // namespace

Decimal operand_number(const FusedOperand& o, const Value* slots) {
  switch (o.from) {
    case From::slot: return number<From::slot>(o, slots);
    case From::constant: return number<From::constant>(o, slots);
    case From::attribute: return number<From::attribute>(o, slots);
    case From::rank_of_slot: return number<From::rank_of_slot>(o, slots);
    default: return number<From::rank_of_attribute>(o, slots);
  }
}

int64_t operand_rank(const FusedOperand& o, const Value* slots) {
  return o.from == From::rank_of_attribute ? rank<From::rank_of_attribute>(o, slots) : rank<From::rank_of_slot>(o, slots);
}

uint32_t operand_symbol(const FusedOperand& o, const Value* slots) {
  switch (o.from) {
    case From::constant: return symbol<From::constant>(o, slots);
    case From::attribute: return symbol<From::attribute>(o, slots);
    default: return symbol<From::slot>(o, slots);
  }
}

FusedRun fused_runner(const FusedTest& f) {
  using Kind = FusedTest::Kind;
  switch (f.kind) {
    case Kind::number_slot_vs_constant: return &Numbers<From::slot, From::constant>::run;
    case Kind::symbol_slot_vs_constant: return &Symbols<From::slot, From::constant>::run;
    case Kind::numbers: return with_operands<Numbers>(f.left.from, f.right.from);
    case Kind::symbols: return with_operands<Symbols>(f.left.from, f.right.from);
    case Kind::ranks: return with_operands<Ranks>(f.left.from, f.right.from);
    case Kind::symbol_in_set: return &symbol_in_set;
    case Kind::symbol_in_list: return with_item<&symbol_in_list<From::slot>, &symbol_in_list<From::constant>>(f.left.from);
    case Kind::symbol_in_segments:
      return with_item<&symbol_in_segments<From::slot>, &symbol_in_segments<From::constant>>(f.left.from);
    case Kind::all_of: return &all_of;
    case Kind::any_of: return &any_of;
    case Kind::text_in_list: return &text_in_list;
  }
  return nullptr;
}

}  // namespace segrule
