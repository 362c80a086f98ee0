#include "explain/record_lookup.hpp"

#include <optional>
#include <string>

#include "eval/jsonl.hpp"

namespace segrule {

namespace {

// The key member's text of one JSON record, when the record parses.
std::optional<std::string> json_key(const Program& p, std::string_view text, const RecordLimits& limits) {
  auto parsed = parse_json(text, JsonLimits{limits.max_depth, limits.max_record_bytes});
  const JsonValue* object = std::get_if<JsonValue>(&parsed);
  if (!object || object->kind != JsonKind::object) return std::nullopt;
  const JsonValue* k = object->find(p.inputs[p.key_field].name);
  if (!k || (k->kind != JsonKind::string && k->kind != JsonKind::number)) return std::nullopt;
  return k->text;
}

}  // namespace

FoundRecord find_record(const Program& p, std::string_view input, InputFormat format, std::string_view key,
                        const RecordLimits& limits, std::vector<Value>& slots) {
  FoundRecord found;
  if (p.key_field == kNone) return found;
  if (input.substr(0, 3) == "\xEF\xBB\xBF") input.remove_prefix(3);

  // Counts one record with this key; the first is read into the slots.
  auto take_json = [&](std::string_view text, size_t line) {
    auto k = json_key(p, text, limits);
    if (!k) {
      ++found.unreadable;
      return;
    }
    if (*k != key) return;
    if (found.matches++ > 0) return;
    found.found = true;
    found.line = line;
    found.fits = record_from_json(p, text, limits, slots, found.problem);
  };

  if (format == InputFormat::csv) {
    CsvReader reader(input);
    std::vector<CsvCell> header, cells;
    std::optional<CsvError> error;
    if (!reader.next_row(header, error) || error) return found;
    CsvColumns columns = csv_columns(p, header);
    uint32_t key_column = columns.column_of_field[p.key_field];
    while (reader.next_row(cells, error)) {
      if (error || key_column == kNone || key_column >= cells.size()) {
        ++found.unreadable;
        continue;
      }
      if (cells[key_column].text != key || found.matches++ > 0) continue;
      found.found = true;
      found.line = reader.line();
      found.fits = record_from_csv(p, columns, cells, slots, found.problem);
    }
    return found;
  }

  if (format == InputFormat::json) {
    size_t line = 1, counted_to = 0;
    auto error = split_json_array(input, [&](std::string_view element, size_t offset) {
      for (; counted_to < offset; ++counted_to) line += input[counted_to] == '\n';
      take_json(element, line);
    });
    if (error) ++found.unreadable;
    return found;
  }

  for_each_jsonl_line(input, take_json);
  return found;
}

}  // namespace segrule
