#pragma once
// A Python record (a dict of str, int, Decimal, float, bool, None, date, list)
// as the JSON object text the engine reads. Runs with the GIL held.

#include <stdexcept>
#include <string>
#include <string_view>

#include <pybind11/pybind11.h>

namespace segrule::python {

// A value the engine cannot be given: the message names the field.
struct RecordConversionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `text` as a JSON string, escaped exactly as the engine escapes it.
void append_json_string(std::string_view text, std::string& out);

// Looks up decimal.Decimal and datetime.date/datetime once; call at import.
void init_record_json();

// `record` as one JSON object. A str or bytes record is taken as JSON text
// already and returned as is. Throws RecordConversionError for a value that
// has no JSON form (NaN, a set, a datetime with a time...), and
// pybind11::type_error when `record` is neither a dict nor text.
std::string record_to_json(pybind11::handle record);

}  // namespace segrule::python
