#pragma once
// Per-record invariant checking: after a record is evaluated, every invariant
// that can be checked on one record must hold, or the record is rejected.

#include "eval/evaluator.hpp"

namespace segrule {

// Checks the invariants of `program` against an evaluated record (`outcome`
// filled by evaluate). `monotone(...)` invariants compare two records and are
// skipped here (`check` proves them). Returns false and fills `error` with a
// message naming the first invariant that does not hold.
bool check_invariants(const Program& program, Outcome& outcome, EvalError& error);

// The message for a broken invariant: invariant `ID` ("label") does not hold.
std::string invariant_broken_message(const Invariant& invariant);

}  // namespace segrule
