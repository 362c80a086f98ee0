#pragma once
// The service's log on stderr: one line per request and per load. Lines are
// gathered in memory and written by one thread every 100 ms (or sooner when
// many wait), so serving a request costs no system call for its log line and
// lines from many threads never interleave. flush() writes what is waiting.

#include <condition_variable>
#include <string_view>
#include <mutex>
#include <string>
#include <thread>

namespace segrule::serve {

// A client-chosen path as it may appear in the log: control characters become
// `?`, and only its first 200 bytes are shown (then `...`).
void append_printable_path(std::string& out, std::string_view path);

class AccessLog {
 public:
  AccessLog();
  ~AccessLog();  // writes every line still waiting
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void line(std::string_view text);  // without the newline
  // One request's line: `METHOD PATH STATUS 1.234ms`, or `-` for a time that is
  // unknown (seconds < 0). The path is shown as printable_path() shows it.
  void request(std::string_view method, std::string_view path, int status, double seconds);
  void flush();

 private:
  void write_out(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;     // lines waiting; guarded by mutex_
  bool stop_ = false;
  std::mutex write_mutex_;  // one writer at a time keeps the order of lines
  std::string writing_;     // lines being written; guarded by write_mutex_
  std::thread writer_;
};

}  // namespace segrule::serve
