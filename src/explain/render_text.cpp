// The account as text for analysts: one section per kind of step, each
// condition with the values it saw, ✓ for what held and ✗ for what did not.
// docs/explain.md shows a full example.

#include <fmt/format.h>

#include "explain/account.hpp"
#include "explain/human.hpp"

namespace segrule::explain {

namespace {

constexpr const char* kHeld = "✓";
constexpr const char* kFailed = "✗";
constexpr const char* kError = "!";  // evaluating it stopped the record

// An operand: the expression, and its value unless it is written as a constant.
std::string operand(const Shown& s) { return s.constant ? s.expr : s.expr + " = " + s.text; }

std::string uses_line(const std::vector<Shown>& uses) {
  std::string out = "where ";
  for (size_t i = 0; i < uses.size(); ++i) out += (i ? ", " : "") + uses[i].expr + " = " + uses[i].text;
  return out;
}

// `aum = 4,999,999.99, needs >= 500万`: the side with the values first.
std::string comparison(const Check& c) {
  const Shown& left = c.left;
  if (!c.right) return fmt::format("{}, needs {}", operand(left), c.op == "is null" ? "to be null" : "a value (not null)");
  const Shown& right = *c.right;
  bool flip = left.constant && !right.constant;
  if (c.op == "in" || c.op == "not in") {
    if (flip) return fmt::format("{}, needs to {} {}", operand(right), c.op == "in" ? "include" : "leave out", left.expr);
    return fmt::format("{}, needs {} {}", operand(left), c.op, operand(right));
  }
  if (!flip) return fmt::format("{}, needs {} {}", operand(left), c.op, operand(right));
  // `500万 <= aum` reads as `aum >= 500万`.
  std::string op = c.op == "<" ? ">" : c.op == "<=" ? ">=" : c.op == ">" ? "<" : c.op == ">=" ? "<=" : c.op;
  return fmt::format("{}, needs {} {}", operand(right), op, operand(left));
}

class TextWriter {
 public:
  TextWriter(const Program& p, const Account& a) : p_(p), a_(a) {}

  std::string render() {
    header();
    if (a_.failure && a_.failure->record) {
      record_error();
      return out_;
    }
    lets();
    for (size_t i = 0; i < p_.decisions.size(); ++i) decision(i);
    strategies();
    constraints();
    if (a_.failure) {
      section("error");
      line(2, a_.failure->message);
      line(2, "the record has no result: `eval` reports it with this message");
    } else {
      section("result");
      line(2, a_.result);
    }
    return out_;
  }

 private:
  void line(int indent, std::string_view text) {
    out_.append(static_cast<size_t>(indent), ' ');
    out_ += text;
    out_ += '\n';
  }
  void section(std::string_view title) {
    out_ += '\n';
    line(0, title);
  }
  std::string at(Span span) const { return fmt::format("line {}", line_of(p_, span)); }

  void header() {
    line(0, fmt::format("record {}, as of {}", a_.key ? a_.key->text : "(key not readable)", to_string(a_.as_of)));
    const Metadata& m = p_.metadata;
    std::string rules = "rules " + m.name;
    if (!m.version.empty()) rules += " version " + m.version;
    if (p_.source) rules += ", " + p_.source->name();
    line(0, rules);
  }

  void record_error() {
    const Failure& f = *a_.failure;
    section("record error: the record does not fit `input " + p_.input_name + "`");
    line(2, f.message);
    if (f.field == kNone || !p_.source) return;
    const Slot& slot = p_.slots[p_.inputs[f.field].slot];
    uint32_t n = line_of(p_, slot.span);
    line(2, fmt::format("`{}` is declared at line {}: {}", p_.inputs[f.field].name, n, one_line(p_.source->line_text(n))));
  }

  void lets() {
    if (p_.lets.empty()) return;
    section("lets");
    size_t width = 0;
    for (const Let& let : p_.lets) width = std::max(width, static_cast<size_t>(text_width(let.name)));
    for (size_t i = 0; i < p_.lets.size(); ++i) {
      const Let& let = p_.lets[i];
      const LetStep& step = a_.lets[i];
      std::string name = let.name + std::string(width - static_cast<size_t>(text_width(let.name)), ' ');
      switch (step.status) {
        case Status::done:
          line(2, step.value.constant ? fmt::format("{} = {}", name, step.value.expr)
                                      : fmt::format("{} = {} = {}", name, step.value.expr, step.value.text));
          break;
        case Status::failed: line(2, fmt::format("{} = {}: error: {}", name, step.value.expr, step.error)); break;
        case Status::not_evaluated: line(2, fmt::format("{} = {}: not evaluated", name, step.value.expr)); break;
      }
      if (step.status != Status::not_evaluated && !step.uses.empty()) line(6, uses_line(step.uses));
    }
  }

  void decision(size_t i) {
    const Decision& d = p_.decisions[i];
    const DecisionStep& step = a_.decisions[i];
    std::string title = fmt::format("{} {}  {}", d.is_tiers ? "tiers" : "segments", d.name, at(d.span));
    if (step.status == Status::not_evaluated) {
      section(title + ": not evaluated");
      return;
    }
    section(title);
    std::vector<std::string> not_tried;
    for (size_t r = 0; r < d.rows.size(); ++r) {
      const CompiledRow& row = d.rows[r];
      const RowStep& rs = step.rows[r];
      std::string name = labelled(row.id, row.label);
      if (rs.status == RowStatus::not_tried) {
        not_tried.push_back(name);
        continue;
      }
      const char* mark = rs.status == RowStatus::matched ? kHeld : rs.status == RowStatus::failed ? kError : kFailed;
      line(2, fmt::format("{} {}  {}", mark, name, at(row.span)));
      condition(rs.condition, 6, "");
      if (rs.score) {
        if (rs.score->expr.empty()) line(6, "score 0 (this row has no score)");
        else line(6, "score " + operand(*rs.score));
      }
    }
    if (!not_tried.empty()) {
      std::string names;
      for (const std::string& n : not_tried) names += (names.empty() ? "" : ", ") + n;
      line(4, "not tried: " + names);
    }
    if (step.status == Status::failed) {
      line(2, "→ error: " + (step.error.empty() ? a_.failure->message : step.error));
      return;
    }
    line(2, fmt::format("→ {} = {}", d.name, step.result->text));
    if (step.primary) {
      bool none = step.primary->value.is_null();
      line(2, fmt::format("→ {} = {}", step.primary->expr, none ? "null: no row matched" : step.primary->text + ", the highest score"));
    }
  }

  void strategies() {
    if (p_.strategies.empty()) return;
    section("strategies");
    for (size_t s = 0; s < p_.strategies.size(); ++s) {
      const Strategy& strategy = p_.strategies[s];
      const StrategyStep& step = a_.strategies[s];
      std::string name = labelled(strategy.name, strategy.label);
      if (step.status == Status::not_evaluated) {
        line(2, fmt::format("  {}  {}: not evaluated", name, at(strategy.span)));
        continue;
      }
      bool fired = step.condition.result;
      if (step.condition.failed) line(2, fmt::format("{} {}  {}", kError, name, at(strategy.span)));
      else line(2, fmt::format("{} {} {}  {}", fired ? kHeld : kFailed, name, fired ? "fired" : "did not fire", at(strategy.span)));
      condition(step.condition, 6, "");
      for (size_t k = 0; k < step.statements.size(); ++k) statement(strategy.statements[k], step.statements[k]);
    }
  }

  // What a statement sets or adds: `set advisor = dedicated`, `offer family_trust (家族信托)`.
  std::string effect(const CompiledStatement& st, const StatementStep& step, const Shown& value) const {
    const OutputField& field = p_.outputs[st.field];
    if (step.verb == "offer" && !value.masked && value.value.kind == ValueKind::list) {
      std::string items;
      for (const Value& item : value.value.items)
        items += (items.empty() ? "" : ", ") + human_value(p_, value.type.element_type(), item);
      return "offer " + items;
    }
    if (step.verb == "action") return "action " + value.text;
    const char* op = step.verb == "set" ? "=" : "+=";
    std::string prefix = step.verb == "set" ? "set " : "";
    if (value.constant) return fmt::format("{}{} {} {}", prefix, field.name, op, value.expr);
    return fmt::format("{}{} {} {} = {}", prefix, field.name, op, value.expr, value.text);
  }

  void statement(const CompiledStatement& st, const StatementStep& step) {
    std::string source = source_of(p_, st.span);
    switch (step.status) {
      case StatementStatus::applied: line(6, "→ " + effect(st, step, *step.value)); break;
      case StatementStatus::skipped: line(6, fmt::format("{} {}: skipped", kFailed, source)); break;
      case StatementStatus::failed:
        if (step.error.empty()) line(6, fmt::format("{} {}", kError, source));  // its `when` failed, shown below
        else line(6, fmt::format("{} {}: error: {}", kError, source, step.error));
        break;
      case StatementStatus::not_reached: line(6, fmt::format("  {}: not reached", source)); break;
      case StatementStatus::overridden: {
        std::string what = step.value ? effect(st, step, *step.value) : source;
        const Strategy& first = p_.strategies[step.set_by];
        line(6, fmt::format("{} {}: overridden, already set to {} by {}", kFailed, what, step.current->text, labelled(first.name, first.label)));
        break;
      }
    }
    if (step.when) condition(*step.when, 10, "when ");
    if (step.status == StatementStatus::applied && !step.uses.empty()) line(10, uses_line(step.uses));
  }

  void constraints() {
    if (p_.constraints.empty()) return;
    section("constraints");
    for (size_t c = 0; c < p_.constraints.size(); ++c) {
      const Constraint& constraint = p_.constraints[c];
      const ConstraintStep& step = a_.constraints[c];
      std::string title = fmt::format("{} on {}  {}", labelled(constraint.name, constraint.label), p_.outputs[constraint.field].name, at(constraint.span));
      if (step.status == Status::not_evaluated) {
        line(2, title + ": not evaluated");
        continue;
      }
      if (step.status == Status::failed) {
        line(2, title + ": error: " + step.error);
        continue;
      }
      std::string dropped = step.dropped.empty() ? "none dropped" : fmt::format("{} dropped", step.dropped.size());
      if (step.checked) line(2, fmt::format("{}: {} item{} checked, {}", title, *step.checked, *step.checked == 1 ? "" : "s", dropped));
      else line(2, fmt::format("{}: {}", title, dropped));
      for (const DropStep& drop : step.dropped) {
        const DropRule& row = constraint.rows[drop.row];
        line(4, fmt::format("dropped {} by row {} ({}), reason \"{}\"", drop.item.text, drop.row + 1, at(row.span), row.reason));
        condition(drop.condition, 8, "");
      }
    }
  }

  // One condition at `indent`. The parts of a top-level `and`/`or` each take
  // a line, joined by `and`/`or`; a compound part gets a header line and its
  // own parts four columns further in.
  void condition(const Check& c, int indent, std::string_view first) {
    if (c.kind == CheckKind::all || c.kind == CheckKind::any) parts(c, indent, first);
    else leaf_or_header(c, indent, first);
  }

  void parts(const Check& c, int indent, std::string_view first) {
    const char* joint = c.kind == CheckKind::all ? "and " : "or ";
    for (size_t i = 0; i < c.parts.size(); ++i) nested(c.parts[i], indent, i == 0 ? first : joint);
  }

  // A part inside a condition: compound parts get a header line.
  void nested(const Check& c, int indent, std::string_view prefix) {
    if (c.kind == CheckKind::all || c.kind == CheckKind::any) {
      line(indent, fmt::format("{}{} {}", prefix, c.expr, mark(c)));
      parts(c, indent + 4, "");
      return;
    }
    leaf_or_header(c, indent, prefix);
  }

  void leaf_or_header(const Check& c, int indent, std::string_view prefix) {
    switch (c.kind) {
      case CheckKind::otherwise: line(indent, std::string(prefix) + "otherwise"); return;
      case CheckKind::not_evaluated: line(indent, fmt::format("{}{}: not evaluated", prefix, c.expr)); return;
      case CheckKind::negation:
        line(indent, fmt::format("{}{} {}", prefix, c.expr, mark(c)));
        nested(c.parts[0], indent + 4, "");
        return;
      default:  // a comparison, or another yes/no expression
        if (c.failed) line(indent, fmt::format("{}{}: error: {}", prefix, c.expr, c.error));
        else line(indent, fmt::format("{}{} {}", prefix, c.kind == CheckKind::compare ? comparison(c) : operand(c.left), mark(c)));
        break;
    }
    if (!c.uses.empty()) line(indent + 4, uses_line(c.uses));
  }

  static std::string mark(const Check& c) { return c.failed ? "(error below)" : c.result ? kHeld : kFailed; }

  const Program& p_;
  const Account& a_;
  std::string out_;
};

}  // namespace

std::string render_text(const Program& program, const Account& account) { return TextWriter(program, account).render(); }

}  // namespace segrule::explain
