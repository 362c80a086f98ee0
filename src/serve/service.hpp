#pragma once
// What every route handler shares, and the helpers they answer with.

#include <httplib.h>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "segrule/diagnostic.hpp"

namespace segrule::serve {

struct Service {
  const ServeOptions& options;
  Catalog& catalog;
  Metrics& metrics;
};

// Registers every route of the HTTP contract (docs/service.md) on `server`.
void install_routes(httplib::Server& server, Service& service);
void install_evaluate_routes(httplib::Server& server, Service& service);
void install_tool_routes(httplib::Server& server, Service& service);

// Marks the start of the request being handled on this thread (for its latency).
httplib::Server::Handler timed(httplib::Server::Handler handler);

// Sets a response header named by one of our constants (kept as a std::string, so
// no name is built per request). Like Response::set_header, a value holding CR or
// LF is left out (no header injection); unlike it, the name is not checked again.
void add_header(httplib::Response& res, const std::string& name, std::string_view value);
// A JSON answer: status, body (moved, not copied) and its Content-Type.
void send_json(httplib::Response& res, int status, std::string body);
// `{"error": MESSAGE}` with `status`.
void send_error(httplib::Response& res, int status, std::string_view message);
// A JSON document as text; invalid UTF-8 becomes U+FFFD instead of an exception.
std::string dump(const nlohmann::ordered_json& value);

// The body of a tool route: a JSON object, parsed. On failure answers 400 and returns false.
bool read_object_body(const httplib::Request& req, httplib::Response& res, nlohmann::json& body);

// Optional members of a request object. On a wrong type they answer 400 and return false.
bool optional_string(const nlohmann::json& body, const char* name, std::string& out, httplib::Response& res);
bool required_string(const nlohmann::json& body, const char* name, std::string& out, httplib::Response& res);
bool optional_bool(const nlohmann::json& body, const char* name, bool& out, httplib::Response& res);
// `as_of` given as a query parameter: a valid date, else 400.
bool take_as_of(std::string_view text, std::string& out, httplib::Response& res);
// `as_of` as an optional body member: absent or null keeps `out`; otherwise a valid date, else 400.
bool optional_as_of(const nlohmann::json& body, std::string& out, httplib::Response& res);

// Diagnostics as the JSON the contract gives them: severity, code, message,
// help, notes, line, column, end_line, end_column. `text` is the source they
// point into (the end position is computed from it).
nlohmann::ordered_json diagnostics_json(const Diagnostics& diagnostics, std::string_view text);

}  // namespace segrule::serve
