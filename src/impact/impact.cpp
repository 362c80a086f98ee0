#include "impact/impact.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include "eval/result_writer.hpp"

namespace segrule {

namespace {

const std::string kOtherItems = "\"(other items)\"";

void add_to(ImpactCell& cell, const std::string& key, size_t max_examples) {
  ++cell.count;
  if (cell.examples.size() < max_examples) cell.examples.push_back(key);
}

std::string json_of(const Program& p, const Type& type, const Value& v) {
  std::string out;
  write_value(p, type, v, out);
  return out;
}

// One version's view of a record: its slots and outputs after evaluation, or why it failed.
struct Side {
  const Program& program;
  CsvColumns columns;
  Outcome outcome;
  bool ok = false;
  std::string error;
  std::optional<std::string> key;

  explicit Side(const Program& p) : program(p) {}

  void evaluate_record(const RawRecord& raw, bool csv, const ImpactOptions& options) {
    const Program& p = program;
    reset_outcome(p, outcome);
    outcome.slots[p.as_of_slot] = Value::of_date(options.as_of);
    RecordProblem problem;
    if (!raw.early_error.empty()) {
      problem.message = raw.early_error;
      problem.key = raw.key;
      ok = false;
    } else if (csv) {
      ok = record_from_csv(p, columns, raw.cells, outcome.slots, problem);
    } else {
      ok = record_from_json(p, raw.text, options.limits, outcome.slots, problem);
    }
    key = problem.key;
    if (ok && p.key_field != kNone) {
      const Value& k = outcome.slots[p.inputs[p.key_field].slot];
      if (k.kind == ValueKind::string) key = k.text;
      else if (k.kind == ValueKind::number) key = k.number.to_string();
    }
    if (ok) {
      EvalError err;
      ok = evaluate(p, outcome, err, nullptr);
      if (!ok) problem.message = err.message;
    }
    error = ok ? std::string() : problem.message;
  }
};

// Whether an output's value may be computed from a `pii` input: its statements
// read one, directly or through lets and decisions.
bool reads_pii(const Program& p, uint32_t node, std::set<uint32_t>& seen) {
  if (node == kNone) return false;
  const Node& n = p.nodes[node];
  if (n.code == Code::slot && seen.insert(n.slot).second) {
    const Slot& s = p.slots[n.slot];
    if (s.kind == SlotKind::input && p.inputs[s.decl].pii) return true;
    if (s.kind == SlotKind::let && reads_pii(p, p.lets[s.decl].value, seen)) return true;
    if (s.kind == SlotKind::tiers || s.kind == SlotKind::segments || s.kind == SlotKind::primary)
      for (const CompiledRow& r : p.decisions[s.decl].rows)
        if (reads_pii(p, r.score, seen)) return true;
  }
  for (uint32_t a : n.args)
    if (reads_pii(p, a, seen)) return true;
  return false;
}

bool output_reads_pii(const Program& p, uint32_t field) {
  std::set<uint32_t> seen;
  for (const Strategy& s : p.strategies)
    for (const CompiledStatement& st : s.statements)
      if (st.field == field && reads_pii(p, st.value, seen)) return true;
  return false;
}

const Decision* decision_named(const Program& p, const std::string& name) {
  for (const Decision& d : p.decisions)
    if (d.name == name) return &d;
  return nullptr;
}

uint32_t output_named(const Program& p, const std::string& name) {
  for (size_t i = 0; i < p.outputs.size(); ++i)
    if (p.outputs[i].name == name) return static_cast<uint32_t>(i);
  return kNone;
}

}  // namespace

struct ImpactAggregator::State {
  const Program& old_p;
  const Program& new_p;
  ImpactOptions options;
  Side old_side, new_side;
  bool csv = false;
  ImpactReport report;

  // What is compared, resolved once: pairs of decisions and outputs by name.
  struct TierPair {
    const Decision* a;
    const Decision* b;
    size_t matrix;
  };
  struct SegmentPair {
    const Decision* a;
    const Decision* b;
    size_t changes;
    std::unordered_map<std::string, size_t> index;  // segment id -> position in its GainLoss list
  };
  struct ListPair {
    uint32_t a, b;
    size_t changes;
    std::unordered_map<std::string, size_t> index;
  };
  struct FieldPair {
    // Either two output fields or two NAME_primary slots.
    uint32_t a_output = kNone, b_output = kNone;
    uint32_t a_slot = kNone, b_slot = kNone;
    size_t changes;
    std::map<std::pair<std::string, std::string>, size_t> index;
  };
  std::vector<TierPair> tier_pairs;
  std::vector<SegmentPair> segment_pairs;
  std::vector<ListPair> list_pairs;
  std::vector<FieldPair> field_pairs;

  State(const Program& a, const Program& b, const ImpactOptions& o) : old_p(a), new_p(b), options(o), old_side(a), new_side(b) {
    pair_decisions();
    pair_outputs();
  }

  void pair_decisions() {
    for (const Decision& b : new_p.decisions) {
      const Decision* a = decision_named(old_p, b.name);
      if (!a || a->is_tiers != b.is_tiers) {
        report.not_compared.push_back(b.name);
        continue;
      }
      if (b.is_tiers) {
        TierMatrix m;
        m.name = b.name;
        m.old_rows = old_p.domains[a->domain].ids;
        m.new_rows = new_p.domains[b.domain].ids;
        m.cells.assign(m.old_rows.size(), std::vector<ImpactCell>(m.new_rows.size()));
        tier_pairs.push_back({a, &b, report.tiers.size()});
        report.tiers.push_back(std::move(m));
        continue;
      }
      SegmentPair sp{a, &b, report.memberships.size(), {}};
      MembershipChanges mc{"segments", b.name, {}};
      for (const auto& ids : {new_p.domains[b.domain].ids, old_p.domains[a->domain].ids})
        for (const std::string& id : ids)
          if (sp.index.emplace(id, mc.ids.size()).second) mc.ids.push_back(GainLoss{id, {}, {}});
      segment_pairs.push_back(std::move(sp));
      report.memberships.push_back(std::move(mc));
      if (a->primary_slot != kNone && b.primary_slot != kNone) {
        FieldPair fp;
        fp.a_slot = a->primary_slot;
        fp.b_slot = b.primary_slot;
        fp.changes = report.fields.size();
        field_pairs.push_back(std::move(fp));
        report.fields.push_back(FieldChanges{"primary", new_p.slots[b.primary_slot].name, {}, {}, false});
      }
    }
    for (const Decision& a : old_p.decisions)
      if (!decision_named(new_p, a.name)) report.not_compared.push_back(a.name);
  }

  void pair_outputs() {
    for (uint32_t j = 0; j < new_p.outputs.size(); ++j) {
      const OutputField& b = new_p.outputs[j];
      uint32_t i = output_named(old_p, b.name);
      bool is_list = b.type.base == BaseType::list;
      if (i == kNone || (old_p.outputs[i].type.base == BaseType::list) != is_list) {
        report.not_compared.push_back(b.name);
        continue;
      }
      bool masked = !options.show_pii && (output_reads_pii(old_p, i) || output_reads_pii(new_p, j));
      if (is_list) {
        ListPair lp{i, j, report.memberships.size(), {}};
        MembershipChanges mc{"list", b.name, {}};
        // Catalog lists list their items in catalog order; lists of text as items are first seen.
        for (const Program* p : {&new_p, &old_p}) {
          const OutputField& f = p == &new_p ? b : old_p.outputs[i];
          if (f.type.element != BaseType::symbol) continue;
          for (const std::string& id : p->domains[f.type.domain].ids) {
            std::string key = "\"" + id + "\"";
            if (lp.index.emplace(key, mc.ids.size()).second) mc.ids.push_back(GainLoss{key, {}, {}});
          }
        }
        list_pairs.push_back(std::move(lp));
        report.memberships.push_back(std::move(mc));
        continue;
      }
      FieldPair fp;
      fp.a_output = i;
      fp.b_output = j;
      fp.changes = report.fields.size();
      field_pairs.push_back(std::move(fp));
      report.fields.push_back(FieldChanges{"output", b.name, {}, {}, masked});
    }
    for (const OutputField& a : old_p.outputs)
      if (output_named(new_p, a.name) == kNone) report.not_compared.push_back(a.name);
  }

  // Items of a list value as JSON texts, in list order.
  static std::vector<std::string> items_of(const Program& p, const Type& type, const Value& list) {
    std::vector<std::string> out;
    for (const Value& item : list.items) out.push_back(json_of(p, type.element_type(), item));
    return out;
  }

  // Gained and lost ids between two lists; true when the lists differ (order included).
  bool compare_lists(const std::vector<std::string>& before, const std::vector<std::string>& after, MembershipChanges& mc,
                     std::unordered_map<std::string, size_t>& index, const std::string& key) {
    if (before == after) return false;
    std::set<std::string> a(before.begin(), before.end()), b(after.begin(), after.end());
    // Items beyond max_distinct (free text) are counted together, so memory stays bounded.
    auto slot = [&](const std::string& id) -> GainLoss& {
      auto it = index.find(id);
      if (it == index.end() && mc.ids.size() >= options.max_distinct) it = index.find(kOtherItems);
      if (it != index.end()) return mc.ids[it->second];
      const std::string& name = mc.ids.size() + 1 >= options.max_distinct ? kOtherItems : id;
      index.emplace(name, mc.ids.size());
      mc.ids.push_back(GainLoss{name, {}, {}});
      return mc.ids.back();
    };
    for (const std::string& id : after)
      if (!a.count(id)) add_to(slot(id).gained, key, options.max_examples);
    for (const std::string& id : before)
      if (!b.count(id)) add_to(slot(id).lost, key, options.max_examples);
    return true;
  }

  bool compare_field(FieldPair& fp, const std::string& key) {
    std::string from, to;
    if (fp.a_output != kNone) {
      from = json_of(old_p, old_p.outputs[fp.a_output].type, old_side.outcome.outputs[fp.a_output]);
      to = json_of(new_p, new_p.outputs[fp.b_output].type, new_side.outcome.outputs[fp.b_output]);
    } else {
      from = json_of(old_p, old_p.slots[fp.a_slot].type, old_side.outcome.slots[fp.a_slot]);
      to = json_of(new_p, new_p.slots[fp.b_slot].type, new_side.outcome.slots[fp.b_slot]);
    }
    if (from == to) return false;
    FieldChanges& fc = report.fields[fp.changes];
    if (fc.masked) {
      from = mask_json(from);
      to = mask_json(to);
    }
    auto it = fp.index.find({from, to});
    if (it == fp.index.end()) {
      if (fc.changes.size() >= options.max_distinct) {
        add_to(fc.other, key, options.max_examples);
        return true;
      }
      it = fp.index.emplace(std::make_pair(from, to), fc.changes.size()).first;
      fc.changes.push_back(FieldChange{from, to, {}});
    }
    add_to(fc.changes[it->second].cell, key, options.max_examples);
    return true;
  }

  // A JSON string value masked as a `pii` field would be; other values as they are.
  static std::string mask_json(const std::string& json) {
    if (json.size() < 2 || json.front() != '"') return json;
    std::string out;
    write_json_string(mask_pii(json.substr(1, json.size() - 2)), out);
    return out;
  }

  // Compares one record evaluated by both; true when something differs.
  bool compare(const std::string& key) {
    bool changed = false;
    for (const TierPair& tp : tier_pairs) {
      uint32_t from = old_side.outcome.slots[tp.a->slot].symbol;
      uint32_t to = new_side.outcome.slots[tp.b->slot].symbol;
      TierMatrix& m = report.tiers[tp.matrix];
      add_to(m.cells[from][to], key, options.max_examples);
      changed |= m.old_rows[from] != m.new_rows[to];
    }
    for (SegmentPair& sp : segment_pairs) {
      auto ids = [](const Program& p, const Decision& d, const Value& v) {
        std::vector<std::string> out;
        for (const Value& item : v.items) out.push_back(p.domains[d.domain].ids[item.symbol]);
        return out;
      };
      changed |= compare_lists(ids(old_p, *sp.a, old_side.outcome.slots[sp.a->slot]), ids(new_p, *sp.b, new_side.outcome.slots[sp.b->slot]),
                               report.memberships[sp.changes], sp.index, key);
    }
    for (ListPair& lp : list_pairs) {
      changed |= compare_lists(items_of(old_p, old_p.outputs[lp.a].type, old_side.outcome.outputs[lp.a]),
                               items_of(new_p, new_p.outputs[lp.b].type, new_side.outcome.outputs[lp.b]), report.memberships[lp.changes],
                               lp.index, key);
    }
    for (FieldPair& fp : field_pairs) changed |= compare_field(fp, key);
    return changed;
  }

  void add(const RawRecord& raw) {
    ++report.read;
    old_side.evaluate_record(raw, csv, options);
    new_side.evaluate_record(raw, csv, options);
    std::optional<std::string> key = new_side.key ? new_side.key : old_side.key;
    if (old_side.ok && new_side.ok) {
      ++report.evaluated_by_both;
      if (compare(key.value_or("line " + std::to_string(raw.line)))) ++report.changed;
      return;
    }
    FailureGroup& group = !old_side.ok && !new_side.ok ? report.failed_both : !old_side.ok ? report.failed_old_only : report.failed_new_only;
    ++group.count;
    if (group.examples.size() < options.max_examples)
      group.examples.push_back(ImpactFailure{raw.line, key.value_or(""), old_side.error, new_side.error});
  }
};

ImpactAggregator::ImpactAggregator(const Program& old_program, const Program& new_program, const ImpactOptions& options)
    : state_(std::make_unique<State>(old_program, new_program, options)) {}

ImpactAggregator::~ImpactAggregator() = default;

void ImpactAggregator::set_csv_header(const std::vector<CsvCell>& header) {
  state_->csv = true;
  state_->old_side.columns = csv_columns(state_->old_p, header);
  state_->new_side.columns = csv_columns(state_->new_p, header);
}

void ImpactAggregator::add(const RawRecord& record) { state_->add(record); }

const ImpactReport& ImpactAggregator::report() const { return state_->report; }

ImpactReport run_impact(const Program& old_program, const Program& new_program, RecordStream& stream, const ImpactOptions& options) {
  ImpactAggregator aggregator(old_program, new_program, options);
  RawRecord record;
  bool header_set = false;
  while (stream.next(record)) {
    if (!header_set && stream.format() == InputFormat::csv) {
      aggregator.set_csv_header(stream.header());
      header_set = true;
    }
    aggregator.add(record);
  }
  return aggregator.report();
}

}  // namespace segrule
