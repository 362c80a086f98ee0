#pragma once
// An Engine serves the current version of one rule file and swaps in a new
// version without a restart (hot reload).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "segrule/ruleset.hpp"

namespace segrule {

struct ReloadResult {
  bool ok = false;           // the file compiled and its version is now current
  bool changed = false;      // ok, and the content differs from the version before
  Diagnostics diagnostics;   // why it did not compile (the old version keeps serving), or warnings
  std::string rendered;      // the diagnostics as `segrule check` prints them
  std::string content_hash;  // the version serving after the call
};

// Thread-safe: any thread may evaluate, reload or read `current()` at any time.
// A call that has taken a version (an evaluation in flight, a Ruleset returned
// by current()) keeps using it to the end, even if a reload swaps in another;
// the old version is freed when its last user lets go.
class SEGRULE_API Engine {
 public:
  // Serves `initial`; reload() re-reads `path` (empty: only reload_text() works).
  explicit Engine(Ruleset initial, std::string path = {});
  ~Engine();  // stops watching; waits for a reload in progress
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The version serving now: a snapshot, unaffected by later reloads.
  Ruleset current() const;

  // Recompiles the file. A file that does not compile (or cannot be read)
  // leaves the current version serving and returns the diagnostics.
  ReloadResult reload();
  // The same from text, e.g. a rule file received over the network.
  ReloadResult reload_text(std::string_view text);

  // Checks the file every `interval` on a background thread and reloads it
  // when its modification time or size changes; `on_reload` (optional) is
  // called on that thread after each attempt. Returns false when there is no
  // path or the engine already watches. Stopped by stop_watching() or the
  // destructor. Call watch() and stop_watching() from the thread that owns the Engine.
  bool watch(std::chrono::milliseconds interval, std::function<void(const ReloadResult&)> on_reload = {});
  void stop_watching();

  // current().evaluate(...), in one call.
  RecordResult evaluate(std::string_view record_json, const EvalOptions& options = {}) const;

 private:
  ReloadResult install(CompileResult compiled);

  std::string path_;
  mutable std::mutex mutex_;   // guards current_
  Ruleset current_;
  std::mutex reload_mutex_;    // one reload at a time
  std::mutex watch_mutex_;     // guards stop_
  std::condition_variable watch_wake_;
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace segrule
