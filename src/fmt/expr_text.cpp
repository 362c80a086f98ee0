#include "fmt/expr_text.hpp"

#include <fmt/format.h>

#include "utf8.hpp"

namespace segrule {

namespace {

// Binding strength, loosest first, as in LANGUAGE.md §4 and grammar/grammar.hpp.
enum Level : int { kIf = 1, kCoalesce, kOr, kAnd, kNot, kCompare, kAdd, kMul, kNeg, kPostfix, kPrimary };

int level(const Expr& e) {
  switch (e.kind) {
    case ExprKind::if_then:
    case ExprKind::quantifier: return kIf;
    case ExprKind::logical: return e.op == Op::or_ ? kOr : kAnd;
    case ExprKind::unary: return e.op == Op::not_ ? kNot : kNeg;
    case ExprKind::is_null: return kCompare;
    case ExprKind::binary:
      switch (e.op) {
        case Op::coalesce: return kCoalesce;
        case Op::add:
        case Op::sub: return kAdd;
        case Op::mul:
        case Op::div: return kMul;
        default: return kCompare;
      }
    case ExprKind::member: return kPostfix;
    default: return kPrimary;
  }
}


// Characters a reader could not see or that would break the line: written as `\u{...}`.
bool needs_code_escape(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF;
}

class Printer {
 public:
  explicit Printer(std::string& out) : out_(out) {}

  // Prints `e` where the grammar accepts operators of `min_level` or tighter
  // without parentheses.
  void print(const Expr& e, int min_level) {
    int own = level(e);
    bool parens = own < min_level || (e.parenthesized && own < kPostfix);
    if (parens) out_ += '(';
    print_bare(e, own);
    if (parens) out_ += ')';
  }

 private:
  void print_bare(const Expr& e, int own) {
    switch (e.kind) {
      case ExprKind::number:
      case ExprKind::date:
      case ExprKind::name: out_ += e.text; return;
      case ExprKind::string: out_ += string_literal(e.text); return;
      case ExprKind::boolean: out_ += e.boolean ? "true" : "false"; return;
      case ExprKind::null: out_ += "null"; return;
      case ExprKind::member:
        print(*e.args[0], kPostfix);
        out_ += '.';
        out_ += e.text;
        return;
      case ExprKind::list:
        out_ += '[';
        print_list(e);
        out_ += ']';
        return;
      case ExprKind::call:
        out_ += e.text;
        out_ += '(';
        print_list(e);
        out_ += ')';
        return;
      case ExprKind::unary: {
        const Expr& operand = *e.args[0];
        // `not not x` and `- -x` nest without parentheses.
        bool same = operand.kind == ExprKind::unary && operand.op == e.op;
        out_ += e.op == Op::not_ ? "not " : "-";
        if (same && e.op == Op::neg && !operand.parenthesized) out_ += ' ';
        print(operand, same ? level(operand) : (e.op == Op::not_ ? kCompare : kPostfix));
        return;
      }
      case ExprKind::is_null:
        print(*e.args[0], kAdd);
        out_ += e.negated ? " is not null" : " is null";
        return;
      case ExprKind::binary: {
        // Left-associative chains nest on the left; `??` nests on the right;
        // comparisons do not chain at all.
        int left = own, right = own + 1;
        if (own == kCompare) left = right = kAdd;
        if (own == kCoalesce) left = kOr, right = kCoalesce;
        print(*e.args[0], left);
        out_ += fmt::format(" {} ", op_text(e.op));
        print(*e.args[1], right);
        return;
      }
      case ExprKind::logical:
        // Chains are n-ary: a nested chain of the same operator keeps its parentheses.
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) out_ += fmt::format(" {} ", op_text(e.op));
          print(*e.args[i], own + 1);
        }
        return;
      case ExprKind::if_then:
        out_ += "if ";
        print(*e.args[0], kIf);
        out_ += " then ";
        print(*e.args[1], kIf);
        out_ += " else ";
        print(*e.args[2], kIf);
        return;
      case ExprKind::quantifier:
        out_ += fmt::format("{} {} in ", op_text(e.op), e.text);
        print(*e.args[0], kCoalesce);
        out_ += ": ";
        print(*e.args[1], kIf);
        return;
    }
  }

  void print_list(const Expr& e) {
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (i > 0) out_ += ", ";
      print(*e.args[i], kIf);
    }
  }

  std::string& out_;
};

}  // namespace

std::string expr_text(const Expr& expr) {
  std::string out;
  Printer(out).print(expr, kIf);
  return out;
}

std::string type_text(const TypeRef& type) {
  std::string out;
  if (type.name == "list" && !type.element.empty()) {  // a bare `list` is a type error, not a syntax error
    out = "list<" + type_text(type.element[0]) + ">";
  } else if (type.name == "enum") {
    out = "enum [";
    for (size_t i = 0; i < type.inline_values.size(); ++i) {
      const auto& [name, label] = type.inline_values[i];
      out += (i ? ", " : "") + name + (label.empty() ? "" : " " + string_literal(label));
    }
    out += "]";
  } else {
    out = type.name;
  }
  return type.nullable ? out + "?" : out;
}

std::string string_literal(std::string_view value) {
  std::string out = "\"";
  for (size_t i = 0; i < value.size();) {
    size_t start = i;
    uint32_t cp = next_code_point(value, i);
    if (cp == '"') out += "\\\"";
    else if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\t') out += "\\t";
    else if (needs_code_escape(cp)) out += fmt::format("\\u{{{:X}}}", cp);
    else out += value.substr(start, i - start);
  }
  return out + "\"";
}

}  // namespace segrule
