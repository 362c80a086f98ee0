// The formatter: expressions, layout, comments and blank lines compared as exact
// text; idempotence, unchanged AST and kept comments over every rule file in the
// repository; the line diff behind `fmt --check`.

#include "fmt/formatter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fmt/expr_text.hpp"
#include "fmt/line_diff.hpp"
#include "parse/parser.hpp"

namespace segrule {
namespace {

// The formatted text, or "error: CODE message" for the first syntax error.
std::string format(const std::string& text) {
  SourceFile source("test.seg", text);
  Diagnostics diagnostics;
  std::string out;
  if (!format_source(source, out, diagnostics)) return "error: " + diagnostics.front().code + " " + diagnostics.front().message;
  return out;
}

constexpr std::string_view kHeader = "ruleset t {\n  version \"1\"\n}\n\n";

// The formatted `let v = EXPR`, without the `let v = `.
std::string expression(const std::string& text) {
  std::string out = format(std::string(kHeader) + "let v = " + text + "\n");
  std::string head = std::string(kHeader) + "let v = ";
  if (out.compare(0, head.size(), head) != 0) return out;
  return out.substr(head.size(), out.size() - head.size() - 1);
}

struct Case {
  const char* input;
  const char* output;
};

TEST_CASE("fmt: expressions get one space around operators and the parentheses precedence needs") {
  const Case cases[] = {
      {"a+b*c", "a + b * c"},
      {"(a+b)*c", "(a + b) * c"},
      {"a-(b-c)", "a - (b - c)"},
      {"(a-b)-c", "(a - b) - c"},  // the author's grouping is kept even where redundant
      {"a - b - c", "a - b - c"},
      {"a/(b*c)", "a / (b * c)"},
      {"-x.y", "-x.y"},
      {"-(a+b)", "-(a + b)"},
      {"- -x", "- -x"},
      {"-(-x)", "-(-x)"},
      {"a - -b", "a - -b"},
      {"not not a", "not not a"},
      {"not(a and b)", "not (a and b)"},
      {"not a==b", "not a == b"},
      {"a or b and c", "a or b and c"},
      {"(a or b) and c", "(a or b) and c"},
      {"(a and b) and c", "(a and b) and c"},  // nested chains stay nested: same AST
      {"a and b and c", "a and b and c"},
      {"a ?? b ?? c", "a ?? b ?? c"},
      {"(a ?? b) ?? c", "(a ?? b) ?? c"},
      {"a or b ?? c", "a or b ?? c"},
      {"(a??b)>=c", "(a ?? b) >= c"},
      {"(a<b)==c", "(a < b) == c"},
      {"x is not null and y is null", "x is not null and y is null"},
      {"(a+b) is null", "(a + b) is null"},
      {"x not in [a,b]", "x not in [a, b]"},
      {"x in[ ]", "x in []"},
      {"(a + b).c", "(a + b).c"},
      {"(p).risk", "p.risk"},  // parentheses around one operand are dropped
      {"((a + b))", "(a + b)"},
      {"f( a,b )", "f(a, b)"},
      {"max(aum,1)", "max(aum, 1)"},
      {"if a then b else c", "if a then b else c"},
      {"(if a then b else c) + 1", "(if a then b else c) + 1"},
      {"if a then if b then c else d else e", "if a then if b then c else d else e"},
      {"all p in offers : rank(p.risk)<=2", "all p in offers: rank(p.risk) <= 2"},
      {"any p in (if a then l else m): p == x", "any p in (if a then l else m): p == x"},
  };
  for (const auto& c : cases) {
    INFO("expression: " << c.input);
    CHECK(expression(c.input) == c.output);
  }
}

TEST_CASE("fmt: numbers and dates stay as written, strings are re-escaped") {
  const Case cases[] = {
      {"500万", "500万"},
      {"1_000_000", "1_000_000"},
      {"0.50", "0.50"},
      {"1.5k + 2M + 3亿 + 50%", "1.5k + 2M + 3亿 + 50%"},
      {"2025-06-01", "2025-06-01"},
      {R"("a\"b\\c")", R"("a\"b\\c")"},
      {R"("line\nnext\ttab")", R"("line\nnext\ttab")"},
      {R"("\u{4E07}元")", R"("万元")"},
      {R"("bell\u{7} cr\u{d} zwsp\u{200B}")", R"("bell\u{7} cr\u{D} zwsp\u{200B}")"},
      {R"("私人银行 #1")", R"("私人银行 #1")"},
  };
  for (const auto& c : cases) {
    INFO("expression: " << c.input);
    CHECK(expression(c.input) == c.output);
  }
  CHECK(string_literal("é\x01") == "\"é\\u{1}\"");
}

TEST_CASE("fmt: every declaration kind in the canonical layout") {
  const char* input =
      "ruleset r{title \"T\" version \"1\" effective 2025-06-01}\n"
      "enum risk[C1,C2]\n"
      "enum grade   [R1 \"低\",R2]\n"
      "input c key id{id:string\nname:string pii\nlarge_inflow:money=0}\n"
      "let a=1\nlet bb = a+1\n"
      "tiers t{top \"最高\" when a>1\nlow \"低\" otherwise}\n"
      "segments s{x \"甲\" when a>1 score a\nlonger_id when a > 2 and bb > 3}\n"
      "catalog p{risk:grade\nitem_one \"产品\" {risk:R1}\nitem_two{risk:R2,}}\n"
      "output{offers:list<p>\nlevel:enum[x \"X\",y]=x}\n"
      "strategy s1 \"策略\" when a>1{offer item_one when bb>1\nlevel=y}\n"
      "constraint k on offers as q{drop when q.risk>R1 reason \"r\"\ndrop when false reason \"long reason\"}\n"
      "invariant i{all q in offers: q.risk<=R2}\n";
  // `item_two{risk:R2,}` is a syntax error: a trailing comma is not allowed.
  CHECK(format(input).rfind("error: E0001", 0) == 0);
  std::string fixed = input;
  fixed.replace(fixed.find("R2,}"), 4, "R2}");
  CHECK(format(fixed) ==
        "ruleset r {\n"
        "  title     \"T\"\n"
        "  version   \"1\"\n"
        "  effective 2025-06-01\n"
        "}\n"
        "\n"
        "enum risk  [C1, C2]\n"
        "enum grade [R1 \"低\", R2]\n"
        "\n"
        "input c key id {\n"
        "  id           : string\n"
        "  name         : string pii\n"
        "  large_inflow : money = 0\n"
        "}\n"
        "\n"
        "let a  = 1\n"
        "let bb = a + 1\n"
        "\n"
        "tiers t {\n"
        "  top \"最高\" when a > 1\n"
        "  low \"低\"   otherwise\n"
        "}\n"
        "\n"
        "segments s {\n"
        "  x         \"甲\" when a > 1  score a\n"
        "  longer_id      when a > 2 and bb > 3\n"
        "}\n"
        "\n"
        "catalog p {\n"
        "  risk : grade\n"
        "\n"
        "  item_one \"产品\" { risk: R1 }\n"
        "  item_two        { risk: R2 }\n"
        "}\n"
        "\n"
        "output {\n"
        "  offers : list<p>\n"
        "  level  : enum [x \"X\", y] = x\n"
        "}\n"
        "\n"
        "strategy s1 \"策略\" when a > 1 {\n"
        "  offer item_one when bb > 1\n"
        "  level = y\n"
        "}\n"
        "\n"
        "constraint k on offers as q {\n"
        "  drop when q.risk > R1  reason \"r\"\n"
        "  drop when false        reason \"long reason\"\n"
        "}\n"
        "\n"
        "invariant i {\n"
        "  all q in offers: q.risk <= R2\n"
        "}\n");
}

TEST_CASE("fmt: blank lines between declarations and inside blocks") {
  // Different kinds: always one blank line. Same kind: the author's choice, at
  // most one. Inside a block: at most one, never after `{` or before `}`.
  CHECK(format("let a = 1\n\n\n\nlet b = 2\nlet c = 3\ntiers t {\n\n  x when a > 1\n\n\n  y otherwise\n\n}\n"
               "tiers u {\n  z otherwise\n}\n\n\n\ntiers v {\n  w otherwise\n}\n") ==
        "let a = 1\n\nlet b = 2\nlet c = 3\n\ntiers t {\n  x when a > 1\n\n  y otherwise\n}\ntiers u {\n  z otherwise\n}\n\n"
        "tiers v {\n  w otherwise\n}\n");
  // A blank line ends an alignment group of lets.
  CHECK(format("let a = 1\nlet long_name = 2\n\nlet b = 3\nlet cc = 4\n") ==
        "let a         = 1\nlet long_name = 2\n\nlet b  = 3\nlet cc = 4\n");
  CHECK(format("") == "");
  CHECK(format("\n\n   \n") == "");
}

TEST_CASE("fmt: comments stay next to what they annotate") {
  // Own-line comments before a line, end-of-line comments aligned at column 48
  // (or two spaces after the longest commented line of the table), comments at
  // the end of a block and of the file.
  CHECK(format("# file header\n\n# about a\nlet a = 1 # one\nlet bb = 2   #two\n") ==
        "# file header\n\n# about a\nlet a  = 1                                     # one\n"
        "let bb = 2                                     #two\n");
  CHECK(format("tiers t { # the tiers\n  # first row\n  x when a > 1 # end of row\n  # last comment in the block\n} # after the block\n"
               "# end of file\n") ==
        "tiers t {                                      # the tiers\n"
        "  # first row\n"
        "  x when a > 1                                 # end of row\n"
        "  # last comment in the block\n"
        "}                                              # after the block\n"
        "# end of file\n");
  // A comment inside a construct printed on one line moves before it.
  CHECK(format("let a = b + # why b\n  c # and c\n") == "# why b\nlet a = b + c                                  # and c\n");
  CHECK(format("strategy s \"S\"\n  # the condition\n  when a > 1 {\n  x = 1\n}\n") ==
        "# the condition\nstrategy s \"S\" when a > 1 {\n  x = 1\n}\n");
  // A row longer than the comment column pushes the whole table's comments right.
  CHECK(format("segments s {\n  a when x > 1 # short\n  b when some_really_long_condition_name > 100000 and another > 2 # long\n}\n") ==
        "segments s {\n"
        "  a when x > 1                                                     # short\n"
        "  b when some_really_long_condition_name > 100000 and another > 2  # long\n"
        "}\n");
  // Comments in an empty block, a file of comments only, `#` inside strings.
  CHECK(format("strategy s when true {\n\n  # nothing yet\n}\n") == "strategy s when true {\n  # nothing yet\n}\n");
  CHECK(format("#a\n\n\n#b\n") == "#a\n\n#b\n");
  CHECK(format("let a = \"#not a comment\" # a comment\n") == "let a = \"#not a comment\"                       # a comment\n");
}

TEST_CASE("fmt: catalogs list attributes first; enums spread over lines stay one value per line") {
  CHECK(format("catalog p {\n  gold \"金\" { risk: R1 } # item\n  # the risk\n  risk : grade\n}\n") ==
        "catalog p {\n  # the risk\n  risk : grade\n\n  gold \"金\" { risk: R1 }                       # item\n}\n");
  CHECK(format("enum grade [R1 \"低\",\n R2, R3 \"高\" # top\n]\n") ==
        "enum grade [\n  R1 \"低\",\n  R2,\n  R3 \"高\"                                      # top\n]\n");
}

TEST_CASE("fmt: a file with syntax errors is not formatted; one that does not type-check is") {
  CHECK(format("let a = \n") == "error: E0001 expected an expression");
  CHECK(format("tiers t { x when unknown_name > 1 }\n") == "tiers t {\n  x when unknown_name > 1\n}\n");
}

TEST_CASE("parser: comments are collected outside strings, and spans end before a trailing comment") {
  SourceFile source("t.seg", "\xEF\xBB\xBF# one\r\nlet a = f(\"#x\")  # two  \r\nlet b = (a) # three\n#");
  Diagnostics diagnostics;
  auto ast = parse_source(source, diagnostics);
  REQUIRE(diagnostics.empty());
  REQUIRE(ast->comments.size() == 4);
  CHECK(ast->comments[0].text == " one");
  CHECK(ast->comments[1].text == " two");
  CHECK(ast->comments[2].text == " three");
  CHECK(ast->comments[3].text == "");
  std::string_view text = source.text();
  auto spanned = [&](Span s) { return std::string(text.substr(s.begin, s.end - s.begin)); };
  CHECK(spanned(ast->comments[1].span) == "# two  ");
  CHECK(spanned(ast->order[0].extent) == "let a = f(\"#x\")");
  CHECK(spanned(ast->lets[0].value->span) == "f(\"#x\")");
  CHECK(spanned(ast->order[1].extent) == "let b = (a)");
  CHECK(ast->lets[1].value->parenthesized);
}

// ---- the whole corpus ---------------------------------------------------------------

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::filesystem::path> rule_files(const char* directory) {
  std::vector<std::filesystem::path> files;
  std::filesystem::path root = std::filesystem::path(SEGRULE_SOURCE_DIR) / directory;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().extension() == ".seg") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> comment_texts(const Ast& ast) {
  std::vector<std::string> texts;
  for (const Comment& c : ast.comments) texts.push_back(c.text);
  std::sort(texts.begin(), texts.end());
  return texts;
}

// Formats `text` and checks the three promises against it.
void check_promises(const std::string& text) {
  SourceFile original("original.seg", text);
  Diagnostics diagnostics;
  auto before = parse_source(original, diagnostics);
  REQUIRE(!has_errors(diagnostics));
  std::string once = format_ast(*before, original);
  SourceFile reformatted("formatted.seg", once);
  auto after = parse_source(reformatted, diagnostics);
  REQUIRE(!has_errors(diagnostics));
  CHECK(dump(*after) == dump(*before));
  CHECK(comment_texts(*after) == comment_texts(*before));
  CHECK(format_ast(*after, reformatted) == once);
}

TEST_CASE("fmt: over every rule file, formatting is idempotent, keeps every comment and the AST") {
  size_t formatted = 0;
  for (const char* directory : {"rulesets", "examples", "tests/golden", "docs"}) {
    for (const auto& path : rule_files(directory)) {
      INFO("file: " << path.string());
      SourceFile original(path.string(), read(path));
      Diagnostics diagnostics;
      parse_source(original, diagnostics);
      if (has_errors(diagnostics)) continue;
      check_promises(std::string(original.text()));
      ++formatted;
    }
  }
  CHECK(formatted > 50);
}

TEST_CASE("fmt: a comment between any two tokens is kept, and the result is stable") {
  const std::string text =
      "ruleset r { title \"T\" effective 2025-06-01 }\n"
      "enum grade [R1 \"低\", R2]\n"
      "input c key id { id : string  aum : money = 0  held : list<string>? }\n"
      "let a = (aum + 1) * 2 ?? 0\n"
      "tiers t { top \"最高\" when a > 1 and not (aum < 0)  low otherwise }\n"
      "segments s { x \"甲\" when a > 1 score -a }\n"
      "catalog p { risk : grade  one \"产品\" { risk: R1 } }\n"
      "output { offers : list<p>  level : enum [x, y] = x }\n"
      "strategy s1 \"策略\" when a in [1, 2] { offer one, p.one when a > 1  level = if a > 1 then y else x }\n"
      "constraint k on offers as q { drop when q.risk > R1 reason \"r\" }\n"
      "invariant i { all q in offers: q.risk <= R2 }\n";
  // Every blank outside strings ends a token: put a comment (and a line end) there.
  bool in_string = false;
  int checked = 0;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i - 1] == '"') in_string = !in_string;
    if (in_string || (text[i] != ' ' && text[i] != '\n') || text[i - 1] == ' ' || text[i - 1] == '\n') continue;
    std::string variant = text.substr(0, i) + " # c\n" + text.substr(i);
    INFO("comment at " << i << ": " << variant);
    check_promises(variant);
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("fmt: every file in rulesets/ is already formatted") {
  for (const auto& path : rule_files("rulesets")) {
    INFO("run `segrule fmt --write " << path.filename().string() << "`");
    std::string text = read(path);
    bool formatted = format(text) == text;
    CHECK(formatted);
  }
}

TEST_CASE("fmt: expressions as deep as the parser allows print without trouble") {
  std::string negations;
  for (int i = 0; i < 250; ++i) negations += "- ";
  CHECK(expression(negations + "x") == negations.substr(0, negations.size() - 1) + "x");
  std::string sum = "a";
  for (int i = 0; i < 250; ++i) sum += " + a";
  CHECK(expression(sum) == sum);
  std::string nested = "x";
  for (int i = 0; i < 60; ++i) nested = "(" + nested + " - x)";
  CHECK(expression(nested) == nested);
}

// ---- line diff ----------------------------------------------------------------------

std::vector<std::string_view> lines_of(const std::string& text) { return split_lines(text); }

TEST_CASE("line diff: unified hunks with three lines of context") {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n";
  std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\nsixteen\n";
  CHECK(unified_hunks(lines_of(a), lines_of(b)) ==
        "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        "@@ -13,3 +13,4 @@\n 13\n 14\n 15\n+sixteen\n");
  // Changes close together share a hunk.
  CHECK(unified_hunks(lines_of("a\nb\nc\nd\ne\nf\ng\nh\n"), lines_of("a\nB\nc\nd\ne\nf\nG\nh\n")) ==
        "@@ -1,8 +1,8 @@\n a\n-b\n+B\n c\n d\n e\n f\n-g\n+G\n h\n");
  CHECK(unified_hunks(lines_of(""), lines_of("x\n")) == "@@ -0,0 +1 @@\n+x\n");
  CHECK(unified_hunks(lines_of("x\n"), lines_of("")) == "@@ -1 +0,0 @@\n-x\n");
  CHECK(unified_hunks(lines_of("same\n"), lines_of("same\n")) == "");
  CHECK(split_lines("a\n\nb") == std::vector<std::string_view>{"a", "", "b"});
}

// Length of a longest common subsequence, by dynamic programming.
size_t lcs_length(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

TEST_CASE("line diff: the edit script turns one text into the other and is shortest") {
  std::mt19937 random(20250601);
  const std::vector<std::string_view> alphabet{"a", "b", "c", "d"};
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string_view> before, after;
    for (size_t i = random() % 12; i > 0; --i) before.push_back(alphabet[random() % alphabet.size()]);
    for (size_t i = random() % 12; i > 0; --i) after.push_back(alphabet[random() % alphabet.size()]);
    std::vector<Edit> edits = diff_lines(before, after);
    std::vector<std::string_view> rebuilt;
    size_t kept = 0, old_seen = 0;
    for (const Edit& e : edits) {
      if (e.kind == EditKind::keep) {
        REQUIRE(before[e.old_index] == after[e.new_index]);
        rebuilt.push_back(before[e.old_index]);
        ++kept;
      } else if (e.kind == EditKind::insert) {
        rebuilt.push_back(after[e.new_index]);
      }
      if (e.kind != EditKind::insert) CHECK(e.old_index == old_seen++);
    }
    CHECK(old_seen == before.size());
    CHECK(rebuilt == after);
    CHECK(kept == lcs_length(before, after));
    // With a budget too small for the shortest script, the script is still correct.
    std::vector<Edit> rough = diff_lines(before, after, 1);
    rebuilt.clear();
    for (const Edit& e : rough)
      if (e.kind != EditKind::remove) rebuilt.push_back(e.kind == EditKind::keep ? before[e.old_index] : after[e.new_index]);
    CHECK(rebuilt == after);
  }
}

}  // namespace
}  // namespace segrule
