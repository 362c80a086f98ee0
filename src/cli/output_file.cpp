#include "output_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace segrule::cli {

namespace {

constexpr size_t kFlushAt = 1 << 16;

// The file a path names, through a symlink, so the rename replaces the file and keeps the link.
std::filesystem::path resolved(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec)) {
    auto target = std::filesystem::canonical(path, ec);
    if (!ec) return target;
  }
  return path;
}

// What a new file would get from open(2) with 0666: the umask applied.
mode_t default_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// write(2) until done; the errno of the failure, or 0.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

OutputFile::~OutputFile() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  if (!temporary_.empty() && !finished_) ::unlink(temporary_.c_str());
}

bool OutputFile::open(const std::string& path, std::string& error) {
  if (path.empty() || path == "-") {
    fd_ = STDOUT_FILENO;
    return true;
  }
  target_ = "`" + path + "`";
  std::filesystem::path target = resolved(path);
  struct stat existing;
  bool exists = ::stat(target.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode)) {
    // Devices and pipes cannot be replaced by a rename: write to them as they are.
    fd_ = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) {
      error = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
      return false;
    }
    owns_fd_ = true;
    return true;
  }
  std::string pattern = (target.parent_path() / ("." + target.filename().string() + ".segrule-XXXXXX")).string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) {
    error = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
    return false;
  }
  owns_fd_ = true;
  ::fchmod(fd_, exists ? (existing.st_mode & 07777) : default_mode());
  path_ = target.string();
  temporary_ = pattern;
  return true;
}

void OutputFile::write(std::string_view text) {
  buffer_.append(text);
  if (buffer_.size() >= kFlushAt) flush();
}

void OutputFile::write_line(std::string_view text) {
  buffer_.append(text);
  buffer_ += '\n';
  ++lines_;
  if (buffer_.size() >= kFlushAt) flush();
}

void OutputFile::write_lines(std::string_view lines, size_t count) {
  lines_ += count;
  if (buffer_.size() + lines.size() < kFlushAt) {
    buffer_.append(lines);
    return;
  }
  flush();
  if (int error = write_all(fd_, lines.data(), lines.size())) fail(error);
}

void OutputFile::flush() {
  if (buffer_.empty()) return;
  if (int error = write_all(fd_, buffer_.data(), buffer_.size())) fail(error);
  buffer_.clear();
}

void OutputFile::complete() {
  flush();
  if (temporary_.empty() || fd_ < 0) return;
  // The data must be on disk before the name points at it, or a crash could leave an empty file.
  if (::fsync(fd_) != 0) fail(errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(errno);
}

void OutputFile::commit() {
  if (!temporary_.empty() && ::rename(temporary_.c_str(), path_.c_str()) != 0) fail(errno);
  finished_ = true;
}

void OutputFile::fail(int error) {
  bool replaced_file = !temporary_.empty();
  if (replaced_file) {
    ::unlink(temporary_.c_str());
    temporary_.clear();
  }
  buffer_.clear();
  throw WriteFailure{error, target_, replaced_file};
}

bool write_file_atomically(const std::string& path, std::string_view text, std::string& error) {
  OutputFile out;
  if (!out.open(path, error)) return false;
  try {
    out.write(text);
    out.finish();
  } catch (const WriteFailure& failure) {
    error = fmt::format("cannot write `{}`: {}", path, std::strerror(failure.error));
    return false;
  }
  return true;
}

int report_write_failure(const WriteFailure& failure) {
  if (failure.error == EPIPE) return kBrokenPipe;  // the reader has all it wanted
  fmt::print(stderr, "segrule: cannot write {}: {}; the run stopped there{}\n", failure.target, std::strerror(failure.error),
             failure.replaced_file ? ", and the file was not created or changed" : "");
  return kWriteFailed;
}

}  // namespace segrule::cli
