#include "eval/result_writer.hpp"

#include <fmt/format.h>

namespace segrule {

void write_json_string(std::string_view text, std::string& out) {
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied: runs that need no escape are copied at once
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(escape, 6);
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

namespace {

// Names and symbols are identifiers (letters, digits, `_`, CJK): nothing in
// them needs an escape, so they are copied as they are.
void write_identifier(std::string_view name, std::string& out) {
  out += '"';
  out.append(name);
  out += '"';
}

}  // namespace

void write_value(const Program& p, const Type& type, const Value& v, std::string& out) {
  switch (v.kind) {
    case ValueKind::null: out += "null"; return;
    case ValueKind::boolean: out += v.boolean ? "true" : "false"; return;
    case ValueKind::number: v.number.append_to(out); return;
    case ValueKind::string: write_json_string(v.text, out); return;
    case ValueKind::date:
      out += '"';
      append_date(out, v.date);
      out += '"';
      return;
    case ValueKind::symbol: write_identifier(p.domains[type.domain].ids[v.symbol], out); return;
    case ValueKind::list: {
      out += '[';
      Type element = type.element_type();
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        write_value(p, element, v.items[i], out);
      }
      out += ']';
      return;
    }
  }
}

void write_result(const Program& p, const Outcome& o, std::string& out) {
  out += '{';
  bool first = true;
  auto member = [&](std::string_view name) {
    if (!first) out += ',';
    first = false;
    write_identifier(name, out);
    out += ':';
  };
  if (p.key_field != kNone) {
    const InputField& key = p.inputs[p.key_field];
    member(key.name);
    write_value(p, key.type, o.slots[key.slot], out);
  }
  for (const Decision& d : p.decisions) {
    member(d.name);
    write_value(p, p.slots[d.slot].type, o.slots[d.slot], out);
    if (d.primary_slot != kNone) {
      member(p.slots[d.primary_slot].name);
      write_value(p, p.slots[d.primary_slot].type, o.slots[d.primary_slot], out);
    }
  }
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    member(p.outputs[i].name);
    write_value(p, p.outputs[i].type, o.outputs[i], out);
  }
  member("dropped");
  out += '[';
  for (size_t i = 0; i < o.dropped.size(); ++i) {
    const Dropped& d = o.dropped[i];
    if (i) out += ',';
    out += "{\"list\":";
    write_identifier(p.outputs[d.field].name, out);
    out += ",\"item\":";
    write_value(p, p.outputs[d.field].type.element_type(), d.item, out);
    out += ",\"constraint\":";
    write_identifier(p.constraints[d.constraint].name, out);
    out += ",\"reason\":";
    write_json_string(p.constraints[d.constraint].rows[d.row].reason, out);
    out += '}';
  }
  out += "]}";
}

void write_error(size_t line, const std::optional<std::string>& key, std::string_view message, std::string& out) {
  out += fmt::format("{{\"line\":{}", line);
  if (key) {
    out += ",\"key\":";
    write_json_string(*key, out);
  }
  out += ",\"error\":";
  write_json_string(message, out);
  out += '}';
}

void add_member(std::string& object, std::string_view name, std::string_view json) {
  object.pop_back();  // the closing brace
  object += ',';
  write_json_string(name, object);
  object += ':';
  object += json;
  object += '}';
}

}  // namespace segrule
