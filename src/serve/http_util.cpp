// Helpers shared by the route handlers: answers, request members, diagnostics.

#include <fmt/format.h>

#include "json_body.hpp"
#include "segrule/tools.hpp"
#include "service.hpp"

namespace segrule::serve {

void add_header(httplib::Response& res, const std::string& name, std::string_view value) {
  for (char c : value)
    if (c == '\r' || c == '\n') return;
  res.headers.emplace(name, value);
}

void send_json(httplib::Response& res, int status, std::string body) {
  // What Response::set_content does, without its copy of the body (it takes a const
  // reference) and with the header built once instead of per request.
  static const std::string kContentType = "Content-Type", kJson = "application/json; charset=utf-8";
  res.status = status;
  res.body = std::move(body);
  res.headers.erase(kContentType);
  add_header(res, kContentType, kJson);
}

void send_error(httplib::Response& res, int status, std::string_view message) {
  send_json(res, status, fmt::format("{{\"error\":{}}}", json_quote(message)));
}

std::string dump(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool read_object_body(const httplib::Request& req, httplib::Response& res, nlohmann::json& body) {
  std::string error;
  if (!check_json(req.body, error)) {
    send_error(res, 400, "the request body is not JSON: " + error);
    return false;
  }
  if (json_kind(req.body) != '{') {
    send_error(res, 400, "the request body must be a JSON object");
    return false;
  }
  body = nlohmann::json::parse(req.body);  // checked: no exception, bounded depth
  return true;
}

namespace {

bool wrong_type(httplib::Response& res, const char* name, const char* wanted) {
  send_error(res, 400, fmt::format("`{}` must be {}", name, wanted));
  return false;
}

}  // namespace

bool optional_string(const nlohmann::json& body, const char* name, std::string& out, httplib::Response& res) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string()) return wrong_type(res, name, "a string");
  out = it->get<std::string>();
  return true;
}

bool required_string(const nlohmann::json& body, const char* name, std::string& out, httplib::Response& res) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    send_error(res, 400, fmt::format("the request needs `{}`", name));
    return false;
  }
  if (!it->is_string()) return wrong_type(res, name, "a string");
  out = it->get<std::string>();
  return true;
}

bool optional_bool(const nlohmann::json& body, const char* name, bool& out, httplib::Response& res) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_boolean()) return wrong_type(res, name, "true or false");
  out = it->get<bool>();
  return true;
}

bool take_as_of(std::string_view text, std::string& out, httplib::Response& res) {
  if (!is_valid_date(text)) {
    send_error(res, 400, fmt::format("`as_of` must be a date YYYY-MM-DD, not `{}`", text));
    return false;
  }
  out = std::string(text);
  return true;
}

bool optional_as_of(const nlohmann::json& body, std::string& out, httplib::Response& res) {
  auto it = body.find("as_of");
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string()) return wrong_type(res, "as_of", "a date YYYY-MM-DD");
  return take_as_of(it->get<std::string>(), out, res);
}

namespace {

// Line and column (1-based, columns in characters) of a byte offset, the way
// `segrule check` counts them: a byte order mark is not a column.
std::pair<uint32_t, uint32_t> position_of(std::string_view text, uint32_t offset) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  if (line == 1 && text.starts_with("\xEF\xBB\xBF")) line_start = std::min<size_t>(3, offset);
  uint32_t column = 1;
  for (size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return {line, column};
}

}  // namespace

nlohmann::ordered_json diagnostics_json(const Diagnostics& diagnostics, std::string_view text) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const Diagnostic& d : diagnostics) {
    auto [end_line, end_column] = d.line == 0 ? std::pair<uint32_t, uint32_t>{0, 0}
                                              : position_of(text, std::max(d.span.end, d.span.begin));
    all.push_back({{"severity", d.severity == Severity::error ? "error" : "warning"},
                   {"code", d.code},
                   {"message", d.message},
                   {"help", d.help},
                   {"notes", d.notes},
                   {"line", d.line},
                   {"column", d.column},
                   {"end_line", end_line},
                   {"end_column", end_column}});
  }
  return all;
}

}  // namespace segrule::serve
