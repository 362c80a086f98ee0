#pragma once
// Compares compiled expressions of two versions of a rule file by what they
// mean, not how they are written: constants by value (`20万` == `200000`,
// folded `2 * 10万` too), names by what they resolved to (an input field, a
// let, a tier row, a catalog item), ordered comparisons of enum or tier values
// also by the order of that enum or tiers.

#include <cstdint>
#include <utility>
#include <vector>

#include "check/program.hpp"

namespace segrule {

class ExprComparer {
 public:
  // Both programs must outlive the comparer.
  ExprComparer(const Program& old_program, const Program& new_program) : old_(old_program), new_(new_program) {}

  // True when node `a` of the old program and node `b` of the new one mean the
  // same. kNone (no expression, as for `otherwise`) equals only kNone.
  bool same(uint32_t a, uint32_t b) const;

  // Two values of the same meaning (catalog attributes, defaults).
  bool same_value(const Type& ta, const Value& a, const Type& tb, const Value& b) const;

  // Treats two item variables (a constraint's `as p` and `as q`) as the same name.
  void bind_locals(uint32_t old_slot, uint32_t new_slot) { locals_.emplace_back(old_slot, new_slot); }

  // Whether the values of a domain (enum, tiers, output enum) are in the same
  // order in both versions, so that `<` and `rank` mean the same.
  bool same_order(const std::string& domain_name) const;

 private:
  bool same_slot(uint32_t a, uint32_t b) const;
  bool same_local(uint32_t a, uint32_t b) const;

  const Program& old_;
  const Program& new_;
  mutable std::vector<std::pair<uint32_t, uint32_t>> locals_;
};

// The domain named `name` in a program, or null.
const Domain* find_domain(const Program& program, const std::string& name);

}  // namespace segrule
