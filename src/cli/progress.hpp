#pragma once
// Progress of a long batch on stderr — records, rate, errors — redrawn in
// place about twice a second, only when stderr is a terminal: a log file or a
// pipe never sees it. The line is cleared before the summary is printed.

#include <chrono>
#include <cstddef>

namespace segrule::cli {

class Progress {
 public:
  Progress();
  ~Progress() { clear(); }

  // Called once per run of `count` records of one kind; cheap: looks at
  // the clock every few thousand records.
  void record(size_t count, bool is_error) {
    size_t before = records_;
    records_ += count;
    errors_ += is_error ? count : 0;
    if (enabled_ && (before >> 12) != (records_ >> 12)) tick();
  }
  // Removes the progress line, if one was drawn.
  void clear();

 private:
  void tick();

  bool enabled_ = false;
  bool drawn_ = false;
  size_t records_ = 0, errors_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace segrule::cli
