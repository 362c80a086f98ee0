// SymbolicContext: record variables, the facts every record meets, and the
// questions asked of the solver (see symbolic.hpp).

#include "analysis/symbolic.hpp"

#include <fmt/format.h>

namespace segrule::analysis {

namespace {

// Z3 4.8 reads string literals as escaped ASCII: every other character goes in
// as \u{...}. Returns false for characters beyond Z3's alphabet (U+2FFFF).
bool z3_escape(std::string_view s, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0) { cp = c & 0x07; n = 4; }
    else if (c >= 0xE0) { cp = c & 0x0F; n = 3; }
    else if (c >= 0xC0) { cp = c & 0x1F; n = 2; }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    if (cp > 0x2FFFF) return false;
    if (cp >= 0x20 && cp < 0x7F && cp != '\\') out += static_cast<char>(cp);
    else out += fmt::format("\\u{{{:x}}}", cp);
  }
  return true;
}

std::string value_key(const Value& v) {
  switch (v.kind) {
    case ValueKind::string: return "s:" + v.text;
    case ValueKind::number: return "n:" + v.number.to_string();
    case ValueKind::date: return "d:" + to_string(v.date);
    case ValueKind::boolean: return v.boolean ? "b:true" : "b:false";
    case ValueKind::symbol: return fmt::format("y:{}", v.symbol);
    default: return "null";
  }
}

bool same_shape(const Type& a, const Type& b) {
  auto decimal = [](BaseType t) { return t == BaseType::money || t == BaseType::number ? BaseType::number : t; };
  return decimal(a.base) == decimal(b.base) && decimal(a.element) == decimal(b.element);
}

}  // namespace


SymbolicContext::SymbolicContext(unsigned timeout_ms, unsigned budget_ms)
    : incremental_(z3_), timeout_ms_(timeout_ms), deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms)) {}

z3::solver SymbolicContext::new_solver() {
  z3::solver s(z3_);
  z3::params params(z3_);
  params.set("timeout", timeout_ms_);
  s.set(params);
  for (const z3::expr& fact : facts_) s.add(fact);
  return s;
}

z3::expr SymbolicContext::real(const Decimal& d) { return z3_.real_val(d.to_string().c_str()); }

z3::expr SymbolicContext::string_constant(const std::string& utf8) {
  std::string escaped;
  if (!z3_escape(utf8, escaped)) throw NotAnalysed{{}, fmt::format("the text \"{}\" has characters the analysis cannot represent", utf8)};
  return z3_.string_val(escaped.c_str());
}

std::string SymbolicContext::numeral_text(const z3::expr& numeral) { return Z3_get_numeral_string(numeral.ctx(), numeral); }

bool SymbolicContext::numeral(const z3::expr& e, z3::expr& out) {
  if (e.is_numeral()) {
    out = e;
    return true;
  }
  z3::expr s = e.simplify();
  if (!s.is_numeral()) return false;
  out = s;
  return true;
}

void SymbolicContext::prefer(const z3::expr& condition) {
  if (preferred_.insert(condition.id()).second) preferences_.push_back(condition);
}

FieldVars SymbolicContext::make_field(const Program& program, const InputField& f, const std::string& suffix) {
  const std::string name = f.name + suffix;
  FieldVars v{f.name, f.type, {}, std::nullopt, z3_.bool_const((name + "#null").c_str()), 0, {}};
  const bool is_key = program.key_field != kNone && &program.inputs[program.key_field] == &f;
  prefer(!v.is_null);  // a value reads better than null, or than a default hidden behind null
  switch (f.type.base) {
    case BaseType::int_: {
      z3::expr x = z3_.int_const(name.c_str());
      z3::expr limit = z3_.int_val(power_of_ten(20).c_str());
      facts_.push_back(x < limit && x > -limit);
      // Small, non-negative numbers read best; each bound is dropped when it is in the way.
      prefer(x >= 0 && x <= z3_.int_val(is_key ? 1 : 1'000'000'000));
      prefer(x <= 100);
      if (is_key) prefer(x == 1);
      v.value = x;
      break;
    }
    case BaseType::number: case BaseType::money: {
      // A count of 10^-18 units: every model is an exact decimal the engine reads back unchanged.
      z3::expr x = z3_.int_const(name.c_str());
      z3::expr limit = z3_.int_val(power_of_ten(38).c_str());
      facts_.push_back(x < limit && x > -limit);
      prefer(x >= 0 && x <= z3_.int_val(power_of_ten(12 + Decimal::kScale).c_str()));
      prefer(x <= z3_.int_val(power_of_ten(8 + Decimal::kScale).c_str()));
      prefer(z3::mod(x, z3_.int_val(power_of_ten(f.type.base == BaseType::money ? 16 : 12).c_str())) == 0);
      if (f.type.base == BaseType::money) prefer(z3::mod(x, z3_.int_val(power_of_ten(2 + Decimal::kScale).c_str())) == 0);  // round hundreds
      v.value = x;
      v.scale_digits = Decimal::kScale;
      break;
    }
    case BaseType::boolean: v.value = z3_.bool_const(name.c_str()); break;
    case BaseType::string: {
      z3::expr x = z3_.string_const(name.c_str());
      if (is_key) prefer(x == z3_.string_val("X1"));
      prefer(x.length() <= 12 && !x.contains(z3_.string_val("\\u{5c}")));  // a backslash in a model string reads like an escape
      v.value = x;
      break;
    }
    case BaseType::date: {
      z3::expr x = z3_.int_const(name.c_str());
      facts_.push_back(x >= z3_.int_val(make_date(1, 1, 1)->days) && x <= z3_.int_val(make_date(9999, 12, 31)->days));
      // Records describe the past: dates before the evaluation date, when the ruleset names one.
      Date latest = preferred_as_of_.value_or(*make_date(2100, 12, 31));
      prefer(x >= z3_.int_val(make_date(1900, 1, 1)->days) && x <= z3_.int_val(latest.days));
      v.value = x;
      break;
    }
    case BaseType::symbol: {
      z3::expr x = z3_.int_const(name.c_str());
      const Domain& d = program.domains[f.type.domain];
      v.domain_ids = d.ids;
      facts_.push_back(x >= 0 && x < z3_.int_val(static_cast<int>(d.ids.size())));
      v.value = x;
      break;
    }
    case BaseType::list: {
      z3::expr count = z3_.int_const((name + "#count").c_str());
      facts_.push_back(count >= 0);
      prefer(count <= 20);
      v.value = count;
      // Items of a finite type are all known: one membership per value, and the count is exact.
      std::vector<Value> all;
      if (f.type.element == BaseType::symbol) {
        v.domain_ids = program.domains[f.type.domain].ids;
        for (size_t i = 0; i < v.domain_ids.size(); ++i) all.push_back(Value::of_symbol(static_cast<uint32_t>(i)));
      } else if (f.type.element == BaseType::boolean) {
        all = {Value::of_bool(false), Value::of_bool(true)};
      }
      if (!all.empty()) {
        z3::expr sum = z3_.int_val(0);
        for (const Value& item : all) {
          z3::expr m = z3_.bool_const(fmt::format("{}#has#{}", name, value_key(item)).c_str());
          v.members.emplace(value_key(item), std::make_pair(m, item));
          sum = sum + z3::ite(m, z3_.int_val(1), z3_.int_val(0));
        }
        facts_.push_back(count == sum);
      }
      break;
    }
    default: throw NotAnalysed{{}, fmt::format("input field `{}` has a type the analysis does not know", f.name)};
  }
  return v;
}

FieldVars& SymbolicContext::field(const Program& program, const InputField& f) {
  auto it = by_name_.find(f.name);
  if (it != by_name_.end()) {
    FieldVars& v = *it->second;
    bool same = same_shape(v.type, f.type);
    if (same && (f.type.base == BaseType::symbol || f.type.element == BaseType::symbol))
      same = v.domain_ids == program.domains[f.type.domain].ids;
    if (!same) throw NotAnalysed{{}, fmt::format("input field `{}` has a different type in the two versions", f.name)};
    return v;
  }
  fields_.push_back(std::make_unique<FieldVars>(make_field(program, f, "")));
  by_name_[f.name] = fields_.back().get();
  return *fields_.back();
}

FieldVars& SymbolicContext::fresh_field(const Program& program, const InputField& f, const std::string& suffix) {
  fresh_.push_back(std::make_unique<FieldVars>(make_field(program, f, suffix)));
  return *fresh_.back();
}

// Year, month and day of a day count, as new variables tied to it by the
// (linear, with divisions by constants) day count of a civil date: a solver
// finds these far faster than it runs the usual conversion forwards.
CivilDate SymbolicContext::civil(const z3::expr& days) {
  auto known = civil_.find(days.id());
  if (known != civil_.end()) return known->second;
  std::string n = fmt::format("civil#{}", civil_.size());
  z3::expr y = z3_.int_const((n + "#y").c_str()), m = z3_.int_const((n + "#m").c_str()), d = z3_.int_const((n + "#d").c_str());
  z3::expr leap = z3::mod(y, 4) == 0 && (z3::mod(y, 100) != 0 || z3::mod(y, 400) == 0);
  z3::expr month_days = z3::ite(m == 2, z3::ite(leap, z3_.int_val(29), z3_.int_val(28)),
                                z3::ite(m == 4 || m == 6 || m == 9 || m == 11, z3_.int_val(30), z3_.int_val(31)));
  facts_.push_back(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= month_days);
  // Counting years from 1 March puts the leap day last; y >= 1, so every division is of a non-negative number.
  z3::expr shifted = y - z3::ite(m <= 2, z3_.int_val(1), z3_.int_val(0));
  z3::expr day_of_year = (153 * z3::ite(m > 2, m - 3, m + 9) + 2) / 5 + d - 1;
  facts_.push_back(days == shifted * 365 + shifted / 4 - shifted / 100 + shifted / 400 + day_of_year - 719468);
  CivilDate c{y, m, d};
  civil_.emplace(days.id(), c);
  return c;
}

z3::expr SymbolicContext::as_of() {
  if (!as_of_) {
    as_of_ = z3_.int_const("as_of");
    facts_.push_back(*as_of_ >= z3_.int_val(make_date(1, 1, 1)->days) && *as_of_ <= z3_.int_val(make_date(9999, 12, 31)->days));
    if (preferred_as_of_) prefer(*as_of_ == z3_.int_val(preferred_as_of_->days));
    prefer(*as_of_ >= z3_.int_val(make_date(2000, 1, 1)->days) && *as_of_ <= z3_.int_val(make_date(2100, 12, 31)->days));
  }
  return *as_of_;
}

void SymbolicContext::prefer_as_of(Date date) { preferred_as_of_ = date; }

z3::expr SymbolicContext::list_member(FieldVars& list, const Value& item) {
  std::string key = value_key(item);
  auto it = list.members.find(key);
  if (it != list.members.end()) return it->second.first;
  z3::expr m = z3_.bool_const(fmt::format("{}#has#{}", list.name, list.members.size()).c_str());
  list.members.emplace(key, std::make_pair(m, item));
  return m;
}

// An open list holds at least its known members; examples prefer no others.
void SymbolicContext::add_list_axioms(z3::solver& s, std::vector<z3::expr>* preferences) {
  auto add = [&](FieldVars& v) {
    if (v.type.base != BaseType::list || v.type.element == BaseType::symbol || v.type.element == BaseType::boolean) return;
    z3::expr sum = z3_.int_val(0);
    for (auto& [key, m] : v.members) sum = sum + z3::ite(m.first, z3_.int_val(1), z3_.int_val(0));
    s.add(*v.value >= sum);
    if (preferences) preferences->push_back(*v.value == sum);
  };
  for (auto& v : fields_) add(*v);
  for (auto& v : fresh_) add(*v);
}

// Two tries: the incremental solver answers most questions in milliseconds; the
// few it gives up on (calendar arithmetic, mostly) go to a new solver, which
// first simplifies the whole question and settles them.
Answer SymbolicContext::solve(const z3::expr& goal, std::optional<z3::model>* model, const std::vector<z3::expr>& soft) {
  if (std::chrono::steady_clock::now() > deadline_) return Answer::unknown;
  for (; synced_ < facts_.size(); ++synced_) incremental_.add(facts_[synced_]);
  incremental_.push();
  Answer answer = solve_with(incremental_, goal, model, soft, timeout_ms_ / 4);
  incremental_.pop();
  if (answer != Answer::unknown) return answer;
  z3::solver fresh = new_solver();
  return solve_with(fresh, goal, model, soft, timeout_ms_);
}

Answer SymbolicContext::solve_with(z3::solver& solver, const z3::expr& goal, std::optional<z3::model>* model,
                                   const std::vector<z3::expr>& soft, unsigned timeout_ms) {
  z3::params params(z3_);
  params.set("timeout", timeout_ms);
  solver.set(params);
  solver.add(goal);
  std::vector<z3::expr> wishes = soft;
  add_list_axioms(solver, &wishes);
  // Whether: preferences play no part in the answer.
  z3::check_result r = solver.check();
  Answer answer = r == z3::sat ? Answer::sat : r == z3::unsat ? Answer::unsat : Answer::unknown;
  if (answer != Answer::sat || !model) return answer;
  *model = solver.get_model();
  // Which: as many preferences as hold together (`soft` ones first); drop those in
  // each unsat core and try again.
  wishes.insert(wishes.end(), preferences_.begin(), preferences_.end());
  z3::expr_vector assumptions(z3_);
  for (size_t i = 0; i < wishes.size(); ++i) {
    z3::expr literal = z3_.bool_const(fmt::format("prefer#{}", i).c_str());
    solver.add(z3::implies(literal, wishes[i]));
    assumptions.push_back(literal);
  }
  for (int round = 0; round < 8 && !assumptions.empty(); ++round) {
    z3::check_result again = solver.check(assumptions);
    if (again == z3::sat) {
      *model = solver.get_model();
      break;
    }
    if (again != z3::unsat) break;
    z3::expr_vector core = solver.unsat_core();
    if (core.empty()) break;
    z3::expr_vector kept(z3_);
    for (const z3::expr& a : assumptions) {
      bool in_core = false;
      for (const z3::expr& c : core) in_core = in_core || z3::eq(a, c);
      if (!in_core) kept.push_back(a);
    }
    assumptions = kept;
  }
  return answer;
}

std::vector<size_t> SymbolicContext::needed(const z3::expr& goal, const std::vector<z3::expr>& parts) {
  if (std::chrono::steady_clock::now() > deadline_) return {};
  z3::solver solver = new_solver();
  solver.add(goal);
  add_list_axioms(solver, nullptr);
  z3::expr_vector literals(z3_);
  for (size_t i = 0; i < parts.size(); ++i) {
    z3::expr literal = z3_.bool_const(fmt::format("part#{}", i).c_str());
    solver.add(z3::implies(literal, parts[i]));
    literals.push_back(literal);
  }
  std::vector<size_t> result;
  if (solver.check(literals) == z3::unsat) {
    z3::expr_vector core = solver.unsat_core();
    for (size_t i = 0; i < parts.size(); ++i)
      for (const z3::expr& c : core)
        if (z3::eq(c, literals[static_cast<int>(i)])) result.push_back(i);
  }
  return result;
}

}  // namespace segrule::analysis
