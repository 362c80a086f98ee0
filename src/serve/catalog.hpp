#pragma once
// The rule files of one directory, each served by its own segrule::Engine.
// A poll of the directory (every --watch-interval) loads new files, reloads
// changed ones and drops removed ones. A file that stops compiling keeps its
// last good version serving; one that never compiled is listed with its
// diagnostics and cannot be evaluated.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "segrule/engine.hpp"

namespace segrule::serve {

// What GET /v1/rulesets says about one file.
struct RulesetStatus {
  std::string name;         // the `ruleset` identifier serving, or the file stem when none ever compiled
  std::string file;         // the file name within the directory
  RulesetInfo info;         // of the version serving; empty fields when none
  bool serving = false;     // some version compiled and serves
  bool ok = false;          // the file as it is now on disk compiled
  std::string diagnostics;  // of the last load, as `segrule check` prints them
  std::string loaded_at;    // when the serving version was loaded, UTC ISO 8601
  std::string text;         // the source of the version serving (or of the file, when none does)
};

struct ReloadCounts {
  std::atomic<uint64_t> ok{0}, failed{0};
};

class Catalog {
 public:
  // `log` receives one line (no newline) per load, reload or removal.
  Catalog(std::filesystem::path dir, std::function<void(const std::string&)> log);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Looks at the directory once: new, changed and removed files.
  void scan();
  // Scans every `interval` on a background thread until stop() or destruction.
  void start(std::chrono::milliseconds interval);
  void stop();

  // The engine serving `name` (a `ruleset` identifier, else a file stem), or null.
  std::shared_ptr<const Engine> find(std::string_view name) const;
  // Every file in name order, or the one named `name`.
  std::vector<RulesetStatus> list(bool with_text = false) const;
  std::optional<RulesetStatus> describe(std::string_view name) const;
  size_t size() const;

  // Loads after the first scan, by outcome.
  const ReloadCounts& reloads() const { return reloads_; }

 private:
  struct File;
  void load(File& file, bool first_scan);
  void rebuild_index();
  RulesetStatus status_of(const File& file, bool with_text) const;

  std::filesystem::path dir_;
  std::function<void(const std::string&)> log_;
  bool scanned_ = false;  // the first scan is not counted as reloads
  ReloadCounts reloads_;

  // Guards files_ and index_; evaluations take it shared, only to copy an engine pointer.
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<File>, std::less<>> files_;              // by file name
  std::map<std::string, std::shared_ptr<const Engine>, std::less<>> index_;     // by ruleset name, then stem

  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace segrule::serve
