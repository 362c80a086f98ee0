#include "catalog.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace segrule::serve {

namespace fs = std::filesystem;

struct Catalog::File {
  std::string name;  // "retail-2025.seg"
  std::string stem;  // "retail-2025"
  fs::path path;
  fs::file_time_type mtime{};  // what the last load saw; a change in either means reload
  uintmax_t size = 0;

  // Guards what follows; held through a load so the text and the version agree.
  mutable std::mutex mutex;
  std::shared_ptr<Engine> engine;  // null until some version compiles
  std::string serving_text, last_text;
  bool ok = false;
  std::string diagnostics;
  std::string loaded_at;
};

namespace {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool is_rule_file(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string name = entry.path().filename().string();
  return entry.is_regular_file(ec) && name.size() > 4 && name.ends_with(".seg") && name[0] != '.';
}

std::optional<std::string> read_text(const fs::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    error = fmt::format("cannot read `{}`: {}", path.string(), std::strerror(errno));
    return std::nullopt;
  }
  return std::move(text).str();
}

}  // namespace

Catalog::Catalog(fs::path dir, std::function<void(const std::string&)> log) : dir_(std::move(dir)), log_(std::move(log)) {}

Catalog::~Catalog() { stop(); }

void Catalog::scan() {
  // Only this thread (the first call, then the watcher) changes files_: it reads it unlocked.
  std::vector<std::shared_ptr<File>> added;
  std::vector<std::string> present;
  bool changed = false;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec), end;
  if (ec) {
    log_(fmt::format("cannot list `{}`: {}; keeping the rulesets loaded", dir_.string(), ec.message()));
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    if (!is_rule_file(*it)) continue;
    std::string name = it->path().filename().string();
    std::error_code stamp_ec;
    fs::file_time_type mtime = fs::last_write_time(it->path(), stamp_ec);
    uintmax_t size = fs::file_size(it->path(), stamp_ec);
    if (stamp_ec) continue;  // gone since listed: the next scan sees it removed
    present.push_back(name);
    auto known = files_.find(name);
    if (known != files_.end()) {
      File& file = *known->second;
      if (file.mtime == mtime && file.size == size) continue;
      file.mtime = mtime;
      file.size = size;
      load(file, !scanned_);
      changed = true;
      continue;
    }
    auto file = std::make_shared<File>();
    file->name = name;
    file->stem = it->path().stem().string();
    file->path = it->path();
    file->mtime = mtime;
    file->size = size;
    load(*file, !scanned_);
    added.push_back(std::move(file));
  }
  std::vector<std::string> removed;
  for (const auto& [name, file] : files_)
    if (std::find(present.begin(), present.end(), name) == present.end()) removed.push_back(name);
  if (!added.empty() || !removed.empty()) {
    std::unique_lock lock(mutex_);
    for (auto& file : added) files_.emplace(file->name, std::move(file));
    for (const std::string& name : removed) files_.erase(name);
    changed = true;
  }
  for (const std::string& name : removed) log_(fmt::format("`{}` was removed: no longer served", name));
  if (changed) rebuild_index();
  scanned_ = true;
}

void Catalog::load(File& file, bool first_scan) {
  std::string read_error;
  std::optional<std::string> text = read_text(file.path, read_error);
  std::lock_guard lock(file.mutex);
  bool ok = false, changed = false;
  if (!text) {
    file.diagnostics = fmt::format("error: {}\n", read_error);
  } else if (!file.engine) {
    CompileResult compiled = Ruleset::compile(*text, file.path.string());
    file.diagnostics = std::move(compiled.rendered);
    if (compiled.ruleset) {
      file.engine = std::make_shared<Engine>(std::move(*compiled.ruleset), file.path.string());
      ok = changed = true;
    }
  } else {
    ReloadResult reloaded = file.engine->reload_text(*text);
    file.diagnostics = std::move(reloaded.rendered);
    ok = reloaded.ok;
    changed = reloaded.changed;
  }
  if (text) file.last_text = std::move(*text);
  file.ok = ok;
  if (changed) {
    file.serving_text = file.last_text;
    file.loaded_at = utc_now();
  }
  if (!first_scan) ++(ok ? reloads_.ok : reloads_.failed);

  if (ok) {
    const RulesetInfo& info = file.engine->current().info();
    log_(fmt::format("`{}`: serving `{}` version {} ({}){}", file.name, info.name, info.version, info.content_hash,
                     changed ? "" : ", unchanged"));
  } else if (file.engine) {
    log_(fmt::format("`{}` does not compile: still serving version {}; see GET /v1/rulesets/{}", file.name,
                     file.engine->current().info().version, file.engine->current().info().name));
  } else {
    log_(fmt::format("`{}` does not compile: not served; see GET /v1/rulesets/{}", file.name, file.stem));
  }
}

void Catalog::rebuild_index() {
  std::map<std::string, std::shared_ptr<const Engine>, std::less<>> index;
  {
    std::shared_lock lock(mutex_);
    // Ruleset names first, so a stem never hides a name; the first file in name order wins a tie.
    for (const auto& [name, file] : files_) {
      std::lock_guard file_lock(file->mutex);
      if (file->engine) index.emplace(file->engine->current().info().name, file->engine);
    }
    for (const auto& [name, file] : files_) {
      std::lock_guard file_lock(file->mutex);
      if (file->engine) index.emplace(file->stem, file->engine);
    }
  }
  std::unique_lock lock(mutex_);
  index_ = std::move(index);
}

std::shared_ptr<const Engine> Catalog::find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

RulesetStatus Catalog::status_of(const File& file, bool with_text) const {
  std::lock_guard lock(file.mutex);
  RulesetStatus status;
  status.file = file.name;
  status.serving = file.engine != nullptr;
  if (file.engine) status.info = file.engine->current().info();
  status.info.file = file.name;  // the directory is the service's business, not its clients'
  status.name = status.serving ? status.info.name : file.stem;
  status.ok = file.ok;
  status.diagnostics = file.diagnostics;
  status.loaded_at = file.loaded_at;
  if (with_text) status.text = status.serving ? file.serving_text : file.last_text;
  return status;
}

std::vector<RulesetStatus> Catalog::list(bool with_text) const {
  std::shared_lock lock(mutex_);
  std::vector<RulesetStatus> all;
  for (const auto& [name, file] : files_) all.push_back(status_of(*file, with_text));
  return all;
}

std::optional<RulesetStatus> Catalog::describe(std::string_view name) const {
  std::vector<RulesetStatus> all = list(true);
  for (RulesetStatus& status : all)
    if (status.name == name) return std::move(status);
  for (RulesetStatus& status : all)
    if (status.file.substr(0, status.file.size() - 4) == name) return std::move(status);
  return std::nullopt;
}

size_t Catalog::size() const {
  std::shared_lock lock(mutex_);
  return files_.size();
}

void Catalog::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(watch_mutex_);
  if (watcher_.joinable()) return;
  stop_ = false;
  watcher_ = std::thread([this, interval] {
    std::unique_lock lock(watch_mutex_);
    while (!watch_wake_.wait_for(lock, interval, [this] { return stop_; })) {
      lock.unlock();
      scan();
      lock.lock();
    }
  });
}

void Catalog::stop() {
  {
    std::lock_guard lock(watch_mutex_);
    stop_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace segrule::serve
