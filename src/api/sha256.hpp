#pragma once
// SHA-256 (FIPS 180-4), for the content hash that identifies a ruleset version.

#include <string>
#include <string_view>

namespace segrule {

// The digest of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace segrule
