#include "access_log.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace segrule::serve {

namespace {
constexpr size_t kFlushBytes = 64 * 1024;  // write early when this much waits
}

AccessLog::AccessLog() {
  // Both buffers keep their capacity from flush to flush, so appending a line (with
  // the lock held, on a request's thread) never reallocates and copies what waits.
  pending_.reserve(2 * kFlushBytes);
  writing_.reserve(2 * kFlushBytes);
  writer_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_ || pending_.size() >= kFlushBytes; });
      write_out(lock);
    }
  });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
  flush();
}

void AccessLog::line(std::string_view text) {
  bool full;
  {
    std::lock_guard lock(mutex_);
    pending_.append(text);
    pending_ += '\n';
    full = pending_.size() >= kFlushBytes;
  }
  if (full) wake_.notify_one();
}

void append_printable_path(std::string& out, std::string_view path) {
  for (char c : path.substr(0, 200)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  if (path.size() > 200) out += "...";
}

// Formatted on the request's thread into a buffer it keeps, so the shared
// buffer's lock is held only to copy the finished line (this runs per request).
void AccessLog::request(std::string_view method, std::string_view path, int status, double seconds) {
  thread_local std::string text;
  text.assign(method);
  text += ' ';
  append_printable_path(text, path);
  char number[32];
  auto put = [&](std::to_chars_result r) { text.append(number, r.ptr); };
  text += ' ';
  put(std::to_chars(number, number + sizeof number, status));
  text += ' ';
  if (seconds < 0) {
    text += '-';
  } else {
    put(std::to_chars(number, number + sizeof number, seconds * 1e3, std::chars_format::fixed, 3));
    text += "ms";
  }
  line(text);
}

void AccessLog::flush() {
  std::unique_lock lock(mutex_);
  write_out(lock);
}

// Takes what waits and writes it with the buffer unlocked, so requests never wait on stderr.
void AccessLog::write_out(std::unique_lock<std::mutex>& lock) {
  if (pending_.empty()) return;
  {
    std::lock_guard write_lock(write_mutex_);  // taken before the buffer is let go: lines stay in order
    pending_.swap(writing_);                   // writing_ was written and cleared: requests get its capacity
    lock.unlock();
    std::fwrite(writing_.data(), 1, writing_.size(), stderr);
    std::fflush(stderr);
    writing_.clear();
  }
  lock.lock();
}

}  // namespace segrule::serve
