// The read-only routes (health, metrics, the rulesets served, the workbench's
// files) and the answers for everything else: 404 and 405 as JSON.

#include <fmt/format.h>

#include "json_body.hpp"
#include "service.hpp"
#include "web_assets.hpp"

namespace segrule::serve {

namespace {

nlohmann::ordered_json status_json(const RulesetStatus& r) {
  return {{"name", r.name},
          {"file", r.file},
          {"title", r.info.title},
          {"version", r.info.version},
          {"effective", r.info.effective},
          {"content_hash", r.info.content_hash},
          {"status", r.ok ? "ok" : "error"},
          {"serving", r.serving},
          {"diagnostics", r.diagnostics},
          {"loaded_at", r.loaded_at}};
}

// The workbench's files: revalidated on every load (no-cache + ETag), so a new
// binary's page is never mixed with an old one's script; no network involved.
void static_file(const httplib::Request& req, httplib::Response& res) {
  const web::Asset* asset = web::find_asset(req.path);
  if (!asset) return send_error(res, 404, fmt::format("nothing at `{}`", req.path));
  std::string etag = fmt::format("\"{:x}\"", std::hash<std::string_view>{}(asset->body));
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

// A path no route answered for this method: 405 when another method would do.
void unmatched(const httplib::Request& req, httplib::Response& res) {
  bool get = route_of("GET", req.path) != Route::other && route_of("GET", req.path) != Route::static_file;
  bool post = route_of("POST", req.path) != Route::other;
  if (get || post) {
    res.set_header("Allow", get ? "GET" : "POST");
    return send_error(res, 405, fmt::format("`{}` takes {} requests, not {}", req.path, get ? "GET" : "POST", req.method));
  }
  send_error(res, 404, fmt::format("no route `{} {}`; see docs/service.md", req.method, req.path));
}

}  // namespace

void install_routes(httplib::Server& server, Service& s) {
  server.Get("/healthz", timed([&s](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, fmt::format("{{\"status\":\"ok\",\"rulesets\":{}}}", s.catalog.size()));
  }));
  server.Get("/metrics", timed([&s](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(s.metrics.render(s.catalog), "text/plain; version=0.0.4; charset=utf-8");
  }));
  server.Get("/v1/rulesets", timed([&s](const httplib::Request&, httplib::Response& res) {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const RulesetStatus& r : s.catalog.list()) all.push_back(status_json(r));
    send_json(res, 200, dump({{"rulesets", std::move(all)}}));
  }));
  server.Get("/v1/rulesets/([^/]+)", timed([&s](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    std::optional<RulesetStatus> r = s.catalog.describe(name);
    if (!r) return send_error(res, 404, fmt::format("no ruleset `{}`; GET /v1/rulesets lists them", name));
    nlohmann::ordered_json entry = status_json(*r);
    entry["text"] = r->text;
    send_json(res, 200, dump(entry));
  }));
  install_evaluate_routes(server, s);
  install_tool_routes(server, s);

  server.Get(".*", timed([](const httplib::Request& req, httplib::Response& res) {
    if (req.path.starts_with("/v1/")) return unmatched(req, res);
    static_file(req, res);
  }));
  server.Post(".*", timed(unmatched));
  server.Put(".*", timed(unmatched));
  server.Delete(".*", timed(unmatched));
  server.Patch(".*", timed(unmatched));
  server.Options(".*", timed(unmatched));
}

}  // namespace segrule::serve
