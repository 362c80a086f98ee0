#pragma once
// Decimal digits written backwards into a caller's buffer, two at a time: the
// shared core of number and date output (Decimal's text, the result writer).

#include <array>
#include <cstdint>
#include <cstring>

namespace segrule {

// "00" "01" ... "99": two digits per division by 100.
inline constexpr auto kDigitPairs = [] {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}();

// The two digits of v < 100 at `at`.
inline void put_digit_pair(char* at, unsigned v) { std::memcpy(at, kDigitPairs.data() + 2 * v, 2); }

// Writes the digits of v so that they end just before `end`; returns the first.
inline char* write_uint(char* end, uint64_t v) {
  while (v >= 100) {
    end -= 2;
    put_digit_pair(end, static_cast<unsigned>(v % 100));
    v /= 100;
  }
  if (v >= 10) {
    end -= 2;
    put_digit_pair(end, static_cast<unsigned>(v));
  } else {
    *--end = static_cast<char>('0' + v);
  }
  return end;
}

// Exactly `width` digits of v (v < 10^width), leading zeros kept.
inline char* write_uint_padded(char* end, uint64_t v, int width) {
  char* begin = write_uint(end, v);
  while (end - begin < width) *--begin = '0';
  return begin;
}

}  // namespace segrule
