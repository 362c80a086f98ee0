#pragma once
// Records and results as nlohmann::json, for programs that already hold their
// data that way. Header-only: include it only where nlohmann_json is available.
//
// Exactness: nlohmann::json keeps a number with a fraction as a double, so
// 0.1 arrives here as 0.1000000000000000055…; it is written back with the
// shortest text that reads as the same double ("0.1"), which segrule then reads
// exactly. Integers are exact. For amounts with more than 15 significant
// digits, pass JSON text (Ruleset::evaluate(std::string_view)) instead.

#include <nlohmann/json.hpp>

#include "segrule/ruleset.hpp"

namespace segrule {

// Evaluates one record given as a JSON object.
inline RecordResult evaluate(const Ruleset& rules, const nlohmann::json& record, const EvalOptions& options = {}) {
  return rules.evaluate(record.dump(), options);
}

// The result object of a successful evaluation, or null for a record error.
inline nlohmann::json result_json(const RecordResult& result) {
  return result.ok ? nlohmann::json::parse(result.json) : nlohmann::json();
}

}  // namespace segrule
