#pragma once
// `segrule serve`: the rule files of a directory behind an HTTP service
// (docs/service.md). Runs until SIGTERM or SIGINT, then drains the requests in
// flight and returns 0.

#include <string>
#include <vector>

namespace segrule::cli {

int cmd_serve(const std::vector<std::string>& args);

}  // namespace segrule::cli
