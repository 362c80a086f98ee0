#include "check/checker.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "eval/evaluator.hpp"
#include "parse/parser.hpp"

namespace segrule {

namespace {

enum class BindKind : uint8_t { input, let, decision, primary, as_of, enum_, catalog, output, strategy, constraint, invariant };

struct Binding {
  BindKind kind;
  uint32_t index;  // slot for variables, domain for enums and catalogs, output field, declaration index otherwise
  Span span;
};

// What an expression may read where it stands.
enum class Context : uint8_t { constant, rules, strategy, constraint, invariant };

const char* bind_kind_text(BindKind k) {
  switch (k) {
    case BindKind::input: return "an input field";
    case BindKind::let: return "a let";
    case BindKind::decision: return "a decision";
    case BindKind::primary: return "a primary segment";
    case BindKind::as_of: return "a built-in value";
    case BindKind::enum_: return "an enum";
    case BindKind::catalog: return "a catalog";
    case BindKind::output: return "an output";
    case BindKind::strategy: return "a strategy";
    case BindKind::constraint: return "a constraint";
    case BindKind::invariant: return "an invariant";
  }
  return "a name";
}

struct Function {
  const char* name;
  Code code;
};
constexpr Function kFunctions[] = {
    {"min", Code::min},          {"max", Code::max},       {"abs", Code::abs},
    {"round", Code::round},      {"share", Code::share},   {"rank", Code::rank},
    {"count", Code::count},      {"days_between", Code::days_between},
    {"years_between", Code::years_between},                {"starts_with", Code::starts_with},
    {"contains", Code::contains},
};

class Checker {
 public:
  Checker(const Ast& ast, Program& program, Diagnostics& diagnostics)
      : ast_(ast), p_(program), diagnostics_(diagnostics) {}

  void run() {
    header();
    declare_domains();
    declare_names();
    resolve_input();
    resolve_catalogs();
    resolve_outputs();
    declare_slots();
    if (failed()) return;
    check_lets_and_decisions();
    order_evaluation();
    check_strategies();
    check_constraints();
    check_invariants();
  }

  bool failed() const { return has_errors(diagnostics_); }

 private:
  // ---- diagnostics ------------------------------------------------------------
  void error(const char* code, Span span, std::string message, std::string help = {}) {
    report(Severity::error, code, span, std::move(message), std::move(help));
  }
  void warning(const char* code, Span span, std::string message, std::string help = {}) {
    report(Severity::warning, code, span, std::move(message), std::move(help));
  }
  void report(Severity severity, const char* code, Span span, std::string message, std::string help) {
    Diagnostic d;
    d.severity = severity;
    d.code = code;
    d.span = span;
    d.message = std::move(message);
    d.help = std::move(help);
    diagnostics_.push_back(std::move(d));
  }
  std::string text_of(Span s) const {
    std::string_view t = p_.source->text();
    if (s.end > t.size() || s.begin > s.end) return {};
    return std::string(t.substr(s.begin, s.end - s.begin));
  }
  std::string tname(const Type& t) const { return type_name(p_, t); }

  // ---- declarations -----------------------------------------------------------
  void header() {
    if (ast_.rulesets.empty()) {
      error("E0101", {p_.source->content_begin(), p_.source->content_begin()},
            ast_.order.empty() ? "the rule file is empty" : "the rule file has no `ruleset` header",
            "start the file with `ruleset NAME { title \"...\" version \"...\" effective 2025-06-01 owner \"...\" }`");
      return;
    }
    for (size_t i = 1; i < ast_.rulesets.size(); ++i)
      error("E0104", ast_.rulesets[i].span, "a file holds one ruleset: this is a second `ruleset` header",
            "split the policies into separate files");
    const RulesetDecl& r = ast_.rulesets[0];
    p_.metadata.name = r.name;
    std::set<std::string> seen;
    for (const MetaEntry& m : r.entries) {
      if (!seen.insert(m.key).second) {
        error("E0102", m.span, fmt::format("`{}` is given twice in the ruleset header", m.key));
        continue;
      }
      std::string value = m.value->kind == ExprKind::string ? m.value->text : m.value->kind == ExprKind::date ? m.value->text : m.value->number.to_string();
      if (m.key == "title") p_.metadata.title = value;
      else if (m.key == "version") p_.metadata.version = value;
      else if (m.key == "owner") p_.metadata.owner = value;
      else if (m.key == "effective") {
        if (m.value->kind != ExprKind::date)
          error("E0105", m.value->span, "`effective` must be a date", "write it as YYYY-MM-DD, e.g. `effective 2025-06-01`");
        p_.metadata.effective = value;
      } else {
        std::string guess = closest_name(m.key, {"title", "version", "effective", "owner"});
        error("E0105", m.span, fmt::format("unknown ruleset attribute `{}`", m.key),
              guess.empty() ? "a ruleset header takes `title`, `version`, `effective` and `owner`" : fmt::format("did you mean `{}`?", guess));
      }
    }
  }

  uint32_t new_domain(DomainKind kind, const std::string& name, Span span) {
    Domain d;
    d.kind = kind;
    d.name = name;
    d.span = span;
    p_.domains.push_back(std::move(d));
    return static_cast<uint32_t>(p_.domains.size() - 1);
  }

  void add_value(uint32_t domain, const std::string& id, const std::string& label, Span span, const char* what) {
    Domain& d = p_.domains[domain];
    if (!d.index.emplace(id, static_cast<uint32_t>(d.ids.size())).second) {
      error("E0109", span, fmt::format("`{}` appears twice in {} `{}`", id, what, d.name), "give each value a distinct name");
      return;
    }
    d.ids.push_back(id);
    d.labels.push_back(label);
    d.spans.push_back(span);
  }

  void declare_domains() {
    for (const EnumDecl& e : ast_.enums) {
      uint32_t d = new_domain(DomainKind::enum_, e.name, e.span);
      for (const EnumValue& v : e.values) add_value(d, v.name, v.label, v.span, "enum");
      domain_by_name_.emplace(e.name, d);
    }
    for (const CatalogDecl& c : ast_.catalogs) {
      uint32_t d = new_domain(DomainKind::catalog, c.name, c.span);
      p_.domains[d].catalog = static_cast<uint32_t>(p_.catalogs.size());
      Catalog cat;
      cat.name = c.name;
      cat.domain = d;
      p_.catalogs.push_back(std::move(cat));
      for (const CatalogItem& item : c.items) add_value(d, item.id, item.label, item.span, "catalog");
      domain_by_name_.emplace(c.name, d);
    }
    for (const DecisionDecl& dec : ast_.decisions) {
      uint32_t d = new_domain(dec.is_tiers ? DomainKind::tiers : DomainKind::segments, dec.name, dec.span);
      if (dec.rows.empty()) error("E0108", dec.span, fmt::format("{} `{}` has no rows", dec.is_tiers ? "tiers" : "segments", dec.name));
      for (const Row& r : dec.rows) add_value(d, r.id, r.label, r.span, dec.is_tiers ? "tiers" : "segments");
      domain_by_name_.emplace(dec.name, d);
      if (dec.is_tiers) {
        for (size_t i = 0; i < dec.rows.size(); ++i) {
          if (dec.rows[i].condition == nullptr && i + 1 < dec.rows.size())
            error("E0107", dec.rows[i].span, fmt::format("`otherwise` must be the last row of `{}`: the rows after it can never match", dec.name),
                  "move this row to the end");
        }
      }
    }
  }

  void bind(const std::string& name, BindKind kind, uint32_t index, Span span) {
    if (name == "as_of" && kind != BindKind::as_of) {
      error("E0110", span, "`as_of` is the built-in evaluation date and cannot be declared", "choose another name");
      return;
    }
    // A result lists what the constraints dropped under `dropped` (LANGUAGE.md §7):
    // a member of the result with that name would make the object ambiguous.
    bool result_member = kind == BindKind::decision || kind == BindKind::output ||
                         (kind == BindKind::input && !ast_.inputs.empty() && name == ast_.inputs[0].key);
    if (name == "dropped" && result_member) {
      error("E0110", span, "`dropped` is the member of every result that lists the items constraints dropped, so it cannot name a decision, an output or the key",
            "choose another name");
      return;
    }
    auto [it, inserted] = globals_.emplace(name, Binding{kind, index, span});
    if (!inserted) {
      uint32_t line = p_.source->line_of(it->second.span.begin);
      error("E0102", span, fmt::format("`{}` is already declared (as {} on line {})", name, bind_kind_text(it->second.kind), line),
            "names are declared once per file: rename one of them");
    }
  }

  void declare_names() {
    globals_.emplace("as_of", Binding{BindKind::as_of, kNone, {}});
    if (ast_.inputs.empty() && !ast_.order.empty()) {
      error("E0103", {p_.source->content_begin(), p_.source->content_begin()}, "the rule file declares no `input`",
            "declare the record's fields: `input customer key id { id : string ... }`");
    }
    for (size_t i = 1; i < ast_.inputs.size(); ++i)
      error("E0104", ast_.inputs[i].span, "a file holds one `input` declaration: this is a second one", "merge the fields into one `input`");
    for (size_t i = 1; i < ast_.outputs.size(); ++i)
      error("E0104", ast_.outputs[i].span, "a file holds one `output` declaration: this is a second one", "merge the fields into one `output`");
    // Bound in file order, so that a duplicate is reported where it is declared the second time.
    struct Pending {
      const std::string* name;
      BindKind kind;
      uint32_t index;
      Span span;
    };
    std::vector<Pending> pending;
    for (const auto& e : ast_.enums) pending.push_back({&e.name, BindKind::enum_, domain_by_name_[e.name], e.span});
    for (const auto& c : ast_.catalogs) pending.push_back({&c.name, BindKind::catalog, domain_by_name_[c.name], c.span});
    for (size_t i = 0; i < ast_.lets.size(); ++i) pending.push_back({&ast_.lets[i].name, BindKind::let, static_cast<uint32_t>(i), ast_.lets[i].span});
    for (size_t i = 0; i < ast_.decisions.size(); ++i) pending.push_back({&ast_.decisions[i].name, BindKind::decision, static_cast<uint32_t>(i), ast_.decisions[i].span});
    for (size_t i = 0; i < ast_.strategies.size(); ++i) pending.push_back({&ast_.strategies[i].name, BindKind::strategy, static_cast<uint32_t>(i), ast_.strategies[i].span});
    for (size_t i = 0; i < ast_.constraints.size(); ++i) pending.push_back({&ast_.constraints[i].name, BindKind::constraint, static_cast<uint32_t>(i), ast_.constraints[i].span});
    for (size_t i = 0; i < ast_.invariants.size(); ++i) pending.push_back({&ast_.invariants[i].name, BindKind::invariant, static_cast<uint32_t>(i), ast_.invariants[i].span});
    if (!ast_.inputs.empty())
      for (size_t i = 0; i < ast_.inputs[0].fields.size(); ++i) pending.push_back({&ast_.inputs[0].fields[i].name, BindKind::input, static_cast<uint32_t>(i), ast_.inputs[0].fields[i].span});
    if (!ast_.outputs.empty())
      for (size_t i = 0; i < ast_.outputs[0].fields.size(); ++i) pending.push_back({&ast_.outputs[0].fields[i].name, BindKind::output, static_cast<uint32_t>(i), ast_.outputs[0].fields[i].span});
    std::stable_sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.span.begin < b.span.begin; });
    for (const Pending& b : pending) bind(*b.name, b.kind, b.index, b.span);
  }

  // A written type -> Type. `owner` names the field for inline enums.
  Type resolve_type(const TypeRef& t, const std::string& owner, bool allow_inline_enum) {
    Type result;
    if (t.name == "list" && t.element.empty()) {
      error("E0204", t.span, "`list` needs the type of its items", "write `list<string>`, `list<product>`, ...");
      return Type{};
    }
    if (t.name == "list") {
      Type element = resolve_type(t.element[0], owner, false);
      if (element.base == BaseType::list) {
        error("E0204", t.span, "lists of lists are not supported", "use a list of strings, numbers, an enum or a catalog");
        return Type{};
      }
      if (element.nullable) error("E0204", t.element[0].span, "list items cannot be null", "drop the `?`: an absent item is simply not in the list");
      result = Type::list_of(element);
    } else if (t.name == "enum") {
      if (!allow_inline_enum) {
        error("E0204", t.span, "an inline `enum [...]` is only allowed as the type of an output field", "declare a named `enum` and use its name");
        return Type{};
      }
      uint32_t d = new_domain(DomainKind::output_enum, owner, t.span);
      for (size_t i = 0; i < t.inline_values.size(); ++i) add_value(d, t.inline_values[i].first, t.inline_values[i].second, t.inline_spans[i], "enum");
      domain_by_name_.emplace(owner, d);
      result = Type::symbol(d);
    } else {
      static const std::pair<const char*, BaseType> kBuiltin[] = {
          {"string", BaseType::string}, {"int", BaseType::int_},   {"number", BaseType::number},
          {"money", BaseType::money},   {"bool", BaseType::boolean}, {"date", BaseType::date}};
      bool found = false;
      for (const auto& [name, base] : kBuiltin)
        if (t.name == name) {
          result = Type::of(base);
          found = true;
        }
      if (!found) {
        auto it = globals_.find(t.name);
        if (it != globals_.end() && (it->second.kind == BindKind::enum_ || it->second.kind == BindKind::catalog)) {
          result = Type::symbol(it->second.index);
        } else {
          std::vector<std::string> candidates = {"string", "int", "number", "money", "bool", "date"};
          for (const auto& [name, b] : globals_)
            if (b.kind == BindKind::enum_ || b.kind == BindKind::catalog) candidates.push_back(name);
          std::string guess = closest_name(t.name, candidates);
          error("E0204", t.span, fmt::format("unknown type `{}`", t.name),
                guess.empty() ? "use `string`, `int`, `number`, `money`, `bool`, `date`, `list<...>`, an enum or a catalog" : fmt::format("did you mean `{}`?", guess));
          return Type{};
        }
      }
    }
    result.nullable = t.nullable;
    return result;
  }

  // A default or catalog value: checked against `type` and folded to a constant.
  bool constant_value(const Expr* e, const Type& type, Value& out, const char* what) {
    Context saved = context_;
    context_ = Context::constant;
    uint32_t n = check(e, type);
    context_ = saved;
    if (p_.nodes[n].type.base == BaseType::error) return false;
    if (!assignable(p_.nodes[n].type, type)) {
      error("E0312", e->span, fmt::format("{} must be {}, but `{}` is {}", what, tname(type), text_of(e->span), tname(p_.nodes[n].type)));
      return false;
    }
    std::vector<Value> no_slots;
    try {
      out = eval_node(p_, n, no_slots);
    } catch (const EvalError& err) {
      error("E0601", e->span, err.message);
      return false;
    }
    return true;
  }

  void resolve_input() {
    if (ast_.inputs.empty()) return;
    const InputDecl& in = ast_.inputs[0];
    p_.input_name = in.name;
    for (const FieldDecl& f : in.fields) {
      InputField field;
      field.name = f.name;
      field.type = resolve_type(f.type, f.name, false);
      field.pii = f.pii;
      p_.input_index.emplace(f.name, static_cast<uint32_t>(p_.inputs.size()));
      p_.inputs.push_back(std::move(field));
    }
    if (in.key.empty()) {
      error("E0106", in.span, fmt::format("input `{}` names no key field", in.name),
            "add `key FIELD` after the name, e.g. `input customer key id {`: results and errors are labelled with it");
    } else {
      auto it = p_.input_index.find(in.key);
      if (it == p_.input_index.end()) {
        std::vector<std::string> names;
        for (const auto& f : in.fields) names.push_back(f.name);
        std::string guess = closest_name(in.key, names);
        error("E0106", in.key_span, fmt::format("key field `{}` is not a field of `{}`", in.key, in.name),
              guess.empty() ? "declare it among the fields" : fmt::format("did you mean `{}`?", guess));
      } else {
        p_.key_field = it->second;
        const Type& kt = p_.inputs[it->second].type;
        if (kt.base == BaseType::list || kt.nullable)
          error("E0106", in.key_span, fmt::format("key field `{}` must be a single value that is never null", in.key), "make it `string` or `int`");
      }
    }
  }

  void resolve_input_defaults() {
    if (ast_.inputs.empty()) return;
    const InputDecl& in = ast_.inputs[0];
    for (size_t i = 0; i < in.fields.size(); ++i) {
      const FieldDecl& f = in.fields[i];
      if (f.default_value == nullptr || p_.inputs[i].type.base == BaseType::error) continue;
      p_.inputs[i].has_default = constant_value(f.default_value, p_.inputs[i].type, p_.inputs[i].default_value, "the default");
    }
  }

  void resolve_catalogs() {
    for (size_t c = 0; c < ast_.catalogs.size(); ++c) {
      const CatalogDecl& decl = ast_.catalogs[c];
      Catalog& cat = p_.catalogs[c];
      std::vector<Value> defaults;
      std::vector<bool> has_default;
      for (const FieldDecl& a : decl.attributes) {
        if (std::find(cat.attributes.begin(), cat.attributes.end(), a.name) != cat.attributes.end()) {
          error("E0102", a.span, fmt::format("attribute `{}` is declared twice in catalog `{}`", a.name, decl.name));
          continue;
        }
        cat.attributes.push_back(a.name);
        cat.attribute_types.push_back(resolve_type(a.type, a.name, false));
        Value v;
        bool ok = a.default_value && cat.attribute_types.back().base != BaseType::error &&
                  constant_value(a.default_value, cat.attribute_types.back(), v, "the default");
        defaults.push_back(v);
        has_default.push_back(ok || cat.attribute_types.back().nullable);
      }
      for (const CatalogItem& item : decl.items) {
        std::vector<Value> values = defaults;
        std::vector<bool> given(cat.attributes.size(), false);
        for (const AttrValue& av : item.values) {
          auto it = std::find(cat.attributes.begin(), cat.attributes.end(), av.name);
          if (it == cat.attributes.end()) {
            std::string guess = closest_name(av.name, cat.attributes);
            error("E0203", av.span, fmt::format("catalog `{}` has no attribute `{}`", decl.name, av.name),
                  guess.empty() ? fmt::format("declare it first: `{} : TYPE` inside the catalog", av.name) : fmt::format("did you mean `{}`?", guess));
            continue;
          }
          size_t k = static_cast<size_t>(it - cat.attributes.begin());
          if (given[k]) error("E0102", av.span, fmt::format("attribute `{}` is given twice for `{}`", av.name, item.id));
          given[k] = true;
          if (cat.attribute_types[k].base != BaseType::error) constant_value(av.value, cat.attribute_types[k], values[k], "the attribute");
        }
        for (size_t k = 0; k < cat.attributes.size(); ++k)
          if (!given[k] && !has_default[k])
            error("E0203", item.span, fmt::format("item `{}` gives no `{}`, and the attribute has no default", item.id, cat.attributes[k]),
                  fmt::format("add `{}: ...` to the item, or a default to the attribute", cat.attributes[k]));
        cat.values.push_back(std::move(values));
      }
    }
  }

  void resolve_outputs() {
    if (ast_.outputs.empty()) return;
    for (const FieldDecl& f : ast_.outputs[0].fields) {
      OutputField out;
      out.name = f.name;
      out.span = f.span;
      out.type = resolve_type(f.type, f.name, true);
      if (out.type.base == BaseType::list) {
        out.initial = Value::empty_list();
        if (f.default_value) error("E0312", f.default_value->span, "a list output starts empty and takes no default", "remove `= ...`");
      } else {
        out.type.nullable = out.type.nullable || f.default_value == nullptr;  // null until a strategy sets it
        if (f.default_value && out.type.base != BaseType::error) {
          Type expected = out.type.non_null();
          out.has_default = constant_value(f.default_value, expected, out.initial, "the default");
          out.type.nullable = f.type.nullable;
        }
      }
      p_.outputs.push_back(std::move(out));
    }
  }

  uint32_t new_slot(SlotKind kind, const std::string& name, Type type, Span span, uint32_t decl) {
    p_.slots.push_back(Slot{kind, name, type, span, decl});
    return static_cast<uint32_t>(p_.slots.size() - 1);
  }

  void declare_slots() {
    for (size_t i = 0; i < p_.inputs.size(); ++i) {
      p_.inputs[i].slot = new_slot(SlotKind::input, p_.inputs[i].name, p_.inputs[i].type, ast_.inputs[0].fields[i].span, static_cast<uint32_t>(i));
      globals_[p_.inputs[i].name].index = p_.inputs[i].slot;
    }
    resolve_input_defaults();
    p_.as_of_slot = new_slot(SlotKind::as_of, "as_of", Type::of(BaseType::date), {}, kNone);
    globals_["as_of"].index = p_.as_of_slot;
    for (size_t i = 0; i < ast_.lets.size(); ++i) {
      Let let;
      let.name = ast_.lets[i].name;
      let.span = ast_.lets[i].span;
      let.slot = new_slot(SlotKind::let, let.name, Type{}, let.span, static_cast<uint32_t>(i));
      globals_[let.name].index = let.slot;
      p_.lets.push_back(std::move(let));
    }
    let_state_.assign(ast_.lets.size(), 0);
    for (size_t i = 0; i < p_.outputs.size(); ++i)
      p_.outputs[i].slot = new_slot(SlotKind::output, p_.outputs[i].name, p_.outputs[i].type, p_.outputs[i].span, static_cast<uint32_t>(i));
    for (size_t i = 0; i < ast_.decisions.size(); ++i) {
      const DecisionDecl& decl = ast_.decisions[i];
      Decision d;
      d.name = decl.name;
      d.is_tiers = decl.is_tiers;
      d.span = decl.span;
      d.domain = domain_by_name_[decl.name];
      Type t = decl.is_tiers ? Type::symbol(d.domain) : Type::list_of(Type::symbol(d.domain));
      d.slot = new_slot(decl.is_tiers ? SlotKind::tiers : SlotKind::segments, decl.name, t, decl.span, static_cast<uint32_t>(i));
      globals_[decl.name].index = d.slot;
      bool scored = std::any_of(decl.rows.begin(), decl.rows.end(), [](const Row& r) { return r.score != nullptr; });
      if (!decl.is_tiers && scored) {
        std::string primary = decl.name + "_primary";
        d.primary_slot = new_slot(SlotKind::primary, primary, Type::symbol(d.domain, true), decl.span, static_cast<uint32_t>(i));
        bind(primary, BindKind::primary, d.primary_slot, decl.span);
      }
      p_.decisions.push_back(std::move(d));
    }
  }

  // ---- lets, decisions and their order ----------------------------------------
  void check_let(size_t i) {
    if (let_state_[i] != 0) return;  // done, or in progress (a cycle: reported by order_evaluation)
    let_state_[i] = 1;
    auto saved_deps = deps_;
    std::vector<uint32_t> deps;
    deps_ = &deps;
    auto saved_narrowed = std::move(narrowed_);
    narrowed_.clear();
    uint32_t n = check(ast_.lets[i].value, Type{});
    narrowed_ = std::move(saved_narrowed);
    deps_ = saved_deps;
    p_.lets[i].value = n;
    p_.slots[p_.lets[i].slot].type = p_.nodes[n].type;
    let_deps_.resize(ast_.lets.size());
    let_deps_[i] = std::move(deps);
    let_state_[i] = 2;
  }

  void check_lets_and_decisions() {
    context_ = Context::rules;
    for (size_t i = 0; i < ast_.lets.size(); ++i) check_let(i);
    decision_deps_.resize(ast_.decisions.size());
    for (size_t i = 0; i < ast_.decisions.size(); ++i) {
      const DecisionDecl& decl = ast_.decisions[i];
      deps_ = &decision_deps_[i];
      for (const Row& r : decl.rows) {
        CompiledRow row;
        row.id = r.id;
        row.label = r.label;
        row.span = r.span;
        if (r.condition) row.condition = condition(r.condition);
        if (r.score) {
          auto saved = narrowed_;
          if (r.condition) add_facts(r.condition, true);
          row.score = check(r.score, Type{});
          narrowed_ = saved;
          require_numeric(row.score, r.score, "a score");
        }
        p_.decisions[i].rows.push_back(std::move(row));
      }
      deps_ = nullptr;
    }
  }

  // Orders lets and decisions so that each comes after what it reads, and names any cycle.
  void order_evaluation() {
    const size_t n_lets = ast_.lets.size();
    const size_t total = n_lets + ast_.decisions.size();
    auto node_of_slot = [&](uint32_t slot) -> size_t {
      const Slot& s = p_.slots[slot];
      if (s.kind == SlotKind::let) return s.decl;
      if (s.kind == SlotKind::tiers || s.kind == SlotKind::segments || s.kind == SlotKind::primary) return n_lets + s.decl;
      return total;
    };
    auto deps_of = [&](size_t v) -> const std::vector<uint32_t>& { return v < n_lets ? let_deps_[v] : decision_deps_[v - n_lets]; };
    auto name_of = [&](size_t v) { return v < n_lets ? ast_.lets[v].name : ast_.decisions[v - n_lets].name; };
    auto span_of = [&](size_t v) { return v < n_lets ? ast_.lets[v].span : ast_.decisions[v - n_lets].span; };
    let_deps_.resize(n_lets);
    std::vector<int> state(total, 0);
    std::vector<bool> reported(total, false);
    for (size_t root = 0; root < total; ++root) {
      if (state[root] != 0) continue;
      // Iterative DFS: (vertex, next dependency index); the stack is the current path.
      std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
      state[root] = 1;
      while (!stack.empty()) {
        auto& [v, next] = stack.back();
        const auto& deps = deps_of(v);
        if (next < deps.size()) {
          size_t w = node_of_slot(deps[next++]);
          if (w == total) continue;
          if (state[w] == 0) {
            state[w] = 1;
            stack.push_back({w, 0});
          } else if (state[w] == 1 && !reported[w]) {
            std::string cycle;
            bool in_cycle = false;
            for (const auto& [u, unused] : stack) {
              if (u == w) in_cycle = true;
              if (in_cycle) {
                cycle += fmt::format("`{}` → ", name_of(u));
                reported[u] = true;
              }
            }
            cycle += fmt::format("`{}`", name_of(w));
            error("E0501", span_of(w), fmt::format("`{}` depends on itself: {}", name_of(w), cycle),
                  "break the cycle: one of these must be computed without the others");
          }
        } else {
          state[v] = 2;
          p_.order.push_back(Step{v < n_lets, static_cast<uint32_t>(v < n_lets ? v : v - n_lets)});
          stack.pop_back();
        }
      }
    }
  }

  // ---- strategies and constraints ---------------------------------------------
  uint32_t find_output(const std::string& name) const {
    for (size_t i = 0; i < p_.outputs.size(); ++i)
      if (p_.outputs[i].name == name) return static_cast<uint32_t>(i);
    return kNone;
  }

  std::vector<std::string> output_names() const {
    std::vector<std::string> names;
    for (const auto& o : p_.outputs) names.push_back(o.name);
    return names;
  }

  uint32_t offer_list(Span at) {
    uint32_t found = kNone;
    int count = 0;
    for (size_t i = 0; i < p_.outputs.size(); ++i) {
      const Type& t = p_.outputs[i].type;
      if (t.base == BaseType::list && t.element == BaseType::symbol && p_.domains[t.domain].kind == DomainKind::catalog) {
        found = static_cast<uint32_t>(i);
        ++count;
      }
    }
    if (count != 1) {
      error("E0309", at,
            count == 0 ? "`offer` needs an output of type `list<CATALOG>` to add to, and there is none"
                       : "`offer` is ambiguous: more than one output is a list of catalog items",
            count == 0 ? "declare one in `output`, e.g. `offers : list<product>`" : "use `FIELD += item` to name the list");
      return kNone;
    }
    return found;
  }

  void check_strategies() {
    context_ = Context::strategy;
    for (const StrategyDecl& decl : ast_.strategies) {
      Strategy s;
      s.name = decl.name;
      s.label = decl.label;
      s.span = decl.span;
      narrowed_.clear();
      s.when = condition(decl.when);
      add_facts(decl.when, true);
      for (const Statement& st : decl.statements) statement(st, s);
      narrowed_.clear();
      p_.strategies.push_back(std::move(s));
    }
  }

  void statement(const Statement& st, Strategy& s) {
    auto saved = narrowed_;
    CompiledStatement cs;
    cs.span = st.span;
    if (st.when) {
      cs.when = condition(st.when);
      add_facts(st.when, true);
    }
    switch (st.kind) {
      case StatementKind::offer: {
        cs.kind = StatementKindC::append;
        cs.field = offer_list(st.span);
        if (cs.field == kNone) break;
        Type element = p_.outputs[cs.field].type.element_type();
        uint32_t list = add_node(Code::make_list, Type::list_of(element), st.span);
        for (const Expr* item : st.items) {
          uint32_t n = check(item, element);
          if (p_.nodes[n].type.base != BaseType::error && !assignable(p_.nodes[n].type, element))
            error("E0303", item->span, fmt::format("`{}` is not an item of catalog `{}`", text_of(item->span), p_.domains[element.domain].name),
                  "`offer` takes catalog items");
          p_.nodes[list].args.push_back(n);
        }
        cs.value = fold(list);
        break;
      }
      case StatementKind::action: {
        cs.kind = StatementKindC::append;
        cs.field = find_output("actions");
        if (cs.field == kNone || p_.outputs[cs.field].type.base != BaseType::list || p_.outputs[cs.field].type.element != BaseType::string) {
          error("E0310", st.span, "`action` adds to the output `actions`, which must be declared as `list<string>`",
                "declare `actions : list<string>` in `output`");
          cs.field = kNone;
          break;
        }
        cs.value = check(st.value, Type::of(BaseType::string));
        expect_type(cs.value, st.value, Type::of(BaseType::string), "an action");
        break;
      }
      case StatementKind::assign:
      case StatementKind::append: {
        cs.field = find_output(st.target);
        if (cs.field == kNone) {
          auto g = globals_.find(st.target);
          std::string guess = closest_name(st.target, output_names());
          error("E0207", st.target_span,
                g != globals_.end() ? fmt::format("`{}` is {}, not an output: strategies set outputs", st.target, bind_kind_text(g->second.kind))
                                    : fmt::format("unknown output `{}`", st.target),
                guess.empty() ? "declare it in `output { ... }`" : fmt::format("did you mean `{}`?", guess));
          break;
        }
        const Type& ft = p_.outputs[cs.field].type;
        bool is_list = ft.base == BaseType::list;
        if (st.kind == StatementKind::assign && is_list) {
          error("E0311", st.target_span, fmt::format("`{}` is a list: add to it with `+=`", st.target), fmt::format("write `{} += ...`", st.target));
          cs.field = kNone;
          break;
        }
        if (st.kind == StatementKind::append && !is_list) {
          error("E0311", st.target_span, fmt::format("`{}` is not a list: set it with `=`", st.target), fmt::format("write `{} = ...`", st.target));
          cs.field = kNone;
          break;
        }
        cs.kind = st.kind == StatementKind::assign ? StatementKindC::assign : StatementKindC::append;
        Type expected = is_list ? ft.element_type() : ft.non_null();
        cs.value = check(st.value, expected);
        Type vt = p_.nodes[cs.value].type;
        if (vt.base == BaseType::error) break;
        bool ok = is_list ? (assignable(vt, expected) || (vt.base == BaseType::list && assignable(vt.element_type(), expected)))
                          : assignable(vt, ft);
        if (!ok && !is_list && vt.nullable && assignable(vt.non_null(), ft)) {
          require_non_null(cs.value, st.value);  // a possibly-null value into an output with a default
          break;
        }
        if (!ok) {
          bool symbols = expected.base == BaseType::symbol && vt.base == BaseType::symbol;
          error(symbols ? "E0304" : "E0301", st.value->span,
                symbols ? fmt::format("`{}` is a value of `{}`, but `{}` takes a value of `{}`", text_of(st.value->span),
                                      p_.domains[vt.domain].name, st.target, p_.domains[expected.domain].name)
                        : fmt::format("`{}` is {}, but `{}` takes {}", text_of(st.value->span), tname(vt), st.target, tname(expected)),
                expected.base == BaseType::symbol ? allowed_values(expected.domain) : std::string());
        }
        break;
      }
    }
    narrowed_ = saved;
    if (cs.field != kNone && cs.value != kNone) s.statements.push_back(cs);
  }

  void check_constraints() {
    context_ = Context::constraint;
    for (const ConstraintDecl& decl : ast_.constraints) {
      Constraint c;
      c.name = decl.name;
      c.label = decl.label;
      c.span = decl.span;
      c.field = find_output(decl.list);
      if (c.field == kNone || p_.outputs[c.field].type.base != BaseType::list) {
        std::vector<std::string> lists;
        for (const auto& o : p_.outputs)
          if (o.type.base == BaseType::list) lists.push_back(o.name);
        std::string guess = closest_name(decl.list, lists);
        error("E0313", decl.list_span, fmt::format("a constraint filters a list output, and `{}` is not one", decl.list),
              guess.empty() ? "name a `list<...>` field of `output`" : fmt::format("did you mean `{}`?", guess));
        continue;
      }
      Type element = p_.outputs[c.field].type.element_type();
      c.local = new_slot(SlotKind::local, decl.var, element, decl.var_span, kNone);
      locals_.push_back({decl.var, c.local});
      for (const DropRow& r : decl.rows) c.rows.push_back(DropRule{condition(r.when), r.reason, r.span});
      locals_.pop_back();
      p_.constraints.push_back(std::move(c));
    }
  }

  void check_invariants() {
    context_ = Context::invariant;
    for (const InvariantDecl& decl : ast_.invariants) {
      Invariant inv;
      inv.name = decl.name;
      inv.label = decl.label;
      inv.span = decl.span;
      inv.body_span = decl.body->span;
      narrowed_.clear();
      if (decl.body->kind == ExprKind::call && decl.body->text == "monotone") {
        if (!monotone(decl.body, inv)) continue;
      } else {
        inv.body = condition(decl.body);
        if (is_error(inv.body)) continue;
      }
      p_.invariants.push_back(std::move(inv));
    }
    narrowed_.clear();
  }

  // `monotone(DECISION, FIELD)`: DECISION a tiers, FIELD an ordered input field.
  bool monotone(const Expr* e, Invariant& inv) {
    const char* usage = "write `monotone(TIERS, FIELD)`, e.g. `monotone(value_tier, aum)`: the name of a tiers and of an input field";
    if (e->args.size() != 2 || e->args[0]->kind != ExprKind::name || e->args[1]->kind != ExprKind::name) {
      error("E0701", e->span, "`monotone` takes the name of a tiers and the name of an input field", usage);
      return false;
    }
    auto d = globals_.find(e->args[0]->text);
    if (d == globals_.end() || d->second.kind != BindKind::decision || p_.slots[d->second.index].kind != SlotKind::tiers) {
      std::string what = d == globals_.end() ? "not declared" : d->second.kind == BindKind::decision ? "a segments, whose rows are not ordered" : bind_kind_text(d->second.kind);
      error("E0701", e->args[0]->span, fmt::format("`monotone` needs a tiers first, and `{}` is {}", e->args[0]->text, what), usage);
      return false;
    }
    auto f = globals_.find(e->args[1]->text);
    if (f == globals_.end() || f->second.kind != BindKind::input) {
      std::string what = f == globals_.end() ? "not declared" : bind_kind_text(f->second.kind);
      error("E0701", e->args[1]->span, fmt::format("`monotone` needs an input field second, and `{}` is {}", e->args[1]->text, what), usage);
      return false;
    }
    const InputField& field = p_.inputs[p_.slots[f->second.index].decl];
    const Type& t = field.type;
    bool ordered = t.is_numeric() || t.base == BaseType::date || (t.base == BaseType::symbol && p_.domains[t.domain].ordered());
    if (!ordered) {
      error("E0701", e->args[1]->span, fmt::format("`{}` is {}, which has no order: \"more of it\" means nothing", field.name, tname(t)),
            "use a number, money, int, date or enum field");
      return false;
    }
    inv.monotone_decision = p_.slots[d->second.index].decl;
    inv.monotone_field = p_.slots[f->second.index].decl;
    return true;
  }

  // ---- expressions ------------------------------------------------------------
  uint32_t add_node(Code code, Type type, Span span) {
    Node n;
    n.code = code;
    n.type = type;
    n.span = span;
    p_.nodes.push_back(std::move(n));
    return static_cast<uint32_t>(p_.nodes.size() - 1);
  }
  uint32_t error_node(Span span) { return add_node(Code::constant, Type{}, span); }
  uint32_t constant(Value v, Type type, Span span) {
    uint32_t n = add_node(Code::constant, type, span);
    p_.nodes[n].constant = std::move(v);
    return n;
  }

  bool is_error(uint32_t n) const { return p_.nodes[n].type.base == BaseType::error; }

  // Folds a node whose operands are all constants. Evaluation errors in
  // constants (`1 / 0`) are reported at compile time.
  uint32_t fold(uint32_t n) {
    Node& node = p_.nodes[n];
    if (node.code == Code::constant || node.code == Code::slot || node.code == Code::local || node.code == Code::all || node.code == Code::any) return n;
    for (uint32_t a : node.args)
      if (p_.nodes[a].code != Code::constant || is_error(a)) return n;
    // A list of constants (every `offer`, every `x in [a, b]`) is built here as
    // the evaluator would build it: it cannot fail, and eval_node sets up a
    // machine for the whole program, which made compiling quadratic in its size.
    if (node.code == Code::make_list) {
      Value list = Value::empty_list();
      for (uint32_t a : node.args) append_unique(list, p_.nodes[a].constant);
      node.code = Code::constant;
      node.constant = std::move(list);
      node.args.clear();
      return n;
    }
    std::vector<Value> no_slots;
    try {
      Value v = eval_node(p_, n, no_slots);
      Node& again = p_.nodes[n];
      again.code = Code::constant;
      again.constant = std::move(v);
      again.args.clear();
    } catch (const EvalError& err) {
      error("E0601", p_.nodes[n].span, err.message, "this part of the rule is constant and always fails");
      p_.nodes[n].type = Type{};
    }
    return n;
  }

  std::string allowed_values(uint32_t domain) const {
    const Domain& d = p_.domains[domain];
    std::string list;
    for (size_t i = 0; i < d.ids.size() && i < 12; ++i) list += (i ? ", " : "") + fmt::format("`{}`", d.ids[i]);
    if (d.ids.size() > 12) list += ", ...";
    return fmt::format("`{}` takes {}", d.name, list);
  }

  // Can a value of type `from` be used where `to` is expected (ignoring nullability of `to`)?
  bool assignable(const Type& from, const Type& to) const {
    if (from.base == BaseType::error || to.base == BaseType::error) return true;
    if (from.base == BaseType::null) return to.nullable;
    if (from.nullable && !to.nullable) return false;
    if (to.is_numeric() && from.is_numeric()) return !(to.base == BaseType::int_ && from.base != BaseType::int_);
    if (from.base != to.base) return false;
    if (from.base == BaseType::symbol) return from.domain == to.domain;
    if (from.base == BaseType::list) return from.element_type().base == BaseType::error || assignable(from.element_type(), to.element_type());
    return true;
  }

  // Types that `==` and `in` can compare.
  bool comparable(const Type& a, const Type& b) const {
    if (a.base == BaseType::error || b.base == BaseType::error) return true;
    if (a.base == BaseType::null || b.base == BaseType::null) return true;
    if (a.is_numeric() && b.is_numeric()) return true;
    if (a.base != b.base) return false;
    if (a.base == BaseType::symbol) return a.domain == b.domain;
    if (a.base == BaseType::list) return a.element == b.element && a.domain == b.domain;
    return true;
  }

  Type numeric_result(const Type& a, const Type& b, Code code) const {
    if (a.base == BaseType::int_ && b.base == BaseType::int_ && code != Code::div) return Type::of(BaseType::int_);
    bool money = a.base == BaseType::money || b.base == BaseType::money;
    if (code == Code::div && a.base == BaseType::money && b.base == BaseType::money) money = false;
    return Type::of(money ? BaseType::money : BaseType::number);
  }

  // The common type of two branches (`if`, `??`, list items), or error.
  bool unify(const Type& a, const Type& b, Type& out) const {
    if (a.base == BaseType::error || b.base == BaseType::error) { out = Type{}; return true; }
    if (a.base == BaseType::null) { out = b; out.nullable = true; return true; }
    if (b.base == BaseType::null) { out = a; out.nullable = true; return true; }
    if (!comparable(a, b)) return false;
    out = a.is_numeric() ? numeric_result(a, b, Code::add) : a;
    out.nullable = a.nullable || b.nullable;
    return true;
  }

  // Rejects a possibly-null value where a value is needed, with the fix.
  bool require_non_null(uint32_t n, const Expr* e) {
    Type t = p_.nodes[n].type;
    if (!t.nullable || t.base == BaseType::error) return true;
    std::string text = text_of(e->span);
    error("E0401", e->span, fmt::format("`{}` may be null here", text),
          fmt::format("give a default with `{} ?? ...`, or test `{} is not null and ...` first", text, text));
    p_.nodes[n].type = Type{};
    return false;
  }

  bool require_numeric(uint32_t n, const Expr* e, const char* what) {
    if (is_error(n)) return false;
    if (!require_non_null(n, e)) return false;
    if (!p_.nodes[n].type.is_numeric()) {
      error("E0301", e->span, fmt::format("{} must be a number, but `{}` is {}", what, text_of(e->span), tname(p_.nodes[n].type)));
      return false;
    }
    return true;
  }

  void expect_type(uint32_t n, const Expr* e, const Type& expected, const char* what) {
    if (is_error(n)) return;
    if (!require_non_null(n, e)) return;
    if (!assignable(p_.nodes[n].type, expected))
      error("E0301", e->span, fmt::format("{} must be {}, but `{}` is {}", what, tname(expected), text_of(e->span), tname(p_.nodes[n].type)));
  }

  uint32_t condition(const Expr* e) {
    uint32_t n = check(e, Type::of(BaseType::boolean));
    if (is_error(n)) return n;
    Type t = p_.nodes[n].type;
    if (t.base != BaseType::boolean) {
      error("E0305", e->span, fmt::format("a condition must be true or false, but `{}` is {}", text_of(e->span), tname(t)),
            t.is_numeric() ? "compare it, e.g. `aum >= 100万`" : std::string());
      p_.nodes[n].type = Type{};
      return n;
    }
    require_non_null(n, e);
    return n;
  }

  // ---- null narrowing: `x is not null and ...` makes `x` safe in what follows --
  uint32_t lookup_slot(const Expr* e) const {
    if (e->kind != ExprKind::name) return kNone;
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->first == e->text) return it->second;
    auto g = globals_.find(e->text);
    if (g == globals_.end()) return kNone;
    switch (g->second.kind) {
      case BindKind::input: case BindKind::let: case BindKind::primary: return g->second.index;
      default: return kNone;
    }
  }

  void facts(const Expr* e, bool when_true, std::vector<uint32_t>& out) const {
    if (e->kind == ExprKind::is_null) {
      if (e->negated == when_true) {
        uint32_t s = lookup_slot(e->args[0]);
        if (s != kNone) out.push_back(s);
      }
    } else if (e->kind == ExprKind::logical && ((e->op == Op::and_) == when_true)) {
      for (const Expr* a : e->args) facts(a, when_true, out);
    } else if (e->kind == ExprKind::unary && e->op == Op::not_) {
      facts(e->args[0], !when_true, out);
    }
  }

  void add_facts(const Expr* e, bool when_true) { facts(e, when_true, narrowed_); }

  // ---- the expression checker ---------------------------------------------------
  uint32_t check(const Expr* e, const Type& expected) {
    switch (e->kind) {
      case ExprKind::number: {
        Type t = Type::of(e->number.is_whole() && e->text.find('.') == std::string::npos && e->text.find('%') == std::string::npos ? BaseType::int_ : BaseType::number);
        return constant(Value::of_number(e->number), t, e->span);
      }
      case ExprKind::string: return constant(Value::of_string(e->text), Type::of(BaseType::string), e->span);
      case ExprKind::boolean: return constant(Value::of_bool(e->boolean), Type::of(BaseType::boolean), e->span);
      case ExprKind::null: return constant(Value{}, Type::of(BaseType::null, true), e->span);
      case ExprKind::date: return constant(Value::of_date(e->date), Type::of(BaseType::date), e->span);
      case ExprKind::name: return check_name(e, expected);
      case ExprKind::member: return check_member(e, expected);
      case ExprKind::list: return check_list(e, expected);
      case ExprKind::call: return check_call(e);
      case ExprKind::unary: return check_unary(e);
      case ExprKind::binary: return check_binary(e, expected);
      case ExprKind::logical: return check_logical(e);
      case ExprKind::is_null: {
        uint32_t a = check(e->args[0], Type{});
        if (!is_error(a) && !p_.nodes[a].type.nullable && p_.nodes[a].type.base != BaseType::null)
          warning("W0401", e->span, fmt::format("`{}` is never null, so this test is always {}", text_of(e->args[0]->span), e->negated ? "true" : "false"));
        uint32_t n = add_node(e->negated ? Code::is_not_null : Code::is_null, Type::of(BaseType::boolean), e->span);
        p_.nodes[n].args = {a};
        return fold(n);
      }
      case ExprKind::if_then: {
        uint32_t c = condition(e->args[0]);
        auto saved = narrowed_;
        add_facts(e->args[0], true);
        uint32_t a = check(e->args[1], expected);
        narrowed_ = saved;
        add_facts(e->args[0], false);
        uint32_t b = check(e->args[2], expected);
        narrowed_ = saved;
        Type t;
        if (!unify(p_.nodes[a].type, p_.nodes[b].type, t)) {
          error("E0301", e->span, fmt::format("the branches of `if` differ: `{}` is {}, `{}` is {}", text_of(e->args[1]->span), tname(p_.nodes[a].type),
                                              text_of(e->args[2]->span), tname(p_.nodes[b].type)),
                "both branches must give the same type");
          t = Type{};
        }
        uint32_t n = add_node(Code::if_then, t, e->span);
        p_.nodes[n].args = {c, a, b};
        return fold(n);
      }
      case ExprKind::quantifier: return check_quantifier(e);
    }
    return error_node(e->span);
  }

  // `all p in LIST: COND` / `any p in LIST: COND`, in invariants only.
  uint32_t check_quantifier(const Expr* e) {
    if (context_ != Context::invariant) {
      error("E0901", e->span, "`all` and `any` are only allowed in invariants");
      return error_node(e->span);
    }
    uint32_t list = check(e->args[0], Type{});
    if (is_error(list)) return list;
    Type lt = p_.nodes[list].type;
    if (lt.base != BaseType::list) {
      error("E0301", e->args[0]->span, fmt::format("`{}` needs a list after `in`, but `{}` is {}", op_text(e->op), text_of(e->args[0]->span), tname(lt)),
            "quantify over a list: an output list, a list input field, a segments decision or `[a, b]`");
      return error_node(e->span);
    }
    uint32_t local = new_slot(SlotKind::local, e->text, lt.element_type(), e->span, kNone);
    locals_.push_back({e->text, local});
    uint32_t cond = condition(e->args[1]);
    locals_.pop_back();
    if (is_error(cond)) return error_node(e->span);
    uint32_t n = add_node(e->op == Op::all ? Code::all : Code::any, Type::of(BaseType::boolean), e->span);
    p_.nodes[n].slot = local;
    p_.nodes[n].args = {list, cond};
    return n;
  }

  uint32_t slot_node(uint32_t slot, Span span) {
    Type t = p_.slots[slot].type;
    if (t.nullable && std::find(narrowed_.begin(), narrowed_.end(), slot) != narrowed_.end()) t.nullable = false;
    uint32_t n = add_node(p_.slots[slot].kind == SlotKind::local ? Code::local : Code::slot, t, span);
    p_.nodes[n].slot = slot;
    return n;
  }

  uint32_t variable(const Binding& b, const Expr* e) {
    if (context_ == Context::constant) {
      error("E0312", e->span, fmt::format("`{}` is not a constant: defaults and catalog attributes must be fixed values", e->text));
      return error_node(e->span);
    }
    if (b.kind == BindKind::let) {
      const Slot& s = p_.slots[b.index];
      check_let(s.decl);  // types it (once); a cycle leaves it untyped and is reported later
    }
    if (deps_) deps_->push_back(b.index);
    if (b.kind == BindKind::let && let_state_[p_.slots[b.index].decl] == 1) return error_node(e->span);
    return slot_node(b.index, e->span);
  }

  std::vector<uint32_t> domains_with(const std::string& id) const {
    std::vector<uint32_t> found;
    for (size_t d = 0; d < p_.domains.size(); ++d)
      if (p_.domains[d].index.count(id)) found.push_back(static_cast<uint32_t>(d));
    return found;
  }

  uint32_t symbol_constant(uint32_t domain, uint32_t value, Span span) {
    return constant(Value::of_symbol(value), Type::symbol(domain), span);
  }

  uint32_t check_name(const Expr* e, const Type& expected) {
    const std::string& name = e->text;
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->first == name) return slot_node(it->second, e->span);
    if (expected.base == BaseType::symbol) {
      uint32_t v = p_.domains[expected.domain].find(name);
      if (v != kNone) return symbol_constant(expected.domain, v, e->span);
    }
    auto g = globals_.find(name);
    if (g != globals_.end()) {
      switch (g->second.kind) {
        case BindKind::input: case BindKind::let: case BindKind::decision: case BindKind::primary: case BindKind::as_of:
          return variable(g->second, e);
        case BindKind::output:
          if (context_ != Context::invariant) {
            error("E0206", e->span, fmt::format("output `{}` cannot be read here: outputs are produced by strategies", name),
                  "base the condition on inputs, lets and decisions");
            return error_node(e->span);
          }
          return slot_node(p_.outputs[g->second.index].slot, e->span);
        default: break;
      }
    }
    std::vector<uint32_t> found = domains_with(name);
    if (found.size() == 1) return symbol_constant(found[0], p_.domains[found[0]].find(name), e->span);
    if (found.size() > 1) {
      std::string forms;
      for (size_t i = 0; i < found.size(); ++i) forms += (i ? " or " : "") + fmt::format("`{}.{}`", p_.domains[found[i]].name, name);
      error("E0202", e->span, fmt::format("`{}` is ambiguous here: it names values of {} declarations", name, found.size()),
            fmt::format("write the qualified form: {}", forms));
      return error_node(e->span);
    }
    if (g != globals_.end()) {
      error("E0206", e->span, fmt::format("`{}` is {}, not a value", name, bind_kind_text(g->second.kind)));
      return error_node(e->span);
    }
    if (expected.base == BaseType::symbol) {
      const Domain& d = p_.domains[expected.domain];
      std::string guess = closest_name(name, d.ids);
      bool catalog = d.kind == DomainKind::catalog;
      error(catalog ? "E0303" : "E0304", e->span,
            catalog ? fmt::format("`{}` is not an item of catalog `{}`", name, d.name) : fmt::format("`{}` is not a value of `{}`", name, d.name),
            guess.empty() ? allowed_values(expected.domain) : fmt::format("did you mean `{}`? {}", guess, allowed_values(expected.domain)));
      return error_node(e->span);
    }
    std::vector<std::string> candidates;
    for (const auto& [n, b] : globals_)
      if (b.kind == BindKind::input || b.kind == BindKind::let || b.kind == BindKind::decision || b.kind == BindKind::primary) candidates.push_back(n);
    for (const auto& l : locals_) candidates.push_back(l.first);
    for (const auto& d : p_.domains) candidates.insert(candidates.end(), d.ids.begin(), d.ids.end());
    std::string guess = closest_name(name, candidates);
    error("E0201", e->span, fmt::format("unknown name `{}`", name), guess.empty() ? std::string() : fmt::format("did you mean `{}`?", guess));
    return error_node(e->span);
  }

  uint32_t check_member(const Expr* e, const Type& expected) {
    const Expr* base = e->args[0];
    // A qualified value: `product.gold`, `value_tier.gold`, `rating.BBB`.
    if (base->kind == ExprKind::name && lookup_local(base->text) == kNone) {
      auto d = domain_by_name_.find(base->text);
      auto g = globals_.find(base->text);
      bool catalog_variable = g != globals_.end() && (g->second.kind == BindKind::input || g->second.kind == BindKind::let) &&
                              p_.slots[g->second.index].type.base == BaseType::symbol &&
                              p_.domains[p_.slots[g->second.index].type.domain].kind == DomainKind::catalog;
      if (d != domain_by_name_.end() && !catalog_variable) {
        uint32_t v = p_.domains[d->second].find(e->text);
        if (v == kNone) {
          std::string guess = closest_name(e->text, p_.domains[d->second].ids);
          error("E0208", e->span, fmt::format("`{}` is not a value of `{}`", e->text, base->text),
                guess.empty() ? allowed_values(d->second) : fmt::format("did you mean `{}.{}`?", base->text, guess));
          return error_node(e->span);
        }
        return symbol_constant(d->second, v, e->span);
      }
    }
    (void)expected;
    uint32_t b = check(base, Type{});
    if (is_error(b)) return b;
    Type bt = p_.nodes[b].type;
    if (bt.base != BaseType::symbol || p_.domains[bt.domain].kind != DomainKind::catalog) {
      error("E0203", e->span, fmt::format("`{}` is {} and has no attribute `{}`", text_of(base->span), tname(bt), e->text),
            "attributes belong to catalog items, as in `p.risk`");
      return error_node(e->span);
    }
    if (!require_non_null(b, base)) return error_node(e->span);
    const Catalog& cat = p_.catalogs[p_.domains[bt.domain].catalog];
    auto it = std::find(cat.attributes.begin(), cat.attributes.end(), e->text);
    if (it == cat.attributes.end()) {
      std::string guess = closest_name(e->text, cat.attributes);
      error("E0203", e->span, fmt::format("catalog `{}` has no attribute `{}`", cat.name, e->text),
            guess.empty() ? std::string() : fmt::format("did you mean `{}`?", guess));
      return error_node(e->span);
    }
    uint32_t k = static_cast<uint32_t>(it - cat.attributes.begin());
    uint32_t n = add_node(Code::attribute, cat.attribute_types[k], e->span);
    p_.nodes[n].slot = k;
    p_.nodes[n].domain = bt.domain;
    p_.nodes[n].args = {b};
    return fold(n);
  }

  uint32_t lookup_local(const std::string& name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->first == name) return it->second;
    return kNone;
  }

  uint32_t check_list(const Expr* e, const Type& expected) {
    Type element = expected.base == BaseType::list ? expected.element_type() : expected;
    Type t = element.base == BaseType::error ? Type{} : element;
    // Until the first item is read, `t` is only the expected type: it guides how
    // bare values are read, but a first item of another type gives the list its
    // type, and the caller reports the mismatch in context (`x in [..]`: E0302).
    bool guessed = true;
    uint32_t n = add_node(Code::make_list, Type{}, e->span);
    std::vector<uint32_t> items;
    for (const Expr* item : e->args) {
      uint32_t i = check(item, t);
      items.push_back(i);
      if (is_error(i)) continue;
      require_non_null(i, item);
      Type unified;
      if (guessed) {
        t = element.base != BaseType::error && unify(t, p_.nodes[i].type, unified) ? unified : p_.nodes[i].type;
        guessed = false;
      } else if (unify(t, p_.nodes[i].type, unified)) {
        t = unified;
      } else {
        error("E0308", item->span, fmt::format("list items differ in type: `{}` is {}, earlier items are {}", text_of(item->span), tname(p_.nodes[i].type), tname(t)));
      }
    }
    t.nullable = false;
    if (t.base == BaseType::list) {
      error("E0308", e->span, "lists of lists are not supported");
      t = Type{};
    }
    p_.nodes[n].args = std::move(items);
    p_.nodes[n].type = Type::list_of(t);
    return fold(n);
  }

  uint32_t check_unary(const Expr* e) {
    uint32_t a = check(e->args[0], e->op == Op::not_ ? Type::of(BaseType::boolean) : Type{});
    if (is_error(a)) return a;
    if (e->op == Op::not_) {
      Type t = p_.nodes[a].type;
      if (t.base != BaseType::boolean) {
        error("E0301", e->span, fmt::format("`not` needs true or false, but `{}` is {}", text_of(e->args[0]->span), tname(t)));
        return error_node(e->span);
      }
      if (!require_non_null(a, e->args[0])) return error_node(e->span);
      uint32_t n = add_node(Code::not_, Type::of(BaseType::boolean), e->span);
      p_.nodes[n].args = {a};
      return fold(n);
    }
    if (!require_numeric(a, e->args[0], "the operand of `-`")) return error_node(e->span);
    uint32_t n = add_node(Code::neg, p_.nodes[a].type.non_null(), e->span);
    p_.nodes[n].args = {a};
    return fold(n);
  }

  // A bare name that is not a variable: probably a value whose domain the other side tells.
  bool is_bare_value(const Expr* e) const {
    if (e->kind != ExprKind::name || lookup_local(e->text) != kNone) return false;
    auto g = globals_.find(e->text);
    return g == globals_.end() || g->second.kind == BindKind::enum_ || g->second.kind == BindKind::catalog;
  }

  uint32_t check_binary(const Expr* e, const Type& expected) {
    const Expr* le = e->args[0];
    const Expr* re = e->args[1];
    switch (e->op) {
      case Op::add: case Op::sub: case Op::mul: case Op::div: {
        uint32_t a = check(le, Type{});
        uint32_t b = check(re, Type{});
        bool ok = require_numeric(a, le, fmt::format("the left side of `{}`", op_text(e->op)).c_str());
        ok = require_numeric(b, re, fmt::format("the right side of `{}`", op_text(e->op)).c_str()) && ok;
        if (!ok) return error_node(e->span);
        static constexpr Code kCodes[] = {Code::add, Code::sub, Code::mul, Code::div};
        Code code = kCodes[static_cast<int>(e->op) - static_cast<int>(Op::add)];
        uint32_t n = add_node(code, numeric_result(p_.nodes[a].type, p_.nodes[b].type, code), e->span);
        p_.nodes[n].args = {a, b};
        return fold(n);
      }
      case Op::coalesce: {
        uint32_t a = check(le, expected);
        if (is_error(a)) return a;
        Type at = p_.nodes[a].type;
        if (!at.nullable)
          warning("W0402", e->span, fmt::format("`{}` is never null, so `?? {}` is never used", text_of(le->span), text_of(re->span)));
        uint32_t b = check(re, at.base == BaseType::null ? expected : at.non_null());
        if (is_error(b)) return b;
        Type t;
        if (!unify(at.non_null(), p_.nodes[b].type, t) || at.base == BaseType::null) {
          error("E0301", e->span, fmt::format("`??` needs a default of the same type: `{}` is {}, `{}` is {}", text_of(le->span), tname(at),
                                              text_of(re->span), tname(p_.nodes[b].type)));
          return error_node(e->span);
        }
        t.nullable = p_.nodes[b].type.nullable;
        uint32_t n = add_node(Code::coalesce, t, e->span);
        p_.nodes[n].args = {a, b};
        return fold(n);
      }
      case Op::in: case Op::not_in: return check_in(e);
      default: return check_comparison(e);
    }
  }

  // A catalog item or enum value compared with text compares by its name:
  // `p in products_held` where the extract lists product names as strings.
  void text_of_symbol(uint32_t& a, const Type& other) {
    Type t = p_.nodes[a].type;
    bool other_text = other.base == BaseType::string || (other.base == BaseType::list && other.element == BaseType::string);
    if (t.base != BaseType::symbol || !other_text) return;
    uint32_t n = add_node(Code::symbol_text, Type::of(BaseType::string, t.nullable), p_.nodes[a].span);
    p_.nodes[n].domain = t.domain;
    p_.nodes[n].args = {a};
    a = fold(n);
  }

  uint32_t check_comparison(const Expr* e) {
    const Expr* le = e->args[0];
    const Expr* re = e->args[1];
    uint32_t a, b;
    if (is_bare_value(le) && !is_bare_value(re)) {
      b = check(re, Type{});
      a = check(le, p_.nodes[b].type.non_null());
    } else {
      a = check(le, Type{});
      b = check(re, p_.nodes[a].type.non_null());
    }
    if (is_error(a) || is_error(b)) return error_node(e->span);
    bool equality = e->op == Op::eq || e->op == Op::ne;
    if (equality) {
      text_of_symbol(a, p_.nodes[b].type);
      text_of_symbol(b, p_.nodes[a].type);
    }
    Type at = p_.nodes[a].type;
    Type bt = p_.nodes[b].type;
    if (!comparable(at, bt)) {
      bool enums = at.base == BaseType::symbol && bt.base == BaseType::symbol;
      error(enums ? "E0302" : "E0301", e->span,
            fmt::format("cannot compare `{}` ({}) with `{}` ({})", text_of(le->span), tname(at), text_of(re->span), tname(bt)),
            enums ? "values of different enums are never equal: compare with a value of the same enum" : std::string());
      return error_node(e->span);
    }
    if (!equality) {
      if (!require_non_null(a, le) || !require_non_null(b, re)) return error_node(e->span);
      bool ordered = at.is_numeric() || at.base == BaseType::date || (at.base == BaseType::symbol && p_.domains[at.domain].ordered());
      if (!ordered) {
        error("E0307", e->span, fmt::format("{} is not ordered: `{}` only works with numbers, dates and enums", tname(at), op_text(e->op)),
              at.base == BaseType::string ? "strings compare with `==`, `!=`, `in`, `starts_with` and `contains`" : "use `==`, `!=` or `in`");
        return error_node(e->span);
      }
    }
    static constexpr Code kCodes[] = {Code::eq, Code::ne, Code::lt, Code::le, Code::gt, Code::ge};
    uint32_t n = add_node(kCodes[static_cast<int>(e->op) - static_cast<int>(Op::eq)], Type::of(BaseType::boolean), e->span);
    p_.nodes[n].args = {a, b};
    if (at.base == BaseType::symbol) p_.nodes[n].domain = at.domain;
    return fold(n);
  }

  uint32_t check_in(const Expr* e) {
    const Expr* le = e->args[0];
    const Expr* re = e->args[1];
    uint32_t a, b;
    if (re->kind == ExprKind::list && !is_bare_value(le)) {
      a = check(le, Type{});
      b = check(re, Type::list_of(p_.nodes[a].type.non_null()));
    } else {
      b = check(re, Type{});
      Type element = p_.nodes[b].type.base == BaseType::list ? p_.nodes[b].type.element_type() : Type{};
      a = check(le, element);
    }
    if (is_error(a) || is_error(b)) return error_node(e->span);
    if (!require_non_null(a, le)) return error_node(e->span);
    text_of_symbol(a, p_.nodes[b].type);
    Type bt = p_.nodes[b].type;
    if (bt.base != BaseType::list) {
      error("E0301", re->span, fmt::format("`in` needs a list on its right, but `{}` is {}", text_of(re->span), tname(bt)),
            bt.base == BaseType::string ? "to look for text inside a string use `contains(text, part)`" : "write a list: `x in [a, b]`");
      return error_node(e->span);
    }
    if (bt.element != BaseType::error && !comparable(p_.nodes[a].type, bt.element_type())) {
      error(p_.nodes[a].type.base == BaseType::symbol && bt.element == BaseType::symbol ? "E0302" : "E0301", e->span,
            fmt::format("`{}` is {}, but the list holds {}", text_of(le->span), tname(p_.nodes[a].type), tname(bt.element_type())));
      return error_node(e->span);
    }
    uint32_t n = add_node(e->op == Op::in ? Code::in : Code::not_in, Type::of(BaseType::boolean), e->span);
    p_.nodes[n].args = {a, b};
    return fold(n);
  }

  uint32_t check_logical(const Expr* e) {
    auto saved = narrowed_;
    uint32_t n = add_node(e->op == Op::and_ ? Code::and_ : Code::or_, Type::of(BaseType::boolean), e->span);
    std::vector<uint32_t> args;
    bool ok = true;
    for (const Expr* a : e->args) {
      uint32_t c = condition(a);
      ok = ok && !is_error(c);
      args.push_back(c);
      add_facts(a, e->op == Op::and_);  // what holds for the next operand to be reached
    }
    narrowed_ = saved;
    p_.nodes[n].args = std::move(args);
    if (!ok) return error_node(e->span);
    return fold(n);
  }

  uint32_t check_call(const Expr* e) {
    if (e->text == "monotone") {
      error("E0701", e->span, "`monotone(...)` must be the whole body of an invariant",
            "declare it on its own: `invariant NAME \"label\" { monotone(value_tier, aum) }`");
      return error_node(e->span);
    }
    const Function* fn = nullptr;
    for (const Function& f : kFunctions)
      if (e->text == f.name) fn = &f;
    if (fn == nullptr) {
      std::vector<std::string> names;
      for (const Function& f : kFunctions) names.push_back(f.name);
      std::string guess = closest_name(e->text, names);
      error("E0205", e->span, fmt::format("unknown function `{}`", e->text),
            guess.empty() ? "the functions are min, max, abs, round, share, rank, count, days_between, years_between, starts_with and contains"
                          : fmt::format("did you mean `{}`?", guess));
      return error_node(e->span);
    }
    std::vector<uint32_t> args;
    for (const Expr* a : e->args) args.push_back(check(a, Type{}));
    for (uint32_t a : args)
      if (is_error(a)) return error_node(e->span);
    auto arity = [&](size_t lo, size_t hi, const char* shape) {
      if (args.size() < lo || args.size() > hi) {
        error("E0306", e->span, fmt::format("`{}` takes {}, but is given {} argument{}", fn->name, shape, args.size(), args.size() == 1 ? "" : "s"));
        return false;
      }
      return true;
    };
    auto arg_is = [&](size_t i, BaseType base, const char* what) {
      if (!require_non_null(args[i], e->args[i])) return false;
      Type t = p_.nodes[args[i]].type;
      bool ok = base == BaseType::number ? t.is_numeric() : t.base == base;
      if (!ok) error("E0306", e->args[i]->span, fmt::format("argument {} of `{}` must be {}, but `{}` is {}", i + 1, fn->name, what, text_of(e->args[i]->span), tname(t)));
      return ok;
    };
    Type result;
    bool ok = true;
    switch (fn->code) {
      case Code::min: case Code::max: {
        if (!arity(2, 64, "two or more numbers")) return error_node(e->span);
        result = p_.nodes[args[0]].type;
        for (size_t i = 0; i < args.size(); ++i) {
          ok = arg_is(i, BaseType::number, "a number") && ok;
          if (ok) result = numeric_result(result, p_.nodes[args[i]].type, Code::add);
        }
        result.nullable = false;
        break;
      }
      case Code::abs:
        ok = arity(1, 1, "one number") && arg_is(0, BaseType::number, "a number");
        if (ok) result = p_.nodes[args[0]].type.non_null();
        break;
      case Code::round:
        ok = arity(2, 2, "a number and a count of decimal places") && arg_is(0, BaseType::number, "a number") && arg_is(1, BaseType::int_, "a whole number of places");
        if (ok) result = p_.nodes[args[0]].type.base == BaseType::int_ ? Type::of(BaseType::number) : p_.nodes[args[0]].type.non_null();
        break;
      case Code::share:
        ok = arity(2, 2, "two numbers") && arg_is(0, BaseType::number, "a number") && arg_is(1, BaseType::number, "a number");
        result = Type::of(BaseType::number);
        break;
      case Code::rank: {
        ok = arity(1, 1, "one enum value") && require_non_null(args[0], e->args[0]);
        Type t = p_.nodes[args[0]].type;
        if (ok && !(t.base == BaseType::symbol && p_.domains[t.domain].ordered())) {
          error("E0306", e->args[0]->span, fmt::format("`rank` needs a value of an enum or tiers, but `{}` is {}", text_of(e->args[0]->span), tname(t)));
          ok = false;
        }
        result = Type::of(BaseType::int_);
        break;
      }
      case Code::count:
        ok = arity(1, 1, "one list") && arg_is(0, BaseType::list, "a list");
        result = Type::of(BaseType::int_);
        break;
      case Code::days_between: case Code::years_between:
        ok = arity(2, 2, "two dates") && arg_is(0, BaseType::date, "a date") && arg_is(1, BaseType::date, "a date");
        result = Type::of(BaseType::int_);
        break;
      case Code::starts_with: case Code::contains: {
        ok = arity(2, 2, "two strings");
        if (ok && fn->code == Code::contains && p_.nodes[args[0]].type.base == BaseType::list) {
          // contains(list, item) reads as `item in list`.
          Type lt = p_.nodes[args[0]].type;
          if (!require_non_null(args[1], e->args[1])) return error_node(e->span);
          if (!comparable(lt.element_type(), p_.nodes[args[1]].type)) {
            error("E0306", e->args[1]->span, fmt::format("`{}` is {}, but the list holds {}", text_of(e->args[1]->span), tname(p_.nodes[args[1]].type), tname(lt.element_type())));
            return error_node(e->span);
          }
          uint32_t n = add_node(Code::in, Type::of(BaseType::boolean), e->span);
          p_.nodes[n].args = {args[1], args[0]};
          return fold(n);
        }
        ok = ok && arg_is(0, BaseType::string, "a string") && arg_is(1, BaseType::string, "a string");
        result = Type::of(BaseType::boolean);
        break;
      }
      default: break;
    }
    if (!ok) return error_node(e->span);
    uint32_t n = add_node(fn->code, result, e->span);
    p_.nodes[n].args = std::move(args);
    if (fn->code == Code::rank) p_.nodes[n].domain = p_.nodes[p_.nodes[n].args[0]].type.domain;
    return fold(n);
  }

  const Ast& ast_;
  Program& p_;
  Diagnostics& diagnostics_;
  Context context_ = Context::rules;
  std::unordered_map<std::string, Binding> globals_;
  std::unordered_map<std::string, uint32_t> domain_by_name_;
  std::vector<std::pair<std::string, uint32_t>> locals_;
  std::vector<uint32_t> narrowed_;
  std::vector<int> let_state_;
  std::vector<std::vector<uint32_t>> let_deps_;
  std::vector<std::vector<uint32_t>> decision_deps_;
  std::vector<uint32_t>* deps_ = nullptr;
};

}  // namespace

std::string type_name(const Program& program, const Type& type) {
  std::string s;
  switch (type.base) {
    case BaseType::error: return "an unknown type";
    case BaseType::null: return "null";
    case BaseType::boolean: s = "bool"; break;
    case BaseType::int_: s = "int"; break;
    case BaseType::number: s = "number"; break;
    case BaseType::money: s = "money"; break;
    case BaseType::string: s = "string"; break;
    case BaseType::date: s = "date"; break;
    case BaseType::symbol: {
      const Domain& d = program.domains[type.domain];
      const char* kind = d.kind == DomainKind::tiers ? "a tier of " : d.kind == DomainKind::segments ? "a segment of " : d.kind == DomainKind::catalog ? "an item of " : "";
      s = fmt::format("{}`{}`", kind, d.name);
      break;
    }
    case BaseType::list: return "list<" + type_name(program, type.element_type()) + ">";
  }
  return type.nullable ? s + "?" : s;
}

std::shared_ptr<Program> check_ast(const Ast& ast, std::shared_ptr<const SourceFile> source, Diagnostics& diagnostics) {
  auto program = std::make_shared<Program>();
  program->source = std::move(source);
  Diagnostics found;
  Checker checker(ast, *program, found);
  checker.run();
  bool failed = checker.failed();
  // Report in source order, so that a reader meets them as they read the file.
  std::stable_sort(found.begin(), found.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.span.begin < b.span.begin; });
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  return failed ? nullptr : program;
}

std::shared_ptr<Program> compile_source(std::shared_ptr<const SourceFile> source, Diagnostics& diagnostics) {
  Diagnostics found;
  std::unique_ptr<Ast> ast = parse_source(*source, found);
  std::shared_ptr<Program> program;
  if (!has_errors(found)) program = check_ast(*ast, source, found);
  source->locate(found);
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  return program;
}

}  // namespace segrule
