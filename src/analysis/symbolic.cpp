// SymbolicProgram: a compiled Program, expression by expression, as Z3 terms
// (see symbolic.hpp).

#include "analysis/symbolic.hpp"

#include <fmt/format.h>

namespace segrule::analysis {

namespace {

Code swapped(Code op) {
  switch (op) {
    case Code::lt: return Code::gt;
    case Code::le: return Code::ge;
    case Code::gt: return Code::lt;
    case Code::ge: return Code::le;
    default: return op;
  }
}

// The same value as an Int term, when a Real term is made of integers only
// (counts, ranks, days, `int` fields, whole constants). Comparing those as Ints
// keeps calendar arithmetic in integer reasoning, where the solver is strong.
std::optional<z3::expr> as_int(const z3::expr& e) {
  if (e.is_int()) return e;
  if (e.is_numeral()) {
    std::string text = Z3_get_numeral_string(e.ctx(), e);
    if (text.find('/') != std::string::npos) return std::nullopt;
    return e.ctx().int_val(text.c_str());
  }
  if (!e.is_app()) return std::nullopt;
  switch (e.decl().decl_kind()) {
    case Z3_OP_TO_REAL: return e.arg(0);
    case Z3_OP_UMINUS: {
      auto a = as_int(e.arg(0));
      return a ? std::optional<z3::expr>(-*a) : std::nullopt;
    }
    case Z3_OP_ADD: case Z3_OP_SUB: case Z3_OP_MUL: {
      auto acc = as_int(e.arg(0));
      for (unsigned i = 1; acc && i < e.num_args(); ++i) {
        auto x = as_int(e.arg(i));
        if (!x) return std::nullopt;
        auto kind = e.decl().decl_kind();
        acc = kind == Z3_OP_ADD ? *acc + *x : kind == Z3_OP_SUB ? *acc - *x : *acc * *x;
      }
      return acc;
    }
    case Z3_OP_ITE: {
      auto a = as_int(e.arg(1)), b = as_int(e.arg(2));
      return a && b ? std::optional<z3::expr>(z3::ite(e.arg(0), *a, *b)) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

z3::expr relation(Code op, const z3::expr& real_a, const z3::expr& real_b) {
  auto int_a = real_a.is_real() ? as_int(real_a) : std::nullopt;
  auto int_b = int_a && real_b.is_real() ? as_int(real_b) : std::nullopt;
  const z3::expr& a = int_a && int_b ? *int_a : real_a;
  const z3::expr& b = int_a && int_b ? *int_b : real_b;
  switch (op) {
    case Code::lt: return a < b;
    case Code::le: return a <= b;
    case Code::gt: return a > b;
    case Code::ge: return a >= b;
    case Code::ne: return a != b;
    default: return a == b;
  }
}

// Pops a quantifier's or constraint's item variable however the scope is left.
struct LocalScope {
  std::vector<std::pair<uint32_t, SymValue>>& locals;
  LocalScope(std::vector<std::pair<uint32_t, SymValue>>& l, uint32_t slot, const SymValue& v) : locals(l) { locals.emplace_back(slot, v); }
  ~LocalScope() { locals.pop_back(); }
  LocalScope(const LocalScope&) = delete;
  LocalScope& operator=(const LocalScope&) = delete;
};

}  // namespace

// ---- values ----------------------------------------------------------------------

SymbolicProgram::SymbolicProgram(SymbolicContext& context, const Program& program, std::map<uint32_t, FieldVars*> overrides)
    : ctx_(context), z_(context.z3()), p_(program), overrides_(std::move(overrides)), input_vars_(program.inputs.size(), nullptr) {}

std::string SymbolicProgram::text(Span span) const {
  std::string_view t = p_.source ? p_.source->text() : std::string_view();
  if (span.end > t.size() || span.begin >= span.end) return "this expression";
  return std::string(t.substr(span.begin, span.end - span.begin));
}

FieldVars* SymbolicProgram::vars_of(uint32_t input) const { return input_vars_[input]; }

SymValue SymbolicProgram::number(const z3::expr& real) {
  SymValue v;
  v.kind = SymKind::number;
  v.term = real;
  return v;
}

SymValue SymbolicProgram::symbol(const z3::expr& index, uint32_t domain) {
  SymValue v;
  v.kind = SymKind::symbol;
  v.term = index;
  v.domain = domain;
  return v;
}

z3::expr SymbolicProgram::is_null(const SymValue& v) {
  if (v.kind == SymKind::null) return z_.bool_val(true);
  return v.is_null ? *v.is_null : z_.bool_val(false);
}

const z3::expr& SymbolicProgram::real_term(const SymValue& v, Span span) {
  if (v.quotient) throw NotAnalysed{span, fmt::format("`{}` uses a division by a value that is not a constant in a way the analysis cannot follow", text(span))};
  return *v.term;
}

SymValue SymbolicProgram::constant(const Value& v, const Type& t) {
  SymValue s;
  if (t.base == BaseType::null) {
    s.is_null = z_.bool_val(true);
    return s;
  }
  switch (t.base) {
    case BaseType::boolean: s.kind = SymKind::boolean; s.term = z_.bool_val(!v.is_null() && v.boolean); break;
    case BaseType::int_: case BaseType::number: case BaseType::money:
      s.kind = SymKind::number;
      s.term = v.is_null() ? z_.real_val(0) : ctx_.real(v.number);
      break;
    case BaseType::string:
      s.kind = SymKind::string;
      s.term = v.is_null() ? z_.string_val("") : ctx_.string_constant(v.text);
      break;
    case BaseType::date: s.kind = SymKind::date; s.term = z_.int_val(v.is_null() ? 0 : v.date.days); break;
    case BaseType::symbol:
      s.kind = SymKind::symbol;
      s.domain = t.domain;
      s.term = z_.int_val(v.is_null() ? 0 : static_cast<int>(v.symbol));
      break;
    case BaseType::list: {
      auto list = std::make_shared<SymList>();
      for (const Value& item : v.items) list->entries.push_back({z_.bool_val(true), constant(item, t.element_type())});
      list->count = z_.int_val(static_cast<int>(v.items.size()));
      s.kind = SymKind::list;
      s.domain = t.domain;
      s.list = list;
      break;
    }
    default: throw NotAnalysed{{}, "a value of unknown type"};
  }
  if (v.is_null()) s.is_null = z_.bool_val(true);
  else if (s.kind != SymKind::list && s.kind != SymKind::boolean) s.choices.emplace_back(z_.bool_val(true), v);
  return s;
}

SymValue SymbolicProgram::input(uint32_t index) {
  const InputField& f = p_.inputs[index];
  auto o = overrides_.find(index);
  FieldVars& vars = o != overrides_.end() ? *o->second : ctx_.field(p_, f);
  input_vars_[index] = &vars;
  SymValue raw;
  const z3::expr& x = *vars.value;
  switch (f.type.base) {
    case BaseType::int_: case BaseType::number: case BaseType::money:
      raw = number(vars.scale_digits == 0 ? z3::to_real(x) : z3::to_real(x) / z_.real_val(power_of_ten(static_cast<int>(vars.scale_digits)).c_str()));
      break;
    case BaseType::boolean: raw.kind = SymKind::boolean; raw.term = x; break;
    case BaseType::string: raw.kind = SymKind::string; raw.term = x; break;
    case BaseType::date: raw.kind = SymKind::date; raw.term = x; break;
    case BaseType::symbol: raw = symbol(x, f.type.domain); break;
    case BaseType::list: {
      auto list = std::make_shared<SymList>();
      list->count = x;
      if (f.type.element == BaseType::symbol || f.type.element == BaseType::boolean) {
        for (auto& [key, m] : vars.members) list->entries.push_back({m.first, constant(m.second, f.type.element_type())});
      } else {
        list->open = &vars;
      }
      raw.kind = SymKind::list;
      raw.domain = f.type.domain;
      raw.list = list;
      break;
    }
    default: throw NotAnalysed{{}, fmt::format("input field `{}` has a type the analysis does not know", f.name)};
  }
  if (f.has_default) return merge(vars.is_null, constant(f.default_value, f.type.non_null()), raw, {});
  if (f.type.nullable) {
    raw.is_null = vars.is_null;
    return raw;
  }
  ctx_.require(!vars.is_null);  // a required field is never null in a record the schema accepts
  return raw;
}

SymValue SymbolicProgram::merge(const z3::expr& cond, const SymValue& a, const SymValue& b, Span span) {
  if (a.kind == SymKind::null && b.kind == SymKind::null) return a;
  if (a.kind == SymKind::null || b.kind == SymKind::null) {
    SymValue r = a.kind == SymKind::null ? b : a;
    r.is_null = a.kind == SymKind::null ? z3::ite(cond, z_.bool_val(true), is_null(b)) : z3::ite(cond, is_null(a), z_.bool_val(true));
    return r;
  }
  SymValue r;
  r.kind = a.kind;
  r.domain = a.domain;
  if (a.is_null || b.is_null) r.is_null = z3::ite(cond, is_null(a), is_null(b));
  if (a.kind == SymKind::list) {
    if (a.list->open || b.list->open) throw NotAnalysed{span, fmt::format("`{}` chooses between lists the analysis cannot enumerate", text(span))};
    auto list = std::make_shared<SymList>();
    for (const ListEntry& e : a.list->entries) list->entries.push_back({cond && e.guard, e.element});
    for (const ListEntry& e : b.list->entries) list->entries.push_back({!cond && e.guard, e.element});
    list->count = z3::ite(cond, *a.list->count, *b.list->count);
    r.list = list;
    return r;
  }
  if (a.quotient || b.quotient) {
    // Two divisions by the same amount (or a constant and a division) stay a division.
    auto as_quotient = [&](const SymValue& v, const z3::expr& den) -> Quotient {
      if (v.quotient) return *v.quotient;
      z3::expr c(z_);
      if (!SymbolicContext::numeral(*v.term, c)) throw NotAnalysed{span, fmt::format("`{}` chooses between a division and a value that is not a constant", text(span))};
      return Quotient{c * den, den, c};
    };
    const z3::expr& den = a.quotient ? a.quotient->den : b.quotient->den;
    Quotient qa = as_quotient(a, den), qb = as_quotient(b, den);
    if (!z3::eq(qa.den, qb.den)) throw NotAnalysed{span, fmt::format("`{}` chooses between divisions by different amounts", text(span))};
    std::optional<z3::expr> zero;
    if (qa.zero || qb.zero) zero = z3::ite(cond, qa.zero ? *qa.zero : z_.real_val(0), qb.zero ? *qb.zero : z_.real_val(0));
    r.quotient = std::make_shared<Quotient>(Quotient{z3::ite(cond, qa.num, qb.num), den, zero});
    return r;
  }
  r.term = z3::ite(cond, *a.term, *b.term);
  if (!a.choices.empty() && !b.choices.empty()) {
    for (const auto& [g, v] : a.choices) r.choices.emplace_back(cond && g, v);
    for (const auto& [g, v] : b.choices) r.choices.emplace_back(!cond && g, v);
  }
  return r;
}

SymValue SymbolicProgram::arithmetic(const Node& n, const SymValue& a, const SymValue& b) {
  z3::expr ca(z_), cb(z_);
  const bool a_const = !a.quotient && SymbolicContext::numeral(*a.term, ca);
  const bool b_const = !b.quotient && SymbolicContext::numeral(*b.term, cb);
  SymValue r;
  r.kind = SymKind::number;
  auto scaled = [&](const Quotient& q, const z3::expr& k) {
    std::optional<z3::expr> zero;
    if (q.zero) zero = *q.zero * k;
    r.quotient = std::make_shared<Quotient>(Quotient{q.num * k, q.den, zero});
    return r;
  };
  if (n.code == Code::mul) {
    if (a_const && b.quotient) return scaled(*b.quotient, ca);
    if (b_const && a.quotient) return scaled(*a.quotient, cb);
    if (!a.quotient && !b.quotient && (a_const || b_const)) return number(*a.term * *b.term);
    throw NotAnalysed{n.span, fmt::format("`{}` multiplies two values that are not constants", text(n.span))};
  }
  if (n.code == Code::div) return division(n, a, b, false);
  // + and -
  const bool add = n.code == Code::add;
  if (!a.quotient && !b.quotient) return number(add ? *a.term + *b.term : *a.term - *b.term);
  auto sum = [&](const z3::expr& x, const z3::expr& y) { return add ? x + y : x - y; };
  if (a.quotient && b.quotient) {
    if (!z3::eq(a.quotient->den, b.quotient->den))
      throw NotAnalysed{n.span, fmt::format("`{}` adds divisions by different amounts", text(n.span))};
    std::optional<z3::expr> zero;
    if (a.quotient->zero && b.quotient->zero) zero = sum(*a.quotient->zero, *b.quotient->zero);
    r.quotient = std::make_shared<Quotient>(Quotient{sum(a.quotient->num, b.quotient->num), a.quotient->den, zero});
    return r;
  }
  // One division and a constant: c ± n/d = (c·d ± n)/d.
  const Quotient& q = a.quotient ? *a.quotient : *b.quotient;
  z3::expr c = a.quotient ? cb : ca;
  if (!(a.quotient ? b_const : a_const))
    throw NotAnalysed{n.span, fmt::format("`{}` adds a division by a value that is not a constant to another value that is not a constant", text(n.span))};
  std::optional<z3::expr> zero;
  if (q.zero) zero = a.quotient ? sum(*q.zero, c) : sum(c, *q.zero);
  z3::expr num = a.quotient ? sum(q.num, c * q.den) : sum(c * q.den, q.num);
  r.quotient = std::make_shared<Quotient>(Quotient{num, q.den, zero});
  return r;
}

SymValue SymbolicProgram::division(const Node& n, const SymValue& a, const SymValue& b, bool share) {
  const char* what = share ? "`share`" : "a division";
  if (b.quotient) throw NotAnalysed{n.span, fmt::format("`{}`: {} by a division is beyond the analysis", text(n.span), what)};
  z3::expr cb(z_);
  if (SymbolicContext::numeral(*b.term, cb) && SymbolicContext::numeral_text(cb) != "0") {
    if (a.quotient) {
      std::optional<z3::expr> zero;
      if (a.quotient->zero) zero = *a.quotient->zero / cb;
      SymValue r;
      r.kind = SymKind::number;
      r.quotient = std::make_shared<Quotient>(Quotient{a.quotient->num, a.quotient->den * cb, zero});
      return r;
    } else {
      return number(*a.term / cb);
    }
  }
  if (a.quotient) throw NotAnalysed{n.span, fmt::format("`{}` divides a division by a value that is not a constant", text(n.span))};
  SymValue r;
  r.kind = SymKind::number;
  std::optional<z3::expr> zero;
  if (share) zero = z_.real_val(0);
  else ctx_.prefer(*b.term != 0);  // examples avoid a division by zero
  r.quotient = std::make_shared<Quotient>(Quotient{*a.term, *b.term, zero});
  return r;
}

z3::expr SymbolicProgram::compare(Code op, const SymValue& a, const SymValue& b, Span span) {
  switch (a.kind) {
    case SymKind::date: return relation(op, *a.term, *b.term);
    case SymKind::symbol:
      // Tiers rank their first row highest: a smaller index is a higher tier.
      return p_.domains[a.domain].kind == DomainKind::tiers ? relation(swapped(op), *a.term, *b.term) : relation(op, *a.term, *b.term);
    case SymKind::number: break;
    default: throw NotAnalysed{span, fmt::format("`{}` compares values the analysis cannot order", text(span))};
  }
  if (!a.quotient && !b.quotient) return relation(op, *a.term, *b.term);
  if (a.quotient && b.quotient) {
    const Quotient& qa = *a.quotient;
    const Quotient& qb = *b.quotient;
    if (!z3::eq(qa.den, qb.den))
      throw NotAnalysed{span, fmt::format("`{}` compares divisions by different amounts", text(span))};
    z3::expr zero_case = qa.zero && qb.zero ? relation(op, *qa.zero, *qb.zero) : z_.bool_val(false);
    return (qa.den > 0 && relation(op, qa.num, qb.num)) || (qa.den < 0 && relation(swapped(op), qa.num, qb.num)) ||
           (qa.den == 0 && zero_case);
  }
  // A division against a constant: n/d OP c is n OP c·d for d > 0, flipped for d < 0.
  // A constant chosen by conditions (`if a then 10% else 30%`) works the same, branch by branch.
  const Quotient& q = a.quotient ? *a.quotient : *b.quotient;
  const z3::expr& c = a.quotient ? *b.term : *a.term;
  std::optional<z3::expr> c_den = piecewise_times(c, q.den);
  if (!c_den)
    throw NotAnalysed{span, fmt::format("`{}` compares a division by a value that is not a constant with another value that is not a constant", text(span))};
  Code o = a.quotient ? op : swapped(op);
  z3::expr zero_case = q.zero ? relation(o, *q.zero, c) : z_.bool_val(false);
  return (q.den > 0 && relation(o, q.num, *c_den)) || (q.den < 0 && relation(swapped(o), q.num, *c_den)) || (q.den == 0 && zero_case);
}

// c·x where c is a constant or an `if` whose branches are (in the end) constants: linear in x.
std::optional<z3::expr> SymbolicProgram::piecewise_times(const z3::expr& c, const z3::expr& x) {
  z3::expr k(z_);
  if (SymbolicContext::numeral(c, k)) return k * x;
  z3::expr e = c.simplify();
  if (!e.is_app() || e.decl().decl_kind() != Z3_OP_ITE) return std::nullopt;
  auto then = piecewise_times(e.arg(1), x), otherwise = piecewise_times(e.arg(2), x);
  if (!then || !otherwise) return std::nullopt;
  return z3::ite(e.arg(0), *then, *otherwise);
}

z3::expr SymbolicProgram::equal(const SymValue& a, const SymValue& b, Span span) {
  if (a.kind == SymKind::null && b.kind == SymKind::null) return z_.bool_val(true);
  if (a.kind == SymKind::null) return is_null(b);
  if (b.kind == SymKind::null) return is_null(a);
  z3::expr same(z_);
  switch (a.kind) {
    case SymKind::number: same = compare(Code::eq, a, b, span); break;
    case SymKind::list: throw NotAnalysed{span, fmt::format("`{}` compares two lists", text(span))};
    default: same = *a.term == *b.term; break;
  }
  if (!a.is_null && !b.is_null) return same;
  z3::expr na = is_null(a), nb = is_null(b);
  return z3::ite(na || nb, na && nb, same);
}

z3::expr SymbolicProgram::member(const SymValue& list, const SymValue& item, Span span) {
  const SymList& l = *list.list;
  if (l.open) {
    if (item.choices.empty())
      throw NotAnalysed{span, fmt::format("`{}` looks up a value that is not a constant in the list `{}`", text(span), l.open->name)};
    z3::expr any = z_.bool_val(false);
    for (const auto& [guard, value] : item.choices) any = any || (guard && ctx_.list_member(*l.open, value));
    return any;
  }
  z3::expr any = z_.bool_val(false);
  for (const ListEntry& e : l.entries) any = any || (e.guard && equal(e.element, item, span));
  return any;
}

z3::expr SymbolicProgram::distinct_count(const std::vector<ListEntry>& entries, Span span) {
  z3::expr count = z_.int_val(0);
  for (size_t i = 0; i < entries.size(); ++i) {
    z3::expr first = entries[i].guard;
    for (size_t j = 0; j < i; ++j) first = first && !(entries[j].guard && equal(entries[j].element, entries[i].element, span));
    count = count + z3::ite(first, z_.int_val(1), z_.int_val(0));
  }
  return count;
}

// Lists of enum values or catalog items: one entry per value of the domain.
std::vector<ListEntry> SymbolicProgram::canonical(const Type& element, std::vector<ListEntry> entries) {
  if (element.base != BaseType::symbol) return entries;
  std::vector<ListEntry> out;
  const Domain& d = p_.domains[element.domain];
  for (size_t v = 0; v < d.ids.size(); ++v) {
    SymValue value = symbol(z_.int_val(static_cast<int>(v)), element.domain);
    z3::expr in = z_.bool_val(false);
    for (const ListEntry& e : entries) in = in || (e.guard && *e.element.term == *value.term);
    out.push_back({in.simplify(), value});
  }
  return out;
}

SymValue SymbolicProgram::value(uint32_t node) {
  try {
    return node_value(node);
  } catch (NotAnalysed& e) {
    if (e.span.end == 0) e.span = p_.nodes[node].span;
    throw;
  }
}

z3::expr SymbolicProgram::condition(uint32_t node) {
  SymValue v = value(node);
  if (v.kind != SymKind::boolean) throw NotAnalysed{p_.nodes[node].span, "a condition that is not true or false"};
  return *v.term;
}

// years_between(a, b) as the engine counts it: completed years. A 29 February
// start has its anniversary on 1 March in other years, which comparing (month,
// day) pairs gives as well: no year but a leap year has a 29 February.
namespace {
z3::expr whole_years(z3::context& z, const CivilDate& a, const CivilDate& b) {
  z3::expr before = b.month < a.month || (b.month == a.month && b.day < a.day);
  return b.year - a.year - z3::ite(before, z.int_val(1), z.int_val(0));
}
}  // namespace

SymValue SymbolicProgram::node_value(uint32_t index) {
  const Node& n = p_.nodes[index];
  auto arg = [&](size_t i) { return value(n.args[i]); };
  switch (n.code) {
    case Code::constant: return constant(n.constant, n.type);
    case Code::slot: return slot_value(n.slot);
    case Code::local:
      for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
        if (it->first == n.slot) return it->second;
      throw NotAnalysed{n.span, "an item variable outside its scope"};
    case Code::attribute: {
      SymValue item = arg(0);
      const Catalog& cat = p_.catalogs[p_.domains[n.domain].catalog];
      const Type& t = cat.attribute_types[n.slot];
      z3::expr k(z_);
      if (SymbolicContext::numeral(*item.term, k)) return constant(cat.values[static_cast<size_t>(k.get_numeral_int())][n.slot], t);
      SymValue r = constant(cat.values.back()[n.slot], t);
      for (size_t i = cat.values.size() - 1; i-- > 0;)
        r = merge(*item.term == z_.int_val(static_cast<int>(i)), constant(cat.values[i][n.slot], t), r, n.span);
      return r;
    }
    case Code::neg: {
      SymValue a = arg(0);
      if (!a.quotient) return number(-*a.term);
      std::optional<z3::expr> zero;
      if (a.quotient->zero) zero = -*a.quotient->zero;
      a.quotient = std::make_shared<Quotient>(Quotient{-a.quotient->num, a.quotient->den, zero});
      return a;
    }
    case Code::not_: {
      SymValue a = arg(0);
      SymValue r;
      r.kind = SymKind::boolean;
      r.term = !*a.term;
      return r;
    }
    case Code::add: case Code::sub: case Code::mul: case Code::div: return arithmetic(n, arg(0), arg(1));
    case Code::share: return division(n, arg(0), arg(1), true);
    case Code::eq: case Code::ne: case Code::lt: case Code::le: case Code::gt: case Code::ge: case Code::in: case Code::not_in:
    case Code::and_: case Code::or_: case Code::is_null: case Code::is_not_null: case Code::starts_with: case Code::contains:
    case Code::list_contains: case Code::all: case Code::any: {
      if (auto b = row_test(n)) {
        SymValue r;
        r.kind = SymKind::boolean;
        r.term = *b;
        return r;
      }
      z3::expr b(z_);
      switch (n.code) {
        case Code::eq: b = equal(arg(0), arg(1), n.span); break;
        case Code::ne: b = !equal(arg(0), arg(1), n.span); break;
        case Code::in: b = member(arg(1), arg(0), n.span); break;
        case Code::not_in: b = !member(arg(1), arg(0), n.span); break;
        case Code::list_contains: b = member(arg(0), arg(1), n.span); break;
        case Code::and_: case Code::or_: {
          z3::expr_vector parts(z_);
          for (uint32_t a : n.args) parts.push_back(condition(a));
          b = n.code == Code::and_ ? z3::mk_and(parts) : z3::mk_or(parts);
          break;
        }
        case Code::is_null: b = is_null(arg(0)); break;
        case Code::is_not_null: b = !is_null(arg(0)); break;
        case Code::starts_with: b = z3::prefixof(*arg(1).term, *arg(0).term); break;
        case Code::contains: b = arg(0).term->contains(*arg(1).term); break;
        case Code::all: case Code::any: {
          SymValue list = arg(0);
          if (list.list->open)
            throw NotAnalysed{n.span, fmt::format("`{}` goes over the list input `{}`, whose items are not known", text(n.span), list.list->open->name)};
          const bool all = n.code == Code::all;
          b = z_.bool_val(all);
          for (const ListEntry& e : list.list->entries) {
            LocalScope scope(locals_, n.slot, e.element);
            z3::expr c = condition(n.args[1]);
            b = all ? (b && z3::implies(e.guard, c)) : (b || (e.guard && c));
          }
          break;
        }
        default: b = compare(n.code, arg(0), arg(1), n.span); break;
      }
      SymValue r;
      r.kind = SymKind::boolean;
      r.term = b;
      return r;
    }
    case Code::coalesce: {
      SymValue a = arg(0);
      if (a.kind == SymKind::null) return arg(1);
      if (!a.is_null) return a;
      z3::expr null = *a.is_null;
      a.is_null.reset();
      return merge(null, arg(1), a, n.span);
    }
    case Code::if_then: return merge(condition(n.args[0]), arg(1), arg(2), n.span);
    case Code::make_list: {
      auto list = std::make_shared<SymList>();
      for (size_t i = 0; i < n.args.size(); ++i) list->entries.push_back({z_.bool_val(true), arg(i)});
      list->count = distinct_count(list->entries, n.span);
      SymValue r;
      r.kind = SymKind::list;
      r.domain = n.type.domain;
      r.list = list;
      return r;
    }
    case Code::min: case Code::max: {
      z3::expr best = real_term(arg(0), n.span);
      for (size_t i = 1; i < n.args.size(); ++i) {
        z3::expr x = real_term(arg(i), n.span);
        best = z3::ite(n.code == Code::min ? x < best : x > best, x, best);
      }
      return number(best);
    }
    case Code::abs: {
      z3::expr x = real_term(arg(0), n.span);
      return number(z3::ite(x < 0, -x, x));
    }
    case Code::round: {
      z3::expr x = real_term(arg(0), n.span);
      z3::expr d(z_);
      if (!SymbolicContext::numeral(real_term(arg(1), n.span), d))
        throw NotAnalysed{n.span, fmt::format("`{}` rounds to a number of places that is not a constant", text(n.span))};
      std::string digits = SymbolicContext::numeral_text(d);
      if (digits.size() > 4 || digits.find('/') != std::string::npos)
        throw NotAnalysed{n.span, fmt::format("`{}` rounds to an unusual number of places", text(n.span))};
      int64_t places = std::stoll(digits);
      if (places >= Decimal::kScale) return number(x);
      if (places < -19) throw NotAnalysed{n.span, fmt::format("`{}` rounds to an unusual number of places", text(n.span))};
      z3::expr scale = places >= 0 ? z_.real_val(power_of_ten(static_cast<int>(places)).c_str()) : z_.real_val(("1/" + power_of_ten(static_cast<int>(-places))).c_str());
      z3::expr s = x * scale;
      z3::expr half = z_.real_val(1, 2);
      // Half away from zero: floor(s + 1/2) for s >= 0, -floor(-s + 1/2) below.
      auto floor = [&](const z3::expr& e) { return z3::to_real(z3::expr(z_, Z3_mk_real2int(z_, e))); };
      z3::expr r = z3::ite(s >= 0, floor(s + half), -floor(-s + half));
      return number(r / scale);
    }
    case Code::rank: {
      SymValue a = arg(0);
      const Domain& d = p_.domains[n.domain];
      z3::expr r = d.kind == DomainKind::tiers ? z_.int_val(static_cast<int>(d.ids.size())) - *a.term : *a.term + 1;
      return number(z3::to_real(r));
    }
    case Code::count: {
      SymValue a = arg(0);
      return number(z3::to_real(*a.list->count));
    }
    case Code::days_between: return number(z3::to_real(*arg(1).term - *arg(0).term));
    case Code::years_between: {
      z3::expr a = *arg(0).term, b = *arg(1).term;
      CivilDate ca = ctx_.civil(a), cb = ctx_.civil(b);
      return number(z3::to_real(z3::ite(b < a, -whole_years(z_, cb, ca), whole_years(z_, ca, cb))));
    }
    case Code::symbol_text: {
      SymValue a = arg(0);
      const Domain& d = p_.domains[n.domain];
      SymValue r;
      r.kind = SymKind::string;
      r.is_null = a.is_null;
      z3::expr t = ctx_.string_constant(d.ids.back());
      for (size_t i = d.ids.size() - 1; i-- > 0;) t = z3::ite(*a.term == z_.int_val(static_cast<int>(i)), ctx_.string_constant(d.ids[i]), t);
      r.term = t;
      for (size_t i = 0; i < d.ids.size(); ++i) r.choices.emplace_back(*a.term == z_.int_val(static_cast<int>(i)), Value::of_string(d.ids[i]));
      return r;
    }
  }
  throw NotAnalysed{n.span, "an operation the analysis does not know"};
}

// ---- decisions ----------------------------------------------------------------

// `value_tier == gold`, `value_tier >= gold`, `value_tier in [gold, vip]`,
// `savings in customer_type`: only the rows up to the one named matter, so a
// later row beyond the analysis does not spoil the test.
std::optional<z3::expr> SymbolicProgram::row_test(const Node& n) {
  auto decision_of = [&](uint32_t node, SlotKind kind) -> uint32_t {
    const Node& x = p_.nodes[node];
    return x.code == Code::slot && p_.slots[x.slot].kind == kind ? p_.slots[x.slot].decl : kNone;
  };
  auto row_of = [&](uint32_t node) -> uint32_t {
    const Node& x = p_.nodes[node];
    return x.code == Code::constant && x.constant.kind == ValueKind::symbol ? x.constant.symbol : kNone;
  };
  // Some row before `row` matched.
  auto above = [&](uint32_t d, uint32_t row) {
    z3::expr any = z_.bool_val(false);
    for (uint32_t j = 0; j < row; ++j) any = any || row_condition(d, j);
    return any;
  };
  auto is_row = [&](uint32_t d, uint32_t row) { return !above(d, row) && row_condition(d, row); };
  switch (n.code) {
    case Code::eq: case Code::ne: case Code::lt: case Code::le: case Code::gt: case Code::ge: {
      Code op = n.code;
      uint32_t d = decision_of(n.args[0], SlotKind::tiers), row = row_of(n.args[1]);
      if (d == kNone || row == kNone) {
        d = decision_of(n.args[1], SlotKind::tiers);
        row = row_of(n.args[0]);
        op = swapped(op);
      }
      if (d == kNone || row == kNone) return std::nullopt;
      // A record that matches no row is rejected, so "not at or above `row`" is "below it".
      switch (op) {
        case Code::eq: return is_row(d, row);
        case Code::ne: return !is_row(d, row);
        case Code::ge: return above(d, row + 1);
        case Code::gt: return above(d, row);
        case Code::le: return !above(d, row);
        default: return !above(d, row + 1);
      }
    }
    case Code::in: case Code::not_in: case Code::list_contains: {
      uint32_t item = n.code == Code::list_contains ? n.args[1] : n.args[0];
      uint32_t list = n.code == Code::list_contains ? n.args[0] : n.args[1];
      std::optional<z3::expr> hit;
      uint32_t segments = decision_of(list, SlotKind::segments), row = row_of(item);
      if (segments != kNone && row != kNone) hit = row_condition(segments, row);
      uint32_t tiers = decision_of(item, SlotKind::tiers);
      const Node& l = p_.nodes[list];
      if (tiers != kNone && l.code == Code::constant && l.constant.kind == ValueKind::list) {
        z3::expr any = z_.bool_val(false);
        for (const Value& v : l.constant.items) any = any || is_row(tiers, v.symbol);
        hit = any;
      }
      if (!hit) return std::nullopt;
      return n.code == Code::not_in ? !*hit : *hit;
    }
    default: return std::nullopt;
  }
}

SymValue SymbolicProgram::slot_value(uint32_t slot) {
  auto done = slots_.find(slot);
  if (done != slots_.end()) return done->second;
  auto failed = failed_slots_.find(slot);
  if (failed != failed_slots_.end()) throw failed->second;
  const Slot& s = p_.slots[slot];
  try {
    SymValue v;
    switch (s.kind) {
      case SlotKind::input: v = input(s.decl); break;
      case SlotKind::as_of: v.kind = SymKind::date; v.term = ctx_.as_of(); break;
      case SlotKind::let: v = value(p_.lets[s.decl].value); break;
      case SlotKind::tiers: v = symbol(tier_index(s.decl), p_.decisions[s.decl].domain); break;
      case SlotKind::segments: v = segments_value(s.decl); break;
      case SlotKind::primary: v = primary_value(s.decl); break;
      case SlotKind::output: v = output(s.decl); break;
      case SlotKind::local: throw NotAnalysed{s.span, "an item variable outside its scope"};
    }
    slots_.emplace(slot, v);
    return v;
  } catch (NotAnalysed& e) {
    if (e.span.end == 0) e.span = s.span;
    failed_slots_.emplace(slot, e);
    throw;
  }
}

z3::expr SymbolicProgram::row_condition(uint32_t decision, uint32_t row) {
  const CompiledRow& r = p_.decisions[decision].rows[row];
  return r.condition == kNone ? z_.bool_val(true) : condition(r.condition);
}

z3::expr SymbolicProgram::tier_index(uint32_t decision) {
  const Decision& d = p_.decisions[decision];
  z3::expr index = z_.int_val(-1);
  for (size_t r = d.rows.size(); r-- > 0;)
    index = z3::ite(row_condition(decision, static_cast<uint32_t>(r)), z_.int_val(static_cast<int>(r)), index);
  return index;
}

SymValue SymbolicProgram::segments_value(uint32_t decision) {
  const Decision& d = p_.decisions[decision];
  auto list = std::make_shared<SymList>();
  z3::expr count = z_.int_val(0);
  for (size_t r = 0; r < d.rows.size(); ++r) {
    z3::expr hit = row_condition(decision, static_cast<uint32_t>(r));
    list->entries.push_back({hit, symbol(z_.int_val(static_cast<int>(r)), d.domain)});
    count = count + z3::ite(hit, z_.int_val(1), z_.int_val(0));
  }
  list->count = count;
  SymValue v;
  v.kind = SymKind::list;
  v.domain = d.domain;
  v.list = list;
  return v;
}

// NAME_primary: the matched row with the highest score, ties to the earlier row.
SymValue SymbolicProgram::primary_value(uint32_t decision) {
  const Decision& d = p_.decisions[decision];
  z3::expr best = z_.int_val(-1);
  z3::expr any = z_.bool_val(false);
  std::optional<SymValue> best_score;
  for (size_t r = 0; r < d.rows.size(); ++r) {
    z3::expr hit = row_condition(decision, static_cast<uint32_t>(r));
    SymValue score = d.rows[r].score == kNone ? number(z_.real_val(0)) : value(d.rows[r].score);
    z3::expr better = best_score ? (hit && (!any || compare(Code::gt, score, *best_score, d.rows[r].span))) : hit;
    best = z3::ite(better, z_.int_val(static_cast<int>(r)), best);
    best_score = best_score ? merge(better, score, *best_score, d.rows[r].span) : score;
    any = any || hit;
  }
  SymValue v = symbol(best, d.domain);
  v.is_null = !any;
  return v;
}

// ---- strategies, outputs, constraints ----------------------------------------------

z3::expr SymbolicProgram::fires(uint32_t strategy) { return condition(p_.strategies[strategy].when); }

z3::expr SymbolicProgram::applies(uint32_t strategy, uint32_t statement) {
  const CompiledStatement& st = p_.strategies[strategy].statements[statement];
  z3::expr f = fires(strategy);
  return st.when == kNone ? f : f && condition(st.when);
}

SymValue SymbolicProgram::statement_value(uint32_t strategy, uint32_t statement) {
  return value(p_.strategies[strategy].statements[statement].value);
}

z3::expr SymbolicProgram::drop_row(uint32_t constraint, uint32_t row, const SymValue& element) {
  const Constraint& c = p_.constraints[constraint];
  LocalScope scope(locals_, c.local, element);
  return condition(c.rows[row].when);
}

SymValue SymbolicProgram::output(uint32_t field) {
  auto done = outputs_.find(field);
  if (done != outputs_.end()) return done->second;
  auto failed = failed_outputs_.find(field);
  if (failed != failed_outputs_.end()) throw failed->second;
  const OutputField& o = p_.outputs[field];
  try {
    SymValue result;
    if (o.type.base != BaseType::list) {
      // The first assignment that applies wins: fold from the last one back.
      std::vector<std::pair<uint32_t, uint32_t>> sets;
      for (size_t s = 0; s < p_.strategies.size(); ++s)
        for (size_t k = 0; k < p_.strategies[s].statements.size(); ++k)
          if (p_.strategies[s].statements[k].field == field && p_.strategies[s].statements[k].kind == StatementKindC::assign)
            sets.emplace_back(static_cast<uint32_t>(s), static_cast<uint32_t>(k));
      result = constant(o.initial, o.type);
      for (auto it = sets.rbegin(); it != sets.rend(); ++it)
        result = merge(applies(it->first, it->second), statement_value(it->first, it->second), result, p_.strategies[it->first].statements[it->second].span);
    } else {
      std::vector<ListEntry> entries;
      for (size_t s = 0; s < p_.strategies.size(); ++s)
        for (size_t k = 0; k < p_.strategies[s].statements.size(); ++k) {
          const CompiledStatement& st = p_.strategies[s].statements[k];
          if (st.field != field) continue;
          z3::expr a = applies(static_cast<uint32_t>(s), static_cast<uint32_t>(k));
          SymValue v = statement_value(static_cast<uint32_t>(s), static_cast<uint32_t>(k));
          if (v.kind != SymKind::list) {
            entries.push_back({a, v});
            continue;
          }
          if (v.list->open)
            throw NotAnalysed{st.span, fmt::format("this statement adds the items of list input `{}`, which are not known", v.list->open->name)};
          for (const ListEntry& e : v.list->entries) entries.push_back({a && e.guard, e.element});
        }
      const Type element = o.type.element_type();
      entries = canonical(element, std::move(entries));
      for (size_t c = 0; c < p_.constraints.size(); ++c) {
        const Constraint& con = p_.constraints[c];
        if (con.field != field) continue;
        constraint_inputs_[static_cast<uint32_t>(c)] = entries;
        for (ListEntry& e : entries) {
          z3::expr dropped = z_.bool_val(false);
          for (size_t r = 0; r < con.rows.size(); ++r) dropped = dropped || drop_row(static_cast<uint32_t>(c), static_cast<uint32_t>(r), e.element);
          e.guard = e.guard && !dropped;
        }
      }
      auto list = std::make_shared<SymList>();
      list->entries = std::move(entries);
      list->count = distinct_count(list->entries, o.span);
      result.kind = SymKind::list;
      result.domain = o.type.domain;
      result.list = list;
    }
    outputs_.emplace(field, result);
    return result;
  } catch (NotAnalysed& e) {
    if (e.span.end == 0) e.span = o.span;
    failed_outputs_.emplace(field, e);
    throw;
  }
}

const std::vector<ListEntry>& SymbolicProgram::constraint_input(uint32_t constraint) {
  output(p_.constraints[constraint].field);
  return constraint_inputs_.at(constraint);
}

// ---- whole-record conditions ------------------------------------------------------

z3::expr SymbolicProgram::tiers_matched(size_t before) {
  z3::expr ok = z_.bool_val(true);
  for (size_t i = 0; i < p_.order.size() && i < before; ++i) {
    const Step& step = p_.order[i];
    if (step.is_let || !p_.decisions[step.index].is_tiers) continue;
    try {
      ok = ok && tier_index(step.index) >= 0;
    } catch (const NotAnalysed&) {
      // Left out: the claim stays sound, and examples are verified by evaluation.
    }
  }
  return ok;
}

z3::expr SymbolicProgram::invariant(uint32_t i) { return condition(p_.invariants[i].body); }

z3::expr SymbolicProgram::evaluates() {
  z3::expr ok = tiers_matched();
  for (size_t i = 0; i < p_.invariants.size(); ++i) {
    if (p_.invariants[i].body == kNone) continue;
    try {
      ok = ok && invariant(static_cast<uint32_t>(i));
    } catch (const NotAnalysed&) {
      // As above: an invariant beyond the analysis does not narrow the records.
    }
  }
  return ok;
}

}  // namespace segrule::analysis
