#pragma once
// Building findings inside src/analysis: one place for codes, spans and the
// "not analysed" wording.

#include <string>
#include <vector>

#include "analysis/analysis.hpp"
#include "analysis/example_record.hpp"
#include "analysis/symbolic.hpp"

namespace segrule::analysis {

Finding finding(Severity severity, const char* code, Span span, std::string message, std::string help = {},
                std::vector<std::string> notes = {});

// W0705: `what` could not be analysed, and why.
Finding not_analysed(Span span, const std::string& what, const std::string& reason);
Finding not_analysed(Span span, const std::string& what, const NotAnalysed& e, const Program& program);

// Why a solver answer of "unknown" is not a result.
std::string gave_up(const AnalysisOptions& options);

// `claim`, and what went wrong when the record was evaluated, if anything.
std::string because(const std::string& claim, const RecordRun& run);

// `a`, `a` and `b`, `a`, `b` and `c`.
std::string name_list(const std::vector<std::string>& names);

}  // namespace segrule::analysis
