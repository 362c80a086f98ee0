#include "explain/human.hpp"

namespace segrule {

std::string human_number(const Decimal& number, bool money) {
  // The canonical text has exactly the digits the value needs; print that many.
  std::string exact = number.to_string();
  size_t point = exact.find('.');
  int places = point == std::string::npos ? 0 : static_cast<int>(exact.size() - point - 1);
  if (money && places < 2) places = 2;
  return number.to_fixed(places, true);
}

std::string labelled(std::string_view id, std::string_view label) {
  std::string out(id);
  if (!label.empty()) {
    out += " (";
    out += label;
    out += ')';
  }
  return out;
}

std::string human_value(const Program& p, const Type& type, const Value& v) {
  switch (v.kind) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return v.boolean ? "true" : "false";
    case ValueKind::number: return human_number(v.number, type.base == BaseType::money);
    case ValueKind::string: {
      std::string out = "\"";
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') out += "\\n";
        else out += c;
      }
      return out + "\"";
    }
    case ValueKind::date: return to_string(v.date);
    case ValueKind::symbol: {
      if (type.domain >= p.domains.size()) return std::to_string(v.symbol);
      const Domain& d = p.domains[type.domain];
      if (v.symbol >= d.ids.size()) return std::to_string(v.symbol);
      return labelled(d.ids[v.symbol], v.symbol < d.labels.size() ? d.labels[v.symbol] : std::string());
    }
    case ValueKind::list: {
      std::string out = "[";
      Type element = type.element_type();
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        out += human_value(p, element, v.items[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

std::string one_line(std::string_view s) {
  std::string out;
  bool blank = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '#') {  // a comment runs to the end of its line
      while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
      blank = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    if (c != '"') {
      out += c;
      continue;
    }
    // A string literal is copied as written, escapes and all.
    out += c;
    for (++i; i < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\\' && i + 1 < s.size()) out += s[++i];
      else if (s[i] == '"') break;
    }
  }
  return out;
}

std::string source_of(const Program& p, Span span) {
  std::string_view text = p.source ? p.source->text() : std::string_view();
  if (span.end > text.size() || span.begin >= span.end) return "";
  return one_line(text.substr(span.begin, span.end - span.begin));
}

uint32_t line_of(const Program& p, Span span) {
  if (!p.source || span.begin > p.source->text().size()) return 0;
  return p.source->line_of(span.begin);
}


}  // namespace segrule
