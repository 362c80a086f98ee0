// The account as one JSON object; docs/explain.md gives the schema. Values
// are JSON values as in results (§7), each with `shown`, its text for people.

#include <fmt/format.h>

#include "eval/result_writer.hpp"
#include "explain/account.hpp"
#include "explain/human.hpp"

namespace segrule::explain {

namespace {

const char* status_name(Status s) {
  switch (s) {
    case Status::done: return "done";
    case Status::failed: return "failed";
    case Status::not_evaluated: return "not_evaluated";
  }
  return "";
}

const char* row_status_name(RowStatus s) {
  switch (s) {
    case RowStatus::matched: return "matched";
    case RowStatus::not_matched: return "not_matched";
    case RowStatus::not_tried: return "not_tried";
    case RowStatus::failed: return "failed";
  }
  return "";
}

const char* statement_status_name(StatementStatus s) {
  switch (s) {
    case StatementStatus::applied: return "applied";
    case StatementStatus::overridden: return "overridden";
    case StatementStatus::skipped: return "skipped";
    case StatementStatus::failed: return "failed";
    case StatementStatus::not_reached: return "not_reached";
  }
  return "";
}

const char* check_kind_name(CheckKind k) {
  switch (k) {
    case CheckKind::all: return "all";
    case CheckKind::any: return "any";
    case CheckKind::negation: return "not";
    case CheckKind::compare: return "compare";
    case CheckKind::test: return "test";
    case CheckKind::otherwise: return "otherwise";
    case CheckKind::not_evaluated: return "not_evaluated";
  }
  return "";
}

// Writes one object member by member, commas included.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  ~JsonObject() { out_ += '}'; }
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  std::string& key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    write_json_string(name, out_);
    out_ += ':';
    return out_;
  }
  void string(std::string_view name, std::string_view value) { write_json_string(value, key(name)); }
  void number(std::string_view name, size_t value) { key(name) += std::to_string(value); }
  void boolean(std::string_view name, bool value) { key(name) += value ? "true" : "false"; }

 private:
  std::string& out_;
  bool first_ = true;
};

class JsonWriter {
 public:
  JsonWriter(const Program& p, std::string& out) : p_(p), out_(out) {}

  void value(const Type& type, const Value& v) { write_value(p_, type, v, out_); }

  void shown_members(JsonObject& o, const Shown& s, bool with_expr) {
    if (with_expr) o.string("expr", s.expr);
    if (s.masked) {
      o.string("value", s.text);
      o.boolean("masked", true);
    } else {
      o.key("value");
      value(s.type, s.value);
    }
    o.string("shown", s.text);
    if (s.constant) o.boolean("constant", true);
  }

  void shown_object(const Shown& s) {
    JsonObject o(out_);
    shown_members(o, s, true);
  }

  void shown_list(const std::vector<Shown>& list) {
    out_ += '[';
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out_ += ',';
      shown_object(list[i]);
    }
    out_ += ']';
  }

  void check(const Check& c) {
    JsonObject o(out_);
    o.string("kind", check_kind_name(c.kind));
    if (!c.expr.empty()) o.string("expr", c.expr);
    if (c.kind == CheckKind::not_evaluated) return;
    if (c.failed) o.boolean("failed", true);
    else o.boolean("result", c.result);
    if (!c.error.empty()) o.string("error", c.error);
    switch (c.kind) {
      case CheckKind::all: case CheckKind::any: case CheckKind::negation:
        o.key("parts") += '[';
        for (size_t i = 0; i < c.parts.size(); ++i) {
          if (i) out_ += ',';
          check(c.parts[i]);
        }
        out_ += ']';
        return;
      case CheckKind::compare:
        if (c.failed) return;
        o.string("op", c.op);
        o.key("left");
        shown_object(c.left);
        if (c.right) {
          o.key("right");
          shown_object(*c.right);
        }
        break;
      case CheckKind::test:
        if (c.failed) return;
        o.key("value");
        shown_object(c.left);
        break;
      default: return;
    }
    if (!c.uses.empty()) {
      o.key("uses");
      shown_list(c.uses);
    }
  }

  void account(const Account& a, bool with_result) {
    JsonObject o(out_);
    o.key("key");
    if (a.key) value(a.key->type, a.key->value);
    else out_ += "null";
    o.key("as_of") += '"';
    append_date(out_, a.as_of);
    out_ += '"';
    if (!(a.failure && a.failure->record)) {
      o.key("lets");
      lets(a);
      o.key("decisions");
      decisions(a);
      o.key("strategies");
      strategies(a);
      o.key("constraints");
      constraints(a);
    }
    o.key("error");
    if (a.failure) failure(*a.failure);
    else out_ += "null";
    if (with_result) o.key("result") += a.result.empty() ? "null" : a.result;
  }

 private:
  template <typename F>
  void array(size_t n, F each) {
    out_ += '[';
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      each(i);
    }
    out_ += ']';
  }

  void lets(const Account& a) {
    array(p_.lets.size(), [&](size_t i) {
      const LetStep& step = a.lets[i];
      JsonObject o(out_);
      o.string("name", p_.lets[i].name);
      o.number("line", line_of(p_, p_.lets[i].span));
      o.string("expr", step.value.expr);
      o.string("status", status_name(step.status));
      if (step.status == Status::done) shown_members(o, step.value, false);
      if (!step.error.empty()) o.string("error", step.error);
      if (step.status != Status::not_evaluated && !step.uses.empty()) {
        o.key("uses");
        shown_list(step.uses);
      }
    });
  }

  void decisions(const Account& a) {
    array(p_.decisions.size(), [&](size_t i) {
      const Decision& d = p_.decisions[i];
      const DecisionStep& step = a.decisions[i];
      JsonObject o(out_);
      o.string("name", d.name);
      o.string("kind", d.is_tiers ? "tiers" : "segments");
      o.number("line", line_of(p_, d.span));
      o.string("status", status_name(step.status));
      if (step.status != Status::not_evaluated) {
        o.key("rows");
        array(d.rows.size(), [&](size_t r) {
          const CompiledRow& row = d.rows[r];
          const RowStep& rs = step.rows[r];
          JsonObject ro(out_);
          ro.string("id", row.id);
          ro.string("label", row.label);
          ro.number("line", line_of(p_, row.span));
          ro.string("status", row_status_name(rs.status));
          ro.key("condition");
          check(rs.condition);
          if (rs.score) {
            ro.key("score");
            shown_object(*rs.score);
          }
        });
      }
      if (step.result) {
        o.key("result");
        value(step.result->type, step.result->value);
      }
      if (step.primary) {
        o.key("primary");
        value(step.primary->type, step.primary->value);
      }
      if (!step.error.empty()) o.string("error", step.error);
    });
  }

  void strategies(const Account& a) {
    array(p_.strategies.size(), [&](size_t s) {
      const Strategy& strategy = p_.strategies[s];
      const StrategyStep& step = a.strategies[s];
      JsonObject o(out_);
      o.string("name", strategy.name);
      o.string("label", strategy.label);
      o.number("line", line_of(p_, strategy.span));
      const char* status = step.status == Status::not_evaluated ? "not_evaluated"
                           : step.condition.failed                ? "failed"
                           : step.condition.result                ? "fired"
                                                                  : "not_fired";
      o.string("status", status);
      if (step.status == Status::not_evaluated) return;
      o.key("condition");
      check(step.condition);
      if (step.statements.empty()) return;
      o.key("statements");
      array(step.statements.size(), [&](size_t k) { statement(strategy.statements[k], step.statements[k]); });
    });
  }

  void statement(const CompiledStatement& st, const StatementStep& step) {
    JsonObject o(out_);
    o.number("line", line_of(p_, st.span));
    o.string("expr", source_of(p_, st.span));
    o.string("verb", step.verb);
    o.string("field", p_.outputs[st.field].name);
    o.string("status", statement_status_name(step.status));
    if (step.when) {
      o.key("when");
      check(*step.when);
    }
    if (step.value) {
      o.key("value");
      shown_object(*step.value);
    }
    if (!step.uses.empty()) {
      o.key("uses");
      shown_list(step.uses);
    }
    if (step.set_by != kNone) o.string("set_by", p_.strategies[step.set_by].name);
    if (step.current) {
      o.key("current");
      shown_object(*step.current);
    }
    if (!step.error.empty()) o.string("error", step.error);
  }

  void constraints(const Account& a) {
    array(p_.constraints.size(), [&](size_t c) {
      const Constraint& constraint = p_.constraints[c];
      const ConstraintStep& step = a.constraints[c];
      JsonObject o(out_);
      o.string("name", constraint.name);
      o.string("label", constraint.label);
      o.number("line", line_of(p_, constraint.span));
      o.string("list", p_.outputs[constraint.field].name);
      o.string("status", status_name(step.status));
      if (step.checked) o.number("checked", *step.checked);
      if (step.status == Status::done) {
        o.key("dropped");
        array(step.dropped.size(), [&](size_t i) {
          const DropStep& drop = step.dropped[i];
          const DropRule& row = constraint.rows[drop.row];
          JsonObject d(out_);
          d.key("item");
          value(drop.item.type, drop.item.value);
          d.string("shown", drop.item.text);
          d.number("row", drop.row + 1);
          d.number("line", line_of(p_, row.span));
          d.string("reason", row.reason);
          d.key("condition");
          check(drop.condition);
        });
      }
      if (!step.error.empty()) o.string("error", step.error);
    });
  }

  void failure(const Failure& f) {
    JsonObject o(out_);
    o.string("kind", f.record ? "record" : "evaluation");
    o.string("message", f.message);
    if (f.record) {
      o.key("field");
      if (f.field == kNone) out_ += "null";
      else write_json_string(p_.inputs[f.field].name, out_);
    } else if (f.line) {
      o.number("line", f.line);
    }
  }

  const Program& p_;
  std::string& out_;
};

}  // namespace

std::string render_json(const Program& program, const Account& account, bool with_result) {
  std::string out;
  JsonWriter(program, out).account(account, with_result);
  return out;
}

}  // namespace segrule::explain
