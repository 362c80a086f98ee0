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

void append_unique(Value& list, const Value& item) {
  for (const Value& existing : list.items)
    if (same_value(existing, item)) return;
  list.items.push_back(item);
}

}  // namespace segrule
