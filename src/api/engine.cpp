// Engine: the current Ruleset behind a mutex-guarded handle. Readers copy the
// handle (a shared_ptr), so a reload never waits for evaluations in flight and
// an evaluation never sees half of a version.

#include "segrule/engine.hpp"

#include <filesystem>
#include <system_error>

namespace segrule {

Engine::Engine(Ruleset initial, std::string path) : path_(std::move(path)), current_(std::move(initial)) {}

Engine::~Engine() { stop_watching(); }

Ruleset Engine::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ReloadResult Engine::install(CompileResult compiled) {
  ReloadResult result;
  result.diagnostics = std::move(compiled.diagnostics);
  result.rendered = std::move(compiled.rendered);
  std::lock_guard lock(mutex_);
  if (compiled.ruleset) {
    result.ok = true;
    result.changed = compiled.ruleset->info().content_hash != current_.info().content_hash;
    current_ = std::move(*compiled.ruleset);
  }
  result.content_hash = current_.info().content_hash;
  return result;
}

ReloadResult Engine::reload() {
  std::lock_guard lock(reload_mutex_);
  if (path_.empty()) {
    ReloadResult result;
    Diagnostic d;
    d.code = "E0001";
    d.message = "this engine has no rule file to reload";
    d.help = "construct the Engine with a path, or call reload_text()";
    result.rendered = "error[E0001]: " + d.message + "\n  = help: " + d.help + "\n";
    result.diagnostics.push_back(std::move(d));
    result.content_hash = current().info().content_hash;
    return result;
  }
  return install(Ruleset::compile_file(path_));
}

ReloadResult Engine::reload_text(std::string_view text) {
  std::lock_guard lock(reload_mutex_);
  return install(Ruleset::compile(text, path_.empty() ? "<rules>" : path_));
}

RecordResult Engine::evaluate(std::string_view record_json, const EvalOptions& options) const {
  return current().evaluate(record_json, options);
}

namespace {

// What identifies a version of the file on disk without reading it.
struct FileStamp {
  std::filesystem::file_time_type time{};
  uintmax_t size = 0;
  bool exists = false;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path) {
  std::error_code ec;
  FileStamp s;
  s.time = std::filesystem::last_write_time(path, ec);
  if (ec) return FileStamp{};
  s.size = std::filesystem::file_size(path, ec);
  s.exists = !ec;
  return s;
}

}  // namespace

bool Engine::watch(std::chrono::milliseconds interval, std::function<void(const ReloadResult&)> on_reload) {
  std::lock_guard lock(watch_mutex_);
  if (path_.empty() || watcher_.joinable()) return false;
  stop_ = false;
  // Stamped before the thread starts, so a change made right after watch() returns is seen.
  watcher_ = std::thread([this, interval, seen = stamp_of(path_), on_reload = std::move(on_reload)]() mutable {
    std::unique_lock lock(watch_mutex_);
    while (!watch_wake_.wait_for(lock, interval, [this] { return stop_; })) {
      FileStamp now = stamp_of(path_);
      if (now == seen || !now.exists) continue;
      seen = now;
      lock.unlock();
      ReloadResult result = reload();
      if (on_reload) on_reload(result);
      lock.lock();
    }
  });
  return true;
}

void Engine::stop_watching() {
  {
    std::lock_guard lock(watch_mutex_);
    stop_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable() && watcher_.get_id() != std::this_thread::get_id()) watcher_.join();
}

}  // namespace segrule
