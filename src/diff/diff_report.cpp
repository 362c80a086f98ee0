// The two forms of a semantic diff: text for reviewers and JSON for programs.

#include <fmt/format.h>

#include "diff/diff.hpp"
#include "diff/json_writer.hpp"
#include "eval/json_reader.hpp"

namespace segrule {

namespace {

const char* op_name(Change::Op op) {
  switch (op) {
    case Change::Op::added: return "added";
    case Change::Op::removed: return "removed";
    case Change::Op::changed: return "changed";
    case Change::Op::reordered: return "reordered";
  }
  return "changed";
}

const char* status_name(DeclarationDiff::Status status) {
  switch (status) {
    case DeclarationDiff::Status::added: return "added";
    case DeclarationDiff::Status::removed: return "removed";
    case DeclarationDiff::Status::changed: return "changed";
  }
  return "changed";
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::equivalent: return "equivalent";
    case Verdict::differs: return "differs";
    case Verdict::not_analysed: return "not_analysed";
  }
  return "not_analysed";
}

// Expressions get two spaces around the arrow so that they stand apart; single
// values (labels, numbers, entries) one.
bool is_expression(const Change& c) {
  if (c.part == "row") return c.aspect == "condition" || c.aspect == "score";
  return c.part == "when" || c.part == "value" || c.part == "body" || c.part == "statement" || c.part == "drop" || c.aspect == "type";
}

std::string arrow(const Change& c) {
  return is_expression(c) ? c.old_text + "  →  " + c.new_text : c.old_text + " → " + c.new_text;
}

std::string order_text(const Change& c) {
  if (c.old_order.size() == 2) return c.old_order[0] + " ↔ " + c.old_order[1];
  std::string before, after;
  for (size_t i = 0; i < c.old_order.size(); ++i) before += (i ? ", " : "") + c.old_order[i];
  for (size_t i = 0; i < c.new_order.size(); ++i) after += (i ? ", " : "") + c.new_order[i];
  return before + " → " + after;
}

std::string heading(const std::string& part, const std::string& id, const std::string& label) {
  std::string out = part;
  if (!id.empty()) out += " " + id;
  if (!label.empty()) out += " \"" + label + "\"";
  return out;
}

std::string change_line(const Change& c) {
  switch (c.op) {
    case Change::Op::added: {
      std::string out = "+ " + heading(c.part, c.id, c.label);
      if (!c.new_text.empty()) out += " " + c.new_text;
      if (c.part == "row" || c.part == "value") out += c.after.empty() ? " (first)" : " (after " + c.after + ")";
      return out;
    }
    case Change::Op::removed: {
      std::string out = "- " + heading(c.part, c.id, c.label);
      if (!c.old_text.empty()) out += " " + c.old_text;
      return out;
    }
    case Change::Op::changed: {
      bool row_expression = c.part == "row" && is_expression(c);
      std::string out = "~ " + heading(c.part == "entry" ? c.id : c.part, c.part == "entry" ? "" : c.id, row_expression ? c.label : "");
      if (!c.aspect.empty()) out += ": " + c.aspect;
      out += row_expression || c.part == "when" || c.part == "value" || c.part == "body" ? "  " : " ";
      out += arrow(c);
      if (!c.note.empty()) out += " (" + c.note + ")";
      return out;
    }
    case Change::Op::reordered: return "reordered: " + order_text(c);
  }
  return {};
}

// The verdict on a reordering that is the only change: the reordered line itself says it.
std::string reorder_verdict(const DecisionComparison& r) {
  switch (r.verdict) {
    case Verdict::equivalent: return " — rows are disjoint: no change in meaning";
    case Verdict::differs:
      return fmt::format(" — rows overlap, a record whose result differs: {}: {} → {}", r.example, unquoted(r.old_result),
                         unquoted(r.new_result));
    case Verdict::not_analysed: return " — not analysed: " + r.reason;
  }
  return {};
}

std::string verdict_line(const DecisionComparison& r) {
  switch (r.verdict) {
    case Verdict::equivalent: return "equivalent after all: every record gets the same result";
    case Verdict::differs: return fmt::format("result differs, e.g. {}: {} → {}", r.example, unquoted(r.old_result), unquoted(r.new_result));
    case Verdict::not_analysed: return "not analysed: " + r.reason;
  }
  return {};
}

// The analysis gives results "as in result JSON"; anything that is not JSON
// after all (a note appended to it) goes in as a string, so the document stays valid.
void json_value(JsonWriter& w, const std::string& text) {
  if (std::holds_alternative<JsonValue>(parse_json(text))) w.raw(text);
  else w.string(text);
}

std::string title(const DeclarationDiff& d) { return d.name.empty() ? d.kind : d.kind + " " + d.name; }

}  // namespace

std::string diff_text(const SemanticDiff& diff) {
  std::string out;
  for (const DeclarationDiff& d : diff.declarations) {
    if (d.status != DeclarationDiff::Status::changed) {
      out += (d.status == DeclarationDiff::Status::added ? "+ " : "- ") + title(d);
      if (!d.summary.empty()) out += " " + d.summary;
      out += '\n';
      continue;
    }
    out += title(d) + '\n';
    const Judgement* j = d.judgement ? &*d.judgement : nullptr;
    for (const Change& c : d.changes) {
      out += "  " + change_line(c);
      if (j && j->reorder_only) out += reorder_verdict(j->comparison);
      out += '\n';
    }
    if (!j || j->reorder_only) continue;
    if (!j->depends_on.empty()) {
      out += "  depends on changed";
      for (size_t i = 0; i < j->depends_on.size(); ++i) out += (i ? ", `" : " `") + j->depends_on[i] + "`";
      out += '\n';
    }
    out += "  " + verdict_line(j->comparison) + '\n';
  }
  if (!diff.changed_meaning())
    out += diff.declarations.empty() ? "no change in meaning\n" : "no change in meaning: every change above is proven equivalent\n";
  return out;
}

std::string diff_json(const SemanticDiff& diff, const std::string& old_name, const std::string& new_name) {
  JsonWriter w;
  w.begin_object();
  w.key("old");
  w.string(old_name);
  w.key("new");
  w.string(new_name);
  w.key("changed_meaning");
  w.boolean(diff.changed_meaning());
  w.key("declarations");
  w.begin_array();
  for (const DeclarationDiff& d : diff.declarations) {
    w.begin_object();
    w.key("kind");
    w.string(d.kind);
    w.key("name");
    w.string(d.name);
    w.key("status");
    w.string(status_name(d.status));
    if (!d.summary.empty()) {
      w.key("summary");
      w.string(d.summary);
    }
    w.key("changes_meaning");
    w.boolean(d.changes_meaning);
    w.key("changes");
    w.begin_array();
    for (const Change& c : d.changes) {
      w.begin_object(true);
      w.key("change");
      w.string(op_name(c.op));
      w.key("part");
      w.string(c.part);
      auto member = [&](const char* key, const std::string& value) {
        if (value.empty()) return;
        w.key(key);
        w.string(value);
      };
      member("id", c.id);
      member("label", c.label);
      member("aspect", c.aspect);
      if (c.op == Change::Op::reordered) {
        for (auto [key, ids] : {std::pair{"old", &c.old_order}, std::pair{"new", &c.new_order}}) {
          w.key(key);
          w.begin_array(true);
          for (const auto& id : *ids) w.string(id);
          w.end_array();
        }
      } else {
        member("old", c.old_text);
        member("new", c.new_text);
      }
      if (c.op == Change::Op::added && (c.part == "row" || c.part == "value")) {
        w.key("after");
        if (c.after.empty()) w.null();
        else w.string(c.after);
      }
      member("note", c.note);
      w.end_object();
    }
    w.end_array();
    if (d.judgement) {
      const DecisionComparison& r = d.judgement->comparison;
      w.key("equivalence");
      w.begin_object();
      w.key("verdict");
      w.string(verdict_name(r.verdict));
      if (r.verdict == Verdict::differs) {
        w.key("example");
        json_value(w, r.example);
        w.key("old_result");
        json_value(w, r.old_result);
        w.key("new_result");
        json_value(w, r.new_result);
      }
      if (r.verdict == Verdict::not_analysed) {
        w.key("reason");
        w.string(r.reason);
      }
      if (!d.judgement->depends_on.empty()) {
        w.key("depends_on");
        w.begin_array(true);
        for (const auto& n : d.judgement->depends_on) w.string(n);
        w.end_array();
      }
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace segrule
