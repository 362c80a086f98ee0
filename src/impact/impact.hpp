#pragma once
// `impact`: both versions of a rule file evaluated over the same records, and
// what moved: the tier from→to matrix, who joined or left each segment, which
// list items (offers, actions) were gained or lost, how each scalar output
// changed, and which records fail in one version only. Records are taken one
// at a time and only counts and a few example keys are kept, so memory does
// not grow with the input.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "eval/record_stream.hpp"

namespace segrule {

struct ImpactOptions {
  Date as_of;
  RecordLimits limits;
  bool show_pii = false;        // output values computed from `pii` fields are masked unless set
  size_t max_examples = 3;      // example keys kept per cell
  size_t max_distinct = 1000;   // distinct from→to pairs kept per output field; the rest are counted as "other"
};

// A count and the keys of its first few records.
struct ImpactCell {
  size_t count = 0;
  std::vector<std::string> examples;
};

struct TierMatrix {
  std::string name;
  std::vector<std::string> old_rows, new_rows;
  std::vector<std::vector<ImpactCell>> cells;  // [old row][new row]
};

// Segments (membership) and list outputs (items): who gained and who lost each id.
struct GainLoss {
  std::string id;   // a segment or an item: its id, or for lists of text the item as JSON
  ImpactCell gained, lost;
};

struct MembershipChanges {
  std::string kind;  // "segments" or "list"
  std::string name;  // the segments decision or the list output
  std::vector<GainLoss> ids;
};

// A scalar output (or a segments' NAME_primary): counts per from→to pair.
struct FieldChange {
  std::string from, to;  // values as result JSON
  ImpactCell cell;
};

struct FieldChanges {
  std::string kind;  // "output", or "primary" for a segments' NAME_primary
  std::string name;
  std::vector<FieldChange> changes;  // in first-seen order
  ImpactCell other;                  // pairs beyond max_distinct
  bool masked = false;               // values shown masked: computed from `pii` fields
};

struct ImpactFailure {
  size_t line = 0;
  std::string key;         // empty when the record's key could not be read
  std::string old_error;   // empty when the old version read it
  std::string new_error;   // empty when the new version read it
};

struct FailureGroup {
  size_t count = 0;
  std::vector<ImpactFailure> examples;
};

struct ImpactReport {
  size_t read = 0;
  size_t evaluated_by_both = 0;
  size_t changed = 0;  // evaluated by both, and some compared result differs
  FailureGroup failed_old_only, failed_new_only, failed_both;
  std::vector<TierMatrix> tiers;
  std::vector<MembershipChanges> memberships;  // segments first, then list outputs
  std::vector<FieldChanges> fields;
  std::vector<std::string> not_compared;  // decisions and outputs in one version only, or of another kind

  size_t unchanged() const { return evaluated_by_both - changed; }
  // read == evaluated_by_both + failed_old_only + failed_new_only + failed_both
  bool adds_up() const {
    return read == evaluated_by_both + failed_old_only.count + failed_new_only.count + failed_both.count;
  }
};

// Aggregates records one at a time. Both programs must outlive it.
class ImpactAggregator {
 public:
  ImpactAggregator(const Program& old_program, const Program& new_program, const ImpactOptions& options);
  ~ImpactAggregator();

  // CSV input: the header row, before the first record.
  void set_csv_header(const std::vector<CsvCell>& header);
  void add(const RawRecord& record);
  const ImpactReport& report() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads every record of `stream` and returns the report.
ImpactReport run_impact(const Program& old_program, const Program& new_program, RecordStream& stream, const ImpactOptions& options);

// Where the report came from, for its heading.
struct ImpactSources {
  std::string old_name, new_name, input_name, as_of;
};

// The report as text tables, JSON, or CSV rows (formats in docs/impact.md).
std::string impact_text(const ImpactReport& report, const ImpactSources& sources);
std::string impact_json(const ImpactReport& report, const ImpactSources& sources);
std::string impact_csv(const ImpactReport& report);

}  // namespace segrule
