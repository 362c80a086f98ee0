#include "progress.hpp"

#include <cstdio>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

namespace segrule::cli {

namespace {

// Runs shorter than this print nothing: the summary line says it all.
constexpr auto kFirstAfter = std::chrono::milliseconds(500);
constexpr auto kEvery = std::chrono::milliseconds(500);

std::string thousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

Progress::Progress() : enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::tick() {
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < kFirstAfter || now - last_ < kEvery) return;
  last_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  auto rate = static_cast<size_t>(static_cast<double>(records_) / seconds);
  fmt::print(stderr, "\rsegrule: {} records, {}/s, {} error{}\x1b[K", thousands(records_), thousands(rate), thousands(errors_),
             errors_ == 1 ? "" : "s");
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace segrule::cli
