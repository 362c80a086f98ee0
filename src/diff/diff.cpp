#include "diff/diff.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "check/checker.hpp"
#include "diff/expr_compare.hpp"
#include "eval/result_writer.hpp"

namespace segrule {

namespace {

// Index pairs of a longest common subsequence of two sequences under `same`.
std::vector<std::pair<size_t, size_t>> common_subsequence(size_t n, size_t m, const std::function<bool(size_t, size_t)>& same) {
  std::vector<std::vector<uint32_t>> length(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      length[i][j] = same(i, j) ? length[i + 1][j + 1] + 1 : std::max(length[i + 1][j], length[i][j + 1]);
  std::vector<std::pair<size_t, size_t>> pairs;
  size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (same(i, j)) {
      pairs.emplace_back(i++, j++);
    } else if (length[i + 1][j] >= length[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return pairs;
}

std::string quoted(std::string_view text) {
  std::string out;
  write_json_string(text, out);
  return out;
}

// A value as it would be written in a rule file: `300万` is shown as 3000000.
std::string value_text(const Program& p, const Type& type, const Value& v) {
  switch (v.kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return v.boolean ? "true" : "false";
    case ValueKind::number: return v.number.to_string();
    case ValueKind::string: return quoted(v.text);
    case ValueKind::date: return to_string(v.date);
    case ValueKind::symbol: return type.domain == kNone ? "?" : p.domains[type.domain].ids[v.symbol];
    case ValueKind::list: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + value_text(p, type.element_type(), v.items[i]);
      return out + "]";
    }
  }
  return "?";
}

// The stretch of a common order that moved: from the first to the last position that differs.
void moved_span(const std::vector<std::string>& before, const std::vector<std::string>& after, Change& change) {
  size_t first = 0, last = before.size();
  while (first < before.size() && before[first] == after[first]) ++first;
  while (last > first && before[last - 1] == after[last - 1]) --last;
  change.old_order.assign(before.begin() + first, before.begin() + last);
  change.new_order.assign(after.begin() + first, after.begin() + last);
}

// The ids common to both, in the old order and in the new order.
bool reordered(const std::vector<std::string>& old_ids, const std::vector<std::string>& new_ids, Change& change) {
  std::set<std::string> in_old(old_ids.begin(), old_ids.end()), in_new(new_ids.begin(), new_ids.end());
  std::vector<std::string> before, after;
  for (const auto& id : old_ids)
    if (in_new.count(id)) before.push_back(id);
  for (const auto& id : new_ids)
    if (in_old.count(id)) after.push_back(id);
  if (before == after) return false;
  change.op = Change::Op::reordered;
  moved_span(before, after, change);
  return true;
}

Change added(std::string part, std::string id, std::string text) {
  Change c;
  c.op = Change::Op::added;
  c.part = std::move(part);
  c.id = std::move(id);
  c.new_text = std::move(text);
  return c;
}

Change removed(std::string part, std::string id, std::string text) {
  Change c;
  c.op = Change::Op::removed;
  c.part = std::move(part);
  c.id = std::move(id);
  c.old_text = std::move(text);
  return c;
}

Change changed(std::string part, std::string id, std::string aspect, std::string before, std::string after) {
  Change c;
  c.part = std::move(part);
  c.id = std::move(id);
  c.aspect = std::move(aspect);
  c.old_text = std::move(before);
  c.new_text = std::move(after);
  return c;
}

template <class T>
const T* by_name(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

template <class T>
bool has_name(const std::vector<T>& items, const std::string& name) {
  return by_name(items, name) != nullptr;
}

class Differ {
 public:
  Differ(const RuleVersion& o, const RuleVersion& n, const SemanticDiffOptions& options)
      : o_(o), n_(n), op_(*o.program), np_(*n.program), compare_(op_, np_), options_(options) {}

  SemanticDiff run() {
    ruleset();
    enums();
    input();
    lets();
    decisions();
    catalogs();
    output();
    strategies();
    constraints();
    invariants();
    judge_decisions();
    SemanticDiff diff;
    for (auto& d : out_)
      if (d.status != DeclarationDiff::Status::changed || !d.changes.empty() || d.judgement) diff.declarations.push_back(std::move(d));
    return diff;
  }

 private:
  std::string old_text(Span s) const { return span_text(*o_.source, s); }
  std::string new_text(Span s) const { return span_text(*n_.source, s); }

  DeclarationDiff& group(std::string kind, std::string name, DeclarationDiff::Status status = DeclarationDiff::Status::changed,
                         std::string summary = {}) {
    DeclarationDiff d;
    d.kind = std::move(kind);
    d.name = std::move(name);
    d.status = status;
    d.summary = std::move(summary);
    out_.push_back(std::move(d));
    return out_.back();
  }

  // Reports a declaration present in one version only.
  void added_or_removed(const std::string& kind, const std::string& name, bool is_added, std::string summary) {
    group(kind, name, is_added ? DeclarationDiff::Status::added : DeclarationDiff::Status::removed, std::move(summary));
    changed_names_.insert(name);
  }

  bool same_type(const Type& a, const Type& b) const {
    if (a.base != b.base || a.element != b.element || a.nullable != b.nullable) return false;
    if (a.domain == kNone || b.domain == kNone) return a.domain == b.domain;
    const Domain& da = op_.domains[a.domain];
    const Domain& db = np_.domains[b.domain];
    // An inline output enum is its list of values; a named one is its name (its changes are its own).
    if (da.kind == DomainKind::output_enum || db.kind == DomainKind::output_enum) return da.kind == db.kind && da.ids == db.ids;
    return da.name == db.name;
  }

  // Why an expression whose text did not change means something else now: it
  // compares by the order of an enum or tiers that was reordered, or a name in
  // it (a catalog attribute read as a constant, say) has another value.
  std::string same_text_note(uint32_t old_node) const {
    std::string reordered_domain;
    std::function<void(uint32_t)> walk = [&](uint32_t n) {
      if (n == kNone || !reordered_domain.empty()) return;
      const Node& node = op_.nodes[n];
      bool ordered = node.code == Code::lt || node.code == Code::le || node.code == Code::gt || node.code == Code::ge || node.code == Code::rank;
      if (ordered && node.domain != kNone && !compare_.same_order(op_.domains[node.domain].name)) reordered_domain = op_.domains[node.domain].name;
      for (uint32_t a : node.args) walk(a);
    };
    walk(old_node);
    return reordered_domain.empty() ? "a value it reads changed" : "the order of `" + reordered_domain + "` changed";
  }

  void ruleset() {
    const Metadata& a = op_.metadata;
    const Metadata& b = np_.metadata;
    auto text = [](const std::string& s, bool quote) { return s.empty() ? std::string("(none)") : quote ? quoted(s) : s; };
    std::vector<Change> changes;
    auto entry = [&](const char* key, const std::string& x, const std::string& y, bool quote) {
      if (x != y) changes.push_back(changed("entry", key, "", text(x, quote), text(y, quote)));
    };
    entry("name", a.name, b.name, false);
    entry("title", a.title, b.title, true);
    entry("version", a.version, b.version, true);
    entry("effective", a.effective, b.effective, false);
    entry("owner", a.owner, b.owner, true);
    if (!changes.empty()) group("ruleset", b.name).changes = std::move(changes);
  }

  static std::vector<const Domain*> enum_domains(const Program& p) {
    std::vector<const Domain*> out;
    for (const Domain& d : p.domains)
      if (d.kind == DomainKind::enum_) out.push_back(&d);
    return out;
  }

  static std::string id_list(const std::vector<std::string>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + ids[i];
    return out + "]";
  }

  void enums() {
    auto olds = enum_domains(op_), news = enum_domains(np_);
    auto find = [](const std::vector<const Domain*>& ds, const std::string& name) -> const Domain* {
      for (const Domain* d : ds)
        if (d->name == name) return d;
      return nullptr;
    };
    for (const Domain* b : news) {
      const Domain* a = find(olds, b->name);
      if (!a) {
        added_or_removed("enum", b->name, true, id_list(b->ids));
        continue;
      }
      std::vector<Change> changes;
      for (size_t i = 0; i < a->ids.size(); ++i)
        if (b->find(a->ids[i]) == kNone) changes.push_back(removed("value", a->ids[i], ""));
      for (size_t i = 0; i < b->ids.size(); ++i) {
        uint32_t k = a->find(b->ids[i]);
        if (k == kNone) {
          Change c = added("value", b->ids[i], "");
          c.label = b->labels[i];
          c.after = i ? b->ids[i - 1] : "";
          changes.push_back(c);
        } else if (a->labels[k] != b->labels[i]) {
          changes.push_back(changed("value", b->ids[i], "label", quoted(a->labels[k]), quoted(b->labels[i])));
        }
      }
      Change order;
      order.part = "values";
      if (reordered(a->ids, b->ids, order)) changes.push_back(order);
      if (a->ids != b->ids) changed_names_.insert(b->name);
      if (!changes.empty()) group("enum", b->name).changes = std::move(changes);
    }
    for (const Domain* a : olds)
      if (!find(news, a->name)) added_or_removed("enum", a->name, false, id_list(a->ids));
  }

  static const FieldDecl* field_decl(const std::vector<FieldDecl>& fields, const std::string& name) {
    for (const FieldDecl& f : fields)
      if (f.name == name) return &f;
    return nullptr;
  }

  // `: money = 0`, `: string pii`, as written after the field's name.
  static std::string field_text(const SourceFile& source, const FieldDecl& f) {
    std::string out = ": " + span_text(source, f.type.span);
    if (f.pii) out += " pii";
    if (f.default_value) out += " = " + span_text(source, f.default_value->span);
    return out;
  }

  std::string default_text(const SourceFile& source, const FieldDecl* f) const {
    return f && f->default_value ? span_text(source, f->default_value->span) : "(none)";
  }

  void input() {
    if (o_.ast->inputs.empty() || n_.ast->inputs.empty()) return;
    const InputDecl& ia = o_.ast->inputs[0];
    const InputDecl& ib = n_.ast->inputs[0];
    std::vector<Change> changes;
    if (ia.name != ib.name) changes.push_back(changed("name", "", "", ia.name, ib.name));
    if (ia.key != ib.key) {
      changes.push_back(changed("key", "", "", ia.key, ib.key));
      changed_names_.insert(ib.key);
    }
    for (const InputField& b : np_.inputs) {
      const FieldDecl* fb = field_decl(ib.fields, b.name);
      auto it = op_.input_index.find(b.name);
      if (it == op_.input_index.end()) {
        changes.push_back(added("field", b.name, field_text(*n_.source, *fb)));
        changed_names_.insert(b.name);
        continue;
      }
      const InputField& a = op_.inputs[it->second];
      const FieldDecl* fa = field_decl(ia.fields, a.name);
      if (!same_type(a.type, b.type)) {
        changes.push_back(changed("field", b.name, "type", span_text(*o_.source, fa->type.span), span_text(*n_.source, fb->type.span)));
        changed_names_.insert(b.name);
      }
      if (a.has_default != b.has_default || (a.has_default && !compare_.same_value(a.type, a.default_value, b.type, b.default_value))) {
        changes.push_back(changed("field", b.name, "default", default_text(*o_.source, fa), default_text(*n_.source, fb)));
        changed_names_.insert(b.name);
      }
      if (a.pii != b.pii) changes.push_back(changed("field", b.name, "pii", a.pii ? "yes" : "no", b.pii ? "yes" : "no"));
    }
    for (const InputField& a : op_.inputs) {
      if (np_.input_index.count(a.name)) continue;
      changes.push_back(removed("field", a.name, field_text(*o_.source, *field_decl(ia.fields, a.name))));
      changed_names_.insert(a.name);
    }
    if (!changes.empty()) group("input", ib.name).changes = std::move(changes);
  }

  void lets() {
    for (const LetDecl& lb : n_.ast->lets) {
      const Let* b = by_name(np_.lets, lb.name);
      const Let* a = by_name(op_.lets, lb.name);
      const LetDecl* la = by_name(o_.ast->lets, lb.name);
      if (!a) {
        added_or_removed("let", lb.name, true, "= " + new_text(lb.value->span));
        continue;
      }
      if (compare_.same(a->value, b->value)) continue;
      Change c = changed("value", "", "", old_text(la->value->span), new_text(lb.value->span));
      if (c.old_text == c.new_text) c.note = same_text_note(a->value);
      group("let", lb.name).changes.push_back(c);
      changed_names_.insert(lb.name);
    }
    for (const LetDecl& la : o_.ast->lets)
      if (!has_name(n_.ast->lets, la.name)) added_or_removed("let", la.name, false, "= " + old_text(la.value->span));
  }

  // `when aum >= 20万`, `otherwise`, with ` score EXPR` for scored segments.
  static std::string row_text(const SourceFile& source, const Row& row) {
    std::string out = row.condition ? "when " + span_text(source, row.condition->span) : "otherwise";
    if (row.score) out += " score " + span_text(source, row.score->span);
    return out;
  }

  static std::string condition_text(const SourceFile& source, const Expr* e) { return e ? span_text(source, e->span) : "otherwise"; }

  void decision(const DecisionDecl& db) {
    const Decision* b = by_name(np_.decisions, db.name);
    const Decision* a = by_name(op_.decisions, db.name);
    const DecisionDecl* da = by_name(o_.ast->decisions, db.name);
    const char* kind = db.is_tiers ? "tiers" : "segments";
    if (!a) {
      added_or_removed(kind, db.name, true, fmt_rows(db.rows.size()));
      return;
    }
    DeclarationDiff d;
    d.kind = kind;
    d.name = db.name;
    if (a->is_tiers != b->is_tiers) d.changes.push_back(changed("kind", "", "", a->is_tiers ? "tiers" : "segments", kind));
    std::vector<std::string> old_ids, new_ids;
    for (const Row& r : da->rows) old_ids.push_back(r.id);
    for (const Row& r : db.rows) new_ids.push_back(r.id);
    for (size_t i = 0; i < db.rows.size(); ++i) {
      const Row& rb = db.rows[i];
      auto ai = std::find(old_ids.begin(), old_ids.end(), rb.id);
      if (ai == old_ids.end()) {
        Change c = added("row", rb.id, row_text(*n_.source, rb));
        c.label = rb.label;
        c.after = i ? db.rows[i - 1].id : "";
        d.changes.push_back(c);
        continue;
      }
      size_t k = static_cast<size_t>(ai - old_ids.begin());
      const Row& ra = da->rows[k];
      if (ra.label != rb.label) d.changes.push_back(changed("row", rb.id, "label", quoted(ra.label), quoted(rb.label)));
      if (!compare_.same(a->rows[k].condition, b->rows[i].condition)) {
        Change c = changed("row", rb.id, "condition", condition_text(*o_.source, ra.condition), condition_text(*n_.source, rb.condition));
        c.label = rb.label;
        if (c.old_text == c.new_text) c.note = same_text_note(a->rows[k].condition);
        d.changes.push_back(c);
      }
      if (!compare_.same(a->rows[k].score, b->rows[i].score)) {
        Change c = changed("row", rb.id, "score", ra.score ? old_text(ra.score->span) : "(none)", rb.score ? new_text(rb.score->span) : "(none)");
        c.label = rb.label;
        d.changes.push_back(c);
      }
    }
    for (const Row& ra : da->rows) {
      if (std::find(new_ids.begin(), new_ids.end(), ra.id) != new_ids.end()) continue;
      Change c = removed("row", ra.id, row_text(*o_.source, ra));
      c.label = ra.label;
      d.changes.push_back(c);
    }
    Change order;
    order.part = "rows";
    if (reordered(old_ids, new_ids, order)) d.changes.push_back(order);
    if (!d.changes.empty()) changed_names_.insert(db.name);
    out_.push_back(std::move(d));
  }

  static std::string fmt_rows(size_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

  void decisions() {
    for (const DecisionDecl& db : n_.ast->decisions) decision(db);
    for (const DecisionDecl& da : o_.ast->decisions)
      if (!has_name(n_.ast->decisions, da.name)) added_or_removed(da.is_tiers ? "tiers" : "segments", da.name, false, fmt_rows(da.rows.size()));
  }

  // `{ risk: R5, min_aum: 300万 }` as written.
  static std::string item_text(const SourceFile& source, const CatalogItem& item) {
    std::string out = "{ ";
    for (size_t i = 0; i < item.values.size(); ++i)
      out += (i ? ", " : "") + item.values[i].name + ": " + span_text(source, item.values[i].value->span);
    return out + " }";
  }

  // An item's attribute as written, or its default when the item does not set it.
  static std::string attribute_text(const SourceFile& source, const Program& p, const Catalog& cat, const CatalogItem& item, size_t attr,
                                    uint32_t index) {
    for (const AttrValue& v : item.values)
      if (v.name == cat.attributes[attr]) return span_text(source, v.value->span);
    return value_text(p, cat.attribute_types[attr], cat.values[index][attr]) + " (default)";
  }

  void catalog(const CatalogDecl& cb) {
    const Catalog* b = by_name(np_.catalogs, cb.name);
    const Catalog* a = by_name(op_.catalogs, cb.name);
    const CatalogDecl* ca = by_name(o_.ast->catalogs, cb.name);
    if (!a) {
      added_or_removed("catalog", cb.name, true, std::to_string(cb.items.size()) + " items");
      return;
    }
    std::vector<Change> changes;
    for (const FieldDecl& fb : cb.attributes) {
      const FieldDecl* fa = field_decl(ca->attributes, fb.name);
      if (!fa) {
        changes.push_back(added("attribute", fb.name, field_text(*n_.source, fb)));
        continue;
      }
      size_t ka = std::find(a->attributes.begin(), a->attributes.end(), fb.name) - a->attributes.begin();
      size_t kb = std::find(b->attributes.begin(), b->attributes.end(), fb.name) - b->attributes.begin();
      if (!same_type(a->attribute_types[ka], b->attribute_types[kb]))
        changes.push_back(changed("attribute", fb.name, "type", old_text(fa->type.span), new_text(fb.type.span)));
      if (!same_default(fa, &fb))
        changes.push_back(changed("attribute", fb.name, "default", default_text(*o_.source, fa), default_text(*n_.source, &fb)));
    }
    for (const FieldDecl& fa : ca->attributes)
      if (!field_decl(cb.attributes, fa.name)) changes.push_back(removed("attribute", fa.name, field_text(*o_.source, fa)));
    const Domain& da = op_.domains[a->domain];
    const Domain& db = np_.domains[b->domain];
    for (size_t i = 0; i < cb.items.size(); ++i) {
      const CatalogItem& ib = cb.items[i];
      uint32_t k = da.find(ib.id);
      if (k == kNone) {
        Change c = added("item", ib.id, item_text(*n_.source, ib));
        c.label = ib.label;
        changes.push_back(c);
        continue;
      }
      const CatalogItem& ia = ca->items[k];
      if (ia.label != ib.label) changes.push_back(changed("item", ib.id, "label", quoted(ia.label), quoted(ib.label)));
      uint32_t j = db.find(ib.id);
      for (size_t kb = 0; kb < b->attributes.size(); ++kb) {
        auto at = std::find(a->attributes.begin(), a->attributes.end(), b->attributes[kb]);
        if (at == a->attributes.end()) continue;  // a new attribute: reported above
        size_t ka = static_cast<size_t>(at - a->attributes.begin());
        if (compare_.same_value(a->attribute_types[ka], a->values[k][ka], b->attribute_types[kb], b->values[j][kb])) continue;
        changes.push_back(changed("item", ib.id, b->attributes[kb], attribute_text(*o_.source, op_, *a, ia, ka, k),
                                  attribute_text(*n_.source, np_, *b, ib, kb, j)));
      }
    }
    for (const CatalogItem& ia : ca->items) {
      if (db.find(ia.id) != kNone) continue;
      Change c = removed("item", ia.id, item_text(*o_.source, ia));
      c.label = ia.label;
      changes.push_back(c);
    }
    if (!changes.empty()) group("catalog", cb.name).changes = std::move(changes);
  }

  // Catalog attribute defaults live only in the syntax tree: number literals
  // are compared by value (`300万` == `3000000`), anything else by its text.
  bool same_default(const FieldDecl* a, const FieldDecl* b) const {
    const Expr* x = a->default_value;
    const Expr* y = b->default_value;
    if (!x || !y) return x == y;
    if (x->kind == ExprKind::number && y->kind == ExprKind::number) return x->number == y->number;
    return old_text(x->span) == new_text(y->span);
  }

  void catalogs() {
    for (const CatalogDecl& cb : n_.ast->catalogs) catalog(cb);
    for (const CatalogDecl& ca : o_.ast->catalogs)
      if (!has_name(n_.ast->catalogs, ca.name)) added_or_removed("catalog", ca.name, false, std::to_string(ca.items.size()) + " items");
  }

  void output() {
    if (o_.ast->outputs.empty() || n_.ast->outputs.empty()) return;
    const OutputDecl& oa = o_.ast->outputs[0];
    const OutputDecl& ob = n_.ast->outputs[0];
    std::vector<Change> changes;
    for (const OutputField& b : np_.outputs) {
      const OutputField* a = by_name(op_.outputs, b.name);
      const FieldDecl* fb = field_decl(ob.fields, b.name);
      if (!a) {
        changes.push_back(added("field", b.name, field_text(*n_.source, *fb)));
        continue;
      }
      const FieldDecl* fa = field_decl(oa.fields, a->name);
      if (!same_type(a->type, b.type))
        changes.push_back(changed("field", b.name, "type", old_text(fa->type.span), new_text(fb->type.span)));
      else if (a->has_default != b.has_default || !compare_.same_value(a->type, a->initial, b.type, b.initial))
        changes.push_back(changed("field", b.name, "default", default_text(*o_.source, fa), default_text(*n_.source, fb)));
    }
    for (const OutputField& a : op_.outputs)
      if (!by_name(np_.outputs, a.name)) changes.push_back(removed("field", a.name, field_text(*o_.source, *field_decl(oa.fields, a.name))));
    if (!changes.empty()) group("output", "").changes = std::move(changes);
  }

  // `advisor = shared`, `offer a, b`, `action "x" when c`, as written.
  static std::string statement_text(const SourceFile& source, const Statement& st) {
    std::string out = span_text(source, st.span);
    if (st.when) out += " when " + span_text(source, st.when->span);
    return out;
  }

  bool same_statement(const CompiledStatement& a, const CompiledStatement& b) const {
    if (a.kind != b.kind || a.field == kNone || b.field == kNone) return false;
    if (op_.outputs[a.field].name != np_.outputs[b.field].name) return false;
    return compare_.same(a.value, b.value) && compare_.same(a.when, b.when);
  }

  // Statements or drop rows: equal ones matched in order; between matches, an
  // old and a new one at the same place are one change, the rest added or removed.
  template <class Same, class Pairable, class Emit>
  static void diff_sequence(size_t n, size_t m, Same same, Pairable pairable, Emit emit) {
    auto pairs = common_subsequence(n, m, same);
    pairs.emplace_back(n, m);
    size_t i = 0, j = 0;
    for (auto [pi, pj] : pairs) {
      while (i < pi && j < pj && pairable(i, j)) emit(static_cast<int64_t>(i++), static_cast<int64_t>(j++));
      for (; i < pi; ++i) emit(static_cast<int64_t>(i), -1);
      for (; j < pj; ++j) emit(-1, static_cast<int64_t>(j));
      ++i;
      ++j;
    }
  }

  void strategy(const StrategyDecl& sb) {
    const Strategy* b = by_name(np_.strategies, sb.name);
    const Strategy* a = by_name(op_.strategies, sb.name);
    const StrategyDecl* sa = by_name(o_.ast->strategies, sb.name);
    if (!a) {
      added_or_removed("strategy", sb.name, true, quoted(sb.label) + " when " + new_text(sb.when->span));
      return;
    }
    std::vector<Change> changes;
    if (sa->label != sb.label) changes.push_back(changed("label", "", "", quoted(sa->label), quoted(sb.label)));
    if (!compare_.same(a->when, b->when)) {
      Change c = changed("when", "", "", old_text(sa->when->span), new_text(sb.when->span));
      if (c.old_text == c.new_text) c.note = same_text_note(a->when);
      changes.push_back(c);
    }
    diff_sequence(
        a->statements.size(), b->statements.size(),
        [&](size_t i, size_t j) { return same_statement(a->statements[i], b->statements[j]); },
        [&](size_t i, size_t j) {
          const auto& x = a->statements[i];
          const auto& y = b->statements[j];
          return x.kind == y.kind && x.field != kNone && y.field != kNone && op_.outputs[x.field].name == np_.outputs[y.field].name;
        },
        [&](int64_t i, int64_t j) {
          if (i >= 0 && j >= 0) {
            Change c = changed("statement", "", "", statement_text(*o_.source, sa->statements[i]), statement_text(*n_.source, sb.statements[j]));
            if (c.old_text == c.new_text) c.note = same_text_note(a->statements[i].value);
            changes.push_back(c);
          } else if (i >= 0) {
            changes.push_back(removed("statement", "", statement_text(*o_.source, sa->statements[i])));
          } else {
            changes.push_back(added("statement", "", statement_text(*n_.source, sb.statements[j])));
          }
        });
    if (!changes.empty()) group("strategy", sb.name).changes = std::move(changes);
  }

  void strategies() {
    for (const StrategyDecl& sb : n_.ast->strategies) strategy(sb);
    for (const StrategyDecl& sa : o_.ast->strategies)
      if (!has_name(n_.ast->strategies, sa.name))
        added_or_removed("strategy", sa.name, false, quoted(sa.label) + " when " + old_text(sa.when->span));
    order_of("strategy order", o_.ast->strategies, n_.ast->strategies);
  }

  // Strategies and constraints run in file order: the first strategy to set a
  // scalar wins, and lists keep first-seen order, so their order is meaning.
  template <class T>
  void order_of(const char* kind, const std::vector<T>& olds, const std::vector<T>& news) {
    std::vector<std::string> a, b;
    for (const T& x : olds) a.push_back(x.name);
    for (const T& x : news) b.push_back(x.name);
    Change c;
    c.part = kind;
    if (reordered(a, b, c)) group(kind, "").changes.push_back(c);
  }

  static std::string drop_text(const SourceFile& source, const DropRow& row) {
    return "when " + span_text(source, row.when->span) + " reason " + quoted(row.reason);
  }

  void constraint(const ConstraintDecl& cb) {
    const Constraint* b = by_name(np_.constraints, cb.name);
    const Constraint* a = by_name(op_.constraints, cb.name);
    const ConstraintDecl* ca = by_name(o_.ast->constraints, cb.name);
    if (!a) {
      added_or_removed("constraint", cb.name, true, quoted(cb.label) + " on " + cb.list);
      return;
    }
    std::vector<Change> changes;
    if (ca->label != cb.label) changes.push_back(changed("label", "", "", quoted(ca->label), quoted(cb.label)));
    if (ca->list != cb.list) changes.push_back(changed("list", "", "", ca->list, cb.list));
    compare_.bind_locals(a->local, b->local);
    diff_sequence(
        a->rows.size(), b->rows.size(),
        [&](size_t i, size_t j) { return a->rows[i].reason == b->rows[j].reason && compare_.same(a->rows[i].when, b->rows[j].when); },
        [&](size_t, size_t) { return true; },
        [&](int64_t i, int64_t j) {
          if (i >= 0 && j >= 0) {
            changes.push_back(changed("drop", "", "", drop_text(*o_.source, ca->rows[i]), drop_text(*n_.source, cb.rows[j])));
          } else if (i >= 0) {
            changes.push_back(removed("drop", "", drop_text(*o_.source, ca->rows[i])));
          } else {
            changes.push_back(added("drop", "", drop_text(*n_.source, cb.rows[j])));
          }
        });
    if (!changes.empty()) group("constraint", cb.name).changes = std::move(changes);
  }

  void constraints() {
    for (const ConstraintDecl& cb : n_.ast->constraints) constraint(cb);
    for (const ConstraintDecl& ca : o_.ast->constraints)
      if (!has_name(n_.ast->constraints, ca.name)) added_or_removed("constraint", ca.name, false, quoted(ca.label) + " on " + ca.list);
    order_of("constraint order", o_.ast->constraints, n_.ast->constraints);
  }

  static std::string invariant_text(const Invariant& inv, const std::string& body) { return quoted(inv.label) + " { " + body + " }"; }

  bool same_invariant_body(const Invariant& a, const Invariant& b) const {
    if ((a.monotone_decision == kNone) != (b.monotone_decision == kNone)) return false;
    if (a.monotone_decision != kNone)
      return op_.decisions[a.monotone_decision].name == np_.decisions[b.monotone_decision].name &&
             op_.inputs[a.monotone_field].name == np_.inputs[b.monotone_field].name;
    return compare_.same(a.body, b.body);
  }

  void invariants() {
    for (const Invariant& b : np_.invariants) {
      const Invariant* a = by_name(op_.invariants, b.name);
      if (!a) {
        added_or_removed("invariant", b.name, true, invariant_text(b, new_text(b.body_span)));
        continue;
      }
      std::vector<Change> changes;
      if (a->label != b.label) changes.push_back(changed("label", "", "", quoted(a->label), quoted(b.label)));
      if (!same_invariant_body(*a, b)) {
        Change c = changed("body", "", "", old_text(a->body_span), new_text(b.body_span));
        if (c.old_text == c.new_text && a->body != kNone) c.note = same_text_note(a->body);
        changes.push_back(c);
      }
      if (!changes.empty()) group("invariant", b.name).changes = std::move(changes);
    }
    for (const Invariant& a : op_.invariants)
      if (!by_name(np_.invariants, a.name)) added_or_removed("invariant", a.name, false, invariant_text(a, old_text(a.body_span)));
  }

  // Names a decision reads, directly or through lets and other decisions.
  static void reads(const Program& p, uint32_t node, std::set<std::string>& names, std::set<uint32_t>& seen) {
    if (node == kNone) return;
    const Node& n = p.nodes[node];
    if (n.domain != kNone && (n.code == Code::lt || n.code == Code::le || n.code == Code::gt || n.code == Code::ge || n.code == Code::rank))
      names.insert(p.domains[n.domain].name);
    if (n.code == Code::slot && seen.insert(n.slot).second) {
      const Slot& s = p.slots[n.slot];
      names.insert(s.kind == SlotKind::primary ? p.decisions[s.decl].name : s.name);
      if (s.kind == SlotKind::let) reads(p, p.lets[s.decl].value, names, seen);
      if (s.kind == SlotKind::tiers || s.kind == SlotKind::segments || s.kind == SlotKind::primary)
        for (const CompiledRow& r : p.decisions[s.decl].rows) {
          reads(p, r.condition, names, seen);
          reads(p, r.score, names, seen);
        }
    }
    for (uint32_t a : n.args) reads(p, a, names, seen);
  }

  static std::set<std::string> decision_reads(const Program& p, const Decision& d) {
    std::set<std::string> names;
    std::set<uint32_t> seen;
    for (const CompiledRow& r : d.rows) {
      reads(p, r.condition, names, seen);
      reads(p, r.score, names, seen);
    }
    names.erase(d.name);
    return names;
  }

  void judge_decisions() {
    for (DeclarationDiff& d : out_) {
      if ((d.kind != "tiers" && d.kind != "segments") || d.status != DeclarationDiff::Status::changed) continue;
      const Decision* a = by_name(op_.decisions, d.name);
      const Decision* b = by_name(np_.decisions, d.name);
      if (a->is_tiers != b->is_tiers) continue;  // a tier and a list of segments cannot be compared
      Judgement j;
      if (d.changes.empty()) {
        std::set<std::string> names = decision_reads(op_, *a);
        names.merge(decision_reads(np_, *b));
        for (const std::string& n : names)
          if (changed_names_.count(n)) j.depends_on.push_back(n);
        if (j.depends_on.empty()) continue;
      }
      j.reorder_only = d.changes.size() == 1 && d.changes[0].op == Change::Op::reordered;
      j.comparison = compare_decision(op_, np_, d.name, options_.show_pii);
      bool rewrites_only = std::all_of(d.changes.begin(), d.changes.end(), [](const Change& c) {
        return c.op == Change::Op::reordered || (c.part == "row" && (c.aspect == "condition" || c.aspect == "score"));
      });
      d.changes_meaning = !(rewrites_only && j.comparison.verdict == Verdict::equivalent);
      d.judgement = std::move(j);
    }
  }

  const RuleVersion& o_;
  const RuleVersion& n_;
  const Program& op_;
  const Program& np_;
  ExprComparer compare_;
  SemanticDiffOptions options_;
  std::vector<DeclarationDiff> out_;
  std::set<std::string> changed_names_;  // declarations and input fields whose meaning changed
};

}  // namespace

bool SemanticDiff::changed_meaning() const {
  return std::any_of(declarations.begin(), declarations.end(), [](const DeclarationDiff& d) { return d.changes_meaning; });
}

SemanticDiff diff_versions(const RuleVersion& old_version, const RuleVersion& new_version, const SemanticDiffOptions& options) {
  return Differ(old_version, new_version, options).run();
}

}  // namespace segrule
