// Python values to JSON text for the engine. Numbers travel as their decimal
// text so the engine reads them exactly: an int by its digits, a Decimal by
// str(), a float by repr() (the shortest text that reads back as the same
// double, so 0.1 arrives as 0.1). Dates become "YYYY-MM-DD".

#include "record_json.hpp"

#include <string_view>

#include <fmt/format.h>

namespace py = pybind11;

namespace segrule::python {

namespace {

// Borrowed for the life of the interpreter: set by init_record_json().
PyObject* decimal_type = nullptr;
PyObject* date_type = nullptr;
PyObject* datetime_type = nullptr;

// Lists inside lists: deep enough for any real record, shallow enough that a
// list that contains itself stops with an error instead of the stack.
constexpr int kMaxDepth = 64;

}  // namespace

void append_json_string(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  out += '"';
}

namespace {

std::string_view utf8_of(py::handle text, std::string_view field) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    throw RecordConversionError(fmt::format("field `{}`: the text is not valid Unicode (a lone surrogate?)", field));
  }
  return {data, static_cast<size_t>(size)};
}

std::string type_name(py::handle value) { return py::str(py::type::handle_of(value).attr("__name__")); }

void append_value(py::handle value, std::string_view field, int depth, std::string& out);

void append_object(py::handle mapping, std::string_view field, int depth, std::string& out) {
  out += '{';
  bool first = true;
  for (auto item : py::reinterpret_borrow<py::dict>(mapping)) {
    if (!PyUnicode_Check(item.first.ptr()))
      throw RecordConversionError(fmt::format("{}member names must be strings, not {} `{}`",
                                              field.empty() ? "" : fmt::format("field `{}`: ", field),
                                              type_name(item.first), std::string(py::repr(item.first))));
    std::string_view name = utf8_of(item.first, field);
    if (!first) out += ',';
    first = false;
    append_json_string(name, out);
    out += ':';
    append_value(item.second, field.empty() ? name : field, depth + 1, out);
  }
  out += '}';
}

void append_value(py::handle value, std::string_view field, int depth, std::string& out) {
  if (depth > kMaxDepth)
    throw RecordConversionError(fmt::format("field `{}`: nested more than {} levels deep (does a list contain itself?)", field, kMaxDepth));
  PyObject* p = value.ptr();
  if (p == Py_None) {
    out += "null";
  } else if (PyBool_Check(p)) {  // before int: bool is an int in Python
    out += p == Py_True ? "true" : "false";
  } else if (PyLong_Check(p)) {
    out += std::string(py::str(value));
  } else if (PyObject_IsInstance(p, decimal_type) == 1) {
    if (!value.attr("is_finite")().cast<bool>())
      throw RecordConversionError(fmt::format("field `{}`: {} is not a number the engine can read; use None for a missing value",
                                              field, std::string(py::repr(value))));
    out += std::string(py::str(value));
  } else if (PyFloat_Check(p)) {
    double d = PyFloat_AS_DOUBLE(p);
    if (d != d || d - d != 0)  // NaN or an infinity
      throw RecordConversionError(fmt::format("field `{}`: {} is not a number the engine can read; use None for a missing value "
                                              "(pandas writes NaN for missing cells)", field, std::string(py::repr(value))));
    out += std::string(py::repr(value));
  } else if (PyUnicode_Check(p)) {
    append_json_string(utf8_of(value, field), out);
  } else if (PyObject_IsInstance(p, datetime_type) == 1) {
    throw RecordConversionError(fmt::format("field `{}`: a datetime has a time of day; pass a date (`value.date()`)", field));
  } else if (PyObject_IsInstance(p, date_type) == 1) {
    append_json_string(std::string(py::str(value.attr("isoformat")())), out);
  } else if (PyList_Check(p) || PyTuple_Check(p)) {
    out += '[';
    bool first = true;
    for (auto item : value) {
      if (!first) out += ',';
      first = false;
      append_value(item, field, depth + 1, out);
    }
    out += ']';
  } else if (PyDict_Check(p)) {
    append_object(value, field, depth, out);
  } else if (PyIndex_Check(p)) {  // integer types of other libraries (numpy.int64)
    py::object whole = py::reinterpret_steal<py::object>(PyNumber_Index(p));
    if (!whole) throw py::error_already_set();
    out += std::string(py::str(whole));
  } else {
    throw RecordConversionError(fmt::format("field `{}`: a {} value cannot be read; use str, int, Decimal, float, bool, None, "
                                            "datetime.date or a list of these", field, type_name(value)));
  }
}

}  // namespace

void init_record_json() {
  decimal_type = py::object(py::module_::import("decimal").attr("Decimal")).release().ptr();
  py::module_ datetime = py::module_::import("datetime");
  date_type = py::object(datetime.attr("date")).release().ptr();
  datetime_type = py::object(datetime.attr("datetime")).release().ptr();
}

std::string record_to_json(py::handle record) {
  if (PyUnicode_Check(record.ptr())) return std::string(utf8_of(record, "<record>"));
  if (PyBytes_Check(record.ptr())) return std::string(py::reinterpret_borrow<py::bytes>(record));
  if (!PyDict_Check(record.ptr()))
    throw py::type_error(fmt::format("a record is a dict (or its JSON text), not {}", type_name(record)));
  std::string out;
  append_object(record, "", 0, out);
  return out;
}

}  // namespace segrule::python
