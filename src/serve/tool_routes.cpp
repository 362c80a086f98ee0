// The analyst's tools over HTTP, each the library call the command makes, so
// the answers are the command's by construction: check, diff, impact, test.

#include <sstream>

#include <fmt/format.h>

#include "json_body.hpp"
#include "segrule/tools.hpp"
#include "service.hpp"

namespace segrule::serve {

namespace {

// POST /v1/check {"rules", "name", "analysis"}
void check(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json body;
  if (!read_object_body(req, res, body)) return;
  std::string text, name = "rules.seg";
  CheckOptions options;
  if (!required_string(body, "rules", text, res) || !optional_string(body, "name", name, res) ||
      !optional_bool(body, "analysis", options.analysis, res))
    return;
  CheckResult result = check_rules({text, name}, options);
  nlohmann::ordered_json out = {{"compiles", result.compiles},
                                {"errors", result.errors},
                                {"warnings", result.warnings},
                                {"diagnostics", diagnostics_json(result.diagnostics, text)},
                                {"rendered", result.rendered}};
  send_json(res, 200, dump(out));
}

// Two rule texts of a diff or an impact request: {"old", "new", "old_name", "new_name"}.
struct Versions {
  std::string old_text, new_text, old_name = "old.seg", new_name = "new.seg";
  bool read(const nlohmann::json& body, httplib::Response& res) {
    return required_string(body, "old", old_text, res) && required_string(body, "new", new_text, res) &&
           optional_string(body, "old_name", old_name, res) && optional_string(body, "new_name", new_name, res);
  }
};

void versions_failed(httplib::Response& res, const Versions& v, const Diagnostics& old_diagnostics,
                     const std::string& old_rendered, const Diagnostics& new_diagnostics, const std::string& new_rendered) {
  nlohmann::ordered_json out = {{"ok", false},
                                {"old_diagnostics", diagnostics_json(old_diagnostics, v.old_text)},
                                {"new_diagnostics", diagnostics_json(new_diagnostics, v.new_text)},
                                {"old_rendered", old_rendered},
                                {"new_rendered", new_rendered}};
  send_json(res, 200, dump(out));
}

// POST /v1/diff {"old", "new"} -> the `segrule diff --json` document.
void diff(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json body;
  Versions v;
  if (!read_object_body(req, res, body) || !v.read(body, res)) return;
  DiffOptions options;
  options.json = true;
  DiffResult result = diff_rules({v.old_text, v.old_name}, {v.new_text, v.new_name}, options);
  if (!result.ok)
    return versions_failed(res, v, result.old_diagnostics, result.old_rendered, result.new_diagnostics, result.new_rendered);
  send_json(res, 200, std::move(result.report));
}

// POST /v1/impact {"old", "new", "records": JSONL text or an array of objects, "as_of", "input_name"}
// -> the `segrule impact --json` document.
void impact_route(Service& s, const httplib::Request& req, httplib::Response& res) {
  nlohmann::json body;
  Versions v;
  if (!read_object_body(req, res, body) || !v.read(body, res)) return;
  ImpactRequest request;
  request.report = ReportFormat::json;
  request.input_name = "records";
  request.as_of = s.options.as_of;
  if (!optional_as_of(body, request.as_of, res) || !optional_string(body, "input_name", request.input_name, res)) return;
  std::string records;
  auto member = body.find("records");
  if (member != body.end() && member->is_string()) {
    records = member->get<std::string>();
    request.format = InputFormat::jsonl;
  } else if (member != body.end() && member->is_array()) {
    records = std::string(*json_member(req.body, "records"));  // the text sent: amounts stay exact
    request.format = InputFormat::json;
  } else {
    return send_error(res, 400, "the request needs `records`: JSON Lines text, or an array of records");
  }
  CompileResult old_rules = Ruleset::compile(v.old_text, v.old_name);
  CompileResult new_rules = Ruleset::compile(v.new_text, v.new_name);
  if (!old_rules || !new_rules)
    return versions_failed(res, v, old_rules.diagnostics, old_rules.rendered, new_rules.diagnostics, new_rules.rendered);
  std::istringstream input(std::move(records));
  ImpactResult result = impact(*old_rules.ruleset, *new_rules.ruleset, input, request);
  if (!result.ok) return send_error(res, 400, result.error);
  send_json(res, 200, std::move(result.report));
}

// POST /v1/test {"rules", "cases": YAML text, "min_coverage", "name", "cases_name"}
void test(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json body;
  if (!read_object_body(req, res, body)) return;
  std::string rules_text, cases_text, name = "rules.seg", cases_name = "cases.yaml";
  CaseRunOptions options;
  if (!required_string(body, "rules", rules_text, res) || !required_string(body, "cases", cases_text, res) ||
      !optional_string(body, "name", name, res) || !optional_string(body, "cases_name", cases_name, res))
    return;
  if (auto it = body.find("min_coverage"); it != body.end() && !it->is_null()) {
    options.min_coverage = it->is_string() ? it->get<std::string>() : it->dump();
    if (!(it->is_string() || it->is_number()) || !is_percentage(options.min_coverage))
      return send_error(res, 400, fmt::format("`min_coverage` must be a percentage from 0 to 100, not {}", it->dump()));
  }
  CompileResult compiled = Ruleset::compile(rules_text, name);
  nlohmann::ordered_json out;
  if (!compiled) {
    out = {{"ok", false},         {"compiles", false}, {"valid", false},
           {"passed", 0},         {"failed", 0},       {"below_min_coverage", false},
           {"report", ""},        {"diagnostics", diagnostics_json(compiled.diagnostics, rules_text)},
           {"rendered", compiled.rendered}};
    return send_json(res, 200, dump(out));
  }
  CaseRunResult run = run_case_file(*compiled.ruleset, {cases_text, cases_name}, options);
  out = {{"ok", run.success()},
         {"compiles", true},
         {"valid", run.ok},
         {"passed", run.passed},
         {"failed", run.failed},
         {"below_min_coverage", run.below_min_coverage},
         {"report", run.report},
         {"diagnostics", diagnostics_json(run.diagnostics, cases_text)},
         {"rendered", run.rendered}};
  send_json(res, 200, dump(out));
}

}  // namespace

void install_tool_routes(httplib::Server& server, Service& s) {
  server.Post("/v1/check", timed(check));
  server.Post("/v1/diff", timed(diff));
  server.Post("/v1/impact", timed([&s](const httplib::Request& req, httplib::Response& res) { impact_route(s, req, res); }));
  server.Post("/v1/test", timed(test));
}

}  // namespace segrule::serve
