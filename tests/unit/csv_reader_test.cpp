#include "eval/csv_reader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace segrule {
namespace {

// Renders every row as "<line>: <cells>" with unquoted cells in [..] and quoted ones in {..},
// or "<line>: error at <offset>: <message>". Line breaks inside cells show as \n and \r.
std::string read_all(std::string_view text) {
  CsvReader reader(text);
  std::vector<CsvCell> cells;
  std::optional<CsvError> error;
  std::string out;
  while (reader.next_row(cells, error)) {
    out += std::to_string(reader.line()) + ": ";
    if (error) {
      CHECK(cells.empty());
      out += "error at " + std::to_string(error->offset) + ": " + error->message;
    }
    for (const auto& cell : cells) {
      out += cell.quoted ? '{' : '[';
      for (const char c : cell.text) {
        if (c == '\n') {
          out += "\\n";
        } else if (c == '\r') {
          out += "\\r";
        } else {
          out += c;
        }
      }
      out += cell.quoted ? '}' : ']';
    }
    out += '\n';
  }
  CHECK_FALSE(reader.next_row(cells, error));  // stays at the end
  return out;
}

struct Case {
  std::string_view input;
  std::string_view expected;
};

constexpr std::string_view quote_in_unquoted =
    "unexpected `\"` in an unquoted cell (quote the whole cell and write a quote as `\"\"`)";

TEST_CASE("csv_reader: rows and cells") {
  const Case cases[] = {
      {"", ""},
      {"\n\n\r\n", ""},
      {"id,aum,segment\n1,5000000.00,high\n", "1: [id][aum][segment]\n2: [1][5000000.00][high]\n"},
      {"a,b", "1: [a][b]\n"},  // no final newline
      {"a,b\r\nc,d\r\n", "1: [a][b]\n2: [c][d]\n"},
      {"a,b\r", "1: [a][b]\n"},  // file cut after the CR of a CRLF
      {"a\nb\r\nc", "1: [a]\n2: [b]\n3: [c]\n"},
      {"\xEF\xBB\xBFid,aum\n1,2\n", "1: [id][aum]\n2: [1][2]\n"},
      {"\xEF\xBB\xBF", ""},
      {"a,\xEF\xBB\xBF\n", "1: [a][\xEF\xBB\xBF]\n"},  // a BOM elsewhere is just text
      // quoting
      {"name,note\n\"Li, Wei\",x\n", "1: [name][note]\n2: {Li, Wei}[x]\n"},
      {"\"say \"\"hi\"\"\",\"\"\"\"\n", "1: {say \"hi\"}{\"}\n"},
      {"\"a\"", "1: {a}\n"},
      {"\"\"", "1: {}\n"},
      {"\"\",\"\"\n", "1: {}{}\n"},
      // empty cells versus quoted empty strings
      {"a,,\"\",\n", "1: [a][]{}[]\n"},
      {",\n", "1: [][]\n"},
      {" \n", "1: [ ]\n"},
      {" a , b \n", "1: [ a ][ b ]\n"},
      // a row spanning lines: line() is the line the row started on
      {"id,addr\n1,\"line1\nline2\nline3\"\n2,\"x\"\n3,y\n", "1: [id][addr]\n2: [1]{line1\\nline2\\nline3}\n5: [2]{x}\n6: [3][y]\n"},
      {"\"a\r\nb\",c\r\nd\r\n", "1: {a\\r\\nb}[c]\n3: [d]\n"},
      {"\"\n\n\"\n\nx\n", "1: {\\n\\n}\n5: [x]\n"},
      {"\"a,\"\"b\"\"\nc\",d\n", "1: {a,\"b\"\\nc}[d]\n"},
      // blank lines are skipped but counted
      {"\n\na\n\n\r\nb\n\n", "3: [a]\n6: [b]\n"},
      // UTF-8 text
      {"\xE5\xBC\xA0\xE4\xB8\x89,\"\xE4\xB8\xAD, \xE6\x96\x87\"\n", "1: [\xE5\xBC\xA0\xE4\xB8\x89]{\xE4\xB8\xAD, \xE6\x96\x87}\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CHECK(read_all(c.input) == c.expected);
  }
}

TEST_CASE("csv_reader: malformed rows report an error and reading goes on at the next line") {
  const std::string quote_error = std::string(quote_in_unquoted);
  struct ErrorCase {
    std::string_view input;
    std::string expected;
  };
  const ErrorCase cases[] = {
      // a quote inside an unquoted cell
      {"ab\"c,d\nx,y\n", "1: error at 2: " + quote_error + "\n2: [x][y]\n"},
      {"a,b\"\"\nx\n", "1: error at 3: " + quote_error + "\n2: [x]\n"},
      // text after a closing quote
      {"\"ab\"c,d\nx\n", "1: error at 4: expected `,` or the end of the row after a closing quote\n2: [x]\n"},
      {"\"ab\" ,d\r\nx\r\n", "1: error at 4: expected `,` or the end of the row after a closing quote\n2: [x]\n"},
      {"\"x\ny\"z\nnext\n", "1: error at 5: expected `,` or the end of the row after a closing quote\n3: [next]\n"},
      // a quoted cell still open at the end of input
      {"a\n\"open,\nmore\n", "1: [a]\n2: error at 2: unterminated quoted cell\n"},
      {"a,\"", "1: error at 2: unterminated quoted cell\n"},
      // invalid UTF-8, reported once the row has been read to its end
      {"a,\xFF,b\nc\n", "1: error at 2: invalid UTF-8 byte 0xff\n2: [c]\n"},
      {"\xC3\xA9t\xE9\n\xC3\xA9t\xC3\xA9\n", "1: error at 3: invalid UTF-8 byte 0xe9\n2: [\xC3\xA9t\xC3\xA9]\n"},
      {"\"a\xFF\nb\",c\nd\n", "1: error at 2: invalid UTF-8 byte 0xff\n3: [d]\n"},
      {"\"\xED\xA0\x80\"\nok\n", "1: error at 1: invalid UTF-8 byte 0xed\n2: [ok]\n"},
      {"x\xF0\x9F\x98\nok", "1: error at 1: invalid UTF-8 byte 0xf0\n2: [ok]\n"},
      // a carriage return that ends no row
      {"a\rb,c\nd\n", "1: error at 1: carriage return without a line feed in an unquoted cell\n2: [d]\n"},
      {"\"a\"\rb\nd\n", "1: error at 3: expected `,` or the end of the row after a closing quote\n2: [d]\n"},
      // errors do not disturb the rows around them or their line numbers
      {"h1,h2\n1,\"multi\nline\"\nbad\"row\n\n3,\"ok\"\n",
       "1: [h1][h2]\n2: [1]{multi\\nline}\n4: error at 24: " + quote_error + "\n6: [3]{ok}\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CHECK(read_all(c.input) == c.expected);
  }
}

TEST_CASE("csv_reader: reuses the caller's cells and clears stale ones") {
  CsvReader reader("a,b,c\nd\n\"e\"\n");
  std::vector<CsvCell> cells;
  std::optional<CsvError> error;
  REQUIRE(reader.next_row(cells, error));
  REQUIRE(cells.size() == 3);
  REQUIRE(reader.next_row(cells, error));
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].text == "d");
  CHECK_FALSE(cells[0].quoted);
  REQUIRE(reader.next_row(cells, error));
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].text == "e");
  CHECK(cells[0].quoted);
  CHECK_FALSE(error.has_value());

  // A stale error from the caller is cleared on a good row.
  CsvReader second("x\n");
  error = CsvError{7, "stale"};
  REQUIRE(second.next_row(cells, error));
  CHECK_FALSE(error.has_value());
  CHECK(second.line() == 1);
}

TEST_CASE("csv_reader: many rows") {
  std::string text = "id,aum,note\r\n";
  constexpr int rows = 200000;
  for (int i = 0; i < rows; ++i) text += std::to_string(i) + ",1000.50,\"a, \"\"b\"\"\"\r\n";
  CsvReader reader(text);
  std::vector<CsvCell> cells;
  std::optional<CsvError> error;
  int count = 0;
  while (reader.next_row(cells, error)) {
    REQUIRE_FALSE(error.has_value());
    REQUIRE(cells.size() == 3);
    ++count;
  }
  CHECK(count == rows + 1);
  CHECK(reader.line() == static_cast<size_t>(rows + 1));
  CHECK(cells.empty());
}

}  // namespace
}  // namespace segrule
