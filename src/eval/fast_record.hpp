#pragma once
// The fast path for reading one JSON Lines record: scans the text once and
// writes each declared field straight into its input slot, with no JSON tree,
// no per-key strings and no allocation once the slots have capacity.
//
// It accepts only what record_from_json accepts and stores exactly what it
// stores. Anything it does not handle (an escape in a string, an error of any
// kind, a record too deep or with too many keys for its fixed buffers) makes
// it answer false, and the caller runs record_from_json, which gives the
// exact error message:
//
//   if (!reader.read(text, limits, slots)) ok = record_from_json(p, text, limits, slots, problem);

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "check/program.hpp"
#include "eval/record.hpp"

namespace segrule {

// Open-addressing table of names -> indices, looked up by string_view without
// building a std::string. The names are views into the Program, which must
// outlive the table.
class NameTable {
 public:
  void add(std::string_view name, uint32_t value);
  // kNone when absent.
  uint32_t find(std::string_view name) const;
  // The same, faster for short names when the bytes up to `readable_end` may be read past the name.
  uint32_t find(std::string_view name, const char* readable_end) const;

 private:
  struct Entry {
    const char* name = nullptr;
    uint32_t size = 0;
    uint32_t value = kNone;  // kNone: empty entry
    uint64_t word[2] = {0, 0};  // the first 16 bytes of the name, zero-padded
  };
  void grow();
  std::vector<Entry> entries_;
  size_t count_ = 0;
};

// Built once per Program (immutable, shared by threads).
class FastRecordReader {
 public:
  explicit FastRecordReader(const Program& program);

  // Fills the input slots of `slots` (sized program.slots.size()) from one JSON object record.
  // Returns true only when the record is valid and its values are exactly what
  // record_from_json would store; false for anything else, and then `slots` may be partly
  // written and the caller runs record_from_json.
  bool read(std::string_view text, const RecordLimits& limits, std::vector<Value>& slots) const;

  // Any record: read() first, then record_from_json for what it hands back, which
  // fills `problem` when the record does not fit. `fast` (optional) says which read it.
  bool read_or_fall_back(std::string_view text, const RecordLimits& limits, std::vector<Value>& slots,
                         RecordProblem& problem, bool* fast = nullptr) const;

  // The fast path needs a bit per input field on the stack; larger schemas always fall back.
  static constexpr size_t kMaxFields = 1024;

 private:
  // One declared field, with what reading its value needs at hand.
  struct Field {
    const InputField* input = nullptr;
    BaseType base = BaseType::error;
    BaseType element = BaseType::error;      // lists: the items' type
    const NameTable* symbols = nullptr;      // symbols and lists of symbols: the domain's values
    uint32_t slot = kNone;
    // The name and its closing quote as masked 8-byte words (up to 32 bytes), for matching the
    // key expected next without a lookup; match_size 0 when the name is too long
    // or holds a character that JSON would need escaped.
    static constexpr size_t kMatchWords = 4;
    uint64_t match_word[kMatchWords] = {};
    uint64_t match_mask[kMatchWords] = {};
    uint32_t match_size = 0;
    ptrdiff_t match_reach = 0;  // bytes the compare reads from the opening quote
  };
  friend class FastRecordScanner;  // fast_record.cpp: reads one record

  const Program& program_;
  std::vector<Field> fields_;               // by input index
  NameTable field_names_;                   // name -> input index
  std::vector<NameTable> domain_values_;    // by domain index; filled for domains of inputs only
};

}  // namespace segrule
