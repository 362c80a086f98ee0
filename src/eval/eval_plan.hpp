#pragma once
// What the evaluator derives from a Program before the first record: which
// conditions it tests in one step, which strategies each tier or segment row
// guards, which lets it computes directly. Built once per Program on first use
// and shared, read-only, by every thread and Outcome evaluating it.

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <vector>

#include "check/program.hpp"

namespace segrule {

// Allocates whole cache lines. Every thread reads the plan on every record; if
// one of its arrays shared a cache line with memory some thread writes per
// record (heap neighbours from the thread that built the plan), every other
// thread's reads would miss there (false sharing): with two threads that
// doubled the cost of evaluating.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::size_t kLine = 64;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  static std::size_t bytes(std::size_t n) { return (n * sizeof(T) + kLine - 1) / kLine * kLine; }
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(bytes(n), std::align_val_t{kLine})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{kLine}); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const { return true; }
};

template <typename T>
using PlanVector = std::vector<T, CacheLineAllocator<T>>;

// One side of a one-step test, read without evaluating a node: a slot, a
// constant, an attribute of the catalog item in a slot (`p.min_aum`), or the
// rank() of a slot or of such an attribute. Attributes are read from a column
// of the plan, one entry per catalog item, so reading one is a single load.
struct FusedOperand {
  enum class From : uint8_t { slot, constant, attribute, rank_of_slot, rank_of_attribute };
  From from = From::slot;
  uint32_t slot = kNone;             // slot, attribute, rank_of_*: the slot read
  uint32_t symbol = 0;               // constant symbols
  Decimal number;                    // constant numbers (a copy: no second cache line to read)
  const Decimal* numbers = nullptr;  // attribute: the column of a number attribute
  const uint32_t* symbols = nullptr; // attribute: the column of a symbol attribute
  const int64_t* ranks = nullptr;    // rank_of_attribute: the rank of each item's attribute
  // rank_of_slot: the rank of the value v in the slot is rank_base + rank_step * v
  // (tiers rank their first row highest: Domain::rank).
  int64_t rank_base = 1, rank_step = 1;
  std::string_view text;             // constant strings, in the Program's node
};

// A catalog attribute over the items, as the one-step tests read it.
struct AttributeColumn {
  PlanVector<Decimal> numbers;
  PlanVector<uint32_t> symbols;
  PlanVector<int64_t> ranks;  // symbols of an ordered domain: Domain::rank of each
};

// A condition the evaluator takes in one step instead of walking its operands:
// a comparison of two operands as above (`aum >= 500万`, `credit_rating >= BBB`,
// `rank(p.risk) > rank(risk_level)`), or a symbol slot in a list of constant
// symbols (`value_tier in [platinum, gold]`), or a symbol in the list a slot
// holds (`x in products`), looked up in a bitmap when the list is a segments
// decision's (`savings in customer_type`); or an `and` / `or` of such tests.
struct FusedTest;
// Runs one FusedTest on a record's slots and its segments decisions' row bitmaps
// (Outcome::segment_rows): one function per kind and operand shape, so a test
// takes no branch on what it is (see fused_run.cpp).
using FusedRun = bool (*)(const FusedTest& test, const Value* slots, const std::vector<uint64_t>* segment_rows);

struct FusedTest {
  // The first two are the common shapes of the next two (a slot against a constant), taken without
  // looking at where the operands come from.
  enum class Kind : uint8_t {
    number_slot_vs_constant, symbol_slot_vs_constant, numbers, symbols, symbol_in_set, symbol_in_list, symbol_in_segments,
    ranks,   // `rank(p.risk) > rank(risk_level)`: both sides rank_of_*, compared as integers
    all_of,  // `a and b`, `a or b` whose parts are all one-step tests
    any_of,
    text_in_list  // `"gold" in products_held`: a constant string in a list of strings
  };
  Kind kind = Kind::numbers;
  // The comparison (eq ... ge, on numbers or on symbol positions in their domain) as a mask:
  // bit 0 holds when left < right, bit 1 when equal, bit 2 when greater.
  uint8_t accept = 0;
  bool negate = false;       // symbol_in_*: `not in`
  FusedOperand left, right;  // symbol_in_set: left only; symbol_in_list: right is the list's slot;
                             // symbol_in_segments: right.slot is the segments decision's index
  uint64_t set = 0;          // symbol_in_set: bit i for symbol i (domains of up to 64 values)
  const FusedTest* const* parts = nullptr;  // all_of, any_of: the parts, in order
  uint32_t part_count = 0;
  FusedRun run = nullptr;

  bool operator()(const Value* slots, const std::vector<uint64_t>* segment_rows) const { return run(*this, slots, segment_rows); }
};

// The function that runs `test`, by its kind and operands.
FusedRun fused_runner(const FusedTest& test);

// An operand's value as a number, a rank or a symbol, whatever its source.
Decimal operand_number(const FusedOperand& o, const Value* slots);
int64_t operand_rank(const FusedOperand& o, const Value* slots);
uint32_t operand_symbol(const FusedOperand& o, const Value* slots);

// Strategies by a tier or segment row their `when` cannot hold without: the
// guard `value_tier == gold`, `value_tier in [platinum, gold]` or
// `savings in customer_type`, alone or as a leading part of an `and`. Per
// record only the strategies guarded by a row that matched, and those with no
// guard, are tested, in file order as before: with many strategies most
// `when`s are never looked at.
struct StrategyGuards {
  PlanVector<uint64_t> unguarded;  // bit s: strategy s has no guard and is always tested
  struct ByRow {
    uint32_t decision = 0;
    bool tiers = false;   // tiers: the row is the value of `slot`; segments: the rows matched
    uint32_t slot = kNone;
    PlanVector<PlanVector<uint32_t>> strategies;  // per row of the decision: the strategies it guards
    // With few strategies (up to kMaskWords * 64), the same as bitmaps, row after
    // row: OR-ing one in takes no branch on how many strategies the row guards.
    PlanVector<uint64_t> masks;
  };
  static constexpr size_t kMaskWords = 4;
  PlanVector<ByRow> decisions;  // only the decisions that guard something
  bool one_word = false;        // up to 64 strategies: every ByRow has masks of one word per row
};

// One step of the per-record order (Program::order) with what running it
// needs at hand: a let that is one number operation, computed in place with its
// slot operands read directly (`share(time_deposits, aum)`, `loans / max(aum, 1)`);
// another let of a number; any other let; or a decision.
struct StepPlan {
  enum class Kind : uint8_t {
    share_of_slots,  // share(a, b) of two slots: the commonest direct let
    direct_let,
    number_let,
    value_let,
    decision
  };
  Kind kind = Kind::value_let;
  Code code = Code::constant;  // direct_let: add, sub, mul, div or share
  uint32_t index = 0;          // the let or decision
  uint32_t slot = kNone;       // lets: the slot written
  uint32_t node = kNone;       // lets: the value's node
  uint32_t left = kNone, right = kNone;  // direct_let: the operands' slots, or kNone for another node
  uint32_t left_node = kNone, right_node = kNone;
};

// A condition as the evaluator meets it (a decision row, a `when`, a drop
// row), with what testing it needs at hand: the commonest shapes, a number or
// symbol slot against a constant, as one compare in the plan itself
// (`(x < bound) != invert`: x <= k is x < k + 1 unit, x > k is not x < k + 1;
// or `(x == bound) != invert`), an `and` or `or` of such parts, another
// one-step test run by its function, or the general path.
struct Condition {
  enum class Op : uint8_t {
    none,          // no condition (`otherwise`, no `when`): holds
    number_less,   // the slot's number, in units, against `bound`
    number_equal,
    symbol_less,   // the slot's symbol, as an index, against `bound`
    symbol_equal,
    all_of,        // `parts` (each a compare or a one-step test)
    any_of,
    fused,         // `fused`, through its function
    general        // `node`, by the general path
  };
  Op op = Op::none;
  bool invert = false;
  uint32_t slot = kNone;
  uint32_t part_count = 0;  // all_of, any_of: how many `parts`
  uint32_t node = kNone;  // the condition's node (kNone: none)
  // The bound in two halves: an Int128 member would align the whole struct to
  // 16 bytes (64 instead of 48), and with thousands of rows the plan's size is
  // what evaluating them costs.
  uint64_t bound_low = 0;
  int64_t bound_high = 0;
  const FusedTest* fused = nullptr;
  const struct Condition* parts = nullptr;

  Int128 bound() const { return static_cast<Int128>(static_cast<UInt128>(static_cast<uint64_t>(bound_high)) << 64 | bound_low); }
  void set_bound(Int128 b) {
    bound_low = static_cast<uint64_t>(b);
    bound_high = static_cast<int64_t>(b >> 64);
  }
};

// A decision row as the evaluator runs it: its condition (no node: `otherwise`)
// and, for segments, its score: a slot read directly, or another node.
struct RowPlan {
  Condition when;
  uint32_t score_slot = kNone;
  uint32_t score_node = kNone;
};

// A strategy statement as the evaluator runs it.
struct StatementPlan {
  enum class Kind : uint8_t {
    assign,           // FIELD = EXPR
    assign_constant,  // FIELD = a constant: `constant` is its value
    append,           // a list statement
    append_symbols    // a list statement whose items are constant symbols (`offer a, b`): `symbols`
  };
  Kind kind = Kind::assign;
  uint32_t field = kNone;  // the output
  uint32_t value = kNone;  // the value's node
  Condition when;          // node kNone: none
  const Value* constant = nullptr;
  uint32_t first_symbol = 0;  // append_symbols: EvalPlan::statement_symbols[first_symbol, + symbol_count)
  uint32_t symbol_count = 0;
};

// A strategy as the evaluator runs it. `when` has no node when nothing is left
// to test once the strategy is a candidate: no `when`, or a `when` that is
// exactly the guard that made it one (see StrategyGuards). Its statements are
// EvalPlan::statements[first_statement, + statement_count).
struct StrategyPlan {
  Condition when;
  uint32_t first_statement = 0;
  uint32_t statement_count = 0;
};

// A drop row that compares an attribute of the constraint's item with a value
// that does not depend on the item (`rank(p.risk) > rank(risk_level)`,
// `aum < p.min_aum`): the value is read once per record, the item's side from
// a column of the plan.
struct ItemTest {
  enum class Kind : uint8_t { numbers, ranks, symbols };  // how the other side is read
  Kind kind = Kind::numbers;
  uint8_t accept = 0;         // as FusedTest::accept, the item's side on the left
  FusedOperand other;         // the side that does not depend on the item
  PlanVector<Int128> values;  // per item: its side (a number's units, a rank or a symbol)
};

// A constraint as the evaluator runs it. When every drop row is an ItemTest
// (and the list holds catalog items), `item_tests` has one per row and the
// rows are tested without the general path.
struct ConstraintPlan {
  PlanVector<Condition> rows;
  PlanVector<ItemTest> item_tests;
};

// How reset_outcome puts one output back to its initial value.
struct OutputReset {
  enum class Kind : uint8_t {
    scalar,      // assigned its initial value (the default, or null)
    empty_list,  // emptied
    list         // emptied, then given its default items
  };
  Kind kind = Kind::scalar;
  uint32_t output = 0;
  const Value* initial = nullptr;  // the output's initial value
  uint32_t bitmap_words = 0;  // lists of symbols: their words of Outcome::in_list (0: not a list of symbols)
  uint32_t bitmap_at = 0;     // where those words start
};

struct alignas(64) EvalPlan {  // aligned: see CacheLineAllocator
  PlanVector<PlanVector<AttributeColumn>> columns;  // per catalog, per attribute
  PlanVector<FusedTest> fused;        // the conditions that can be tested in one step
  PlanVector<const FusedTest*> parts; // the parts of all_of and any_of tests, one run after the other
  PlanVector<uint32_t> fused_at;      // per node: its index in `fused`, or kNone
  StrategyGuards guards;
  PlanVector<StepPlan> steps;         // Program::order
  PlanVector<PlanVector<RowPlan>> rows;              // per decision, per row
  // What the plan's rows, strategies and statements point into, each one
  // array in the order the evaluator reads it, so that a record's walk over
  // a large program goes forward through memory instead of hopping between
  // thousands of small allocations:
  PlanVector<Condition> condition_parts;   // the parts of every all_of and any_of condition
  PlanVector<StatementPlan> statements;    // every strategy's statements, strategy after strategy
  PlanVector<uint32_t> statement_symbols;  // the constant symbols of every append_symbols statement
  PlanVector<StrategyPlan> strategies;                // per strategy
  PlanVector<ConstraintPlan> constraints;            // per constraint
  PlanVector<OutputReset> output_resets;             // per output
  PlanVector<uint32_t> list_bits;  // per output: where its words of Outcome::in_list start (kNone: none)
  uint32_t list_bit_words = 0;     // the size of Outcome::in_list
};

// The program's plan, built on the first call (thread-safe); it lives as long as the program.
const EvalPlan& eval_plan(const Program& program);

}  // namespace segrule
