// `segrule._segrule`: the engine's public API (include/segrule/) for Python.
// This layer only moves data across: records in as JSON text, results out as
// JSON text. Decimal conversion, exceptions and the documented API are in
// segrule/__init__.py. Every call into the engine releases the GIL.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "record_json.hpp"
#include "segrule/segrule.hpp"

namespace py = pybind11;
using namespace segrule;
using python::RecordConversionError;
using python::record_to_json;

namespace {

py::dict diagnostic_dict(const Diagnostic& d) {
  py::dict out;
  out["severity"] = d.severity == Severity::error ? "error" : "warning";
  out["code"] = d.code;
  out["message"] = d.message;
  out["help"] = d.help;
  out["notes"] = d.notes;
  out["file"] = d.file;
  out["line"] = d.line;
  out["column"] = d.column;
  return out;
}

py::list diagnostic_list(const Diagnostics& diagnostics) {
  py::list out;
  for (const auto& d : diagnostics) out.append(diagnostic_dict(d));
  return out;
}

// (ruleset or None, diagnostics, rendered)
py::tuple compile_answer(CompileResult compiled) {
  py::object rules = compiled.ruleset ? py::cast(*compiled.ruleset) : py::none();
  return py::make_tuple(rules, diagnostic_list(compiled.diagnostics), compiled.rendered);
}

EvalOptions eval_options(const std::string& as_of, bool show_pii, bool explain) {
  EvalOptions options;
  options.as_of = as_of;
  options.show_pii = show_pii;
  options.explain = explain;
  return options;
}

// One record's answer: (ok, result JSON or error message, key or None).
using Answer = std::tuple<bool, std::string, std::optional<std::string>>;

Answer answer_of(RecordResult r) {
  return {r.ok, r.ok ? std::move(r.json) : std::move(r.error), std::move(r.key)};
}

// A record that could not even be turned into JSON: no key, the message says which field.
struct Prepared {
  std::string json;
  std::optional<std::string> conversion_error;
};

Prepared prepare(py::handle record) {
  try {
    return {record_to_json(record), std::nullopt};
  } catch (const RecordConversionError& e) {
    return {{}, e.what()};
  }
}

Answer evaluate_one(const Ruleset& rules, py::handle record, const EvalOptions& options) {
  Prepared p = prepare(record);
  if (p.conversion_error) return {false, *p.conversion_error, std::nullopt};
  py::gil_scoped_release unlocked;
  return answer_of(rules.evaluate(p.json, options));
}

// Many records: converted with the GIL, evaluated without it on `threads`
// threads (each takes every n-th record), answered in input order.
std::vector<Answer> evaluate_many(const Ruleset& rules, const py::list& records, const EvalOptions& options, unsigned threads) {
  std::vector<Prepared> prepared;
  prepared.reserve(records.size());
  for (auto record : records) prepared.push_back(prepare(record));
  std::vector<Answer> answers(prepared.size());
  {
    py::gil_scoped_release unlocked;
    auto work = [&](size_t first, size_t step) {
      for (size_t i = first; i < prepared.size(); i += step) {
        if (prepared[i].conversion_error)
          answers[i] = {false, *prepared[i].conversion_error, std::nullopt};
        else
          answers[i] = answer_of(rules.evaluate(prepared[i].json, options));
      }
    };
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(1, prepared.size() / 64))));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
    work(0, threads);
    for (auto& thread : pool) thread.join();
  }
  return answers;
}

bool is_blank_text(py::handle record) {
  std::string_view text;
  if (PyUnicode_Check(record.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(record.ptr(), &size);
    if (!data) return PyErr_Clear(), false;
    text = {data, static_cast<size_t>(size)};
  } else if (PyBytes_Check(record.ptr())) {
    text = {PyBytes_AS_STRING(record.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(record.ptr()))};
  } else {
    return false;
  }
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The error entry of `segrule eval`, numbered by the record's place in `records`.
void append_error_entry(size_t number, const std::optional<std::string>& key, std::string_view message, std::string& out) {
  out += fmt::format("{{\"line\":{}", number);
  if (key) {
    out += ",\"key\":";
    python::append_json_string(*key, out);
  }
  out += ",\"error\":";
  python::append_json_string(message, out);
  out += "}\n";
}

// A partition of records (dicts or JSON lines) as the two texts `segrule eval`
// would write for them: result lines and error entries, each line ending in a
// newline, error entries numbered from 1 by place in `records`. Blank text
// lines are skipped as the JSON Lines reader skips them (they keep their number).
py::tuple evaluate_to_lines(const Ruleset& rules, const py::list& records, const EvalOptions& options, unsigned threads) {
  py::list kept;
  std::vector<size_t> numbers;
  for (size_t i = 0; i < records.size(); ++i) {
    if (is_blank_text(records[i])) continue;
    kept.append(records[i]);
    numbers.push_back(i + 1);
  }
  std::vector<Answer> answers = evaluate_many(rules, kept, options, threads);
  std::string results, errors;
  size_t result_count = 0;
  {
    py::gil_scoped_release unlocked;
    for (size_t i = 0; i < answers.size(); ++i) {
      auto& [ok, text, key] = answers[i];
      if (ok) {
        results += text;
        results += '\n';
        ++result_count;
      } else {
        append_error_entry(numbers[i], key, text, errors);
      }
    }
  }
  return py::make_tuple(py::bytes(results), py::bytes(errors), answers.size(), result_count, answers.size() - result_count);
}

// Where a batch's results or errors go: a file written by C++ (no GIL), or a
// Python callable given text chunks (the GIL is taken per chunk), or nowhere.
class LineSink {
 public:
  LineSink(std::optional<std::string> path, py::object callback) : path_(std::move(path)), callback_(std::move(callback)) {}
  ~LineSink() {
    if (file_) std::fclose(file_);
  }

  void open() {
    if (!path_) return;
    file_ = std::fopen(path_->c_str(), "wb");
    if (!file_) throw std::runtime_error(fmt::format("cannot write `{}`: {}", *path_, std::strerror(errno)));
  }

  void write(std::string_view line) {
    buffer_.append(line);
    buffer_ += '\n';
    if (buffer_.size() >= (1u << 16)) flush();
  }

  // Everything written, and on disk for a file (the caller renames it next).
  void finish() {
    flush();
    if (file_) {
      int failed = std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0;
      failed |= std::fclose(file_) != 0;
      file_ = nullptr;
      if (failed) throw std::runtime_error(fmt::format("cannot write `{}`: {}", *path_, std::strerror(errno)));
    }
  }

  // A Python exception raised by the callback, kept to raise once the GIL is back.
  std::optional<py::error_already_set> python_error;

 private:
  void flush() {
    if (buffer_.empty()) return;
    if (file_) {
      if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        throw std::runtime_error(fmt::format("cannot write `{}`: {}", *path_, std::strerror(errno)));
    } else if (!callback_.is_none()) {
      py::gil_scoped_acquire locked;
      try {
        callback_(py::str(buffer_.data(), buffer_.size()));
      } catch (py::error_already_set& e) {
        python_error.emplace(std::move(e));
        buffer_.clear();
        throw std::runtime_error("stopped by a Python exception");
      }
    }
    buffer_.clear();
  }

  std::optional<std::string> path_;
  py::object callback_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

std::optional<InputFormat> parse_format(const std::string& name) {
  if (name == "jsonl") return InputFormat::jsonl;
  if (name == "json") return InputFormat::json;
  if (name == "csv") return InputFormat::csv;
  return std::nullopt;
}

// A whole input through Ruleset::evaluate_batch: (read, results, errors).
// `input` is the input's bytes, or with `input_is_path` the path of a file to read.
py::tuple evaluate_batch(const Ruleset& rules, const std::string& input, bool input_is_path, const std::string& format,
                         const EvalOptions& options, unsigned threads, std::optional<std::string> results_path,
                         py::object results_callback, std::optional<std::string> errors_path, py::object errors_callback) {
  auto input_format = parse_format(format);
  if (!input_format) throw py::value_error(fmt::format("format is jsonl, json or csv, not `{}`", format));
  if (threads < 1 || threads > 256) throw py::value_error(fmt::format("threads is from 1 to 256, not {}", threads));
  LineSink results(std::move(results_path), std::move(results_callback));
  LineSink errors(std::move(errors_path), std::move(errors_callback));
  BatchSummary summary;
  std::string failure;
  {
    py::gil_scoped_release unlocked;
    try {
      // A file is read as a stream, in bounded memory whatever its size.
      std::ifstream file;
      if (input_is_path) {
        file.open(input, std::ios::binary);
        if (!file) throw std::runtime_error(fmt::format("cannot read `{}`: {}", input, std::strerror(errno)));
      }
      results.open();
      errors.open();
      auto sink = [&](bool is_error, std::string_view line) { (is_error ? errors : results).write(line); };
      summary = input_is_path ? rules.evaluate_stream(file, *input_format, options, sink, threads)
                              : rules.evaluate_batch(input, *input_format, options, sink, threads);
      results.finish();
      errors.finish();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  if (results.python_error) throw std::move(*results.python_error);
  if (errors.python_error) throw std::move(*errors.python_error);
  if (!failure.empty()) {
    PyErr_SetString(PyExc_OSError, failure.c_str());
    throw py::error_already_set();
  }
  if (!summary.error.empty()) throw py::value_error(summary.error);
  return py::make_tuple(summary.read, summary.results, summary.errors);
}

py::tuple reload_answer(const ReloadResult& r) {
  return py::make_tuple(r.ok, r.changed, diagnostic_list(r.diagnostics), r.rendered, r.content_hash);
}

}  // namespace

PYBIND11_MODULE(_segrule, m) {
  m.doc() = "segrule's engine; use the `segrule` package, which wraps this module";
  python::init_record_json();

  py::class_<Ruleset>(m, "Ruleset")
      .def_property_readonly("info", [](const Ruleset& r) {
        const RulesetInfo& i = r.info();
        py::dict out;
        out["name"] = i.name;
        out["title"] = i.title;
        out["version"] = i.version;
        out["effective"] = i.effective;
        out["owner"] = i.owner;
        out["content_hash"] = i.content_hash;
        out["file"] = i.file;
        return out;
      })
      .def("evaluate_one", [](const Ruleset& r, py::handle record, const std::string& as_of, bool show_pii, bool explain) {
        return evaluate_one(r, record, eval_options(as_of, show_pii, explain));
      })
      .def("evaluate_many", [](const Ruleset& r, const py::list& records, const std::string& as_of, bool show_pii, bool explain,
                               unsigned threads) {
        return evaluate_many(r, records, eval_options(as_of, show_pii, explain), threads);
      })
      .def("evaluate_to_lines", [](const Ruleset& r, const py::list& records, const std::string& as_of, bool show_pii, bool explain,
                                   unsigned threads) {
        return evaluate_to_lines(r, records, eval_options(as_of, show_pii, explain), threads);
      })
      .def("explain", [](const Ruleset& r, py::handle record, const std::string& as_of, bool show_pii, bool as_json) {
        Prepared p = prepare(record);
        if (p.conversion_error) throw py::value_error(*p.conversion_error);
        EvalOptions options = eval_options(as_of, show_pii, false);
        py::gil_scoped_release unlocked;
        return r.explain(p.json, options, as_json);
      })
      .def("evaluate_batch", [](const Ruleset& r, py::bytes input, const std::string& format, const std::string& as_of, bool show_pii,
                                bool explain, unsigned threads, std::optional<std::string> results_path, py::object results_callback,
                                std::optional<std::string> errors_path, py::object errors_callback) {
        return evaluate_batch(r, std::string(input), false, format, eval_options(as_of, show_pii, explain), threads,
                              std::move(results_path), std::move(results_callback), std::move(errors_path), std::move(errors_callback));
      })
      .def("evaluate_batch_file", [](const Ruleset& r, const std::string& path, const std::string& format, const std::string& as_of,
                                     bool show_pii, bool explain, unsigned threads, std::optional<std::string> results_path,
                                     py::object results_callback, std::optional<std::string> errors_path, py::object errors_callback) {
        return evaluate_batch(r, path, true, format, eval_options(as_of, show_pii, explain), threads, std::move(results_path),
                              std::move(results_callback), std::move(errors_path), std::move(errors_callback));
      });

  m.def("compile", [](const std::string& text, const std::string& file_name) {
    CompileResult compiled;
    {
      py::gil_scoped_release unlocked;
      compiled = Ruleset::compile(text, file_name);
    }
    return compile_answer(std::move(compiled));
  });
  m.def("compile_file", [](const std::string& path) {
    CompileResult compiled;
    {
      py::gil_scoped_release unlocked;
      compiled = Ruleset::compile_file(path);
    }
    return compile_answer(std::move(compiled));
  });
  m.def("input_format_for", [](const std::string& path) {
    switch (input_format_for(path)) {
      case InputFormat::csv: return "csv";
      case InputFormat::json: return "json";
      default: return "jsonl";
    }
  });
  m.def("is_valid_date", [](const std::string& text) { return is_valid_date(text); });

  py::class_<Engine>(m, "Engine")
      .def(py::init<Ruleset, std::string>())
      .def("current", &Engine::current, py::call_guard<py::gil_scoped_release>())
      .def("reload", [](Engine& e) {
        ReloadResult r;
        {
          py::gil_scoped_release unlocked;
          r = e.reload();
        }
        return reload_answer(r);
      })
      .def("reload_text", [](Engine& e, const std::string& text) {
        ReloadResult r;
        {
          py::gil_scoped_release unlocked;
          r = e.reload_text(text);
        }
        return reload_answer(r);
      });
}
