// The one doctest main for every unit test file in this directory. The tests
// run on a thread with a small stack (docs/reliability.md): parsing, checking,
// evaluating, printing and destroying the deepest rule file and record the
// limits allow must fit in 256 KiB, so no input can exhaust a real thread's stack.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <pthread.h>

#include <cstdio>

namespace {

// Sanitizers make every frame several times larger; the bound they check is the same.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kTestStack = 8192 * 1024;  // the default thread stack
#else
constexpr size_t kTestStack = 256 * 1024;
#endif

struct Run {
  int argc;
  char** argv;
  int status = 0;
};

void* run_tests(void* arg) {
  auto* run = static_cast<Run*>(arg);
  doctest::Context context(run->argc, run->argv);
  run->status = context.run();
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Run run{argc, argv};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kTestStack);
  pthread_t thread;
  if (pthread_create(&thread, &attr, run_tests, &run) != 0) {
    std::fprintf(stderr, "cannot start the test thread\n");
    return 1;
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return run.status;
}
