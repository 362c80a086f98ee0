#include "cases/case_file.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "parse/number_literal.hpp"
#include "eval/record.hpp"
#include "parse/parser.hpp"
#include "source.hpp"

namespace segrule {

namespace {

// One `key: value` of a YAML mapping, with where its key is.
struct Entry {
  std::string key;
  YAML::Mark mark;
  YAML::Node value;
};

// What an `expect` member can name, and the type of the value it checks.
struct TargetInfo {
  ExpectTarget target = ExpectTarget::slot;
  uint32_t index = kNone;
  Type type;
};

// yaml-cpp tags a plain (unquoted) scalar "?"; quoted and block scalars get "!".
// Only a plain scalar can be a number or a boolean, as in JSON.
bool is_plain(const YAML::Node& n) { return n.Tag() == "?"; }

bool is_true(std::string_view s) { return s == "true" || s == "True" || s == "TRUE"; }
bool is_false(std::string_view s) { return s == "false" || s == "False" || s == "FALSE"; }

// A plain scalar as a number: the rule language's literal, optionally negative.
NumberLiteralStatus plain_number(std::string_view text, Decimal& out) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  NumberLiteralStatus st = parse_number_literal(text, out);
  if (st == NumberLiteralStatus::ok && negative) out = out.negated();
  return st;
}

bool plain_is_number(const YAML::Node& n) {
  Decimal ignored;
  return is_plain(n) && plain_number(n.Scalar(), ignored) == NumberLiteralStatus::ok;
}

bool plain_is_bool(const YAML::Node& n) { return is_plain(n) && (is_true(n.Scalar()) || is_false(n.Scalar())); }

// The YAML value as a JSON value, faithfully and whatever the schema: a plain
// number becomes a JSON number (exact, canonical text), a quoted scalar a
// string. The record reader then applies exactly the rules of real records.
// Fields hold scalars or lists of scalars, so nested containers are kept only
// as empty ones: enough for the reader to say what it found.
JsonValue to_json(const YAML::Node& n, bool nested = false) {
  JsonValue j;
  if (n.IsSequence()) {
    j.kind = JsonKind::array;
    if (!nested)
      for (YAML::Node item : n) j.items.push_back(to_json(item, true));
  } else if (n.IsMap()) {
    j.kind = JsonKind::object;
  } else if (n.IsScalar()) {
    Decimal d;
    if (is_plain(n) && plain_number(n.Scalar(), d) == NumberLiteralStatus::ok) {
      j.kind = JsonKind::number;
      j.text = d.to_string();
    } else if (plain_is_bool(n)) {
      j.kind = JsonKind::boolean;
      j.boolean = is_true(n.Scalar());
    } else {
      j.kind = JsonKind::string;
      j.text = n.Scalar();
    }
  }
  return j;
}

std::string domain_member_text(const Domain& d) {
  switch (d.kind) {
    case DomainKind::tiers: return fmt::format("a tier of `{}`", d.name);
    case DomainKind::segments: return fmt::format("a segment of `{}`", d.name);
    case DomainKind::catalog: return fmt::format("an item of `{}`", d.name);
    case DomainKind::enum_:
    case DomainKind::output_enum: break;
  }
  return fmt::format("a value of `{}`", d.name);
}

std::string expected_text(const Program& p, const Type& t) {
  switch (t.base) {
    case BaseType::int_: return "a whole number";
    case BaseType::number: case BaseType::money: return "a number";
    case BaseType::string: return "text";
    case BaseType::boolean: return "true or false";
    case BaseType::date: return "a date";
    case BaseType::symbol: return domain_member_text(p.domains[t.domain]);
    case BaseType::list: return "a list";
    default: return "a value";
  }
}

std::string allowed_ids(const Domain& d) {
  std::string out;
  for (size_t i = 0; i < d.ids.size() && i < 20; ++i) out += (i ? ", " : "") + d.ids[i];
  if (d.ids.size() > 20) out += fmt::format(" and {} more", d.ids.size() - 20);
  return out;
}

// A value quoted in a message: at most about 60 bytes, never cut inside a UTF-8 sequence.
std::string shorten(std::string_view s) {
  if (s.size() <= 60) return std::string(s);
  size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

class Reader {
 public:
  Reader(const Program& p, const SourceFile& source, Diagnostics& diagnostics) : p_(p), source_(source), diagnostics_(diagnostics) {
    for (const Decision& d : p.decisions) {
      add_target(d.name, {ExpectTarget::slot, d.slot, p.slots[d.slot].type});
      if (d.primary_slot != kNone) add_target(p.slots[d.primary_slot].name, {ExpectTarget::slot, d.primary_slot, p.slots[d.primary_slot].type});
    }
    for (const Let& let : p.lets) add_target(let.name, {ExpectTarget::slot, let.slot, p.slots[let.slot].type});
    for (size_t i = 0; i < p.outputs.size(); ++i)
      add_target(p.outputs[i].name, {ExpectTarget::output, static_cast<uint32_t>(i), p.outputs[i].type});
    add_target("dropped", {ExpectTarget::dropped, kNone, dropped_type()});
    target_names_.push_back("error");
    for (const InputField& f : p.inputs) field_names_.push_back(f.name);
  }

  bool read(Date today, CaseFile& out) {
    std::string_view text = source_.text();
    if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      report_at(static_cast<uint32_t>(bad), Severity::error, "the case file is not valid UTF-8", "save the file as UTF-8");
      return finish();
    }
    std::vector<YAML::Node> documents;
    try {
      documents = YAML::LoadAll(std::string(text));
    } catch (const YAML::DeepRecursion& e) {
      error(e.mark, "invalid YAML: nested too deeply", "a case file needs only a few levels: cases, their input and expect");
      return finish();
    } catch (const YAML::Exception& e) {
      error(e.mark, fmt::format("invalid YAML: {}", e.msg), "check the indentation here, and that every `[`, `{` and quote is closed");
      return finish();
    }
    if (documents.empty()) {
      report_at(source_.content_begin(), Severity::error, "the case file is empty", kCasesHelp);
      return finish();
    }
    if (documents.size() > 1) {
      error(documents[1].Mark(), "a second YAML document starts here; a case file holds one",
            "remove the `---` line, or move these lines into the first document");
      return finish();
    }
    const YAML::Node& root = documents[0];
    if (!root.IsMap()) {
      error(root.Mark(), fmt::format("a case file is a mapping with `cases`, found {}", found_text(root, false)), kCasesHelp);
      return finish();
    }

    std::vector<std::pair<std::string, JsonValue>> defaults;
    const Entry* cases = nullptr;
    std::vector<Entry> top = entries(root, "the case file");
    Date as_of = today;
    std::vector<std::string> meant;  // what misspelt members probably were: no second error that they are missing
    for (const Entry& e : top) {
      if (e.key == "as_of") {
        date_from(e.value, e.mark, "as_of", as_of);
      } else if (e.key == "defaults") {
        if (require_mapping(e, "`defaults` is a mapping of input fields and values")) defaults = record_members(e.value, false);
      } else if (e.key == "cases") {
        cases = &e;
      } else {
        meant.push_back(unknown(e, "in the case file", {"as_of", "defaults", "cases"}, "a case file holds `as_of`, `defaults` and `cases`"));
      }
    }
    if (cases == nullptr) {
      if (std::find(meant.begin(), meant.end(), "cases") == meant.end()) error(root.Mark(), "the case file has no `cases`", kCasesHelp);
    } else if (cases->value.IsNull() || (cases->value.IsSequence() && cases->value.size() == 0)) {
      error(cases->mark, "`cases` is empty", kCasesHelp);
    } else if (!cases->value.IsSequence()) {
      error(cases->value.Mark(), fmt::format("`cases` is a list, found {}", found_text(cases->value, false)), kCasesHelp);
    } else {
      for (YAML::Node item : cases->value) read_case(item, defaults, as_of, out);
    }

    return finish();
  }

 private:
  // Problems in file order (a case's `expect` is read before its `input`), located.
  bool finish() {
    std::stable_sort(found_.begin(), found_.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.span.begin < b.span.begin; });
    source_.locate(found_);
    bool ok = !has_errors(found_);
    for (Diagnostic& d : found_) diagnostics_.push_back(std::move(d));
    return ok;
  }

  static constexpr const char* kCasesHelp =
      "a case file holds `cases:`, a list of cases, each with a `name`, an `input` and an `expect`";

  void add_target(const std::string& name, TargetInfo info) {
    targets_.emplace(name, info);
    target_names_.push_back(name);
  }

  // `dropped` lists the items that constraints removed. When every constraint
  // filters lists of one type, the items are checked as that type (catalog
  // items by id); otherwise as text.
  Type dropped_type() const {
    Type element = Type::of(BaseType::string);
    bool first = true;
    for (const Constraint& c : p_.constraints) {
      Type t = p_.outputs[c.field].type.element_type();
      if (first) element = t;
      else if (t.base != element.base || t.domain != element.domain) return Type::list_of(Type::of(BaseType::string));
      first = false;
    }
    return Type::list_of(element);
  }

  // Byte offset of a yaml-cpp mark; yaml-cpp counts columns in bytes and skips a BOM.
  uint32_t offset_of(const YAML::Mark& m) const {
    if (m.line < 0 || m.column < 0) return source_.content_begin();
    uint32_t line = std::min<uint32_t>(static_cast<uint32_t>(m.line) + 1, source_.line_count());
    uint32_t begin = source_.line_begin(line);
    if (line == 1) begin = std::max(begin, source_.content_begin());
    return std::min<uint32_t>(begin + static_cast<uint32_t>(m.column), static_cast<uint32_t>(source_.text().size()));
  }

  void report_at(uint32_t offset, Severity severity, std::string message, std::string help) {
    Diagnostic d;
    d.severity = severity;
    d.message = std::move(message);
    d.help = std::move(help);
    d.span = {offset, offset};
    found_.push_back(std::move(d));
  }
  void error(const YAML::Mark& m, std::string message, std::string help = {}) {
    report_at(offset_of(m), Severity::error, std::move(message), std::move(help));
  }
  // Where a value is: an empty value (`input:`) has no place of its own, so its key's.
  static YAML::Mark where(const YAML::Node& value, const YAML::Mark& key) { return value.IsNull() ? key : value.Mark(); }

  std::string found_text(const YAML::Node& n, bool mask) const {
    if (n.IsNull()) return "null";
    if (n.IsSequence()) return "a list";
    if (n.IsMap()) return "a mapping";
    std::string shown = mask ? mask_pii(n.Scalar()) : shorten(n.Scalar());
    if (!is_plain(n)) return fmt::format("the text \"{}\"", shown);
    if (plain_is_number(n)) return fmt::format("the number {}", shown);
    return fmt::format("`{}`", shown);
  }

  // The members of a mapping in file order; a key given twice is an error (YAML
  // readers disagree on which one wins, so we do not guess).
  std::vector<Entry> entries(const YAML::Node& map, std::string_view what) {
    std::vector<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: yaml-cpp's iterator hands out temporaries (Nodes are shared handles, cheap to copy).
      YAML::Node key = it->first;
      YAML::Node value = it->second;
      if (!key.IsScalar()) {
        error(key.Mark(), fmt::format("a key in {} must be a name, found {}", what, found_text(key, false)));
        continue;
      }
      std::string name = key.Scalar();
      if (name == "<<" && is_plain(key)) {
        error(key.Mark(), "YAML merge keys (`<<`) are not supported in case files",
              "put the values that cases share in `defaults`; each case's `input` is merged over them");
        continue;
      }
      auto first = std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == name; });
      if (first != out.end()) {
        error(key.Mark(), fmt::format("`{}` appears twice in {} (first at line {})", name, what, first->mark.line + 1),
              "give each member once");
        continue;
      }
      out.push_back({std::move(name), key.Mark(), value});
    }
    return out;
  }

  // Reports an unknown member; returns the member it probably meant, or "".
  std::string unknown(const Entry& e, std::string_view where_text, const std::vector<std::string>& known, std::string_view otherwise) {
    std::string guess = closest_name(e.key, known);
    error(e.mark, fmt::format("unknown member `{}` {}", e.key, where_text),
          guess.empty() ? std::string(otherwise) : fmt::format("did you mean `{}`?", guess));
    return guess;
  }

  bool require_mapping(const Entry& e, std::string_view what) {
    if (e.value.IsMap()) return true;
    error(where(e.value, e.mark), fmt::format("{}, found {}", what, found_text(e.value, false)),
          fmt::format("write `{}: {{}}` when there is nothing to give", e.key));
    return false;
  }

  void date_from(const YAML::Node& n, const YAML::Mark& key, std::string_view name, Date& out) {
    if (!n.IsScalar()) {
      error(where(n, key), fmt::format("expected a date for `{}`, found {}", name, found_text(n, false)), "write a date as YYYY-MM-DD, as in 2025-06-30");
      return;
    }
    auto d = parse_date(n.Scalar());
    if (!d) {
      error(n.Mark(), fmt::format("`{}` is not a valid date", shorten(n.Scalar())), "write a date as YYYY-MM-DD, as in 2025-06-30");
      return;
    }
    out = *d;
  }

  // Converts one YAML value to a Value of type `t`, or reports why it does not
  // fit. `context` names the place in messages (" for `aum`"); `mask` hides the
  // value of a `pii` field. Null fits every type but a list.
  bool value_from_yaml(const Type& t, const YAML::Node& n, const YAML::Mark& key, const std::string& context, bool mask, Value& out) {
    auto mismatch = [&](std::string help) {
      error(where(n, key), fmt::format("expected {}{}, found {}", expected_text(p_, t), context, found_text(n, mask)), std::move(help));
      return false;
    };
    if (t.base == BaseType::list) {
      if (!n.IsSequence()) return mismatch("write a list in brackets, as in `[a, b]` (`[]` when empty)");
      out = Value::empty_list();
      Type element = t.element_type();
      bool ok = true;
      for (YAML::Node item : n) {
        Value x;
        if (item.IsNull()) {
          error(item.Mark(), fmt::format("expected {}{}, found null", expected_text(p_, element), context), "a list holds no nulls");
          ok = false;
        } else if (!value_from_yaml(element, item, item.Mark(), context, mask, x)) {
          ok = false;
        } else if (std::any_of(out.items.begin(), out.items.end(), [&](const Value& v) { return same_value(v, x); })) {
          error(item.Mark(), fmt::format("`{}` appears twice in the list{}", shorten(item.Scalar()), context), "a list holds each item once");
          ok = false;
        } else {
          out.items.push_back(std::move(x));
        }
      }
      return ok;
    }
    if (n.IsNull()) {
      out = Value{};
      return true;
    }
    if (!n.IsScalar()) return mismatch(n.IsMap() ? "`includes` and `excludes` check lists; this is a single value" : "");
    const std::string& text = n.Scalar();
    switch (t.base) {
      case BaseType::int_: case BaseType::number: case BaseType::money: {
        if (!is_plain(n)) return mismatch("write numbers without quotes, as in `500万` or `5000000.00`");
        if (plain_is_bool(n)) return mismatch("");
        Decimal d;
        NumberLiteralStatus st = plain_number(text, d);
        if (st != NumberLiteralStatus::ok) {
          error(n.Mark(), fmt::format("`{}` is not a number{}", shorten(mask ? mask_pii(text) : text), context), number_literal_help(st, text));
          return false;
        }
        if (t.base == BaseType::int_ && !d.is_whole()) return mismatch("");
        out = Value::of_number(d);
        return true;
      }
      case BaseType::string:
        if (plain_is_number(n) || plain_is_bool(n))
          return mismatch(fmt::format("put it in quotes to make it text: `\"{}\"`", mask ? mask_pii(text) : shorten(text)));
        out = Value::of_string(text);
        return true;
      case BaseType::boolean:
        if (!plain_is_bool(n)) return mismatch("write `true` or `false`, without quotes");
        out = Value::of_bool(is_true(text));
        return true;
      case BaseType::date: {
        auto d = parse_date(text);
        if (!d) {
          error(n.Mark(), fmt::format("`{}` is not a valid date{}", shorten(mask ? mask_pii(text) : text), context),
                "write a date as YYYY-MM-DD, as in 2025-06-30");
          return false;
        }
        out = Value::of_date(*d);
        return true;
      }
      case BaseType::symbol: {
        const Domain& d = p_.domains[t.domain];
        uint32_t v = d.find(text);
        if (v == kNone) {
          std::string guess = closest_name(text, d.ids);
          error(n.Mark(), fmt::format("`{}` is not {}", shorten(text), domain_member_text(d)),
                guess.empty() ? fmt::format("use one of: {}", allowed_ids(d))
                              : fmt::format("did you mean `{}`? (one of: {})", guess, allowed_ids(d)));
          return false;
        }
        out = Value::of_symbol(v);
        return true;
      }
      default: return mismatch("");
    }
  }

  // The declared input fields of a `defaults` or `input` mapping, as JSON record
  // members. Each value is checked against its field unless `unchecked` (a case
  // that expects a record error: its input is meant to be rejected by the reader).
  std::vector<std::pair<std::string, JsonValue>> record_members(const YAML::Node& map, bool unchecked) {
    std::vector<std::pair<std::string, JsonValue>> out;
    for (const Entry& e : entries(map, "an input")) {
      auto it = p_.input_index.find(e.key);
      if (it == p_.input_index.end()) {
        // Undeclared members are ignored, as in records; one that looks like a field is likely a typo.
        std::string guess = closest_name(e.key, field_names_);
        if (!guess.empty())
          report_at(offset_of(e.mark), Severity::warning,
                    fmt::format("`{}` is not a field of input `{}` and is ignored", e.key, p_.input_name),
                    fmt::format("did you mean `{}`?", guess));
        continue;
      }
      const InputField& f = p_.inputs[it->second];
      Value ignored;
      if (!unchecked && !e.value.IsNull()) value_from_yaml(f.type, e.value, e.mark, fmt::format(" for `{}`", f.name), f.pii, ignored);
      out.emplace_back(e.key, to_json(e.value));
    }
    return out;
  }

  // `expect`: `error` alone, or members naming what the ruleset produces.
  void read_expect(const Entry& expect, TestCase& c) {
    if (!expect.value.IsMap()) {
      error(where(expect.value, expect.mark), fmt::format("`expect` is a mapping of what to check, found {}", found_text(expect.value, false)),
            "write for example `expect: { value_tier: gold }`");
      return;
    }
    std::vector<Entry> members = entries(expect.value, "`expect`");
    if (members.empty()) {
      error(expect.mark, "`expect` is empty", "check at least one decision, output field, let, `dropped` or `error`");
      return;
    }
    for (const Entry& m : members) {
      if (m.key == "error") {
        if (members.size() > 1)
          error(m.mark, "`error` cannot be combined with other members of `expect`",
                "a rejected record has no results to check: put the other members in a case of their own");
        if (!m.value.IsScalar())
          error(where(m.value, m.mark), fmt::format("`error` takes the text the record error contains, found {}", found_text(m.value, false)),
                "write for example `error: \"aum\"`");
        else
          c.expected_error = m.value.Scalar();
        continue;
      }
      auto it = targets_.find(m.key);
      if (it == targets_.end()) {
        unknown_target(m);
        continue;
      }
      Expectation e;
      e.member = m.key;
      e.target = it->second.target;
      e.index = it->second.index;
      e.type = it->second.type;
      if (read_expected_value(m, e)) c.expectations.push_back(std::move(e));
    }
  }

  void unknown_target(const Entry& m) {
    std::string guess = closest_name(m.key, target_names_);
    std::string help;
    if (!guess.empty()) {
      help = fmt::format("did you mean `{}`?", guess);
    } else if (p_.input_index.count(m.key)) {
      help = fmt::format("`{}` is an input field; `expect` checks what the rules produce: a decision, an output field, a let, `dropped` or `error`", m.key);
    } else {
      std::string names;
      for (size_t i = 0; i < target_names_.size(); ++i) names += (i ? ", " : "") + target_names_[i];
      help = fmt::format("`expect` checks one of: {}", names);
    }
    size_t suffix = m.key.rfind("_primary");
    if (guess.empty() && suffix != std::string::npos && suffix + 8 == m.key.size()) {
      std::string decision = m.key.substr(0, suffix);
      for (const Decision& d : p_.decisions)
        if (d.name == decision) help = fmt::format("`{}` has no row with a `score`, so it has no primary", decision);
    }
    error(m.mark, fmt::format("unknown member `{}` in `expect`", m.key), help);
  }

  bool read_expected_value(const Entry& m, Expectation& e) {
    std::string context = fmt::format(" for `{}`", m.key);
    if (e.type.base != BaseType::list || !m.value.IsMap()) return value_from_yaml(e.type, m.value, m.mark, context, false, e.value);
    e.exact = false;
    bool ok = true;
    std::vector<Entry> checks = entries(m.value, fmt::format("`{}`", m.key));
    for (const Entry& check : checks) {
      if (check.key != "includes" && check.key != "excludes") {
        unknown(check, fmt::format("in `{}`", m.key), {"includes", "excludes"},
                "a list is checked exactly, as in `[a, b]`, or with `includes` and `excludes`");
        ok = false;
        continue;
      }
      std::vector<Value>& items = check.key == "includes" ? e.includes : e.excludes;
      Value list;
      // A single item needs no brackets: `includes: time_deposit`.
      if (check.value.IsScalar()) {
        if (!value_from_yaml(e.type.element_type(), check.value, check.mark, context, false, list)) ok = false;
        else items.push_back(std::move(list));
      } else if (!value_from_yaml(e.type, check.value, check.mark, context, false, list)) {
        ok = false;
      } else {
        items = std::move(list.items);
      }
    }
    if (checks.empty()) {
      error(m.value.Mark(), fmt::format("nothing to check for `{}`", m.key), "give `includes`, `excludes` or both");
      ok = false;
    }
    return ok;
  }

  void read_case(const YAML::Node& item, const std::vector<std::pair<std::string, JsonValue>>& defaults, Date as_of, CaseFile& out) {
    if (!item.IsMap()) {
      error(item.IsNull() ? YAML::Mark::null_mark() : item.Mark(), fmt::format("a case is a mapping with `name`, `input` and `expect`, found {}", found_text(item, false)),
            "start each case with `- name: ...`");
      return;
    }
    TestCase c;
    c.as_of = as_of;
    const Entry* name = nullptr;
    const Entry* input = nullptr;
    const Entry* expect = nullptr;
    std::vector<Entry> members = entries(item, "a case");
    std::vector<std::string> meant;  // what misspelt members probably were: no second error that they are missing
    for (const Entry& e : members) {
      if (e.key == "name") name = &e;
      else if (e.key == "input") input = &e;
      else if (e.key == "expect") expect = &e;
      else if (e.key == "as_of") date_from(e.value, e.mark, "as_of", c.as_of);
      else meant.push_back(unknown(e, "in a case", {"name", "input", "expect", "as_of"}, "a case holds `name`, `input`, `expect` and optionally `as_of`"));
    }
    auto misspelt = [&](std::string_view member) { return std::find(meant.begin(), meant.end(), member) != meant.end(); };
    if (name == nullptr) {
      if (!misspelt("name")) error(item.Mark(), "this case has no `name`", "give every case a `name`, unique in the file; a failure is reported by it");
    } else if (!name->value.IsScalar() || name->value.Scalar().empty()) {
      error(where(name->value, name->mark),
            name->value.IsScalar() ? std::string("`name` is empty") : fmt::format("`name` is text, found {}", found_text(name->value, false)),
            "give every case a `name`, unique in the file; a failure is reported by it");
      name = nullptr;
    } else {
      c.name = name->value.Scalar();
      c.line = static_cast<uint32_t>(name->mark.line + 1);
      auto first = names_.find(c.name);
      if (first != names_.end())
        error(name->value.Mark(), fmt::format("a case named `{}` already exists (line {})", shorten(c.name), first->second),
              "case names are unique in a file, so that a failure names one case");
      else
        names_.emplace(c.name, c.line);
    }
    std::string which = name ? fmt::format("case `{}`", shorten(c.name)) : std::string("this case");
    if (input == nullptr && !misspelt("input"))
      error(item.Mark(), fmt::format("{} has no `input`", which), "write `input: {}` to use `defaults` as they are");
    if (expect == nullptr && !misspelt("expect"))
      error(item.Mark(), fmt::format("{} has no `expect`", which), "add `expect:` with what the rules should produce");
    // `expect` first: a case that expects a record error takes its input as written.
    if (expect != nullptr) read_expect(*expect, c);
    if (input != nullptr && require_mapping(*input, "`input` is a mapping of input fields and values")) {
      // A member of `input` replaces the same member of `defaults`, even with null.
      std::vector<std::pair<std::string, JsonValue>> own = record_members(input->value, c.expected_error.has_value());
      c.record.kind = JsonKind::object;
      for (const auto& d : defaults)
        if (std::none_of(own.begin(), own.end(), [&](const auto& m) { return m.first == d.first; })) c.record.members.push_back(d);
      for (auto& m : own) c.record.members.push_back(std::move(m));
    }
    out.cases.push_back(std::move(c));
  }

  const Program& p_;
  const SourceFile& source_;
  Diagnostics& diagnostics_;
  Diagnostics found_;
  std::unordered_map<std::string, TargetInfo> targets_;
  std::vector<std::string> target_names_;
  std::vector<std::string> field_names_;
  std::unordered_map<std::string, uint32_t> names_;  // case name -> line
};

}  // namespace

bool read_case_file(const Program& program, const std::string& path, std::string_view text, Date today, CaseFile& out,
                    Diagnostics& diagnostics) {
  SourceFile source(path, std::string(text));
  Reader reader(program, source, diagnostics);
  return reader.read(today, out);
}

std::string render_case_file_diagnostics(const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += fmt::format("{}:{}:{}: {}: {}\n", d.file, d.line, d.column, d.severity == Severity::error ? "error" : "warning", d.message);
    if (!d.help.empty()) out += fmt::format("  = help: {}\n", d.help);
  }
  return out;
}

}  // namespace segrule
