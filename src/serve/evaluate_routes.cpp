// Evaluation over HTTP: records against a ruleset the service loaded
// (POST /v1/rulesets/{name}/evaluate), or against rule text sent with them
// (POST /v1/evaluate, the workbench's). Results are the text the engine wrote,
// exactly as `segrule eval` prints them; a record that cannot be evaluated is
// an error entry in its place, never a failed request.

#include <fmt/format.h>

#include "json_body.hpp"
#include "segrule/tools.hpp"
#include "service.hpp"

namespace segrule::serve {

namespace {

// One record's entry: the result object, or {"key": KEY or null, "error": MESSAGE},
// with its `explain` member when asked for, as `eval --explain` gives error entries one.
// A result is moved, not copied, when it is the whole answer.
void append_entry(const Ruleset& rules, std::string_view record, RecordResult& result, const EvalOptions& options,
                  std::string& out) {
  if (result.ok) {
    if (out.empty()) out = std::move(result.json);
    else out += result.json;
    return;
  }
  out += "{\"key\":";
  out += result.key ? json_quote(*result.key) : "null";
  out += ",\"error\":";
  out += json_quote(result.error);
  if (options.explain) {
    std::string explain = rules.explain(record, options, true);
    // Ruleset::explain's document ends with its `result` (null for a rejected
    // record); `eval --explain` gives an error entry the account without it.
    constexpr std::string_view kNoResult = ",\"result\":null}";
    out += ",\"explain\":";
    if (explain.ends_with(kNoResult)) {
      out.append(explain, 0, explain.size() - kNoResult.size());
      out += '}';
    } else {
      out += explain;
    }
  }
  out += '}';
}

// The records of a body part: one object, or the elements of an array.
// Returns false (and answers 400) for anything else.
bool split_records(std::string_view records, bool& single, std::vector<std::string_view>& out, httplib::Response& res,
                   std::string_view what) {
  char kind = json_kind(records);
  if (kind != '{' && kind != '[') {
    send_error(res, 400, fmt::format("{} must be one record (a JSON object) or an array of records", what));
    return false;
  }
  single = kind == '{';
  if (single) out.push_back(records);
  else out = json_array_elements(records);
  return true;
}

// Evaluates every record with one version, so a response never mixes two.
std::string evaluate_all(const Ruleset& rules, const std::vector<std::string_view>& records, bool single,
                         const EvalOptions& options, Metrics& metrics) {
  std::string out;
  out.reserve(records.size() * 512);
  if (!single) out += '[';
  uint64_t errors = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ',';
    RecordResult result = rules.evaluate(records[i], options);
    errors += !result.ok;
    append_entry(rules, records[i], result, options, out);
  }
  if (!single) out += ']';
  metrics.records(records.size(), errors);
  return out;
}

void evaluate_ruleset(Service& s, const httplib::Request& req, httplib::Response& res) {
  std::string name = req.matches[1];
  std::shared_ptr<const Engine> engine = s.catalog.find(name);
  if (!engine) {
    std::optional<RulesetStatus> known = s.catalog.describe(name);
    if (known) return send_error(res, 404, fmt::format("ruleset `{}` does not compile, so there is nothing to evaluate; GET /v1/rulesets/{} shows why", name, name));
    return send_error(res, 404, fmt::format("no ruleset `{}`; GET /v1/rulesets lists them", name));
  }
  EvalOptions options;
  options.as_of = s.options.as_of;
  if (req.has_param("explain")) {
    std::string explain = req.get_param_value("explain");
    if (explain != "true" && explain != "false" && explain != "1" && explain != "0")
      return send_error(res, 400, fmt::format("`explain` must be true or false, not `{}`", explain));
    options.explain = explain == "true" || explain == "1";
  }
  if (req.has_param("as_of") && !take_as_of(req.get_param_value("as_of"), options.as_of, res)) return;

  Ruleset rules = engine->current();  // once: every record of this request sees this version
  auto version_headers = [&] {
    static const std::string kRuleset = "X-Segrule-Ruleset", kVersion = "X-Segrule-Version",
                             kContentHash = "X-Segrule-Content-Hash";
    add_header(res, kRuleset, rules.info().name);
    add_header(res, kVersion, rules.info().version);
    add_header(res, kContentHash, rules.info().content_hash);
  };
  std::string error;
  if (json_kind(req.body) == '{') {
    // One record, the common case, without a separate JSON check: the engine
    // reads records as strict JSON, so a record it evaluates was JSON. Only a
    // record it rejects is checked, to tell a body that is not JSON (400) from
    // a record error (an entry in a 200).
    RecordResult result = rules.evaluate(req.body, options);
    if (!result.ok && !check_json(req.body, error)) return send_error(res, 400, "the request body is not JSON: " + error);
    std::string out;
    append_entry(rules, req.body, result, options, out);
    s.metrics.records(1, result.ok ? 0 : 1);
    version_headers();
    return send_json(res, 200, std::move(out));
  }
  if (!check_json(req.body, error)) return send_error(res, 400, "the request body is not JSON: " + error);
  bool single = true;
  std::vector<std::string_view> records;
  if (!split_records(req.body, single, records, res, "the request body")) return;
  version_headers();
  send_json(res, 200, evaluate_all(rules, records, single, options, s.metrics));
}

// POST /v1/evaluate {"rules", "records", "explain", "as_of", "name"}.
void evaluate_text(Service& s, const httplib::Request& req, httplib::Response& res) {
  nlohmann::json body;
  if (!read_object_body(req, res, body)) return;
  std::string rules_text, name = "rules.seg";
  EvalOptions options;
  options.as_of = s.options.as_of;
  if (!required_string(body, "rules", rules_text, res) || !optional_string(body, "name", name, res) ||
      !optional_bool(body, "explain", options.explain, res) || !optional_as_of(body, options.as_of, res))
    return;
  std::optional<std::string_view> records_text = json_member(req.body, "records");
  if (!records_text) return send_error(res, 400, "the request needs `records`: a record (JSON object) or an array of them");
  bool single = true;
  std::vector<std::string_view> records;
  if (!split_records(*records_text, single, records, res, "`records`")) return;

  CompileResult compiled = Ruleset::compile(rules_text, name);
  if (!compiled) {
    nlohmann::ordered_json failed = {{"ok", false},
                                     {"diagnostics", diagnostics_json(compiled.diagnostics, rules_text)},
                                     {"rendered", compiled.rendered}};
    return send_json(res, 200, dump(failed));
  }
  const Ruleset& rules = *compiled.ruleset;
  std::string out = "{\"ok\":true,\"results\":";
  std::string results = evaluate_all(rules, records, false, options, s.metrics);
  out += results;
  if (options.explain) {
    out += ",\"accounts\":[";
    EvalOptions account_options = options;
    account_options.explain = false;
    for (size_t i = 0; i < records.size(); ++i) {
      if (i) out += ',';
      Explanation account = explain_record(rules, records[i], account_options, false);
      out += json_quote(account.ok ? account.account : account.error);
    }
    out += ']';
  }
  out += '}';
  send_json(res, 200, std::move(out));
}

}  // namespace

void install_evaluate_routes(httplib::Server& server, Service& s) {
  server.Post("/v1/rulesets/([^/]+)/evaluate",
              timed([&s](const httplib::Request& req, httplib::Response& res) { evaluate_ruleset(s, req, res); }));
  server.Post("/v1/evaluate", timed([&s](const httplib::Request& req, httplib::Response& res) { evaluate_text(s, req, res); }));
}

}  // namespace segrule::serve
