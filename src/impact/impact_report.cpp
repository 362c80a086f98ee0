// The three forms of an impact report: text tables for analysts, JSON and CSV
// for programs and spreadsheets.

#include <fmt/format.h>

#include "diff/json_writer.hpp"
#include "impact/impact.hpp"

namespace segrule {

namespace {

// Columns on a terminal: CJK ideographs and full-width forms take two.
size_t display_width(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = c < 0x80 ? c : c < 0xE0 ? c & 0x1F : c < 0xF0 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < length && i + k < text.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
    i += length;
  }
  return width;
}

// Rows of cells, columns aligned; `right` columns are right-aligned (counts).
std::string table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right, const std::string& indent) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(widths[c] - display_width(row[c]), ' ');
      if (c) line += "  ";
      line += c < right.size() && right[c] ? pad + row[c] : row[c] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

std::string keys(const ImpactCell& cell) {
  std::string out;
  for (size_t i = 0; i < cell.examples.size(); ++i) out += (i ? ", " : "") + cell.examples[i];
  return out;
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

std::string totals_line(const ImpactReport& r) {
  return fmt::format("{} read: {} evaluated by both ({} changed, {} unchanged), {} failed in the old version only, {} in the new "
                     "version only, {} in both\n",
                     plural(r.read, "record", "records"), r.evaluated_by_both, r.changed, r.unchanged(), r.failed_old_only.count,
                     r.failed_new_only.count, r.failed_both.count);
}

void tier_text(const TierMatrix& m, std::string& out) {
  out += fmt::format("\ntiers {} (rows: old, columns: new)\n", m.name);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"old \\ new"};
  head.insert(head.end(), m.new_rows.begin(), m.new_rows.end());
  rows.push_back(head);
  for (size_t i = 0; i < m.old_rows.size(); ++i) {
    std::vector<std::string> row{m.old_rows[i]};
    for (const ImpactCell& cell : m.cells[i]) row.push_back(cell.count ? std::to_string(cell.count) : ".");
    rows.push_back(row);
  }
  std::vector<bool> right(m.new_rows.size() + 1, true);
  right[0] = false;
  out += table(rows, right, "  ");
  std::vector<std::vector<std::string>> moves;
  for (size_t i = 0; i < m.old_rows.size(); ++i)
    for (size_t j = 0; j < m.new_rows.size(); ++j)
      if (m.cells[i][j].count && m.old_rows[i] != m.new_rows[j])
        moves.push_back({m.old_rows[i] + " → " + m.new_rows[j], std::to_string(m.cells[i][j].count), keys(m.cells[i][j])});
  if (moves.empty()) {
    out += "  no record moved\n";
    return;
  }
  out += "  moved:\n";
  out += table(moves, {false, true, false}, "    ");
}

std::string gain_loss_examples(const GainLoss& g, const char* gained, const char* lost) {
  std::string out;
  if (g.gained.count) out += std::string(gained) + " " + keys(g.gained);
  if (g.lost.count) out += (out.empty() ? "" : "; ") + std::string(lost) + " " + keys(g.lost);
  return out;
}

void membership_text(const MembershipChanges& mc, std::string& out) {
  bool segments = mc.kind == "segments";
  const char* gained = segments ? "joined" : "gained";
  const char* lost = segments ? "left" : "lost";
  std::vector<std::vector<std::string>> rows{{segments ? "segment" : "item", gained, lost, "examples"}};
  for (const GainLoss& g : mc.ids) {
    if (!segments && !g.gained.count && !g.lost.count) continue;
    rows.push_back({unquoted(g.id), std::to_string(g.gained.count), std::to_string(g.lost.count), gain_loss_examples(g, gained, lost)});
  }
  if (segments) {
    out += fmt::format("\nsegments {}\n", mc.name);
  } else if (rows.size() == 1) {
    out += fmt::format("\noutput {}: no item gained or lost\n", mc.name);
    return;
  } else {
    out += fmt::format("\noutput {} (items gained and lost)\n", mc.name);
  }
  out += table(rows, {false, true, true, false}, "  ");
}

void field_text(const FieldChanges& f, std::string& out) {
  std::string title = fmt::format("{} {}{}", f.kind, f.name, f.masked ? " (pii masked)" : "");
  if (f.changes.empty() && !f.other.count) {
    out += fmt::format("\n{}: no change\n", title);
    return;
  }
  out += "\n" + title + "\n";
  std::vector<std::vector<std::string>> rows;
  for (const FieldChange& c : f.changes) rows.push_back({unquoted(c.from) + " → " + unquoted(c.to), std::to_string(c.cell.count), keys(c.cell)});
  if (f.other.count) rows.push_back({"(other changes)", std::to_string(f.other.count), keys(f.other)});
  out += table(rows, {false, true, false}, "  ");
}

void failures_text(const char* title, const FailureGroup& g, std::string& out) {
  out += fmt::format("  {}: {}\n", title, g.count);
  for (const ImpactFailure& f : g.examples) {
    std::string where = f.key.empty() ? fmt::format("line {}", f.line) : fmt::format("{} (line {})", f.key, f.line);
    std::string why;
    if (!f.old_error.empty() && !f.new_error.empty() && f.old_error != f.new_error)
      why = fmt::format("old: {}; new: {}", f.old_error, f.new_error);
    else
      why = f.old_error.empty() ? f.new_error : f.old_error;
    out += fmt::format("    {}: {}\n", where, why);
  }
  if (g.count > g.examples.size()) out += fmt::format("    ... and {} more\n", g.count - g.examples.size());
}

void cell_json(JsonWriter& w, const ImpactCell& cell) {
  w.begin_object(true);
  w.key("count");
  w.number(cell.count);
  w.key("examples");
  w.begin_array(true);
  for (const auto& k : cell.examples) w.string(k);
  w.end_array();
  w.end_object();
}

void strings_json(JsonWriter& w, const std::vector<std::string>& items) {
  w.begin_array(true);
  for (const auto& s : items) w.string(s);
  w.end_array();
}

// CSV cells are quoted when they hold a comma, quote or line break.
std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_keys(const std::vector<std::string>& examples) {
  std::string out;
  for (size_t i = 0; i < examples.size(); ++i) out += (i ? ";" : "") + examples[i];
  return out;
}

}  // namespace

std::string impact_text(const ImpactReport& r, const ImpactSources& s) {
  std::string out = fmt::format("impact of {} → {} on {} (as of {})\n", s.old_name, s.new_name, s.input_name, s.as_of);
  out += totals_line(r);
  for (const TierMatrix& m : r.tiers) tier_text(m, out);
  // Segments and their primaries, then list outputs, then scalar outputs.
  for (const MembershipChanges& mc : r.memberships)
    if (mc.kind == "segments") membership_text(mc, out);
  for (const FieldChanges& f : r.fields)
    if (f.kind == "primary") field_text(f, out);
  for (const MembershipChanges& mc : r.memberships)
    if (mc.kind != "segments") membership_text(mc, out);
  for (const FieldChanges& f : r.fields)
    if (f.kind != "primary") field_text(f, out);
  out += "\nrecords that failed\n";
  failures_text("in the old version only", r.failed_old_only, out);
  failures_text("in the new version only", r.failed_new_only, out);
  failures_text("in both", r.failed_both, out);
  if (!r.not_compared.empty()) {
    out += "\nnot compared (in one version only, or of another kind):";
    for (size_t i = 0; i < r.not_compared.size(); ++i) out += (i ? ", " : " ") + r.not_compared[i];
    out += '\n';
  }
  out += '\n' + totals_line(r);
  return out;
}

std::string impact_json(const ImpactReport& r, const ImpactSources& s) {
  JsonWriter w;
  w.begin_object();
  for (auto [key, value] : {std::pair{"old", &s.old_name}, {"new", &s.new_name}, {"input", &s.input_name}, {"as_of", &s.as_of}}) {
    w.key(key);
    w.string(*value);
  }
  w.key("totals");
  w.begin_object();
  for (auto [key, value] : {std::pair{"read", r.read}, {"evaluated_by_both", r.evaluated_by_both}, {"changed", r.changed},
                            {"unchanged", r.unchanged()}, {"failed_old_only", r.failed_old_only.count},
                            {"failed_new_only", r.failed_new_only.count}, {"failed_both", r.failed_both.count}}) {
    w.key(key);
    w.number(value);
  }
  w.end_object();
  w.key("tiers");
  w.begin_array();
  for (const TierMatrix& m : r.tiers) {
    w.begin_object();
    w.key("name");
    w.string(m.name);
    w.key("old_rows");
    strings_json(w, m.old_rows);
    w.key("new_rows");
    strings_json(w, m.new_rows);
    w.key("cells");
    w.begin_array();
    for (size_t i = 0; i < m.old_rows.size(); ++i)
      for (size_t j = 0; j < m.new_rows.size(); ++j) {
        const ImpactCell& c = m.cells[i][j];
        if (!c.count) continue;
        w.begin_object(true);
        w.key("from");
        w.string(m.old_rows[i]);
        w.key("to");
        w.string(m.new_rows[j]);
        w.key("count");
        w.number(c.count);
        w.key("examples");
        strings_json(w, c.examples);
        w.end_object();
      }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  for (const char* kind : {"segments", "list"}) {
    bool segments = std::string(kind) == "segments";
    w.key(segments ? "segments" : "lists");
    w.begin_array();
    for (const MembershipChanges& mc : r.memberships) {
      if (mc.kind != kind) continue;
      w.begin_object();
      w.key("name");
      w.string(mc.name);
      w.key(segments ? "segments" : "items");
      w.begin_array();
      for (const GainLoss& g : mc.ids) {
        if (!segments && !g.gained.count && !g.lost.count) continue;
        w.begin_object(true);
        w.key(segments ? "id" : "item");
        if (segments) w.string(g.id);
        else w.raw(g.id);
        w.key(segments ? "joined" : "gained");
        cell_json(w, g.gained);
        w.key(segments ? "left" : "lost");
        cell_json(w, g.lost);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
  }
  w.key("fields");
  w.begin_array();
  for (const FieldChanges& f : r.fields) {
    w.begin_object();
    w.key("kind");
    w.string(f.kind);
    w.key("name");
    w.string(f.name);
    w.key("masked");
    w.boolean(f.masked);
    w.key("changes");
    w.begin_array();
    for (const FieldChange& c : f.changes) {
      w.begin_object(true);
      w.key("from");
      w.raw(c.from);
      w.key("to");
      w.raw(c.to);
      w.key("count");
      w.number(c.cell.count);
      w.key("examples");
      strings_json(w, c.cell.examples);
      w.end_object();
    }
    w.end_array();
    w.key("other");
    cell_json(w, f.other);
    w.end_object();
  }
  w.end_array();
  w.key("failures");
  w.begin_object();
  for (auto [key, group] : {std::pair{"old_only", &r.failed_old_only}, {"new_only", &r.failed_new_only}, {"both", &r.failed_both}}) {
    w.key(key);
    w.begin_object();
    w.key("count");
    w.number(group->count);
    w.key("examples");
    w.begin_array();
    for (const ImpactFailure& f : group->examples) {
      w.begin_object(true);
      w.key("line");
      w.number(f.line);
      w.key("key");
      if (f.key.empty()) w.null();
      else w.string(f.key);
      for (auto [which, error] : {std::pair{"old_error", &f.old_error}, {"new_error", &f.new_error}}) {
        w.key(which);
        if (error->empty()) w.null();
        else w.string(*error);
      }
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_object();
  w.key("not_compared");
  strings_json(w, r.not_compared);
  w.end_object();
  return w.take();
}

std::string impact_csv(const ImpactReport& r) {
  std::string out = "section,name,from,to,count,examples\n";
  auto row = [&](std::string_view section, std::string_view name, std::string_view from, std::string_view to, size_t count,
                 const std::vector<std::string>& examples) {
    out += fmt::format("{},{},{},{},{},{}\n", section, csv_cell(name), csv_cell(from), csv_cell(to), count, csv_cell(csv_keys(examples)));
  };
  row("total", "read", "", "", r.read, {});
  row("total", "evaluated_by_both", "", "", r.evaluated_by_both, {});
  row("total", "changed", "", "", r.changed, {});
  row("total", "unchanged", "", "", r.unchanged(), {});
  row("total", "failed_old_only", "", "", r.failed_old_only.count, {});
  row("total", "failed_new_only", "", "", r.failed_new_only.count, {});
  row("total", "failed_both", "", "", r.failed_both.count, {});
  for (const TierMatrix& m : r.tiers)
    for (size_t i = 0; i < m.old_rows.size(); ++i)
      for (size_t j = 0; j < m.new_rows.size(); ++j)
        if (m.cells[i][j].count) row("tier", m.name, m.old_rows[i], m.new_rows[j], m.cells[i][j].count, m.cells[i][j].examples);
  for (const MembershipChanges& mc : r.memberships) {
    bool segments = mc.kind == "segments";
    for (const GainLoss& g : mc.ids) {
      std::string id = unquoted(g.id);
      if (g.gained.count) row(segments ? "segment_joined" : "item_gained", mc.name, "", id, g.gained.count, g.gained.examples);
      if (g.lost.count) row(segments ? "segment_left" : "item_lost", mc.name, id, "", g.lost.count, g.lost.examples);
    }
  }
  for (const FieldChanges& f : r.fields) {
    for (const FieldChange& c : f.changes) row("field", f.name, unquoted(c.from), unquoted(c.to), c.cell.count, c.cell.examples);
    if (f.other.count) row("field_other", f.name, "", "", f.other.count, f.other.examples);
  }
  auto failure_keys = [](const FailureGroup& g) {
    std::vector<std::string> out;
    for (const ImpactFailure& f : g.examples) out.push_back(f.key.empty() ? "line " + std::to_string(f.line) : f.key);
    return out;
  };
  row("failed_old_only", "", "", "", r.failed_old_only.count, failure_keys(r.failed_old_only));
  row("failed_new_only", "", "", "", r.failed_new_only.count, failure_keys(r.failed_new_only));
  row("failed_both", "", "", "", r.failed_both.count, failure_keys(r.failed_both));
  return out;
}

}  // namespace segrule
