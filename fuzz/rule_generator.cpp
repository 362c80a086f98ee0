#include "rule_generator.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

namespace segrule::fuzz {
namespace {

// ---- types as the generator tracks them ------------------------------------------

enum class Kind : uint8_t { int_, number, money, boolean, string, date, symbol, list };

struct Ty {
  Kind kind = Kind::int_;
  Kind element = Kind::int_;  // lists: the items' kind
  int domain = -1;            // symbols and lists of symbols
  bool nullable = false;

  bool numeric() const { return kind == Kind::int_ || kind == Kind::number || kind == Kind::money; }
};

Ty plain(Kind kind, bool nullable = false) {
  Ty t;
  t.kind = kind;
  t.nullable = nullable;
  return t;
}
Ty symbol_of(int domain, bool nullable = false) {
  Ty t = plain(Kind::symbol, nullable);
  t.domain = domain;
  return t;
}
Ty list_of(Kind element, int domain = -1) {
  Ty t = plain(Kind::list);
  t.element = element;
  t.domain = domain;
  return t;
}

// The numeric kind of `a OP b`, as the checker works it out (docs/language.md §4).
Kind combine(Kind a, Kind b, bool division) {
  if (a == Kind::int_ && b == Kind::int_ && !division) return Kind::int_;
  bool money = a == Kind::money || b == Kind::money;
  if (division && a == Kind::money && b == Kind::money) money = false;
  return money ? Kind::money : Kind::number;
}

enum class DomainKind : uint8_t { enum_, tiers, segments, output_enum, catalog };

// A named set of values. Value names are unique across the file.
struct Domain {
  std::string name;
  DomainKind kind = DomainKind::enum_;
  std::vector<std::string> values;

  bool ordered() const {
    return kind == DomainKind::enum_ || kind == DomainKind::tiers || kind == DomainKind::output_enum;
  }
};

// A value an expression may read: a field, a let, a decision, `as_of`, a
// constraint's item variable or one of its attributes.
struct Named {
  std::string text;
  Ty type;
  bool narrowable = true;  // names narrow after `is not null`; attributes do not
};

struct Scope {
  std::vector<Named> names;
  std::set<std::string> narrowed;

  bool usable(const Named& n) const { return !n.type.nullable || narrowed.count(n.text) > 0; }
  Scope with_narrowed(const std::string& name) const {
    Scope s = *this;
    s.narrowed.insert(name);
    return s;
  }
};

struct Num {
  std::string text;
  Kind kind;
  // Made of constants only (or maybe so): the checker folds such a part and
  // rejects it when it fails (E0601), so it is never multiplied or divided by.
  bool constant = true;
};

struct OutputField {
  std::string name;
  Ty type;
};

// ---- literals ----------------------------------------------------------------------

const char* const kStrings[] = {"",      "a",        "gold",          "trust",       "mobile", "civil_servant",
                                "civil", "客户",     "私人银行 #1",   "say \"hi\"",  "back\\slash",
                                "tab\t", "line\nbr", "万元",          "x"};
const char* const kIntLiterals[] = {"0",   "1",  "2",   "3",   "5",    "10",   "18",   "30",   "60",
                                    "100", "1_000", "5k", "3M", "1万", "20万", "100万", "500万", "1亿"};
const char* const kNumberLiterals[] = {"0.5", "0.8", "1.5", "0.000_5", "99.99", "50%", "30%", "5%", "1.5万", "2.5k", "0.25M"};
const char* const kDates[] = {"1960-01-01", "1999-12-31", "2000-02-29", "2010-06-15", "2020-01-01", "2025-06-01", "2025-06-30"};
const char* const kLabels[] = {"私人银行客户", "黄金客户", "大众客户", "储蓄型", "VIP", "测试 \\\"引号\\\"", "产品"};

// A string as a .seg literal.
std::string seg_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

class Generator {
 public:
  explicit Generator(FuzzedDataProvider& input) : in_(input) {}

  GeneratedCase run() {
    GeneratedCase result;
    header();
    enums();
    input_fields();
    lets();
    tiers();
    late_lets();
    segments();
    catalog();
    output();
    strategies();
    constraints();
    invariants();
    result.rules = std::move(out_) + trailer_;
    int count = in_.ConsumeIntegralInRange<int>(4, 8);  // at least 4, so two threads share the work
    for (const Named& field : fields_) result.csv += csv_cell(field.text) + ",";
    result.csv += "undeclared\n";
    for (int i = 0; i < count; ++i) {
      Record r = record(i);
      result.records.push_back(std::move(r.json));
      result.csv += r.csv + "\n";
      result.csv_alike.push_back(r.alike);
    }
    return result;
  }

 private:
  FuzzedDataProvider& in_;
  std::string out_;
  std::string trailer_;             // declarations written at the end of the file
  std::vector<Domain> domains_;
  std::vector<int> enums_;          // domain indices of the named enums
  std::vector<Named> fields_;       // the input's fields, key first
  std::vector<Named> lets_;
  std::vector<Named> decisions_;    // tiers and segments, in file order
  std::vector<Named> primaries_;    // NAME_primary of scored segments
  int catalog_ = -1;                // domain of the catalog, if any
  int catalog_risk_enum_ = -1;
  bool catalog_channel_ = false;
  std::vector<OutputField> outputs_;
  bool has_offers_ = false, has_actions_ = false, has_tags_ = false, has_ratings_ = false;

  // ---- choices ----
  int pick(int n) { return n <= 1 ? 0 : in_.ConsumeIntegralInRange<int>(0, n - 1); }
  bool chance(int percent) { return in_.ConsumeIntegralInRange<int>(0, 99) < percent; }
  template <typename T, size_t N>
  const T& one_of(const T (&items)[N]) { return items[pick(static_cast<int>(N))]; }
  template <typename T>
  const T& one_of(const std::vector<T>& items) { return items[pick(static_cast<int>(items.size()))]; }

  std::string quoted_label() { return chance(50) ? " \"" + std::string(one_of(kLabels)) + "\"" : ""; }
  std::string comment() { return chance(15) ? "  # 说明 " + std::to_string(pick(100)) : ""; }

  int add_domain(std::string name, DomainKind kind, const std::string& prefix, int count) {
    Domain d;
    d.name = std::move(name);
    d.kind = kind;
    for (int i = 0; i < count; ++i) d.values.push_back(prefix + std::to_string(i));
    domains_.push_back(std::move(d));
    return static_cast<int>(domains_.size()) - 1;
  }

  // ---- literals ----
  std::string int_literal() {
    if (chance(30)) return std::to_string(in_.ConsumeIntegralInRange<uint32_t>(0, 2'000'000));
    return one_of(kIntLiterals);
  }
  Num numeric_literal(bool int_only) {
    if (int_only || chance(50)) return {int_literal(), Kind::int_};
    return {one_of(kNumberLiterals), Kind::number};
  }
  std::string string_literal() { return seg_string(one_of(kStrings)); }
  std::string date_literal() { return one_of(kDates); }
  std::string value_literal(int domain) {
    const Domain& d = domains_[domain];
    const std::string& value = one_of(d.values);
    return chance(25) ? d.name + "." + value : value;
  }
  // A constant of type `t` (defaults, catalog values, `x == constant`).
  std::string literal_of(const Ty& t) {
    switch (t.kind) {
      case Kind::int_: return int_literal();
      case Kind::number:
      case Kind::money: return numeric_literal(false).text;
      case Kind::boolean: return chance(50) ? "true" : "false";
      case Kind::string: return string_literal();
      case Kind::date: return date_literal();
      case Kind::symbol: return value_literal(t.domain);
      case Kind::list: break;
    }
    return "null";
  }

  // ---- names in scope ----
  template <typename Pred>
  std::vector<const Named*> usable(const Scope& s, Pred pred) const {
    std::vector<const Named*> found;
    for (const Named& n : s.names)
      if (s.usable(n) && pred(n.type)) found.push_back(&n);
    return found;
  }
  template <typename Pred>
  std::vector<const Named*> nullable(const Scope& s, Pred pred) const {
    std::vector<const Named*> found;
    for (const Named& n : s.names)
      if (!s.usable(n) && pred(n.type)) found.push_back(&n);
    return found;
  }

  // ---- expressions: every one is of the type asked for and never null ----
  Num numeric(const Scope& s, int depth, bool int_only) {
    auto fits = [&](const Ty& t) { return t.numeric() && (!int_only || t.kind == Kind::int_); };
    switch (depth <= 0 ? pick(3) : pick(11)) {
      case 1: {
        auto names = usable(s, fits);
        if (!names.empty() && chance(80)) {
          const Named* n = one_of(names);
          return {n->text, n->type.kind, false};
        }
        auto maybe = nullable(s, fits);
        if (!maybe.empty()) {
          const Named* n = one_of(maybe);
          Num fallback = numeric_literal(int_only);
          return {"(" + n->text + " ?? " + fallback.text + ")", combine(n->type.kind, fallback.kind, false), false};
        }
        return numeric_literal(int_only);
      }
      case 2: return int_function(s, depth - 1);
      case 3:
      case 4: {
        Num a = numeric(s, depth - 1, int_only), b = numeric(s, depth - 1, int_only);
        bool constant = a.constant && b.constant;
        static const char* const ops[] = {" + ", " - ", " * "};
        const char* op = one_of(ops);
        if (constant && op == ops[2]) op = ops[0];  // a constant product might overflow
        return {"(" + a.text + op + b.text + ")", combine(a.kind, b.kind, false), constant};
      }
      case 5: {
        if (int_only) {
          Num a = numeric(s, depth - 1, true);
          return {"(-" + a.text + ")", Kind::int_, a.constant};
        }
        Num a = numeric(s, depth - 1, false), b = numeric(s, depth - 1, false);
        // Unguarded, a zero divisor rejects the record; a constant one must be guarded.
        std::string divisor = b.constant || chance(60) ? "max(" + b.text + ", 1)" : b.text;
        return {"(" + a.text + " / " + divisor + ")", combine(a.kind, b.kind, true), a.constant && b.constant};
      }
      case 6: {
        if (int_only) break;
        Num a = numeric(s, depth - 1, false), b = numeric(s, depth - 1, false);
        return {"share(" + a.text + ", " + b.text + ")", Kind::number, a.constant && b.constant};
      }
      case 7: {
        Num a = numeric(s, depth - 1, int_only);
        std::string text = (chance(50) ? "min(" : "max(") + a.text;
        Kind kind = a.kind;
        bool constant = a.constant;
        for (int i = in_.ConsumeIntegralInRange<int>(1, 3); i > 0; --i) {
          Num b = numeric(s, depth - 1, int_only);
          text += ", " + b.text;
          kind = combine(kind, b.kind, false);
          constant = constant && b.constant;
        }
        return {text + ")", kind, constant};
      }
      case 8: {
        Num a = numeric(s, depth - 1, int_only);
        if (int_only || chance(50)) return {"abs(" + a.text + ")", a.kind, a.constant};
        static const char* const places[] = {"0", "1", "2", "-1", "-4", "18"};
        return {"round(" + a.text + ", " + one_of(places) + ")", a.kind == Kind::int_ ? Kind::number : a.kind, a.constant};
      }
      case 9: {
        std::string c = boolean(s, depth - 1);
        Num a = numeric(s, depth - 1, int_only), b = numeric(s, depth - 1, int_only);
        return {"(if " + c + " then " + a.text + " else " + b.text + ")", combine(a.kind, b.kind, false), a.constant && b.constant};
      }
      case 10: {
        Num a = numeric(s, depth - 1, int_only);
        return {"(-" + a.text + ")", a.kind, a.constant};
      }
      default: break;
    }
    return numeric_literal(int_only);
  }

  // rank, count, days_between, years_between: always int.
  Num int_function(const Scope& s, int depth) {
    switch (pick(3)) {
      case 0: {
        std::vector<int> ordered;
        for (size_t d = 0; d < domains_.size(); ++d)
          if (domains_[d].ordered()) ordered.push_back(static_cast<int>(d));
        return {"rank(" + symbol(s, one_of(ordered), depth) + ")", Kind::int_};
      }
      case 1: return {"count(" + list(s, depth).first + ")", Kind::int_};
      default:
        return {std::string(chance(50) ? "days_between(" : "years_between(") + date(s, depth) + ", " + date(s, depth) + ")",
                Kind::int_};
    }
  }

  std::string boolean(const Scope& s, int depth) {
    static const char* const order_ops[] = {" < ", " <= ", " > ", " >= ", " == ", " != "};
    switch (depth <= 0 ? pick(6) : pick(12)) {
      case 0: {
        auto is_bool = [](const Ty& t) { return t.kind == Kind::boolean; };
        auto names = usable(s, is_bool);
        if (!names.empty() && chance(80)) return one_of(names)->text;
        auto maybe = nullable(s, is_bool);
        if (!maybe.empty()) {
          const Named* n = one_of(maybe);
          return chance(50) ? "(" + n->text + " ?? false)" : "(" + n->text + " == true)";
        }
        return chance(50) ? "true" : "false";
      }
      case 1:
      case 10: {
        Num a = numeric(s, depth - 1, false);
        std::string b = chance(70) ? numeric_literal(false).text : numeric(s, depth - 1, false).text;
        return "(" + a.text + one_of(order_ops) + b + ")";
      }
      case 2:
      case 11: {
        int d = pick(static_cast<int>(domains_.size()));
        std::string x = symbol(s, d, depth - 1);
        switch (pick(3)) {
          case 0: return "(" + x + (domains_[d].ordered() ? one_of(order_ops) : (chance(50) ? " == " : " != ")) + symbol(s, d, depth - 1) + ")";
          case 1: return "(" + x + (chance(50) ? " in [" : " not in [") + value_literal(d) + ", " + value_literal(d) + "])";
          default: return "(" + x + " == " + value_literal(d) + ")";
        }
      }
      case 3: {
        std::string x = string(s, depth - 1);
        switch (pick(5)) {
          case 0: return "(" + x + " == " + string_literal() + ")";
          case 1: return "(" + x + " != " + string(s, depth - 1) + ")";
          case 2: return "starts_with(" + x + ", " + string_literal() + ")";
          case 3: return "contains(" + x + ", " + string(s, depth - 1) + ")";
          default: return "(" + x + " in [" + string_literal() + ", " + string_literal() + "])";
        }
      }
      case 4: return "(" + date(s, depth - 1) + one_of(order_ops) + (chance(60) ? date_literal() : date(s, depth - 1)) + ")";
      case 5: {
        auto [items, type] = list(s, depth - 1);
        std::string item = element(s, type, depth - 1);
        switch (pick(4)) {
          case 0: return "(" + item + " in " + items + ")";
          case 1: return "(" + item + " not in " + items + ")";
          case 2: return "contains(" + items + ", " + item + ")";
          default: return "(count(" + items + ")" + one_of(order_ops) + std::to_string(pick(4)) + ")";
        }
      }
      case 6: {
        std::string text = "(" + boolean(s, depth - 1);
        const char* op = chance(50) ? " and " : " or ";
        for (int i = in_.ConsumeIntegralInRange<int>(1, 2); i > 0; --i) text += op + boolean(s, depth - 1);
        return text + ")";
      }
      case 7: return "(not " + boolean(s, depth - 1) + ")";
      case 8: {
        std::vector<const Named*> maybe;
        for (const Named& n : s.names)
          if (n.type.nullable && !s.usable(n)) maybe.push_back(&n);
        if (maybe.empty()) return boolean(s, depth - 1);
        const Named* n = one_of(maybe);
        switch (pick(6)) {
          case 0: return "(" + n->text + " is null)";
          case 1: return "(" + n->text + " is not null)";
          case 2:
            if (!n->narrowable) break;
            return "(" + n->text + " is not null and " + boolean(s.with_narrowed(n->text), depth - 1) + ")";
          case 3:
            if (!n->narrowable) break;
            return "(" + n->text + " is null or " + boolean(s.with_narrowed(n->text), depth - 1) + ")";
          case 4: return "(" + n->text + " == null)";
          default: break;
        }
        Ty t = n->type;
        t.nullable = false;
        return "(" + n->text + (chance(50) ? " == " : " != ") + literal_of(t) + ")";
      }
      case 9: return "(if " + boolean(s, depth - 1) + " then " + boolean(s, depth - 1) + " else " + boolean(s, depth - 1) + ")";
      default: break;
    }
    return "true";
  }

  std::string string(const Scope& s, int depth) {
    auto is_string = [](const Ty& t) { return t.kind == Kind::string; };
    switch (depth <= 0 ? pick(2) : pick(4)) {
      case 1: {
        auto names = usable(s, is_string);
        if (!names.empty() && chance(80)) return one_of(names)->text;
        auto maybe = nullable(s, is_string);
        if (!maybe.empty()) return "(" + one_of(maybe)->text + " ?? " + string_literal() + ")";
        break;
      }
      case 2: return "(if " + boolean(s, depth - 1) + " then " + string(s, depth - 1) + " else " + string(s, depth - 1) + ")";
      default: break;
    }
    return string_literal();
  }

  std::string date(const Scope& s, int depth) {
    auto is_date = [](const Ty& t) { return t.kind == Kind::date; };
    switch (depth <= 0 ? pick(2) : pick(4)) {
      case 1: {
        auto names = usable(s, is_date);
        if (!names.empty() && chance(80)) return one_of(names)->text;
        auto maybe = nullable(s, is_date);
        if (!maybe.empty()) return "(" + one_of(maybe)->text + " ?? " + date_literal() + ")";
        break;
      }
      case 2: return "(if " + boolean(s, depth - 1) + " then " + date(s, depth - 1) + " else " + date(s, depth - 1) + ")";
      default: break;
    }
    return date_literal();
  }

  std::string symbol(const Scope& s, int domain, int depth) {
    auto same = [&](const Ty& t) { return t.kind == Kind::symbol && t.domain == domain; };
    switch (depth <= 0 ? pick(2) : pick(4)) {
      case 1: {
        auto names = usable(s, same);
        if (!names.empty() && chance(85)) return one_of(names)->text;
        auto maybe = nullable(s, same);
        if (!maybe.empty()) return "(" + one_of(maybe)->text + " ?? " + value_literal(domain) + ")";
        break;
      }
      case 2:
        return "(if " + boolean(s, depth - 1) + " then " + symbol(s, domain, depth - 1) + " else " + symbol(s, domain, depth - 1) + ")";
      default: break;
    }
    return value_literal(domain);
  }

  // A list and its type: a list field, a segments decision, or a literal.
  std::pair<std::string, Ty> list(const Scope& s, int depth) {
    auto names = usable(s, [](const Ty& t) { return t.kind == Kind::list; });
    if (!names.empty() && chance(70)) {
      const Named* n = one_of(names);
      return {n->text, n->type};
    }
    switch (pick(3)) {
      case 0: return {"[" + string_literal() + ", " + string(s, depth) + "]", list_of(Kind::string)};
      case 1: {
        int d = enums_[pick(static_cast<int>(enums_.size()))];
        return {"[" + value_literal(d) + ", " + symbol(s, d, depth) + "]", list_of(Kind::symbol, d)};
      }
      default: return {"[" + numeric_literal(false).text + ", " + numeric(s, depth, false).text + "]", list_of(Kind::number)};
    }
  }

  // An item that may be in a list of type `list`.
  std::string element(const Scope& s, const Ty& list, int depth) {
    if (list.element == Kind::string) return string(s, depth);
    if (list.element == Kind::symbol) return symbol(s, list.domain, depth);
    return numeric(s, depth, false).text;
  }

  std::string of_type(const Scope& s, const Ty& t, int depth) {
    switch (t.kind) {
      case Kind::int_: return numeric(s, depth, true).text;
      case Kind::number:
      case Kind::money: return numeric(s, depth, false).text;
      case Kind::boolean: return boolean(s, depth);
      case Kind::string: return string(s, depth);
      case Kind::date: return date(s, depth);
      case Kind::symbol: return symbol(s, t.domain, depth);
      case Kind::list: break;
    }
    return "null";
  }

  // ---- declarations ----
  void header() {
    out_ += "# generated by the eval_generated fuzz target\nruleset generated {\n";
    if (chance(70)) out_ += "  title     \"生成的规则\"\n";
    if (chance(70)) out_ += "  version   \"" + std::to_string(pick(10)) + "\"\n";
    if (chance(70)) out_ += "  effective 2025-06-01\n";
    out_ += "}\n\n";
  }

  void enums() {
    for (int i = in_.ConsumeIntegralInRange<int>(1, 3), e = 0; e < i; ++e) {
      std::string name = "e" + std::to_string(e);
      int d = add_domain(name, DomainKind::enum_, name + "_v", in_.ConsumeIntegralInRange<int>(1, 5));
      enums_.push_back(d);
      out_ += "enum " + name + " [";
      for (size_t v = 0; v < domains_[d].values.size(); ++v)
        out_ += (v ? ", " : "") + domains_[d].values[v] + quoted_label();
      out_ += "]" + comment() + "\n";
    }
    out_ += "\n";
  }

  void input_fields() {
    bool int_key = chance(20);
    std::string key = chance(20) ? "编号" : "id";
    fields_.push_back({key, plain(int_key ? Kind::int_ : Kind::string)});
    out_ += "input customer key " + key + " {\n  " + key + " : " + (int_key ? "int" : "string") + "\n";
    // The first field is always an amount, the usual subject of thresholds.
    int count = in_.ConsumeIntegralInRange<int>(2, 9);
    for (int i = 0; i < count; ++i) {
      static const char* const suffixes[] = {"n", "x", "amt", "flag", "text", "day", "level", "tags", "levels"};
      int kind = i == 0 ? 2 : pick(9);
      std::string name = "f" + std::to_string(i) + "_" + (chance(15) ? "资产" : suffixes[kind]);
      Ty type;
      std::string type_text;
      switch (kind) {
        case 0: type = plain(Kind::int_), type_text = "int"; break;
        case 1: type = plain(Kind::number), type_text = "number"; break;
        case 2: type = plain(Kind::money), type_text = "money"; break;
        case 3: type = plain(Kind::boolean), type_text = "bool"; break;
        case 4: type = plain(Kind::string), type_text = "string"; break;
        case 5: type = plain(Kind::date), type_text = "date"; break;
        case 6: {
          int d = one_of(enums_);
          type = symbol_of(d), type_text = domains_[d].name;
          break;
        }
        case 7: type = list_of(Kind::string), type_text = "list<string>"; break;
        default: {
          int d = one_of(enums_);
          type = list_of(Kind::symbol, d), type_text = "list<" + domains_[d].name + ">";
          break;
        }
      }
      bool is_list = type.kind == Kind::list;
      if (!is_list && i > 0 && chance(30)) type.nullable = true, type_text += "?";
      out_ += "  " + name + " : " + type_text;
      if (chance(15)) out_ += " pii";
      bool with_default = !is_list && !type.nullable && chance(25);
      if (with_default) {
        std::string value = literal_of(type);
        if (type.numeric() && chance(30)) value = "(" + value + " * 2)";
        out_ += " = " + value;
      }
      out_ += comment() + "\n";
      fields_.push_back({name, type});
    }
    out_ += "}\n\n";
  }

  Scope base_scope() const {
    Scope s;
    s.names = fields_;
    s.names.push_back({"as_of", plain(Kind::date)});
    return s;
  }

  // `let NAME = ...` of a type the bytes choose, reading what `s` holds.
  std::string let_declaration(const Scope& s, const std::string& name) {
    Ty type;
    std::string value;
    switch (pick(6)) {
      case 0:
        type = plain(Kind::boolean);
        value = boolean(s, 2);
        break;
      case 1:
        type = plain(Kind::string);
        value = string(s, 2);
        break;
      case 2:
        type = plain(Kind::date);
        value = date(s, 2);
        break;
      case 3: {
        // A value of an enum, or of a tiers when the let may read decisions.
        std::vector<int> candidates = enums_;
        for (const Named& n : s.names)
          if (n.type.kind == Kind::symbol && !n.type.nullable && domains_[n.type.domain].kind == DomainKind::tiers)
            candidates.push_back(n.type.domain);
        int d = one_of(candidates);
        type = symbol_of(d);
        value = symbol(s, d, 2);
        break;
      }
      default: {
        Num n = numeric(s, 3, false);
        type = plain(n.kind);
        value = n.text;
        break;
      }
    }
    lets_.push_back({name, type});
    return "let " + name + " = " + value + comment() + "\n";
  }

  // Lets over the inputs and each other, for every decision to read.
  void lets() {
    int count = in_.ConsumeIntegralInRange<int>(0, 5);
    std::vector<std::string> texts;
    for (int i = 0; i < count; ++i) {
      Scope s = base_scope();
      s.names.insert(s.names.end(), lets_.begin(), lets_.end());
      texts.push_back(let_declaration(s, "l" + std::to_string(i)));
    }
    // Declared in any order: later lets may be written first.
    if (chance(30)) std::reverse(texts.begin(), texts.end());
    for (const std::string& t : texts) out_ += t;
    out_ += "\n";
  }

  // Lets that read the tiers (so the tiers cannot read them), for segments and
  // strategies; written at the end of the file, after their readers.
  void late_lets() {
    for (int count = in_.ConsumeIntegralInRange<int>(0, 2), i = 0; i < count; ++i)
      trailer_ += let_declaration(decision_scope(), "m" + std::to_string(i));
  }

  Scope decision_scope() const {
    Scope s = base_scope();
    s.names.insert(s.names.end(), lets_.begin(), lets_.end());
    s.names.insert(s.names.end(), decisions_.begin(), decisions_.end());
    return s;
  }

  void tiers() {
    for (int count = in_.ConsumeIntegralInRange<int>(1, 2), t = 0; t < count; ++t) {
      std::string name = "t" + std::to_string(t);
      int rows = in_.ConsumeIntegralInRange<int>(1, 4);
      int d = add_domain(name, DomainKind::tiers, name + "_r", rows);
      Scope s = decision_scope();  // earlier tiers only: no cycles
      bool otherwise = chance(75);
      out_ += "tiers " + name + " {\n";
      for (int r = 0; r < rows; ++r) {
        out_ += "  " + domains_[d].values[r] + quoted_label();
        if (r == rows - 1 && otherwise) {
          out_ += " otherwise";
        } else if (chance(40)) {
          // A threshold ladder on the amount, as tiers usually are.
          static const char* const thresholds[] = {"500万", "100万", "20万", "10万", "1万", "0"};
          out_ += " when " + fields_[1].text + " >= " + thresholds[std::min(r + pick(2), 5)];
        } else {
          out_ += " when " + boolean(s, 2);
        }
        out_ += comment() + "\n";
      }
      out_ += "}\n\n";
      decisions_.push_back({name, symbol_of(d)});
    }
  }

  void segments() {
    if (!chance(70)) return;
    std::string name = "s0";
    int rows = in_.ConsumeIntegralInRange<int>(1, 4);
    int d = add_domain(name, DomainKind::segments, name + "_r", rows);
    Scope s = decision_scope();
    bool scored = false;
    out_ += "segments " + name + " {\n";
    for (int r = 0; r < rows; ++r) {
      out_ += "  " + domains_[d].values[r] + quoted_label() + " when " + boolean(s, 2);
      if (chance(50)) {
        out_ += " score " + numeric(s, 2, false).text;
        scored = true;
      }
      out_ += comment() + "\n";
    }
    out_ += "}\n\n";
    decisions_.push_back({name, list_of(Kind::symbol, d)});
    if (scored) primaries_.push_back({name + "_primary", symbol_of(d, true)});
  }

  void catalog() {
    if (!chance(75)) return;
    int items = in_.ConsumeIntegralInRange<int>(1, 4);
    catalog_ = add_domain("c0", DomainKind::catalog, "c0_i", items);
    catalog_risk_enum_ = one_of(enums_);
    catalog_channel_ = chance(50);
    out_ += "catalog c0 {\n  risk    : " + domains_[catalog_risk_enum_].name + "\n  min_aum : money = 0\n";
    if (catalog_channel_) out_ += "  channel : string?\n";
    out_ += "\n";
    for (int i = 0; i < items; ++i) {
      out_ += "  " + domains_[catalog_].values[i] + quoted_label() + " { risk: " + value_literal(catalog_risk_enum_);
      if (chance(30)) out_ += ", min_aum: " + int_literal();
      if (catalog_channel_ && chance(50)) out_ += ", channel: " + string_literal();
      out_ += " }\n";
    }
    out_ += "}\n\n";
  }

  void output() {
    out_ += "output {\n";
    int level = add_domain("o_level", DomainKind::output_enum, "o_level_v", in_.ConsumeIntegralInRange<int>(1, 4));
    out_ += "  o_level : enum [";
    for (size_t v = 0; v < domains_[level].values.size(); ++v) out_ += (v ? ", " : "") + domains_[level].values[v] + quoted_label();
    out_ += "]";
    if (chance(60)) out_ += " = " + domains_[level].values[0];
    out_ += "\n";
    outputs_.push_back({"o_level", symbol_of(level)});
    for (int i = in_.ConsumeIntegralInRange<int>(0, 4), k = 0; k < i; ++k) {
      static const char* const names[] = {"int", "number", "money", "bool", "string", "date", "enum"};
      int kind = pick(7);
      Ty type;
      std::string type_text = names[kind];
      switch (kind) {
        case 0: type = plain(Kind::int_); break;
        case 1: type = plain(Kind::number); break;
        case 2: type = plain(Kind::money); break;
        case 3: type = plain(Kind::boolean); break;
        case 4: type = plain(Kind::string); break;
        case 5: type = plain(Kind::date); break;
        default: {
          int d = one_of(enums_);
          type = symbol_of(d);
          type_text = domains_[d].name;
          break;
        }
      }
      std::string name = "o" + std::to_string(k) + "_" + names[kind];
      out_ += "  " + name + " : " + type_text;
      if (chance(40)) out_ += " = " + literal_of(type);
      out_ += "\n";
      outputs_.push_back({name, type});
    }
    if ((has_actions_ = chance(70))) out_ += "  actions : list<string>\n";
    if ((has_offers_ = catalog_ >= 0 && chance(85))) out_ += "  offers  : list<c0>\n";
    if ((has_tags_ = chance(50))) out_ += "  tags    : list<string>\n";
    if ((has_ratings_ = chance(30))) out_ += "  ratings : list<" + domains_[enums_[0]].name + ">\n";
    out_ += "}\n\n";
  }

  Scope strategy_scope() const {
    Scope s = decision_scope();
    s.names.insert(s.names.end(), primaries_.begin(), primaries_.end());
    return s;
  }

  std::string item() {
    std::string value = one_of(domains_[catalog_].values);
    return chance(25) ? "c0." + value : value;
  }

  void strategies() {
    for (int count = in_.ConsumeIntegralInRange<int>(1, 4), i = 0; i < count; ++i) {
      Scope s = strategy_scope();
      std::string condition;
      auto narrowable = [&] {
        std::vector<const Named*> found;
        for (const Named& n : s.names)
          if (n.type.nullable && n.narrowable) found.push_back(&n);
        return found;
      }();
      if (chance(20)) {
        condition = "true";
      } else if (!narrowable.empty() && chance(25)) {
        // The statements may use the name as a plain value.
        std::string name = one_of(narrowable)->text;
        s = s.with_narrowed(name);
        condition = name + " is not null and " + boolean(s, 2);
      } else {
        condition = boolean(s, 2);
      }
      out_ += "strategy st" + std::to_string(i) + quoted_label() + " when " + condition + " {\n";
      for (int n = in_.ConsumeIntegralInRange<int>(1, 4); n > 0; --n) out_ += "  " + statement(s) + comment() + "\n";
      out_ += "}\n";
    }
    out_ += "\n";
  }

  std::string statement(const Scope& s) {
    std::string text;
    switch (pick(5)) {
      case 0:
        if (has_offers_) {
          text = "offer " + item();
          for (int i = pick(3); i > 0; --i) text += ", " + item();
          break;
        }
        [[fallthrough]];
      case 1:
        if (has_actions_) {
          text = "action " + string(s, 1);
          break;
        }
        [[fallthrough]];
      case 2:
        if (has_tags_) {
          text = chance(50) ? "tags += " + string(s, 1) : "tags += [" + string_literal() + ", " + string(s, 1) + "]";
          break;
        }
        if (has_ratings_) {
          text = "ratings += " + symbol(s, enums_[0], 1);
          break;
        }
        [[fallthrough]];
      default: {
        const OutputField& o = one_of(outputs_);
        // Sometimes a nullable name of the same type, narrowed by the statement's own `when`.
        auto same = [&](const Ty& t) {
          if (o.type.kind == Kind::int_) return t.kind == Kind::int_;
          if (o.type.numeric()) return t.numeric();
          return t.kind == o.type.kind && t.domain == o.type.domain;
        };
        auto maybe = nullable(s, same);
        std::vector<const Named*> names;
        for (const Named* n : maybe)
          if (n->narrowable) names.push_back(n);
        if (!names.empty() && chance(25)) {
          const Named* n = one_of(names);
          return o.name + " = " + n->text + " when " + n->text + " is not null";
        }
        text = o.name + " = " + of_type(s, o.type, 2);
        break;
      }
    }
    if (chance(30)) text += " when " + boolean(s, 1);
    return text;
  }

  void constraints() {
    if (has_offers_ && chance(70)) {
      Scope s = strategy_scope();
      s.names.push_back({"p", symbol_of(catalog_), false});
      s.names.push_back({"p.risk", symbol_of(catalog_risk_enum_), false});
      s.names.push_back({"p.min_aum", plain(Kind::money), false});
      if (catalog_channel_) s.names.push_back({"p.channel", plain(Kind::string, true), false});
      out_ += "constraint k0" + quoted_label() + " on offers as p {\n";
      for (int n = in_.ConsumeIntegralInRange<int>(1, 3), r = 0; r < n; ++r) {
        std::string condition;
        switch (pick(4)) {
          case 0: condition = "rank(p.risk) > rank(" + symbol(s, catalog_risk_enum_, 1) + ")"; break;
          case 1: condition = numeric(s, 1, false).text + " < p.min_aum"; break;
          case 2: condition = "p in [" + item() + ", " + item() + "]"; break;
          default: condition = boolean(s, 2); break;
        }
        out_ += "  drop when " + condition + " reason " + string_literal() + "\n";
      }
      out_ += "}\n";
    }
    if (has_tags_ && chance(40)) {
      Scope s = strategy_scope();
      s.names.push_back({"t", plain(Kind::string), false});
      out_ += "constraint k1 on tags as t {\n  drop when " + boolean(s, 2) + " reason \"tag\"\n}\n";
    }
    out_ += "\n";
  }

  void invariants() {
    if (!chance(30)) return;
    switch (pick(3)) {
      case 0:
        if (has_actions_) {
          out_ += "invariant i0 \"至多三个提醒\" { count(actions) <= " + std::to_string(pick(4)) + " }\n";
          return;
        }
        [[fallthrough]];
      case 1:
        if (has_offers_) {
          out_ += "invariant i1 { all q in offers: rank(q.risk) <= " + std::to_string(pick(6)) + " }\n";
          return;
        }
        [[fallthrough]];
      default:
        out_ += "invariant i2 { " + boolean(strategy_scope(), 1) + " }\n";
        return;
    }
  }

  // ---- records ----
  // One value in both forms.
  struct Cell {
    std::string json;
    std::string csv;
    bool alike = true;
  };
  struct Record {
    std::string json;
    std::string csv;
    bool alike = true;
  };

  std::string json_string(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }
  // A CSV cell, quoted when it must be (or always, for strings: "" is then the
  // empty string rather than null).
  static std::string csv_cell(std::string_view text, bool quote = false) {
    quote = quote || text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) return std::string(text);
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }
  Cell text_cell(std::string_view text, bool is_string) {
    return {is_string ? json_string(text) : std::string(text), csv_cell(text, is_string)};
  }

  std::string decimal_text() {
    static const char* const edges[] = {"0", "200000", "5000000.00", "1000000", "0.5", "99999.995", "-1"};
    if (chance(25)) return one_of(edges);
    static const uint64_t scales[] = {100, 1'000'000, 10'000'000'000ULL};
    std::string text = std::to_string(in_.ConsumeIntegralInRange<uint64_t>(0, one_of(scales)));
    if (chance(50)) text += "." + std::to_string(in_.ConsumeIntegralInRange<int>(10, 99));
    return pick(20) == 19 ? "-" + text : text;
  }

  std::string date_value() {
    if (chance(10)) return "2024-02-29";
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", in_.ConsumeIntegralInRange<int>(1940, 2030),
                  in_.ConsumeIntegralInRange<int>(1, 12), in_.ConsumeIntegralInRange<int>(1, 28));
    return text;
  }

  Cell value_of(const Ty& t) {
    switch (t.kind) {
      case Kind::int_: {
        static const char* const edges[] = {"0", "17", "18", "60", "100", "41.0", "-3"};
        return text_cell(chance(40) ? one_of(edges) : std::to_string(in_.ConsumeIntegralInRange<int64_t>(-1000, 1'000'000'000)), false);
      }
      case Kind::number:
      case Kind::money: return text_cell(decimal_text(), false);
      case Kind::boolean: return text_cell(chance(50) ? "true" : "false", false);
      case Kind::string: return text_cell(one_of(kStrings), true);
      case Kind::date: {
        std::string d = date_value();
        return {json_string(d), d};
      }
      case Kind::symbol: {
        const std::string& v = one_of(domains_[t.domain].values);
        return {json_string(v), v};
      }
      case Kind::list: {
        Cell cell;
        std::string items;
        for (int i = pick(4), n = 0; n < i; ++n) {
          std::string item = t.element == Kind::string ? one_of(kStrings) : one_of(domains_[t.domain].values);
          cell.json += (n ? "," : "") + json_string(item);
          items += (n ? ";" : "") + item;
          if (item.empty()) cell.alike = false;  // CSV has no empty list item
        }
        cell.json = "[" + cell.json + "]";
        cell.csv = csv_cell(items);
        return cell;
      }
    }
    return {"null", ""};
  }

  Record record(int index) {
    Record r;
    r.json = "{";
    for (size_t f = 0; f < fields_.size(); ++f) {
      const Named& field = fields_[f];
      Cell value;
      if (f == 0) {
        std::string key = field.type.kind == Kind::int_ ? std::to_string(index) : "K" + std::to_string(index);
        value = text_cell(key, field.type.kind != Kind::int_);
      } else {
        bool is_list = field.type.kind == Kind::list, is_string = field.type.kind == Kind::string;
        // Mostly a valid value (also when the bytes run out, which picks 0).
        switch (pick(40)) {
          case 39: value = {"", "", true}; break;  // absent: a default, null, [] or a rejected record
          case 38: value = {"null", "", !is_list}; break;  // a null list is an error; an empty CSV cell is []
          case 37: value = {is_string ? "12" : "\"wrong\"", is_string ? "12" : "wrong", !is_list && !is_string}; break;
          default: value = value_of(field.type); break;
        }
      }
      r.csv += value.csv + ",";
      r.alike = r.alike && value.alike;
      if (value.json.empty()) continue;
      r.json += (r.json.size() > 1 ? "," : "") + json_string(field.text) + ":" + value.json;
    }
    bool undeclared = chance(20);
    if (undeclared) r.json += std::string(r.json.size() > 1 ? "," : "") + "\"undeclared\":{\"a\":[1,2]}";
    r.json += "}";
    r.csv += undeclared ? "x" : "";
    return r;
  }
};

}  // namespace

GeneratedCase generate_case(FuzzedDataProvider& input) { return Generator(input).run(); }

}  // namespace segrule::fuzz
