#pragma once
// A line diff (Myers' O(ND) algorithm) and its text as a unified diff, for
// `fmt --check` and any tool that shows how one text became another.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace segrule {

enum class EditKind : uint8_t { keep, remove, insert };

// One step of an edit script: keep old line `old_index` (equal to new line
// `new_index`), remove old line `old_index`, or insert new line `new_index`.
// Indexes are 0-based; the other index of a remove or insert is the position
// reached in that text, so hunk headers can be computed from any edit.
struct Edit {
  EditKind kind;
  size_t old_index;
  size_t new_index;
};

// A shortest edit script from `before` to `after`. When the two differ in more
// than `max_changes` lines the script is still correct but may not be the
// shortest (the differing middle is removed and inserted whole), which bounds
// time and memory.
std::vector<Edit> diff_lines(const std::vector<std::string_view>& before, const std::vector<std::string_view>& after,
                             size_t max_changes = 1000);

// The lines of a text without their `\n` (a final `\n` does not start an empty line).
std::vector<std::string_view> split_lines(std::string_view text);

// The hunks of a unified diff (`@@ -a,b +c,d @@` and ` `, `-`, `+` lines) with
// `context` unchanged lines around each change; empty when the lines are equal.
std::string unified_hunks(const std::vector<std::string_view>& before, const std::vector<std::string_view>& after,
                          size_t context = 3);

}  // namespace segrule
