#include "diff/expr_compare.hpp"

namespace segrule {

namespace {

bool is_ordered_code(Code code) {
  return code == Code::lt || code == Code::le || code == Code::gt || code == Code::ge || code == Code::rank;
}

// int, number and money literals are all numbers: compared by value.
bool same_type_family(const Type& a, const Type& b) {
  if (a.is_numeric() && b.is_numeric()) return true;
  if (a.base != b.base) return false;
  if (a.base == BaseType::list) return a.element == b.element || (Type::of(a.element).is_numeric() && Type::of(b.element).is_numeric());
  return true;
}

const std::string& domain_name(const Program& p, uint32_t domain) {
  static const std::string none;
  return domain == kNone ? none : p.domains[domain].name;
}

}  // namespace

const Domain* find_domain(const Program& program, const std::string& name) {
  for (const Domain& d : program.domains)
    if (d.name == name) return &d;
  return nullptr;
}

bool ExprComparer::same_order(const std::string& name) const {
  const Domain* a = find_domain(old_, name);
  const Domain* b = find_domain(new_, name);
  return a && b && a->ids == b->ids;
}

bool ExprComparer::same_value(const Type& ta, const Value& a, const Type& tb, const Value& b) const {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::null:
    case ValueKind::boolean:
    case ValueKind::number:
    case ValueKind::string:
    case ValueKind::date: return segrule::same_value(a, b);
    // Symbols and lists of them: compared by id, as the two programs number their domains apart.
    case ValueKind::symbol:
      return domain_name(old_, ta.domain) == domain_name(new_, tb.domain) && ta.domain != kNone && tb.domain != kNone &&
             old_.domains[ta.domain].ids[a.symbol] == new_.domains[tb.domain].ids[b.symbol];
    case ValueKind::list: {
      if (a.items.size() != b.items.size()) return false;
      Type ea = ta.element_type(), eb = tb.element_type();
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!same_value(ea, a.items[i], eb, b.items[i])) return false;
      return true;
    }
  }
  return false;
}

bool ExprComparer::same_slot(uint32_t a, uint32_t b) const {
  const Slot& sa = old_.slots[a];
  const Slot& sb = new_.slots[b];
  return sa.kind == sb.kind && sa.name == sb.name;
}

bool ExprComparer::same_local(uint32_t a, uint32_t b) const {
  for (const auto& [la, lb] : locals_)
    if (la == a) return lb == b;
  return old_.slots[a].name == new_.slots[b].name;
}

bool ExprComparer::same(uint32_t a, uint32_t b) const {
  if (a == kNone || b == kNone) return a == b;
  const Node& na = old_.nodes[a];
  const Node& nb = new_.nodes[b];
  if (na.code != nb.code || na.args.size() != nb.args.size()) return false;
  if (!same_type_family(na.type, nb.type)) return false;
  switch (na.code) {
    case Code::constant: return same_value(na.type, na.constant, nb.type, nb.constant);
    case Code::slot: return same_slot(na.slot, nb.slot);
    case Code::local: return same_local(na.slot, nb.slot);
    case Code::attribute: {
      const Catalog& ca = old_.catalogs[old_.domains[na.domain].catalog];
      const Catalog& cb = new_.catalogs[new_.domains[nb.domain].catalog];
      if (ca.name != cb.name || ca.attributes[na.slot] != cb.attributes[nb.slot]) return false;
      break;
    }
    case Code::all:
    case Code::any:
      // The quantifier's variable is bound here, whatever it is called.
      locals_.emplace_back(na.slot, nb.slot);
      break;
    default:
      if (na.domain != kNone || nb.domain != kNone) {
        if (domain_name(old_, na.domain) != domain_name(new_, nb.domain)) return false;
        if (is_ordered_code(na.code) && !same_order(domain_name(old_, na.domain))) return false;
      }
      if (na.type.base == BaseType::symbol && domain_name(old_, na.type.domain) != domain_name(new_, nb.type.domain)) return false;
  }
  for (size_t i = 0; i < na.args.size(); ++i)
    if (!same(na.args[i], nb.args[i])) return false;
  return true;
}

}  // namespace segrule
