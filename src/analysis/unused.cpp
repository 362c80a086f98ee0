// Declarations nothing uses: lets no rule reads (W0801), enum values nothing
// can give (W0802), catalog items never offered or named (W0803), outputs no
// strategy sets (W0804). Found from the compiled rules alone, without a solver.

#include <set>

#include <fmt/format.h>

#include "analysis/example_record.hpp"
#include "analysis/report.hpp"
#include "analysis/warnings.hpp"

namespace segrule::analysis {

namespace {

class Usage {
 public:
  explicit Usage(const Program& p) : p_(p), seen_(p.nodes.size(), false), let_used_(p.lets.size(), false) {}

  void walk(uint32_t node) {
    if (node == kNone || seen_[node]) return;
    seen_[node] = true;
    const Node& n = p_.nodes[node];
    note_type(n.type);
    if (n.code == Code::constant) note_value(n.constant, n.type);
    if (n.code == Code::slot && p_.slots[n.slot].kind == SlotKind::let && !let_used_[p_.slots[n.slot].decl]) {
      let_used_[p_.slots[n.slot].decl] = true;
      walk(p_.lets[p_.slots[n.slot].decl].value);
    }
    for (uint32_t a : n.args) walk(a);
  }

  void note_value(const Value& v, const Type& t) {
    if (v.kind == ValueKind::symbol && t.domain != kNone) values_.emplace(t.domain, v.symbol);
    for (const Value& item : v.items) note_value(item, t.element_type());
  }
  void note_type(const Type& t) {
    if (t.domain != kNone) domains_.insert(t.domain);
  }

  bool let_used(size_t i) const { return let_used_[i]; }
  bool value_used(uint32_t domain, uint32_t value) const { return values_.count({domain, value}) > 0; }
  bool domain_used(uint32_t domain) const { return domains_.count(domain) > 0; }

 private:
  const Program& p_;
  std::vector<bool> seen_;
  std::vector<bool> let_used_;
  std::set<std::pair<uint32_t, uint32_t>> values_;
  std::set<uint32_t> domains_;
};

}  // namespace

void unused_warnings(const Program& p, std::vector<Finding>& out) {
  Usage usage(p);
  // What results depend on: decisions, strategies, constraints and invariants.
  for (const Decision& d : p.decisions)
    for (const CompiledRow& r : d.rows) {
      usage.walk(r.condition);
      usage.walk(r.score);
    }
  for (const Strategy& s : p.strategies) {
    usage.walk(s.when);
    for (const CompiledStatement& st : s.statements) {
      usage.walk(st.when);
      usage.walk(st.value);
    }
  }
  for (const Constraint& c : p.constraints)
    for (const DropRule& r : c.rows) usage.walk(r.when);
  for (const Invariant& inv : p.invariants) usage.walk(inv.body);

  for (size_t i = 0; i < p.lets.size(); ++i)
    if (!usage.let_used(i))
      out.push_back(finding(Severity::warning, "W0801", p.lets[i].span, fmt::format("let `{}` is never used", p.lets[i].name),
                            "no decision, strategy, constraint or invariant reads it, directly or through other lets: remove it"));

  // A value named only in an unused let is still named: its let gets the warning.
  for (const Let& let : p.lets) usage.walk(let.value);
  std::set<uint32_t> fed;  // domains whose values come from records
  for (const InputField& f : p.inputs) {
    usage.note_type(f.type);
    if (f.type.domain != kNone) fed.insert(f.type.domain);
    if (f.has_default) usage.note_value(f.default_value, f.type);
  }
  for (const Catalog& c : p.catalogs) {
    for (const Type& t : c.attribute_types) usage.note_type(t);
    for (const auto& item : c.values)
      for (size_t k = 0; k < item.size(); ++k) usage.note_value(item[k], c.attribute_types[k]);
  }
  std::vector<bool> output_set(p.outputs.size(), false);
  for (const Strategy& s : p.strategies)
    for (const CompiledStatement& st : s.statements) output_set[st.field] = true;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    const OutputField& o = p.outputs[i];
    usage.note_type(o.type);
    usage.note_value(o.initial, o.type);
    if (output_set[i]) continue;
    std::string always = o.type.base == BaseType::list ? "empty" : o.has_default ? fmt::format("its default {}", value_json(p, o.type, o.initial)) : "null";
    out.push_back(finding(Severity::warning, "W0804", o.span, fmt::format("output `{}` is never set", o.name),
                          fmt::format("no strategy sets or adds to it, so it is always {}: remove it, or add a strategy", always)));
  }

  for (size_t d = 0; d < p.domains.size(); ++d) {
    const Domain& dom = p.domains[d];
    const uint32_t domain = static_cast<uint32_t>(d);
    if (dom.kind == DomainKind::tiers || dom.kind == DomainKind::segments || fed.count(domain)) continue;
    if (dom.kind == DomainKind::enum_ && !usage.domain_used(domain)) {
      out.push_back(finding(Severity::warning, "W0802", dom.span, fmt::format("enum `{}` is never used", dom.name),
                            "no input field, catalog attribute, output or rule has this type: remove it"));
      continue;
    }
    if (dom.kind == DomainKind::output_enum) {
      bool set = false;
      for (size_t i = 0; i < p.outputs.size(); ++i)
        if (p.outputs[i].type.domain == domain && output_set[i]) set = true;
      if (!set) continue;  // the output itself is reported
    }
    for (size_t v = 0; v < dom.ids.size(); ++v) {
      if (usage.value_used(domain, static_cast<uint32_t>(v))) continue;
      switch (dom.kind) {
        case DomainKind::enum_:
          out.push_back(finding(Severity::warning, "W0802", dom.spans[v], fmt::format("value `{}` of enum `{}` is never used", dom.ids[v], dom.name),
                                "no input field has this enum as its type, and no catalog item, default or rule gives this value: remove it"));
          break;
        case DomainKind::output_enum:
          out.push_back(finding(Severity::warning, "W0802", dom.spans[v], fmt::format("value `{}` of output `{}` is never set", dom.ids[v], dom.name),
                                "no strategy sets it and it is not the default: remove it, or set it somewhere"));
          break;
        case DomainKind::catalog:
          out.push_back(finding(Severity::warning, "W0803", dom.spans[v], fmt::format("catalog item `{}` of `{}` is never used", dom.ids[v], dom.name),
                                "no strategy offers it and no rule names it: remove it, or offer it"));
          break;
        default: break;
      }
    }
  }
}

}  // namespace segrule::analysis
