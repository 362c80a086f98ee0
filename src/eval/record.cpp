#include "eval/record.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace segrule {

namespace {

std::string kind_text(JsonKind k) {
  switch (k) {
    case JsonKind::null: return "null";
    case JsonKind::boolean: return "a boolean";
    case JsonKind::number: return "a number";
    case JsonKind::string: return "a string";
    case JsonKind::array: return "an array";
    case JsonKind::object: return "an object";
  }
  return "a value";
}

std::string expected_text(const Program& p, const Type& t) {
  switch (t.base) {
    case BaseType::int_: return "a whole number";
    case BaseType::number: case BaseType::money: return "a number";
    case BaseType::string: return "a string";
    case BaseType::boolean: return "true or false";
    case BaseType::date: return "a date as \"YYYY-MM-DD\"";
    case BaseType::symbol: return fmt::format("one of the values of `{}`", p.domains[t.domain].name);
    case BaseType::list: return "a list";
    default: return "a value";
  }
}

// Shown in a message: the value itself, masked when the field is personal data.
std::string shown(const InputField& f, std::string_view text) {
  std::string s = f.pii ? mask_pii(text) : std::string(text.substr(0, 60));
  if (!f.pii && text.size() > 60) s += "...";
  return s;
}

// Converts scalar text (a JSON string or number, or a CSV cell) of the given type.
// `is_string` says the text came quoted, so it is not a number or a boolean.
bool scalar_from_text(const Program& p, const InputField& f, const Type& t, std::string_view text, bool from_csv, JsonKind kind,
                      Value& out, std::string& error) {
  auto wrong = [&](const std::string& what) {
    error = fmt::format("field `{}`: expected {}, found {}", f.name, expected_text(p, t), what);
    return false;
  };
  switch (t.base) {
    case BaseType::int_: case BaseType::number: case BaseType::money: {
      if (!from_csv && kind != JsonKind::number) return wrong(kind_text(kind));
      Decimal d;
      DecimalStatus st = Decimal::parse(text, d);
      if (st == DecimalStatus::overflow) {
        error = fmt::format("field `{}`: number {} is out of range (at most 20 digits before the point)", f.name, shown(f, text));
        return false;
      }
      if (st != DecimalStatus::ok) return wrong(fmt::format("`{}`", shown(f, text)));
      if (t.base == BaseType::int_ && !d.is_whole()) {
        error = fmt::format("field `{}`: expected a whole number, found {}", f.name, shown(f, text));
        return false;
      }
      out = Value::of_number(d);
      return true;
    }
    case BaseType::string:
      if (!from_csv && kind != JsonKind::string) return wrong(kind_text(kind));
      out = Value::of_string(std::string(text));
      return true;
    case BaseType::boolean:
      if (!from_csv) return wrong(kind_text(kind));
      if (text == "true") out = Value::of_bool(true);
      else if (text == "false") out = Value::of_bool(false);
      else return wrong(fmt::format("`{}`", shown(f, text)));
      return true;
    case BaseType::date: {
      if (!from_csv && kind != JsonKind::string) return wrong(kind_text(kind));
      auto d = parse_date(text);
      if (!d) {
        error = fmt::format("field `{}`: `{}` is not a valid date (expected YYYY-MM-DD)", f.name, shown(f, text));
        return false;
      }
      out = Value::of_date(*d);
      return true;
    }
    case BaseType::symbol: {
      if (!from_csv && kind != JsonKind::string) return wrong(kind_text(kind));
      const Domain& d = p.domains[t.domain];
      uint32_t v = d.find(std::string(text));
      if (v == kNone) {
        std::string values;
        for (size_t i = 0; i < d.ids.size() && i < 12; ++i) values += (i ? ", " : "") + d.ids[i];
        error = fmt::format("field `{}`: `{}` is not a value of `{}` (expected one of {})", f.name, shown(f, text), d.name, values);
        return false;
      }
      out = Value::of_symbol(v);
      return true;
    }
    default: return wrong("a value");
  }
}

// Absent or null: the default, null for `T?`, or a record error.
bool missing(const InputField& f, bool is_null, Value& out, std::string& error) {
  if (f.has_default) {
    out = f.default_value;
    return true;
  }
  if (f.type.nullable) {
    out = Value{};
    return true;
  }
  if (f.type.base == BaseType::list && !is_null) {
    out = Value::empty_list();
    return true;
  }
  error = is_null ? fmt::format("field `{}` is null, but it is required", f.name) : fmt::format("missing required field `{}`", f.name);
  return false;
}

bool field_from_json(const Program& p, const InputField& f, const JsonValue* v, Value& out, std::string& error) {
  if (v == nullptr || v->kind == JsonKind::null) return missing(f, v != nullptr, out, error);
  if (f.type.base == BaseType::boolean) {
    if (v->kind != JsonKind::boolean) {
      error = fmt::format("field `{}`: expected true or false, found {}", f.name, kind_text(v->kind));
      return false;
    }
    out = Value::of_bool(v->boolean);
    return true;
  }
  if (f.type.base == BaseType::list) {
    if (v->kind != JsonKind::array) {
      error = fmt::format("field `{}`: expected a list, found {}", f.name, kind_text(v->kind));
      return false;
    }
    out = Value::empty_list();
    Type element = f.type.element_type();
    for (size_t i = 0; i < v->items.size(); ++i) {
      const JsonValue& item = v->items[i];
      Value x;
      bool ok = element.base == BaseType::boolean
                    ? (item.kind == JsonKind::boolean ? (x = Value::of_bool(item.boolean), true) : false)
                    : (item.kind == JsonKind::string || item.kind == JsonKind::number) &&
                          scalar_from_text(p, f, element, item.text, false, item.kind, x, error);
      if (!ok) {
        if (error.empty() || item.kind == JsonKind::null || item.kind == JsonKind::array || item.kind == JsonKind::object || item.kind == JsonKind::boolean)
          error = fmt::format("field `{}`: item {} should be {}, found {}", f.name, i + 1, expected_text(p, element), kind_text(item.kind));
        return false;
      }
      append_unique(out, x);
    }
    return true;
  }
  if (v->kind != JsonKind::string && v->kind != JsonKind::number) {
    error = fmt::format("field `{}`: expected {}, found {}", f.name, expected_text(p, f.type), kind_text(v->kind));
    return false;
  }
  return scalar_from_text(p, f, f.type, v->text, false, v->kind, out, error);
}

std::optional<std::string> key_text(const Program& p, const JsonValue& object) {
  if (p.key_field == kNone) return std::nullopt;
  const JsonValue* k = object.find(p.inputs[p.key_field].name);
  if (k && (k->kind == JsonKind::string || k->kind == JsonKind::number)) return k->text;
  return std::nullopt;
}

}  // namespace

// The key of a record that is not valid JSON, when its member is still
// readable (`{"id":"C7", "aum": NaN}`), so the error entry can name the record.
// Only a top-level member counts: strings and brackets are followed, so a
// nested `"id"` does not name the record.
std::optional<std::string> salvage_key(std::string_view text, const std::string& key) {
  size_t i = 0;
  int depth = 0;
  auto skip_blanks = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  // The end of the string that starts at `from` (its closing quote), or npos.
  auto string_end = [&](size_t from) {
    for (size_t k = from + 1; k < text.size(); ++k) {
      if (text[k] == '\\') ++k;
      else if (text[k] == '"') return k;
    }
    return std::string_view::npos;
  };
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == '"') {
      size_t end = string_end(i);
      if (end == std::string_view::npos) return std::nullopt;
      bool is_key_member = depth == 1 && text.substr(i + 1, end - i - 1) == key;
      i = end + 1;
      skip_blanks();
      if (!is_key_member || i >= text.size() || text[i] != ':') {
        --i;  // the loop's ++i lands on what follows the string
        continue;
      }
      ++i;
      skip_blanks();
      size_t begin = i;
      if (i < text.size() && text[i] == '"') {
        size_t close = string_end(i);
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view value = text.substr(i + 1, close - i - 1);
        // Printed as it stands in the error entry: no escapes, controls or broken UTF-8.
        bool plain = value.find('\\') == std::string_view::npos && find_invalid_utf8(value) == std::string_view::npos &&
                     std::none_of(value.begin(), value.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
        if (!plain) return std::nullopt;
        return std::string(value);
      }
      while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '-' || text[i] == '.')) ++i;
      if (i == begin) return std::nullopt;
      return std::string(text.substr(begin, i - begin));
    }
  }
  return std::nullopt;
}


std::string too_long_message(size_t size, size_t limit) {
  return fmt::format("record is {} bytes, more than the limit of {} bytes", size, limit);
}

std::string mask_pii(std::string_view text) {
  if (text.empty()) return "**";
  size_t first = 1;
  unsigned char c = static_cast<unsigned char>(text[0]);
  if (c >= 0xF0) first = 4;
  else if (c >= 0xE0) first = 3;
  else if (c >= 0xC0) first = 2;
  return std::string(text.substr(0, std::min(first, text.size()))) + "**";
}

bool record_from_json_value(const Program& p, const JsonValue& object, std::vector<Value>& slots, RecordProblem& problem) {
  if (object.kind != JsonKind::object) {
    problem.message = fmt::format("a record must be a JSON object, found {}", kind_text(object.kind));
    return false;
  }
  problem.key = key_text(p, object);
  for (const InputField& f : p.inputs) {
    if (!field_from_json(p, f, object.find(f.name), slots[f.slot], problem.message)) return false;
  }
  return true;
}

namespace {

bool has_pii_field(const Program& p) {
  for (const InputField& f : p.inputs)
    if (f.pii) return true;
  return false;
}

// A syntax error quotes the bad token in backticks, and the reader cannot tell
// which field it belongs to: when any field is `pii`, every quoted fragment is
// masked, except JSON punctuation and the names of declared fields.
std::string mask_quoted_fragments(const Program& p, std::string_view message) {
  auto harmless = [&](std::string_view fragment) {
    if (p.input_index.count(std::string(fragment))) return true;
    return fragment.find_first_not_of(",:{}[]\"") == std::string_view::npos;
  };
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t open = message.find('`', pos);
    size_t close = open == std::string_view::npos ? open : message.find('`', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view fragment = message.substr(open + 1, close - open - 1);
    out.append(message.substr(pos, open + 1 - pos));
    out += harmless(fragment) ? std::string(fragment) : mask_pii(fragment);
    out += '`';
    pos = close + 1;
  }
  out.append(message.substr(std::min(pos, message.size())));
  return out;
}

}  // namespace

bool record_from_json(const Program& p, std::string_view text, const RecordLimits& limits, std::vector<Value>& slots, RecordProblem& problem) {
  problem.key.reset();
  if (text.size() > limits.max_record_bytes) {
    problem.message = too_long_message(text.size(), limits.max_record_bytes);
    if (p.key_field != kNone) problem.key = salvage_key(text.substr(0, kSalvageBytes), p.inputs[p.key_field].name);
    return false;
  }
  auto parsed = parse_json(text, JsonLimits{limits.max_depth, limits.max_record_bytes});
  if (auto* err = std::get_if<JsonError>(&parsed)) {
    problem.message = fmt::format("malformed JSON at column {}: {}", err->offset + 1,
                                  has_pii_field(p) ? mask_quoted_fragments(p, err->message) : err->message);
    if (p.key_field != kNone) problem.key = salvage_key(text, p.inputs[p.key_field].name);
    return false;
  }
  return record_from_json_value(p, std::get<JsonValue>(parsed), slots, problem);
}

CsvColumns csv_columns(const Program& p, const std::vector<CsvCell>& header) {
  CsvColumns c;
  c.column_of_field.assign(p.inputs.size(), kNone);
  for (const CsvCell& cell : header) {
    auto it = p.input_index.find(cell.text);
    uint32_t field = it == p.input_index.end() ? kNone : it->second;
    if (field != kNone && c.column_of_field[field] != kNone) {
      c.header_error = fmt::format("column `{}` appears twice in the CSV header", cell.text);
      field = kNone;
    } else if (field != kNone) {
      c.column_of_field[field] = static_cast<uint32_t>(c.field_of_column.size());
    }
    c.field_of_column.push_back(field);
  }
  return c;
}

bool record_from_csv(const Program& p, const CsvColumns& columns, const std::vector<CsvCell>& cells, std::vector<Value>& slots,
                     RecordProblem& problem) {
  problem.key.reset();
  if (p.key_field != kNone) {
    uint32_t kc = columns.column_of_field[p.key_field];
    if (kc != kNone && kc < cells.size() && !cells[kc].text.empty()) problem.key = cells[kc].text;
  }
  if (!columns.header_error.empty()) {
    problem.message = columns.header_error;
    return false;
  }
  if (cells.size() != columns.field_of_column.size()) {
    problem.message = fmt::format("row has {} cells, but the header has {} columns", cells.size(), columns.field_of_column.size());
    return false;
  }
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const InputField& f = p.inputs[i];
    Value& out = slots[f.slot];
    uint32_t col = columns.column_of_field[i];
    if (col == kNone) {
      if (!missing(f, false, out, problem.message)) {
        problem.message = fmt::format("missing required field `{}` (no such column in the header)", f.name);
        return false;
      }
      continue;
    }
    const CsvCell& cell = cells[col];
    if (f.type.base == BaseType::list) {
      out = Value::empty_list();
      if (cell.text.empty()) continue;  // an empty list cell is the empty list
      Type element = f.type.element_type();
      std::string_view rest = cell.text;
      for (size_t n = 1;; ++n) {
        size_t semi = rest.find(';');
        std::string_view item = rest.substr(0, semi);
        if (item.empty()) {
          problem.message = fmt::format("field `{}`: item {} of the list is empty (items are separated by `;`: remove the extra `;`)", f.name, n);
          return false;
        }
        Value x;
        if (!scalar_from_text(p, f, element, item, true, JsonKind::string, x, problem.message)) return false;
        append_unique(out, x);
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
      }
      continue;
    }
    if (cell.text.empty() && !(cell.quoted && f.type.base == BaseType::string)) {
      if (!missing(f, true, out, problem.message)) return false;
      continue;
    }
    if (!scalar_from_text(p, f, f.type, cell.text, true, JsonKind::string, out, problem.message)) return false;
  }
  return true;
}

}  // namespace segrule
