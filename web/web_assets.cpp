#include "web_assets.hpp"

#include <string>

namespace segrule::web {
namespace data {
struct Entry { std::string_view path; std::string_view body; };
extern const Entry entries[];
extern const unsigned entry_count;
}  // namespace data

namespace {
std::string_view content_type_of(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) { return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix; };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

struct Table {
  Asset assets[64];
  unsigned count = 0;
  Table() {
    for (unsigned i = 0; i < data::entry_count && i < 64; ++i)
      assets[count++] = Asset{data::entries[i].path, content_type_of(data::entries[i].path), data::entries[i].body};
  }
};
}  // namespace

const Asset* find_asset(std::string_view path) {
  static const Table table;
  if (path == "/") path = "/index.html";
  for (unsigned i = 0; i < table.count; ++i)
    if (table.assets[i].path == path) return &table.assets[i];
  return nullptr;
}

}  // namespace segrule::web
