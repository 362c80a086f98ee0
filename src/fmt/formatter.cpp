#include "fmt/formatter.hpp"

#include <algorithm>
#include <numeric>

#include "fmt/expr_text.hpp"
#include "parse/parser.hpp"

namespace segrule {

namespace {

// End-of-line comments start at this display column (0-based), or two cells
// after the longest of the commented lines of their table when that is further right.
constexpr int kCommentColumn = 47;
constexpr int kIndent = 2;

// What goes before a line (or its first own-line comment): nothing, a blank
// line where the author had one or more, or always one.
enum class Gap : uint8_t { none, keep, one };

struct Cell {
  std::string text;
  int gap = 1;  // spaces before the cell
};

// One printed line, the source it prints, and the comments attached to it.
struct OutLine {
  int indent = 0;
  std::vector<Cell> cells;
  Span range;
  int table = -1;             // lines of one table align their columns and their end-of-line comments
  int group = -1;             // a one-line top-level declaration: consecutive ones of a kind form a table
  Gap gap = Gap::keep;
  bool closes = false;        // `}` or `]`: comments before it belong inside the block
  bool end_of_file = false;   // prints only the comments after the last declaration
  std::vector<const Comment*> leading;
  const Comment* trailing = nullptr;
  std::vector<bool> blank_before;  // for each leading comment, then for the line itself
};

std::string optional_label(const std::string& label) { return label.empty() ? "" : string_literal(label); }

std::string with_label(const std::string& head, const std::string& label) {
  return label.empty() ? head : head + " " + string_literal(label);
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\v\f\r") == std::string_view::npos; }

class Formatter {
 public:
  Formatter(const Ast& ast, const SourceFile& source) : ast_(ast), source_(source) {}

  std::string run() {
    for (const DeclRef& ref : ast_.order) declaration(ref);
    OutLine end;
    uint32_t size = static_cast<uint32_t>(source_.text().size());
    end.range = {size, size};
    end.end_of_file = true;
    lines_.push_back(std::move(end));
    attach_comments();
    plan_blank_lines();
    group_declarations();
    return render();
  }

 private:
  // ---- lines of each declaration ---------------------------------------------
  void declaration(const DeclRef& ref) {
    std::string_view kind = keyword(ref);
    Gap gap = previous_kind_.empty() ? Gap::none : kind == previous_kind_ ? Gap::keep : Gap::one;
    previous_kind_ = kind;
    switch (ref.kind) {
      case DeclKind::ruleset: {
        const RulesetDecl& d = ast_.rulesets[ref.index];
        header(ref, gap, "ruleset " + d.name + " {");
        int table = new_table();
        for (size_t i = 0; i < d.entries.size(); ++i)
          row(d.entries[i].extent, i, {{d.entries[i].key}, {expr_text(*d.entries[i].value)}}, table);
        close(ref, d.entries.empty());
        break;
      }
      case DeclKind::enum_: enum_decl(ref, gap); break;
      case DeclKind::input: {
        const InputDecl& d = ast_.inputs[ref.index];
        header(ref, gap, "input " + d.name + (d.key.empty() ? "" : " key " + d.key) + " {");
        fields(d.fields, Gap::none);
        close(ref, d.fields.empty());
        break;
      }
      case DeclKind::let: {
        const LetDecl& d = ast_.lets[ref.index];
        add(0, ref.extent, gap, {{"let " + d.name}, {"= " + expr_text(*d.value)}}).group = static_cast<int>(ref.kind);
        break;
      }
      case DeclKind::decision: decision(ref, gap); break;
      case DeclKind::catalog: catalog(ref, gap); break;
      case DeclKind::output: {
        const OutputDecl& d = ast_.outputs[ref.index];
        header(ref, gap, "output {");
        fields(d.fields, Gap::none);
        close(ref, d.fields.empty());
        break;
      }
      case DeclKind::strategy: strategy(ref, gap); break;
      case DeclKind::constraint: {
        const ConstraintDecl& d = ast_.constraints[ref.index];
        header(ref, gap, with_label("constraint " + d.name, d.label) + " on " + d.list + " as " + d.var + " {");
        int table = new_table();
        for (size_t i = 0; i < d.rows.size(); ++i) {
          const DropRow& r = d.rows[i];
          row(r.span, i, {{"drop when " + expr_text(*r.when)}, {"reason " + string_literal(r.reason), 2}}, table);
        }
        close(ref, d.rows.empty());
        break;
      }
      case DeclKind::invariant: {
        const InvariantDecl& d = ast_.invariants[ref.index];
        header(ref, gap, with_label("invariant " + d.name, d.label) + " {");
        row(d.body->span, 0, {{expr_text(*d.body)}}, new_table());
        close(ref, false);
        break;
      }
    }
  }

  // `enum NAME [A, B]` on one line, or one value per line when the author
  // spread the values over several lines (typically to label them).
  void enum_decl(const DeclRef& ref, Gap gap) {
    const EnumDecl& d = ast_.enums[ref.index];
    if (source_.line_of(ref.extent.begin) == source_.line_of(ref.extent.end - 1)) {
      std::string values;
      for (const EnumValue& v : d.values) values += (values.empty() ? "" : ", ") + with_label(v.name, v.label);
      add(0, ref.extent, gap, {{"enum " + d.name}, {"[" + values + "]"}}).group = static_cast<int>(ref.kind);
      return;
    }
    add(0, {ref.extent.begin, find_code('[', ref.extent.begin) + 1}, gap, {{"enum " + d.name + " ["}});
    int table = new_table();
    for (size_t i = 0; i < d.values.size(); ++i) {
      const EnumValue& v = d.values[i];
      std::vector<Cell> cells{{v.name}};
      if (!v.label.empty()) cells.push_back({string_literal(v.label)});
      if (i + 1 < d.values.size()) cells.back().text += ",";
      row(v.extent, i, std::move(cells), table);
    }
    close(ref, false);
  }

  void decision(const DeclRef& ref, Gap gap) {
    const DecisionDecl& d = ast_.decisions[ref.index];
    header(ref, gap, (d.is_tiers ? "tiers " : "segments ") + d.name + " {");
    int table = new_table();
    for (size_t i = 0; i < d.rows.size(); ++i) {
      const Row& r = d.rows[i];
      std::vector<Cell> cells{{r.id}, {optional_label(r.label)}, {r.condition ? "when " + expr_text(*r.condition) : "otherwise"}};
      if (r.score) cells.push_back({"score " + expr_text(*r.score), 2});
      row(r.extent, i, std::move(cells), table);
    }
    close(ref, d.rows.empty());
  }

  // Attribute declarations first, then a blank line, then the items.
  void catalog(const DeclRef& ref, Gap gap) {
    const CatalogDecl& d = ast_.catalogs[ref.index];
    header(ref, gap, "catalog " + d.name + " {");
    fields(d.attributes, Gap::none);
    int table = new_table();
    for (size_t i = 0; i < d.items.size(); ++i) {
      const CatalogItem& item = d.items[i];
      std::string values;
      for (const AttrValue& v : item.values) values += (values.empty() ? "{ " : ", ") + v.name + ": " + expr_text(*v.value);
      values += values.empty() ? "{}" : " }";
      Gap first = d.attributes.empty() ? Gap::none : Gap::one;
      add(kIndent, item.extent, i ? Gap::keep : first, {{item.id}, {optional_label(item.label)}, {values}}, table);
    }
    close(ref, d.attributes.empty() && d.items.empty());
  }

  void strategy(const DeclRef& ref, Gap gap) {
    const StrategyDecl& d = ast_.strategies[ref.index];
    header(ref, gap, with_label("strategy " + d.name, d.label) + " when " + expr_text(*d.when) + " {");
    int table = new_table();
    for (size_t i = 0; i < d.statements.size(); ++i) {
      const Statement& s = d.statements[i];
      std::string text;
      switch (s.kind) {
        case StatementKind::assign: text = s.target + " = " + expr_text(*s.value); break;
        case StatementKind::append: text = s.target + " += " + expr_text(*s.value); break;
        case StatementKind::action: text = "action " + expr_text(*s.value); break;
        case StatementKind::offer:
          text = "offer ";
          for (size_t k = 0; k < s.items.size(); ++k) text += (k ? ", " : "") + expr_text(*s.items[k]);
          break;
      }
      if (s.when) text += " when " + expr_text(*s.when);
      row(s.extent, i, {{text}}, table);
    }
    close(ref, d.statements.empty());
  }

  // `NAME : TYPE [pii] [= DEFAULT]` rows of an input, output or catalog.
  void fields(const std::vector<FieldDecl>& list, Gap first) {
    int table = new_table();
    for (size_t i = 0; i < list.size(); ++i) {
      const FieldDecl& f = list[i];
      std::string type = ": " + type_text(f.type) + (f.pii ? " pii" : "");
      if (f.default_value) type += " = " + expr_text(*f.default_value);
      add(kIndent, f.extent, i ? Gap::keep : first, {{f.name}, {type}}, table);
    }
  }

  // The declaration's keyword: a change of keyword puts a blank line between declarations.
  std::string_view keyword(const DeclRef& ref) const {
    switch (ref.kind) {
      case DeclKind::ruleset: return "ruleset";
      case DeclKind::enum_: return "enum";
      case DeclKind::input: return "input";
      case DeclKind::let: return "let";
      case DeclKind::decision: return ast_.decisions[ref.index].is_tiers ? "tiers" : "segments";
      case DeclKind::catalog: return "catalog";
      case DeclKind::output: return "output";
      case DeclKind::strategy: return "strategy";
      case DeclKind::constraint: return "constraint";
      case DeclKind::invariant: return "invariant";
    }
    return "";
  }

  OutLine& add(int indent, Span range, Gap gap, std::vector<Cell> cells, int table = -1) {
    OutLine& l = lines_.emplace_back();
    l.indent = indent;
    l.range = range;
    l.gap = gap;
    l.cells = std::move(cells);
    l.table = table;
    return l;
  }

  // A row inside a block: no blank line right after the opening line.
  void row(Span range, size_t index, std::vector<Cell> cells, int table) {
    add(kIndent, range, index == 0 ? Gap::none : Gap::keep, std::move(cells), table);
  }

  // The opening line of a block, from the keyword to its `{`.
  void header(const DeclRef& ref, Gap gap, std::string text) {
    add(0, {ref.extent.begin, find_code('{', ref.extent.begin) + 1}, gap, {{std::move(text)}});
  }

  void close(const DeclRef& ref, bool empty) {
    std::string bracket(1, source_.text()[ref.extent.end - 1]);
    add(0, {ref.extent.end - 1, ref.extent.end}, empty ? Gap::none : Gap::keep, {{bracket}}).closes = true;
  }

  int new_table() { return table_count_++; }

  // The first `c` at or after `from` that is code, not inside a string or a comment.
  uint32_t find_code(char c, uint32_t from) const {
    std::string_view t = source_.text();
    for (size_t i = from; i < t.size(); ++i) {
      if (t[i] == '"') {
        for (++i; i < t.size() && t[i] != '"'; ++i)
          if (t[i] == '\\') ++i;
      } else if (t[i] == '#') {
        i = std::min(t.find('\n', i), t.size());
      } else if (t[i] == c) {
        return static_cast<uint32_t>(i);
      }
    }
    return static_cast<uint32_t>(t.size());  // not reached for text that parsed
  }

  // ---- comments ------------------------------------------------------------------
  // A comment after code on the same source line ends that line; a comment inside
  // a construct printed on one line goes on its own line before it; any other
  // comment goes on its own line before the next line (or the block's `}`).
  void attach_comments() {
    std::vector<size_t> order(lines_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lines_[a].range.begin < lines_[b].range.begin; });
    for (const Comment& c : ast_.comments) {
      auto next = std::upper_bound(order.begin(), order.end(), c.span.begin,
                                   [&](uint32_t at, size_t i) { return at < lines_[i].range.begin; });
      if (next != order.begin()) {
        OutLine& previous = lines_[*std::prev(next)];
        if (previous.range.end > c.span.begin) {
          previous.leading.push_back(&c);
          continue;
        }
        if (source_.line_of(previous.range.end - 1) == source_.line_of(c.span.begin)) {
          previous.trailing = &c;
          continue;
        }
      }
      lines_[*next].leading.push_back(&c);  // the end-of-file line starts after every comment
    }
  }

  // ---- blank lines -----------------------------------------------------------------
  // At most one blank line where the author had at least one, within the limits
  // each line's Gap sets; never one just before a `}`.
  void plan_blank_lines() {
    uint32_t previous_end = source_.content_begin();
    for (OutLine& l : lines_) {
      size_t n = l.leading.size();
      l.blank_before.assign(n + 1, false);
      uint32_t at = previous_end;
      for (size_t k = 0; k <= n; ++k) {
        uint32_t begin = k < n ? l.leading[k]->span.begin : l.range.begin;
        bool blank = has_blank_line(at, begin);
        if (k == 0) blank = l.gap == Gap::one || (l.gap == Gap::keep && blank);
        if (k == n && (l.closes || l.end_of_file)) blank = false;
        l.blank_before[k] = blank;
        if (k < n) at = std::max(at, l.leading[k]->span.end);
      }
      previous_end = std::max(l.range.end, l.trailing ? l.trailing->span.end : 0u);
    }
  }

  // Whether a whitespace-only source line lies between offsets `a` and `b`.
  bool has_blank_line(uint32_t a, uint32_t b) const {
    if (b <= a) return false;
    for (uint32_t line = source_.line_of(a) + 1; line < source_.line_of(b); ++line)
      if (is_blank(source_.line_text(line))) return true;
    return false;
  }

  // Consecutive `let`s (or `enum`s) with no blank line between them align as one table.
  void group_declarations() {
    const OutLine* previous = nullptr;
    for (OutLine& l : lines_) {
      if (l.group >= 0) {
        bool blank = std::find(l.blank_before.begin(), l.blank_before.end(), true) != l.blank_before.end();
        l.table = previous && previous->group == l.group && !blank ? previous->table : new_table();
      }
      previous = &l;
    }
  }

  // ---- text -----------------------------------------------------------------------
  std::string render() const {
    // Column widths: a cell is padded to the widest cell of its column among the
    // rows of its table that have a cell after it.
    std::vector<std::vector<int>> widths(static_cast<size_t>(table_count_));
    for (const OutLine& l : lines_) {
      if (l.table < 0) continue;
      std::vector<int>& w = widths[static_cast<size_t>(l.table)];
      if (w.size() + 1 < l.cells.size()) w.resize(l.cells.size() - 1, 0);
      for (size_t j = 0; j + 1 < l.cells.size(); ++j) w[j] = std::max(w[j], text_width(l.cells[j].text));
    }
    std::vector<std::string> texts;
    std::vector<int> comment_columns(static_cast<size_t>(table_count_), kCommentColumn);
    for (const OutLine& l : lines_) {
      texts.push_back(compose(l, l.table < 0 ? nullptr : &widths[static_cast<size_t>(l.table)]));
      if (l.table >= 0 && l.trailing) {
        int& column = comment_columns[static_cast<size_t>(l.table)];
        column = std::max(column, text_width(texts.back()) + 2);
      }
    }
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      const OutLine& l = lines_[i];
      int comment_indent = l.closes ? l.indent + kIndent : l.indent;
      for (size_t k = 0; k < l.leading.size(); ++k) {
        if (l.blank_before[k]) out += '\n';
        out += std::string(static_cast<size_t>(comment_indent), ' ') + "#" + l.leading[k]->text + "\n";
      }
      if (l.end_of_file) continue;
      if (l.blank_before.back()) out += '\n';
      out += texts[i];
      if (l.trailing) {
        int width = text_width(texts[i]);
        int column = l.table < 0 ? std::max(kCommentColumn, width + 2) : comment_columns[static_cast<size_t>(l.table)];
        out += std::string(static_cast<size_t>(column - width), ' ') + "#" + l.trailing->text;
      }
      out += '\n';
    }
    return out;
  }

  static std::string compose(const OutLine& l, const std::vector<int>* widths) {
    std::string s(static_cast<size_t>(l.indent), ' ');
    bool first = true;
    for (size_t j = 0; j < l.cells.size(); ++j) {
      const Cell& cell = l.cells[j];
      bool last = j + 1 == l.cells.size();
      int own = text_width(cell.text);
      int width = last || widths == nullptr ? own : (*widths)[j];
      if (width == 0) continue;  // a column no row fills, such as labels nobody wrote
      if (!first) s.append(static_cast<size_t>(cell.gap), ' ');
      s += cell.text;
      if (!last) s.append(static_cast<size_t>(width - own), ' ');
      first = false;
    }
    return s;
  }

  const Ast& ast_;
  const SourceFile& source_;
  std::vector<OutLine> lines_;
  std::string_view previous_kind_;
  int table_count_ = 0;
};

}  // namespace

std::string format_ast(const Ast& ast, const SourceFile& source) { return Formatter(ast, source).run(); }

bool format_source(const SourceFile& source, std::string& out, Diagnostics& diagnostics) {
  Diagnostics found;
  auto ast = parse_source(source, found);
  bool ok = !has_errors(found);
  diagnostics.insert(diagnostics.end(), found.begin(), found.end());
  if (ok) out = format_ast(*ast, source);
  return ok;
}

}  // namespace segrule
