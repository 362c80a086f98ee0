#include "fmt/line_diff.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace segrule {

namespace {

using Lines = std::vector<std::string_view>;

// Myers' greedy forward search over before[b0, b1) and after[a0, a1), then a walk
// back through the saved frontiers. Appends the edits in order; false when more
// than `max_changes` edits would be needed.
bool myers(const Lines& before, size_t b0, size_t b1, const Lines& after, size_t a0, size_t a1, size_t max_changes,
           std::vector<Edit>& edits) {
  const int64_t n = static_cast<int64_t>(b1 - b0), m = static_cast<int64_t>(a1 - a0);
  const int64_t max_d = std::min<int64_t>(n + m, static_cast<int64_t>(max_changes));
  const int64_t offset = max_d + 1;
  std::vector<int64_t> v(static_cast<size_t>(2 * max_d + 3), 0);  // furthest x on each diagonal k = x - y
  // trace[d]: the frontier before step d, diagonals -d-1 .. d+1.
  std::vector<std::vector<int64_t>> trace;
  auto at = [&](int64_t k) -> int64_t& { return v[static_cast<size_t>(k + offset)]; };
  for (int64_t d = 0; d <= max_d; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (int64_t k = -d; k <= d; k += 2) {
      int64_t x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      int64_t y = x - k;
      while (x < n && y < m && before[b0 + x] == after[a0 + y]) ++x, ++y;
      at(k) = x;
      if (x < n || y < m) continue;
      // Found: walk back from (n, m) to (0, 0).
      std::vector<Edit> reversed;
      for (int64_t step = d; step >= 0; --step) {
        const std::vector<int64_t>& frontier = trace[static_cast<size_t>(step)];
        auto prev = [&](int64_t kk) { return frontier[static_cast<size_t>(kk + step + 1)]; };
        int64_t kk = x - y;
        int64_t prev_k = (kk == -step || (kk != step && prev(kk - 1) < prev(kk + 1))) ? kk + 1 : kk - 1;
        int64_t prev_x = prev(prev_k), prev_y = prev_x - prev_k;
        while (x > prev_x && y > prev_y) {
          --x, --y;
          reversed.push_back({EditKind::keep, b0 + x, a0 + y});
        }
        if (step == 0) break;
        if (x == prev_x) reversed.push_back({EditKind::insert, b0 + x, a0 + y - 1});
        else reversed.push_back({EditKind::remove, b0 + x - 1, a0 + y});
        x = prev_x, y = prev_y;
      }
      edits.insert(edits.end(), reversed.rbegin(), reversed.rend());
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Edit> diff_lines(const Lines& before, const Lines& after, size_t max_changes) {
  size_t prefix = 0;
  while (prefix < before.size() && prefix < after.size() && before[prefix] == after[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < before.size() - prefix && suffix < after.size() - prefix &&
         before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
    ++suffix;
  std::vector<Edit> edits;
  for (size_t i = 0; i < prefix; ++i) edits.push_back({EditKind::keep, i, i});
  size_t b1 = before.size() - suffix, a1 = after.size() - suffix;
  if (!myers(before, prefix, b1, after, prefix, a1, max_changes, edits)) {
    for (size_t i = prefix; i < b1; ++i) edits.push_back({EditKind::remove, i, prefix});
    for (size_t i = prefix; i < a1; ++i) edits.push_back({EditKind::insert, b1, i});
  }
  for (size_t i = 0; i < suffix; ++i) edits.push_back({EditKind::keep, b1 + i, a1 + i});
  return edits;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string unified_hunks(const Lines& before, const Lines& after, size_t context) {
  std::vector<Edit> edits = diff_lines(before, after);
  std::string out;
  size_t i = 0;
  while (i < edits.size()) {
    if (edits[i].kind == EditKind::keep) {
      ++i;
      continue;
    }
    // A hunk: `context` kept lines, changes separated by at most 2 * context kept lines, `context` kept lines.
    size_t first = i >= context ? i - context : 0;
    size_t last = i;  // last change in the hunk
    for (size_t j = i + 1; j < edits.size() && j <= last + 2 * context + 1; ++j)
      if (edits[j].kind != EditKind::keep) last = j;
    size_t end = std::min(edits.size(), last + context + 1);
    size_t old_count = 0, new_count = 0;
    std::string body;
    for (size_t j = first; j < end; ++j) {
      const Edit& e = edits[j];
      if (e.kind != EditKind::insert) ++old_count;
      if (e.kind != EditKind::remove) ++new_count;
      if (e.kind == EditKind::keep) body += fmt::format(" {}\n", before[e.old_index]);
      else if (e.kind == EditKind::remove) body += fmt::format("-{}\n", before[e.old_index]);
      else body += fmt::format("+{}\n", after[e.new_index]);
    }
    // An empty range is named by the line before it, as diff(1) does.
    auto range = [](size_t start, size_t count) {
      if (count == 1) return fmt::format("{}", start + 1);
      return fmt::format("{},{}", count == 0 ? start : start + 1, count);
    };
    out += fmt::format("@@ -{} +{} @@\n", range(edits[first].old_index, old_count), range(edits[first].new_index, new_count));
    out += body;
    i = end;
  }
  return out;
}

}  // namespace segrule
