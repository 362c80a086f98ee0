#pragma once
// The service's log on stderr: one line per request and per load. Lines are
// gathered in memory and written by one thread every 100 ms (or sooner when
// many wait), so serving a request costs no system call for its log line and
// lines from many threads never interleave. flush() writes what is waiting.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace segrule::serve {

class AccessLog {
 public:
  AccessLog();
  ~AccessLog();  // writes every line still waiting
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void line(std::string_view text);  // without the newline
  void flush();

 private:
  void write_out(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::string pending_;
  bool stop_ = false;
  std::mutex write_mutex_;  // one writer at a time keeps the order of lines
  std::thread writer_;
};

}  // namespace segrule::serve
