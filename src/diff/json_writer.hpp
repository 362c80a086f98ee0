#pragma once
// Indented JSON text built by hand, so that values already written as JSON
// (records whose numbers must keep their exact text) go in as they are.
// Used by the reports of `diff` and `impact`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace segrule {

class JsonWriter {
 public:
  // `inline_items`: the container's members stay on one line (short lists of keys).
  void begin_object(bool inline_items = false);
  void end_object();
  void begin_array(bool inline_items = false);
  void end_array();
  void key(std::string_view name);
  void string(std::string_view text);
  void number(size_t n);
  void boolean(bool b);
  void null();
  // A value that is already JSON text.
  void raw(std::string_view json);

  // The document, ending with a newline once every container is closed.
  std::string take();

 private:
  struct Level {
    bool first = true;
    bool inline_items = false;
  };
  void before_value();
  void open(char bracket, bool inline_items);
  void close(char bracket);
  void newline();

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

// A JSON string value without its quotes when it needs no escapes (`"gold"`
// reads `gold`); any other JSON text as it is.
std::string unquoted(std::string_view json);

}  // namespace segrule
