#pragma once
// The service's counters, rendered in the Prometheus text format (0.0.4).
// Lock-free: every request updates a few atomics.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"

namespace segrule::serve {

// The routes as metrics and the log name them: patterns, not paths, so a
// client cannot create a label per request.
enum class Route : uint8_t {
  healthz, metrics, rulesets, ruleset, ruleset_evaluate, evaluate, check, diff, impact, test, static_file, other
};
constexpr size_t kRouteCount = static_cast<size_t>(Route::other) + 1;

std::string_view route_label(Route route);
// The route a request path belongs to (for requests that never reached a handler too).
Route route_of(std::string_view method, std::string_view path);

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 14> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,   1.0,   5.0};

  // One request answered; `seconds` < 0 when its start is unknown (it never reached a handler).
  void request(Route route, int status, double seconds);
  void records(uint64_t evaluated, uint64_t errors);

  std::string render(const Catalog& catalog) const;

 private:
  struct RouteCounters {
    std::array<std::atomic<uint64_t>, 600> by_status{};  // index: HTTP status
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // not cumulative; last is +Inf
    std::atomic<uint64_t> timed{0};
    std::atomic<uint64_t> micros{0};  // sum of latencies, in microseconds
  };
  std::array<RouteCounters, kRouteCount> routes_{};
  std::atomic<uint64_t> records_evaluated_{0}, record_errors_{0};
};

}  // namespace segrule::serve
