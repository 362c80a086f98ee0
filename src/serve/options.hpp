#pragma once
// The options of `segrule serve`, read from the command line.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace segrule::serve {

struct ServeOptions {
  std::string rules_dir;                          // --rules DIR: every *.seg in it
  std::string host = "127.0.0.1";                 // --host: loopback unless told otherwise
  int port = 8080;                                // --port: 0 picks a free port
  size_t max_body = 8u << 20;                     // --max-body BYTES: larger bodies get 413
  unsigned threads = 128;                         // --threads: connections served at once
  std::chrono::milliseconds watch_interval{1000}; // --watch-interval MS: how often DIR is polled
  std::string as_of;                              // --as-of DATE: default evaluation date (empty: today)
  bool access_log = true;                         // --no-access-log: no line per request
};

// Reads the options; on misuse prints why (as every command does) and returns false.
bool parse_serve_options(const std::vector<std::string>& args, ServeOptions& options);

}  // namespace segrule::serve
