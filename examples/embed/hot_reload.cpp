// Hot reload: serves a rule file and re-evaluates a record every time the
// file changes on disk; a version that does not compile is reported and the
// old one keeps serving.
//
//   hot_reload RULES.seg RECORD_JSON [SECONDS]   (SECONDS: stop after this long; default: run until killed)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include <segrule/segrule.hpp>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: hot_reload RULES.seg RECORD_JSON [SECONDS]\n");
    return 2;
  }
  std::string path = argv[1], record = argv[2];
  int seconds = argc == 4 ? std::atoi(argv[3]) : 0;
  segrule::CompileResult compiled = segrule::Ruleset::compile_file(path);
  if (!compiled) {
    std::fputs(compiled.rendered.c_str(), stderr);
    return 1;
  }
  segrule::Engine engine(std::move(*compiled.ruleset), path);
  std::mutex print;
  auto show = [&](const char* what) {
    segrule::RecordResult r = engine.evaluate(record);
    std::lock_guard lock(print);
    std::printf("%s %s: %s\n", what, r.content_hash.substr(0, 19).c_str(), r.ok ? r.json.c_str() : r.error.c_str());
    std::fflush(stdout);
  };
  show("serving");
  engine.watch(std::chrono::milliseconds(100), [&](const segrule::ReloadResult& reload) {
    if (!reload.ok) {
      std::lock_guard lock(print);
      std::printf("rejected new version, still serving %s:\n%s", reload.content_hash.substr(0, 19).c_str(),
                  reload.rendered.c_str());
      std::fflush(stdout);
    } else if (reload.changed) {
      show("reloaded");
    }
  });
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::seconds(seconds));
  else for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  return 0;
}
