#include "options.hpp"

#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "cli.hpp"
#include "segrule/tools.hpp"

namespace segrule::serve {

namespace {

// A whole-string unsigned number in [low, high], or false.
bool parse_number(const std::string& text, unsigned long long low, unsigned long long high, unsigned long long& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty() && out >= low && out <= high;
}

}  // namespace

bool parse_serve_options(const std::vector<std::string>& args, ServeOptions& options) {
  // Misuse is printed the way every command prints it; the caller exits 2.
  auto fail = [](const std::string& message) {
    cli::misuse(message);
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    unsigned long long n = 0;
    bool takes_value = a == "--rules" || a == "--host" || a == "--port" || a == "--max-body" || a == "--threads" ||
                       a == "--watch-interval" || a == "--as-of";
    if (takes_value && i + 1 >= args.size()) return fail(fmt::format("{} needs a value", a));
    if (a == "--rules") {
      if (!value(options.rules_dir)) return fail("--rules needs a directory");
    } else if (a == "--host") {
      if (!value(options.host) || options.host.empty()) return fail("--host needs an address, such as 127.0.0.1");
    } else if (a == "--port") {
      if (!value(v) || !parse_number(v, 0, 65535, n))
        return fail(fmt::format("--port takes a number from 0 to 65535, not `{}`", v));
      options.port = static_cast<int>(n);
    } else if (a == "--max-body") {
      if (!value(v) || !parse_number(v, 1, 1ull << 32, n))
        return fail(fmt::format("--max-body takes a number of bytes from 1 to 4294967296, not `{}`", v));
      options.max_body = static_cast<size_t>(n);
    } else if (a == "--threads") {
      if (!value(v) || !parse_number(v, 1, 1024, n))
        return fail(fmt::format("--threads takes a number from 1 to 1024, not `{}`", v));
      options.threads = static_cast<unsigned>(n);
    } else if (a == "--watch-interval") {
      if (!value(v) || !parse_number(v, 10, 3'600'000, n))
        return fail(fmt::format("--watch-interval takes milliseconds from 10 to 3600000, not `{}`", v));
      options.watch_interval = std::chrono::milliseconds(n);
    } else if (a == "--as-of") {
      if (!value(options.as_of) || !is_valid_date(options.as_of))
        return fail(fmt::format("--as-of takes a date YYYY-MM-DD, not `{}`", options.as_of));
    } else if (a == "--no-access-log") {
      options.access_log = false;
    } else if (!a.empty() && a[0] == '-') {
      return fail(fmt::format("unknown option `{}` for serve", a));
    } else {
      return fail(fmt::format("unexpected argument `{}`: serve takes its rule directory as --rules DIR", a));
    }
  }
  if (options.rules_dir.empty()) return fail("serve needs --rules DIR, a directory of .seg files");
  std::error_code ec;
  if (!std::filesystem::is_directory(options.rules_dir, ec))
    return fail(fmt::format("--rules `{}` is not a directory", options.rules_dir));
  return true;
}

}  // namespace segrule::serve
