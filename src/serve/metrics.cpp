#include "metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace segrule::serve {

namespace {

constexpr std::array<std::string_view, kRouteCount> kRouteLabels{
    "/healthz", "/metrics",       "/v1/rulesets", "/v1/rulesets/{name}", "/v1/rulesets/{name}/evaluate",
    "/v1/evaluate", "/v1/check", "/v1/diff", "/v1/impact", "/v1/test", "static", "other"};

// A label value with `\`, `"` and newlines escaped, as the text format requires.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string_view route_label(Route route) { return kRouteLabels[static_cast<size_t>(route)]; }

Route route_of(std::string_view method, std::string_view path) {
  if (method == "GET" || method == "HEAD") {
    if (path == "/healthz") return Route::healthz;
    if (path == "/metrics") return Route::metrics;
    if (path == "/v1/rulesets") return Route::rulesets;
    if (path.starts_with("/v1/rulesets/") && path.find('/', 13) == std::string_view::npos) return Route::ruleset;
    if (!path.starts_with("/v1/")) return Route::static_file;
    return Route::other;
  }
  if (method == "POST") {
    if (path.starts_with("/v1/rulesets/") && path.ends_with("/evaluate")) return Route::ruleset_evaluate;
    if (path == "/v1/evaluate") return Route::evaluate;
    if (path == "/v1/check") return Route::check;
    if (path == "/v1/diff") return Route::diff;
    if (path == "/v1/impact") return Route::impact;
    if (path == "/v1/test") return Route::test;
  }
  return Route::other;
}

void Metrics::request(Route route, int status, double seconds) {
  RouteCounters& r = routes_[static_cast<size_t>(route)];
  r.by_status[std::clamp(status, 0, 599)].fetch_add(1, std::memory_order_relaxed);
  if (seconds < 0) return;
  size_t bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin();
  r.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  r.timed.fetch_add(1, std::memory_order_relaxed);
  r.micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::records(uint64_t evaluated, uint64_t errors) {
  records_evaluated_.fetch_add(evaluated, std::memory_order_relaxed);
  record_errors_.fetch_add(errors, std::memory_order_relaxed);
}

std::string Metrics::render(const Catalog& catalog) const {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line("# HELP segrule_http_requests_total HTTP requests answered, by route and status.");
  line("# TYPE segrule_http_requests_total counter");
  for (size_t i = 0; i < kRouteCount; ++i)
    for (size_t status = 0; status < routes_[i].by_status.size(); ++status)
      if (uint64_t n = routes_[i].by_status[status].load(std::memory_order_relaxed))
        line(fmt::format("segrule_http_requests_total{{route=\"{}\",status=\"{}\"}} {}", kRouteLabels[i], status, n));

  line("# HELP segrule_http_request_duration_seconds Time from a request's handler starting to its response, by route.");
  line("# TYPE segrule_http_request_duration_seconds histogram");
  for (size_t i = 0; i < kRouteCount; ++i) {
    const RouteCounters& r = routes_[i];
    uint64_t count = r.timed.load(std::memory_order_relaxed);
    if (count == 0) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      line(fmt::format("segrule_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}", kRouteLabels[i],
                       kBuckets[b], cumulative));
    }
    cumulative += r.buckets.back().load(std::memory_order_relaxed);
    line(fmt::format("segrule_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}", kRouteLabels[i],
                     cumulative));
    line(fmt::format("segrule_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}", kRouteLabels[i],
                     static_cast<double>(r.micros.load(std::memory_order_relaxed)) / 1e6));
    line(fmt::format("segrule_http_request_duration_seconds_count{{route=\"{}\"}} {}", kRouteLabels[i], cumulative));
  }

  line("# HELP segrule_records_evaluated_total Records evaluated (results and record errors).");
  line("# TYPE segrule_records_evaluated_total counter");
  line(fmt::format("segrule_records_evaluated_total {}", records_evaluated_.load(std::memory_order_relaxed)));
  line("# HELP segrule_record_errors_total Records that got an error entry instead of a result.");
  line("# TYPE segrule_record_errors_total counter");
  line(fmt::format("segrule_record_errors_total {}", record_errors_.load(std::memory_order_relaxed)));

  line("# HELP segrule_reloads_total Loads of a new or changed rule file after start-up, by result.");
  line("# TYPE segrule_reloads_total counter");
  line(fmt::format("segrule_reloads_total{{result=\"ok\"}} {}", catalog.reloads().ok.load()));
  line(fmt::format("segrule_reloads_total{{result=\"failed\"}} {}", catalog.reloads().failed.load()));

  std::vector<RulesetStatus> rulesets = catalog.list();
  line("# HELP segrule_rulesets Rule files in the directory.");
  line("# TYPE segrule_rulesets gauge");
  line(fmt::format("segrule_rulesets {}", rulesets.size()));
  line("# HELP segrule_ruleset_version The version each ruleset serves (always 1).");
  line("# TYPE segrule_ruleset_version gauge");
  for (const RulesetStatus& r : rulesets)
    if (r.serving)
      line(fmt::format("segrule_ruleset_version{{name=\"{}\",version=\"{}\",content_hash=\"{}\"}} 1", label(r.name),
                       label(r.info.version), label(r.info.content_hash)));
  line("# HELP segrule_ruleset_file_ok Whether each rule file, as it is on disk, compiles (0: an older version serves, or none).");
  line("# TYPE segrule_ruleset_file_ok gauge");
  for (const RulesetStatus& r : rulesets)
    line(fmt::format("segrule_ruleset_file_ok{{file=\"{}\"}} {}", label(r.file), r.ok ? 1 : 0));
  return out;
}

}  // namespace segrule::serve
