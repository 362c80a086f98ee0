#pragma once
// Where a command's output goes: standard output, or a file that appears only
// when the run succeeds (written to a temporary file in the same directory and
// renamed at the end, so a reader never sees half a file). Every write is
// checked: a full disk or a closed pipe stops the run instead of losing lines.

#include <string>
#include <string_view>

namespace segrule::cli {

constexpr int kWriteFailed = 4;    // output could not be written (full disk, I/O error)
constexpr int kBrokenPipe = 141;   // the reader went away (`| head`): 128 + SIGPIPE, said quietly

// Thrown by OutputFile::write when the output cannot take more: the command
// stops, says why (nothing for a closed pipe) and leaves no partial file.
struct WriteFailure {
  int error = 0;        // errno
  std::string target;   // what was being written: a path, or "standard output"
  bool replaced_file = false;  // a file written whole or not at all: it was left as it was
};

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // an output never finished is abandoned: its temporary file is removed

  // `path` empty or "-": standard output. A device or a pipe (`/dev/stdout`,
  // a FIFO) is written directly. Otherwise a temporary file beside `path`.
  // False (with `error` set) when it cannot be created.
  bool open(const std::string& path, std::string& error);

  // Buffered; throws WriteFailure when the data cannot be written.
  void write(std::string_view text);
  void write_line(std::string_view text);
  // `count` whole lines, each already ending in a newline; a large run goes
  // straight to the file, without a copy into the buffer.
  void write_lines(std::string_view lines, size_t count);

  // Flushes and, for a file, closes and renames it into place. Throws WriteFailure.
  void finish() {
    complete();
    commit();
  }
  // finish() in two steps, so that a command with two outputs renames neither
  // until both are written: complete() flushes, syncs and closes; commit() renames.
  void complete();
  void commit();

  size_t lines() const { return lines_; }
  const std::string& target() const { return target_; }

 private:
  void flush();
  [[noreturn]] void fail(int error);

  int fd_ = -1;
  bool owns_fd_ = false;
  std::string path_;       // final path; empty for standard output
  std::string temporary_;  // the file being written until finish()
  std::string target_ = "standard output";
  std::string buffer_;
  size_t lines_ = 0;
  bool finished_ = false;
};

// Writes `text` to `path` through a temporary file and a rename (fmt --write).
bool write_file_atomically(const std::string& path, std::string_view text, std::string& error);

// The message for a WriteFailure, or nothing for a closed pipe; returns the exit code.
int report_write_failure(const WriteFailure& failure);

}  // namespace segrule::cli
