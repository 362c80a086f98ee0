// The C API (include/segrule/segrule.h) over the C++ API. Exceptions never
// cross this boundary: each entry point catches and reports through
// segrule_last_error().

#include "segrule/segrule.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/result_writer.hpp"
#include "segrule/engine.hpp"

struct segrule_ruleset {
  segrule::Ruleset ruleset;
};

struct segrule_engine {
  std::unique_ptr<segrule::Engine> engine;
};

namespace {

thread_local std::string last_error;

char* copy_out(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

std::string json_quoted(std::string_view text) {
  std::string out;
  segrule::write_json_string(text, out);
  return out;
}

// Parses the options object; false (with last_error set) when it is malformed.
bool read_options(const char* options, segrule::EvalOptions& out) {
  if (!options || !*options) return true;
  auto json = nlohmann::json::parse(options, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    last_error = "options must be a JSON object such as {\"as_of\":\"2025-06-30\",\"explain\":false}";
    return false;
  }
  for (const auto& [name, value] : json.items()) {
    if (name == "as_of" && value.is_string()) out.as_of = value.get<std::string>();
    else if (name == "explain" && value.is_boolean()) out.explain = value.get<bool>();
    else if (name == "show_pii" && value.is_boolean()) out.show_pii = value.get<bool>();
    else {
      last_error = "unknown or mistyped option `" + name + "`: the options are as_of (string), explain and show_pii (booleans)";
      return false;
    }
  }
  return true;
}

std::string result_object(const segrule::RecordResult& r) {
  std::string out = r.ok ? "{\"ok\":true,\"result\":" + r.json : "{\"ok\":false,\"error\":" + json_quoted(r.error);
  if (!r.ok && r.key) out += ",\"key\":" + json_quoted(*r.key);
  out += ",\"content_hash\":" + json_quoted(r.content_hash) + "}";
  return out;
}

segrule_ruleset* from_compiled(segrule::CompileResult compiled) {
  if (!compiled) {
    last_error = compiled.rendered;
    return nullptr;
  }
  return new segrule_ruleset{std::move(*compiled.ruleset)};
}

bool null_argument(const void* pointer, const char* what) {
  if (pointer) return false;
  last_error = std::string(what) + " must not be NULL";
  return true;
}

// Runs `body`, turning any exception into an API error.
template <typename T, typename F>
T guarded(T on_error, F&& body) {
  try {
    last_error.clear();
    return body();
  } catch (const std::exception& e) {
    last_error = std::string("internal error: ") + e.what();
  } catch (...) {
    last_error = "internal error";
  }
  return on_error;
}

}  // namespace

extern "C" {

const char* segrule_version(void) { return "0.1.0"; }

const char* segrule_last_error(void) { return last_error.c_str(); }

void segrule_free_string(char* text) { std::free(text); }

segrule_ruleset* segrule_compile(const char* text, size_t length, const char* file_name) {
  return guarded<segrule_ruleset*>(nullptr, [&]() -> segrule_ruleset* {
    if (null_argument(text, "text")) return nullptr;
    return from_compiled(segrule::Ruleset::compile(std::string_view(text, length), file_name ? file_name : "<rules>"));
  });
}

segrule_ruleset* segrule_compile_file(const char* path) {
  return guarded<segrule_ruleset*>(nullptr, [&]() -> segrule_ruleset* {
    if (null_argument(path, "path")) return nullptr;
    return from_compiled(segrule::Ruleset::compile_file(path));
  });
}

void segrule_ruleset_free(segrule_ruleset* ruleset) { delete ruleset; }

char* segrule_ruleset_info(const segrule_ruleset* ruleset) {
  return guarded<char*>(nullptr, [&]() -> char* {
    if (null_argument(ruleset, "ruleset")) return nullptr;
    const segrule::RulesetInfo& i = ruleset->ruleset.info();
    return copy_out("{\"name\":" + json_quoted(i.name) + ",\"title\":" + json_quoted(i.title) + ",\"version\":" + json_quoted(i.version) +
                    ",\"effective\":" + json_quoted(i.effective) + ",\"owner\":" + json_quoted(i.owner) +
                    ",\"content_hash\":" + json_quoted(i.content_hash) + ",\"file\":" + json_quoted(i.file) + "}");
  });
}

char* segrule_evaluate(const segrule_ruleset* ruleset, const char* record, size_t length, const char* options) {
  return guarded<char*>(nullptr, [&]() -> char* {
    segrule::EvalOptions eval_options;
    if (null_argument(ruleset, "ruleset") || null_argument(record, "record") || !read_options(options, eval_options))
      return nullptr;
    return copy_out(result_object(ruleset->ruleset.evaluate(std::string_view(record, length), eval_options)));
  });
}

long long segrule_evaluate_batch(const segrule_ruleset* ruleset, const char* input, size_t length, const char* format,
                                 const char* options, char** results, char** errors) {
  return guarded<long long>(-1, [&]() -> long long {
    segrule::EvalOptions eval_options;
    if (null_argument(ruleset, "ruleset") || null_argument(input, "input") || null_argument(results, "results") ||
        null_argument(errors, "errors") || !read_options(options, eval_options))
      return -1;
    segrule::InputFormat input_format = segrule::InputFormat::jsonl;
    std::string f = format ? format : "jsonl";
    if (f == "json") input_format = segrule::InputFormat::json;
    else if (f == "csv") input_format = segrule::InputFormat::csv;
    else if (f != "jsonl") {
      last_error = "unknown format `" + f + "`: use jsonl, json or csv";
      return -1;
    }
    std::string result_lines, error_lines;
    segrule::BatchSummary summary = ruleset->ruleset.evaluate_batch(
        std::string_view(input, length), input_format, eval_options, [&](bool is_error, std::string_view line) {
          std::string& out = is_error ? error_lines : result_lines;
          out.append(line);
          out += '\n';
        });
    if (!summary.error.empty()) {
      last_error = summary.error;
      return -1;
    }
    *results = copy_out(result_lines);
    *errors = copy_out(error_lines);
    return static_cast<long long>(summary.read);
  });
}

char* segrule_explain(const segrule_ruleset* ruleset, const char* record, size_t length, const char* options,
                      int as_json) {
  return guarded<char*>(nullptr, [&]() -> char* {
    segrule::EvalOptions eval_options;
    if (null_argument(ruleset, "ruleset") || null_argument(record, "record") || !read_options(options, eval_options))
      return nullptr;
    return copy_out(ruleset->ruleset.explain(std::string_view(record, length), eval_options, as_json != 0));
  });
}

segrule_engine* segrule_engine_open(const char* path) {
  return guarded<segrule_engine*>(nullptr, [&]() -> segrule_engine* {
    if (null_argument(path, "path")) return nullptr;
    segrule::CompileResult compiled = segrule::Ruleset::compile_file(path);
    if (!compiled) {
      last_error = compiled.rendered;
      return nullptr;
    }
    return new segrule_engine{std::make_unique<segrule::Engine>(std::move(*compiled.ruleset), path)};
  });
}

void segrule_engine_free(segrule_engine* engine) { delete engine; }

int segrule_engine_reload(segrule_engine* engine) {
  return guarded<int>(-1, [&]() -> int {
    if (null_argument(engine, "engine")) return -1;
    segrule::ReloadResult result = engine->engine->reload();
    if (!result.ok) last_error = result.rendered;
    return result.ok ? 1 : 0;
  });
}

segrule_ruleset* segrule_engine_current(const segrule_engine* engine) {
  return guarded<segrule_ruleset*>(nullptr, [&]() -> segrule_ruleset* {
    if (null_argument(engine, "engine")) return nullptr;
    return new segrule_ruleset{engine->engine->current()};
  });
}

char* segrule_engine_evaluate(const segrule_engine* engine, const char* record, size_t length, const char* options) {
  return guarded<char*>(nullptr, [&]() -> char* {
    segrule::EvalOptions eval_options;
    if (null_argument(engine, "engine") || null_argument(record, "record") || !read_options(options, eval_options))
      return nullptr;
    return copy_out(result_object(engine->engine->evaluate(std::string_view(record, length), eval_options)));
  });
}

}  // extern "C"
