#include "ast/ast.hpp"

#include <fmt/format.h>

namespace segrule {

const char* op_text(Op op) {
  switch (op) {
    case Op::add: return "+";
    case Op::sub: return "-";
    case Op::mul: return "*";
    case Op::div: return "/";
    case Op::neg: return "-";
    case Op::not_: return "not";
    case Op::eq: return "==";
    case Op::ne: return "!=";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    case Op::in: return "in";
    case Op::not_in: return "not in";
    case Op::coalesce: return "??";
    case Op::and_: return "and";
    case Op::or_: return "or";
    case Op::all: return "all";
    case Op::any: return "any";
    case Op::none: break;
  }
  return "";
}

namespace {

// S-expression form: `(>= aum 5000000)`; the depth is bounded by the parser.
void dump_expr(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::number: out += e.number.to_string(); return;
    case ExprKind::string: out += fmt::format("\"{}\"", e.text); return;
    case ExprKind::boolean: out += e.boolean ? "true" : "false"; return;
    case ExprKind::null: out += "null"; return;
    case ExprKind::date: out += e.text; return;
    case ExprKind::name: out += e.text; return;
    case ExprKind::member:
      out += "(. ";
      dump_expr(*e.args[0], out);
      out += " " + e.text + ")";
      return;
    case ExprKind::list: out += "(list"; break;
    case ExprKind::call: out += "(call " + e.text; break;
    case ExprKind::is_null: out += e.negated ? "(is-not-null" : "(is-null"; break;
    case ExprKind::if_then: out += "(if"; break;
    case ExprKind::quantifier: out += fmt::format("({} {}", op_text(e.op), e.text); break;
    case ExprKind::unary:
    case ExprKind::binary:
    case ExprKind::logical: out += fmt::format("({}", op_text(e.op)); break;
  }
  for (const Expr* a : e.args) {
    out += ' ';
    dump_expr(*a, out);
  }
  out += ')';
}

std::string type_text(const TypeRef& t) {
  std::string s;
  if (t.name == "list" && !t.element.empty()) s = "list<" + type_text(t.element[0]) + ">";
  else if (t.name == "enum") {
    s = "enum[";
    for (size_t i = 0; i < t.inline_values.size(); ++i) s += (i ? "," : "") + t.inline_values[i].first;
    s += "]";
  } else s = t.name;
  return s + (t.nullable ? "?" : "");
}

void dump_field(const FieldDecl& f, std::string& out) {
  out += fmt::format("  field {} : {}{}", f.name, type_text(f.type), f.pii ? " pii" : "");
  if (f.default_value) out += " = " + dump(*f.default_value);
  out += "\n";
}

std::string opt_when(const Expr* e) { return e ? " when " + dump(*e) : ""; }

}  // namespace

std::string dump(const Expr& expr) {
  std::string out;
  dump_expr(expr, out);
  return out;
}

std::string dump(const Ast& ast) {
  std::string out;
  for (const DeclRef& ref : ast.order) {
    switch (ref.kind) {
      case DeclKind::ruleset: {
        const auto& d = ast.rulesets[ref.index];
        out += fmt::format("ruleset {}\n", d.name);
        for (const auto& m : d.entries) out += fmt::format("  {} = {}\n", m.key, dump(*m.value));
        break;
      }
      case DeclKind::enum_: {
        const auto& d = ast.enums[ref.index];
        out += fmt::format("enum {}", d.name);
        for (const auto& v : d.values) out += " " + v.name + (v.label.empty() ? "" : "\"" + v.label + "\"");
        out += "\n";
        break;
      }
      case DeclKind::input: {
        const auto& d = ast.inputs[ref.index];
        out += fmt::format("input {} key {}\n", d.name, d.key);
        for (const auto& f : d.fields) dump_field(f, out);
        break;
      }
      case DeclKind::let: {
        const auto& d = ast.lets[ref.index];
        out += fmt::format("let {} = {}\n", d.name, dump(*d.value));
        break;
      }
      case DeclKind::decision: {
        const auto& d = ast.decisions[ref.index];
        out += fmt::format("{} {}\n", d.is_tiers ? "tiers" : "segments", d.name);
        for (const auto& r : d.rows) {
          out += fmt::format("  row {} \"{}\" {}", r.id, r.label, r.condition ? "when " + dump(*r.condition) : "otherwise");
          if (r.score) out += " score " + dump(*r.score);
          out += "\n";
        }
        break;
      }
      case DeclKind::catalog: {
        const auto& d = ast.catalogs[ref.index];
        out += fmt::format("catalog {}\n", d.name);
        for (const auto& f : d.attributes) dump_field(f, out);
        for (const auto& item : d.items) {
          out += fmt::format("  item {} \"{}\"", item.id, item.label);
          for (const auto& v : item.values) out += fmt::format(" {}={}", v.name, dump(*v.value));
          out += "\n";
        }
        break;
      }
      case DeclKind::output: {
        out += "output\n";
        for (const auto& f : ast.outputs[ref.index].fields) dump_field(f, out);
        break;
      }
      case DeclKind::strategy: {
        const auto& d = ast.strategies[ref.index];
        out += fmt::format("strategy {} \"{}\" when {}\n", d.name, d.label, dump(*d.when));
        for (const auto& s : d.statements) {
          switch (s.kind) {
            case StatementKind::assign: out += fmt::format("  set {} = {}", s.target, dump(*s.value)); break;
            case StatementKind::append: out += fmt::format("  append {} += {}", s.target, dump(*s.value)); break;
            case StatementKind::action: out += fmt::format("  action {}", dump(*s.value)); break;
            case StatementKind::offer:
              out += "  offer";
              for (const Expr* i : s.items) out += " " + dump(*i);
              break;
          }
          out += opt_when(s.when) + "\n";
        }
        break;
      }
      case DeclKind::constraint: {
        const auto& d = ast.constraints[ref.index];
        out += fmt::format("constraint {} \"{}\" on {} as {}\n", d.name, d.label, d.list, d.var);
        for (const auto& r : d.rows) out += fmt::format("  drop when {} reason \"{}\"\n", dump(*r.when), r.reason);
        break;
      }
      case DeclKind::invariant: {
        const auto& d = ast.invariants[ref.index];
        out += fmt::format("invariant {} \"{}\" {}\n", d.name, d.label, dump(*d.body));
        break;
      }
    }
  }
  return out;
}

}  // namespace segrule
