#include "eval/result_writer.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "eval/digits.hpp"

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

// The plain writer: one append per piece, nothing prepared. For one result
// now and then it is faster than building a ResultWriter, and it is the
// reference ResultWriter is tested against (tests/unit/result_writer_test.cpp).
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

// ---- ResultWriter ----------------------------------------------------------

namespace {

// Whether any of the 8 bytes of `chunk` needs an escape in a JSON string: a
// control character (< 0x20), '"' or '\\'. Exact (no false alarm, no miss).
bool chunk_needs_escape(uint64_t chunk) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  bool control = ((chunk - 0x20 * kOnes) & ~chunk & kHighs) != 0;  // some byte < 0x20
  return control || has_zero_byte(chunk ^ ('"' * kOnes)) || has_zero_byte(chunk ^ ('\\' * kOnes));
}

bool byte_needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Length of the longest prefix of `text` that needs no escape.
size_t clean_prefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, text.data() + i, 8);
    if (chunk_needs_escape(chunk)) break;
  }
  while (i < text.size() && !byte_needs_escape(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

}  // namespace

// Writes into the caller's string through a cursor, so a result is a series
// of memcpy into room made ahead, not one bounds-checked append per piece. The
// string's bytes from `used` on are the room: it is grown when short (and
// then zeroed by the resize, once), never shrunk, so a buffer kept from record
// to record gives its room again for free. finish() says where the result ends.
// The small writes are forced inline: called from many places, GCC would
// otherwise leave them as calls, which cost more than the copies they make.
class ResultWriter::Sink {
 public:
  static constexpr uint32_t kPadding = 32;

  Sink(std::string& out, size_t used, size_t room) : out_(out), start_(used) {
    if (out_.size() < used + room) out_.resize(std::max(used + room, 2 * out_.size()));
    at_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  [[gnu::always_inline]] void put(char c) {
    need(1);
    *at_++ = c;
  }
  [[gnu::always_inline]] void put(std::string_view text) {
    need(text.size());
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  // A prepared piece in fixed-size copies the compiler does inline, where a
  // memcpy of a variable size is a library call: 32 bytes, which is all of
  // most pieces (no loop, so no branch to mispredict on their sizes), then 16
  // at a time. Reads up to 31 bytes past the piece (pieces_ is padded for that)
  // and writes up to 31 bytes past it into room made ahead, which later pieces
  // overwrite or finish() cuts.
  [[gnu::always_inline]] void put(const std::string& pieces, Piece piece) {
    need(piece.size + kPadding);
    put_in_room(pieces, piece);
  }
  // The same where need() made room for it and its padding already.
  [[gnu::always_inline]] void put_in_room(const std::string& pieces, Piece piece) {
    const char* from = pieces.data() + piece.offset;
    std::memcpy(at_, from, 32);
    for (uint32_t i = 32; i < piece.size; i += 16) [[unlikely]] std::memcpy(at_ + i, from + i, 16);
    at_ += piece.size;
  }

  // A JSON string literal: one copy when nothing needs an escape (the common case).
  void put_string(std::string_view text) {
    size_t clean = clean_prefix(text);
    need(text.size() + 2);
    *at_++ = '"';
    std::memcpy(at_, text.data(), clean);
    at_ += clean;
    if (clean < text.size()) put_escaped(text.substr(clean));
    put('"');
  }

  void put_decimal(Decimal d) {
    char buffer[Decimal::kMaxTextLength];
    char* end = buffer + sizeof(buffer);
    char* begin = d.write_text(end);
    put(std::string_view(begin, static_cast<size_t>(end - begin)));
  }

  // `"YYYY-MM-DD"`, as append_date writes it.
  void put_date(Date date) {
    int year = 0, month = 0, day = 0;
    civil_from_date(date, year, month, day);
    if (year < 0 || year > 9999) {  // never read from input; written the slow way
      std::string text;
      append_date(text, date);
      put('"');
      put(text);
      put('"');
      return;
    }
    need(12);
    char* p = at_;
    p[0] = '"';
    put_digit_pair(p + 1, static_cast<unsigned>(year / 100));
    put_digit_pair(p + 3, static_cast<unsigned>(year % 100));
    p[5] = '-';
    put_digit_pair(p + 6, static_cast<unsigned>(month));
    p[8] = '-';
    put_digit_pair(p + 9, static_cast<unsigned>(day));
    p[11] = '"';
    at_ += 12;
  }

  // Where the result ends in the string.
  size_t finish() const { return static_cast<size_t>(at_ - out_.data()); }

  [[gnu::always_inline]] void need(size_t n) {
    if (static_cast<size_t>(end_ - at_) < n) [[unlikely]] grow(n);
  }

 private:
  // More room: at least n bytes, and as much again as this result so far.
  [[gnu::noinline]] void grow(size_t n) {
    size_t used = static_cast<size_t>(at_ - out_.data());
    out_.resize(used + n + (used - start_) + 64);
    at_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }

  // The rest of a string from its first byte that needs an escape.
  void put_escaped(std::string_view text) {
    need(6 * text.size());  // the longest escape, \u00XX, is 6 bytes
    for (char ch : text) {
      auto c = static_cast<unsigned char>(ch);
      if (!byte_needs_escape(c)) {
        *at_++ = ch;
        continue;
      }
      *at_++ = '\\';
      switch (c) {
        case '"': *at_++ = '"'; break;
        case '\\': *at_++ = '\\'; break;
        case '\n': *at_++ = 'n'; break;
        case '\r': *at_++ = 'r'; break;
        case '\t': *at_++ = 't'; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char escape[5] = {'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          std::memcpy(at_, escape, 5);
          at_ += 5;
        }
      }
    }
  }

  std::string& out_;
  size_t start_;      // where this result begins in out_
  char* at_;          // the next byte to write
  char* end_;         // the end of the room made
};

namespace {

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Symbols and lists of symbols name the domain whose quoted names they print.
uint32_t symbol_domain(const Type& type) {
  bool symbols = type.base == BaseType::symbol || (type.base == BaseType::list && type.element == BaseType::symbol);
  return symbols ? type.domain : kNone;
}

}  // namespace

ResultWriter::Piece ResultWriter::prepare(std::string_view text) {
  Piece piece{static_cast<uint32_t>(pieces_.size()), static_cast<uint32_t>(text.size())};
  pieces_.append(text);
  return piece;
}

ResultWriter::ResultWriter(const Program& p) : quoted_(p.domains.size()), quoted_longest_(p.domains.size(), 0) {
  auto add = [&](std::string_view name, bool from_outputs, uint32_t index, const Type& type) {
    Member m;
    m.prefix = prepare((members_.empty() ? "{" : ",") + quoted(name) + ":");
    m.from_outputs = from_outputs;
    m.index = index;
    m.symbols = symbol_domain(type);
    members_.push_back(m);
  };
  if (p.key_field != kNone) {
    const InputField& key = p.inputs[p.key_field];
    add(key.name, false, key.slot, key.type);
  }
  for (const Decision& d : p.decisions) {
    add(d.name, false, d.slot, p.slots[d.slot].type);
    if (d.primary_slot != kNone) add(p.slots[d.primary_slot].name, false, d.primary_slot, p.slots[d.primary_slot].type);
  }
  for (size_t i = 0; i < p.outputs.size(); ++i) add(p.outputs[i].name, true, static_cast<uint32_t>(i), p.outputs[i].type);
  dropped_open_ = prepare(std::string(members_.empty() ? "{" : ",") + "\"dropped\":[");

  for (const OutputField& output : p.outputs) {
    drop_lists_.push_back({prepare("{\"list\":" + quoted(output.name) + ",\"item\":"), symbol_domain(output.type)});
  }
  for (const Constraint& c : p.constraints) {
    std::vector<Piece>& tails = drop_tails_.emplace_back();
    for (const DropRule& row : c.rows) {
      std::string tail = ",\"constraint\":" + quoted(c.name) + ",\"reason\":";
      write_json_string(row.reason, tail);
      tails.push_back(prepare(tail + "}"));
    }
  }

  // Quoted names only for the domains a result can print.
  auto prepare_domain = [&](uint32_t domain) {
    if (domain == kNone || !quoted_[domain].empty()) return;
    for (const std::string& id : p.domains[domain].ids) {
      Piece with_comma = prepare("," + quoted(id));
      quoted_[domain].push_back({with_comma.offset + 1, with_comma.size - 1});
      quoted_longest_[domain] = std::max(quoted_longest_[domain], with_comma.size);
    }
  };
  for (const Member& m : members_) prepare_domain(m.symbols);
  for (const DropList& list : drop_lists_) prepare_domain(list.symbols);
  // Room for a member's name and, for a symbol, its longest name: one check for both.
  for (Member& m : members_) m.room = m.prefix.size + (m.symbols == kNone ? 0 : quoted_longest_[m.symbols]) + Sink::kPadding;
  pieces_.append(Sink::kPadding, '\0');

  // Room for the constant pieces and a typical value per member; a longer
  // result makes more room as it goes.
  expected_size_ = dropped_open_.size + 2 + 64 + Sink::kPadding;
  for (const Member& m : members_) expected_size_ += m.prefix.size + 24;
}

void ResultWriter::write_value(Sink& sink, uint32_t symbols, const Value& v) const {
  switch (v.kind) {
    case ValueKind::null: sink.put("null"); return;
    case ValueKind::boolean: sink.put(v.boolean ? std::string_view("true") : std::string_view("false")); return;
    case ValueKind::number: sink.put_decimal(v.number); return;
    case ValueKind::string: sink.put_string(v.text); return;
    case ValueKind::date: sink.put_date(v.date); return;
    case ValueKind::symbol: sink.put(pieces_, quoted_[symbols][v.symbol]); return;
    case ValueKind::list:
      if (symbols != kNone) return write_symbols(sink, symbols, v.items);
      sink.put('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) sink.put(',');
        write_value(sink, symbols, v.items[i]);
      }
      sink.put(']');
      return;
  }
}

// A list of symbols: each name with the comma before it in one piece.
void ResultWriter::write_symbols(Sink& sink, uint32_t symbols, const std::vector<Value>& items) const {
  const Piece* const names = quoted_[symbols].data();
  sink.need(items.size() * quoted_longest_[symbols] + 2 + Sink::kPadding);  // room for every name, with its comma
  sink.put('[');
  for (size_t i = 0; i < items.size(); ++i) {
    const Value& item = items[i];
    if (item.kind != ValueKind::symbol) [[unlikely]] {
      if (i) sink.put(',');
      write_value(sink, symbols, item);
      sink.need((items.size() - i) * quoted_longest_[symbols] + 2 + Sink::kPadding);  // room for the rest again
      continue;
    }
    Piece name = names[item.symbol];
    if (i) {
      --name.offset;
      ++name.size;
    }
    sink.put_in_room(pieces_, name);
  }
  sink.put(']');
}

void ResultWriter::write(const Outcome& o, std::string& out) const {
  out.resize(write_at(o, out, out.size(), false));
}

size_t ResultWriter::write_line_at(const Outcome& o, std::string& buffer, size_t used) const {
  return write_at(o, buffer, used, true);
}

size_t ResultWriter::write_at(const Outcome& o, std::string& buffer, size_t used, bool newline) const {
  Sink sink(buffer, used, expected_size_);
  for (const Member& m : members_) {
    sink.need(m.room);
    sink.put_in_room(pieces_, m.prefix);
    const Value& v = m.from_outputs ? o.outputs[m.index] : o.slots[m.index];
    // Symbols and lists of symbols, most of a result, without write_value's
    // switch: each member's branch here goes the same way record after record.
    if (m.symbols != kNone && v.kind == ValueKind::symbol) {
      sink.put_in_room(pieces_, quoted_[m.symbols][v.symbol]);
    } else if (m.symbols != kNone && v.kind == ValueKind::list) {
      write_symbols(sink, m.symbols, v.items);
    } else {
      write_value(sink, m.symbols, v);
    }
  }
  sink.put(pieces_, dropped_open_);
  for (size_t i = 0; i < o.dropped.size(); ++i) {
    const Dropped& d = o.dropped[i];
    if (i) sink.put(',');
    const DropList& list = drop_lists_[d.field];
    sink.put(pieces_, list.head);
    if (list.symbols != kNone && d.item.kind == ValueKind::symbol) sink.put(pieces_, quoted_[list.symbols][d.item.symbol]);
    else write_value(sink, list.symbols, d.item);
    sink.put(pieces_, drop_tails_[d.constraint][d.row]);
  }
  sink.put(newline ? std::string_view("]}\n") : std::string_view("]}"));
  return sink.finish();
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
