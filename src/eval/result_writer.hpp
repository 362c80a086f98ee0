#pragma once
// Results and error entries as JSON text, exactly as LANGUAGE.md §7 lays them
// out: key, decisions in file order (with NAME_primary), outputs, dropped.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/evaluator.hpp"

namespace segrule {

// Writes the results of one Program. Every constant piece of a result (member
// names, each symbol already quoted, the fixed parts of each dropped entry) is
// prepared once, so writing a result is a few copies of prepared pieces plus
// the record's own strings, numbers and dates. Immutable once built: threads
// evaluating the same Program can share one. Keeps no reference to the Program.
class ResultWriter {
 public:
  explicit ResultWriter(const Program& program);

  // Appends one result object (no newline), the same bytes as write_result.
  void write(const Outcome& outcome, std::string& out) const;
  // Writes one result object and a newline at buffer[used...] and returns
  // where they end. The buffer is grown when short, never shrunk: its bytes
  // past the end returned are room for the next result (a buffer kept from
  // record to record is zeroed once, not per record as appending would).
  size_t write_line_at(const Outcome& outcome, std::string& buffer, size_t used) const;

 private:
  // A prepared piece of text: bytes [offset, offset + size) of pieces_.
  struct Piece {
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  // One member of the result object before `dropped`.
  struct Member {
    Piece prefix;               // `{"id":` for the first member, `,"value_tier":` after
    bool from_outputs = false;  // the value is outcome.outputs[index], else outcome.slots[index]
    uint32_t index = 0;
    uint32_t symbols = kNone;   // symbols or lists of symbols: their domain, for quoted_
    uint32_t room = 0;          // for the prefix and a symbol's longest name, with the padding
  };
  // The fixed part of a dropped entry before its item.
  struct DropList {
    Piece head;  // `{"list":"offers","item":`
    uint32_t symbols = kNone;
  };

  class Sink;
  Piece prepare(std::string_view text);
  void write_value(Sink& sink, uint32_t symbols, const Value& value) const;
  void write_symbols(Sink& sink, uint32_t symbols, const std::vector<Value>& items) const;
  size_t write_at(const Outcome& outcome, std::string& buffer, size_t used, bool newline) const;

  std::string pieces_;  // every prepared piece, then padding: pieces are copied 16 bytes at a time
  std::vector<Member> members_;
  Piece dropped_open_;                           // `,"dropped":[` (`{"dropped":[` when no member is before it)
  std::vector<DropList> drop_lists_;             // per output field
  std::vector<std::vector<Piece>> drop_tails_;   // per constraint, per row: `,"constraint":"c","reason":"r"}`
  // Per domain a result prints, per symbol: `"gold"`, prepared as `,"gold"`
  // so that the piece one byte earlier is the same name after a comma.
  std::vector<std::vector<Piece>> quoted_;
  std::vector<uint32_t> quoted_longest_;  // per domain: its longest name with the comma
  size_t expected_size_ = 0;  // first room made for a result; more is made when needed
};

// Appends one result object (no newline), one piece at a time: for callers
// that write a result now and then (explain, check's counterexamples). Callers
// that write many keep a ResultWriter. This plain writer is the reference the
// ResultWriter is tested against: keep it plain.
void write_result(const Program& program, const Outcome& outcome, std::string& out);

// Appends one value as JSON, by its static type.
void write_value(const Program& program, const Type& type, const Value& value, std::string& out);

// Appends `{"line": N, "key": "...", "error": "..."}` (key only when known).
void write_error(size_t line, const std::optional<std::string>& key, std::string_view message, std::string& out);

// Adds `"name":json` as the last member of the object that ends `object`
// (a result or an error entry): `eval --explain` adds its `explain` this way.
void add_member(std::string& object, std::string_view name, std::string_view json);

// Appends a JSON string literal.
void write_json_string(std::string_view text, std::string& out);

}  // namespace segrule
