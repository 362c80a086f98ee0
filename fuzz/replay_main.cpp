// The main of a fuzz target built without libFuzzer: feeds every file named on
// the command line (directories: every file in them, sorted) to
// LLVMFuzzerTestOneInput once. A broken check aborts, naming the file first.

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Present when a sanitizer runtime is linked: lets us name the input before it exits.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

std::string current_input;

void name_current_input() { std::fprintf(stderr, "\nfailing input: %s\n", current_input.c_str()); }

void on_abort(int) {
  name_current_input();
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

bool is_input(const fs::directory_entry& entry) {
  std::string name = entry.path().filename().string();
  return entry.is_regular_file() && !name.empty() && name[0] != '.';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  std::signal(SIGABRT, on_abort);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(name_current_input);
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path path = argv[i];
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<fs::path> inside;
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (is_input(entry)) inside.push_back(entry.path());
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else if (fs::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", path.c_str());
      return 2;
    }
  }
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    current_input = path.string();
    // Each input in its own buffer of exactly its size, as libFuzzer gives it,
    // so that AddressSanitizer sees a read past the end.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
  }
  std::fprintf(stderr, "%s: %zu inputs replayed\n", fs::path(argv[0]).filename().c_str(), files.size());
  return 0;
}
