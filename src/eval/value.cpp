#include "eval/value.hpp"

namespace segrule {

bool same_value(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::null: return true;
    case ValueKind::boolean: return a.boolean == b.boolean;
    case ValueKind::number: return a.number == b.number;
    case ValueKind::string: return a.text == b.text;
    case ValueKind::date: return a.date == b.date;
    case ValueKind::symbol: return a.symbol == b.symbol;
    case ValueKind::list:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!same_value(a.items[i], b.items[i])) return false;
      return true;
  }
  return false;
}

void assign_value_slow(Value& dst, const Value& src) {
  if (&dst == &src) return;
  dst.kind = src.kind;
  switch (src.kind) {
    case ValueKind::null: return;
    case ValueKind::boolean: dst.boolean = src.boolean; return;
    case ValueKind::number: dst.number = src.number; return;
    case ValueKind::string: dst.text.assign(src.text); return;
    case ValueKind::date: dst.date = src.date; return;
    case ValueKind::symbol: dst.symbol = src.symbol; return;
    case ValueKind::list:
      dst.items.resize(src.items.size());
      for (size_t i = 0; i < src.items.size(); ++i) assign_value(dst.items[i], src.items[i]);
      return;
  }
}

void append_unique(Value& list, const Value& item) {
  for (const Value& existing : list.items)
    if (same_value(existing, item)) return;
  list.items.emplace_back();
  assign_value(list.items.back(), item);
}

}  // namespace segrule
