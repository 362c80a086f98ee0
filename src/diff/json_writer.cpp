#include "diff/json_writer.hpp"

#include "eval/result_writer.hpp"

namespace segrule {

void JsonWriter::newline() {
  out_ += '\n';
  out_.append(levels_.size() * 2, ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  Level& level = levels_.back();
  if (!level.first) out_ += level.inline_items ? ", " : ",";
  if (!level.inline_items) newline();
  level.first = false;
}

void JsonWriter::open(char bracket, bool inline_items) {
  before_value();
  out_ += bracket;
  // Inside an inline container everything stays on the line.
  bool parent_inline = !levels_.empty() && levels_.back().inline_items;
  levels_.push_back({true, inline_items || parent_inline});
}

void JsonWriter::close(char bracket) {
  Level level = levels_.back();
  levels_.pop_back();
  if (!level.first && !level.inline_items) newline();
  out_ += bracket;
}

void JsonWriter::begin_object(bool inline_items) { open('{', inline_items); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array(bool inline_items) { open('[', inline_items); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(std::string_view name) {
  before_value();
  write_json_string(name, out_);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::string(std::string_view text) {
  before_value();
  write_json_string(text, out_);
}

void JsonWriter::number(size_t n) {
  before_value();
  out_ += std::to_string(n);
}

void JsonWriter::boolean(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
}

std::string JsonWriter::take() {
  out_ += '\n';
  std::string text = std::move(out_);
  out_.clear();
  levels_.clear();
  after_key_ = false;
  return text;
}

std::string unquoted(std::string_view json) {
  bool plain = json.size() >= 2 && json.front() == '"' && json.back() == '"' && json.find('\\') == std::string_view::npos &&
               json.find('"', 1) == json.size() - 1;
  return std::string(plain ? json.substr(1, json.size() - 2) : json);
}

}  // namespace segrule
