// The C++ side of the PostgreSQL extension (see bridge.h): a per-backend LRU
// cache of compiled rulesets, evaluation, and `segrule check`, behind a C
// interface that never lets an exception out.

#include "bridge.h"

#include <cstdlib>
#include <cstring>
#include <list>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "segrule/ruleset.hpp"
#include "segrule/tools.hpp"

struct segpg_ruleset {
  std::string text;  // the rule text this entry was compiled from: the cache key
  segrule::Ruleset ruleset;
};

struct segpg_check_result {
  segrule::CheckResult check;
  std::vector<std::vector<const char*>> notes;  // per diagnostic, pointers into check.diagnostics
  std::vector<segpg_diagnostic> rows;
};

namespace {

// Diagnostics name the rule text this way: it has no file.
constexpr std::string_view rules_name = "<rules>";

// Compiled rulesets by rule text, most recently used first. The text itself
// is the key (hashed for the lookup, compared in full on a hit), so two texts
// never share an entry; the content hash segrule reports is the SHA-256 of
// the same bytes.
class RulesetCache {
 public:
  // The entry for `text`, or nullptr with the rendered diagnostics in `message`.
  const segpg_ruleset* find_or_compile(std::string_view text, std::string& message) {
    if (auto found = index_.find(text); found != index_.end()) {
      ++hits_;
      entries_.splice(entries_.begin(), entries_, found->second);  // now the most recent
      return &*found->second;
    }
    ++compiles_;
    segrule::CompileResult compiled = segrule::Ruleset::compile(text, rules_name);
    if (!compiled.ruleset) {
      message = compiled.rendered;
      return nullptr;
    }
    entries_.push_front(segpg_ruleset{std::string(text), std::move(*compiled.ruleset)});
    index_.emplace(entries_.front().text, entries_.begin());
    shrink_to(capacity_);
    return &entries_.front();
  }

  void set_capacity(size_t capacity) {
    capacity_ = capacity;
    shrink_to(capacity_);
  }

  segpg_cache_stats stats() const {
    return {static_cast<long long>(entries_.size()), static_cast<long long>(capacity_), hits_, compiles_, evictions_};
  }

 private:
  void shrink_to(size_t capacity) {
    while (entries_.size() > capacity) {
      index_.erase(std::string_view(entries_.back().text));
      entries_.pop_back();
      ++evictions_;
    }
  }

  std::list<segpg_ruleset> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<segpg_ruleset>::iterator> index_;  // views into entries_
  size_t capacity_ = 16;
  long long hits_ = 0, compiles_ = 0, evictions_ = 0;
};

RulesetCache& cache() {
  static RulesetCache instance;
  return instance;
}

char* copy_out(std::string_view text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

// Sets *message for a failure; a message that cannot be allocated stays NULL,
// which the caller reports as running out of memory.
void fail(char** message, std::string_view text) {
  try {
    *message = copy_out(text);
  } catch (...) {
    *message = nullptr;
  }
}

constexpr std::string_view out_of_memory = "out of memory";

}  // namespace

extern "C" {

const segpg_ruleset* segpg_ruleset_for(const char* rules, size_t length, int* bad_rules, char** message) {
  *message = nullptr;
  *bad_rules = 0;
  try {
    std::string rendered;
    const segpg_ruleset* entry = cache().find_or_compile(std::string_view(rules, length), rendered);
    if (!entry) {
      *bad_rules = 1;
      fail(message, rendered);
    }
    return entry;
  } catch (const std::exception& e) {
    fail(message, e.what());
  } catch (...) {
    fail(message, out_of_memory);
  }
  return nullptr;
}

char* segpg_evaluate(const segpg_ruleset* ruleset, const char* record, size_t length, const char* as_of,
                     char** message) {
  *message = nullptr;
  try {
    segrule::EvalOptions options;
    options.as_of = as_of;
    segrule::RecordResult result = ruleset->ruleset.evaluate(std::string_view(record, length), options);
    if (result.ok) return copy_out(result.json);
    // The error entry `segrule eval` writes, without its input line number:
    // a table row has none.
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    if (result.key) entry["key"] = *result.key;
    entry["error"] = result.error;
    return copy_out(entry.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  } catch (const std::exception& e) {
    fail(message, e.what());
  } catch (...) {
    fail(message, out_of_memory);
  }
  return nullptr;
}

char* segpg_info(const segpg_ruleset* ruleset, char** message) {
  *message = nullptr;
  try {
    const segrule::RulesetInfo& info = ruleset->ruleset.info();
    nlohmann::ordered_json out = {{"name", info.name},       {"title", info.title},
                                  {"version", info.version}, {"effective", info.effective},
                                  {"owner", info.owner},     {"content_hash", info.content_hash},
                                  {"file", info.file}};
    return copy_out(out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  } catch (const std::exception& e) {
    fail(message, e.what());
  } catch (...) {
    fail(message, out_of_memory);
  }
  return nullptr;
}

segpg_check_result* segpg_check(const char* rules, size_t length, int analysis, char** message) {
  *message = nullptr;
  try {
    auto result = std::make_unique<segpg_check_result>();
    segrule::CheckOptions options;
    options.analysis = analysis != 0;
    result->check = segrule::check_rules({std::string_view(rules, length), rules_name}, options);
    const segrule::Diagnostics& diagnostics = result->check.diagnostics;
    result->notes.resize(diagnostics.size());
    for (size_t i = 0; i < diagnostics.size(); ++i) {
      const segrule::Diagnostic& d = diagnostics[i];
      for (const std::string& note : d.notes) result->notes[i].push_back(note.c_str());
      result->rows.push_back(segpg_diagnostic{d.severity == segrule::Severity::error ? "error" : "warning",
                                              d.code.c_str(), d.message.c_str(), d.help.c_str(),
                                              static_cast<int>(d.line), static_cast<int>(d.column),
                                              result->notes[i].size(), result->notes[i].data()});
    }
    return result.release();
  } catch (const std::exception& e) {
    fail(message, e.what());
  } catch (...) {
    fail(message, out_of_memory);
  }
  return nullptr;
}

size_t segpg_check_count(const segpg_check_result* result) { return result->rows.size(); }

const segpg_diagnostic* segpg_check_at(const segpg_check_result* result, size_t index) {
  return &result->rows[index];
}

void segpg_check_free(segpg_check_result* result) { delete result; }

void segpg_set_cache_capacity(int capacity) {
  try {
    cache().set_capacity(capacity < 1 ? 1 : static_cast<size_t>(capacity));
  } catch (...) {
    // Evicting only frees memory; nothing here can fail in practice.
  }
}

segpg_cache_stats segpg_get_cache_stats(void) { return cache().stats(); }

void segpg_free(void* text) { std::free(text); }

}  // extern "C"
