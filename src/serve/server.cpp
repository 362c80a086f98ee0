// `segrule serve`: loads the rule directory, starts the HTTP server on a pool
// of threads, and stops it on SIGTERM or SIGINT after the requests in flight
// are answered. One log line per request goes to stderr: method, path,
// status, milliseconds — never a body, so no `pii` field reaches the log.

#include "serve.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "access_log.hpp"
#include "catalog.hpp"
#include "cli.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "service.hpp"

namespace segrule::serve {

namespace {

using Clock = std::chrono::steady_clock;

// When the handler of this thread's current request started; reset by the logger.
thread_local std::optional<Clock::time_point> t_request_start;

std::string printable(std::string_view path) {
  std::string out;
  append_printable_path(out, path);
  return out;
}

std::string url_of(const std::string& host, int port) {
  return host.find(':') != std::string::npos ? fmt::format("http://[{}]:{}", host, port) : fmt::format("http://{}:{}", host, port);
}

// The body of an error httplib answers by itself (before any handler ran).
void error_body(const ServeOptions& options, const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty() || res.status == 304) return;
  std::string message;
  switch (res.status) {
    case 413: message = fmt::format("the request body is larger than the limit of {} bytes (--max-body)", options.max_body); break;
    case 414: message = "the request URI is too long"; break;
    case 400: message = "malformed HTTP request"; break;
    default: message = fmt::format("HTTP {} for `{} {}`", res.status, req.method, printable(req.path)); break;
  }
  send_error(res, res.status, message);
}

}  // namespace

httplib::Server::Handler timed(httplib::Server::Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    handler(req, res);
  };
}

}  // namespace segrule::serve

namespace segrule::cli {

int cmd_serve(const std::vector<std::string>& args) {
  using namespace segrule::serve;
  ServeOptions options;
  if (!parse_serve_options(args, options)) return kMisuse;

  // Before any thread starts: SIGTERM and SIGINT go to one waiting thread only,
  // and a client that goes away mid-answer is an error on that socket, not a signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  AccessLog log;
  auto log_service = [&log](const std::string& message) {
    log.line("segrule: " + message);
    log.flush();  // rare, and worth seeing at once
  };
  Catalog catalog(options.rules_dir, log_service);
  catalog.scan();
  Metrics metrics;
  Service service{options, catalog, metrics};

  httplib::Server server;
  // A keep-alive connection holds a worker for its whole life: the pool is as
  // large as the connections to serve at once (--threads).
  server.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_max_count(1'000'000);
  server.set_tcp_nodelay(true);  // small answers leave at once instead of waiting for an ACK
  server.set_payload_max_length(options.max_body);
  server.set_error_handler([&options](const httplib::Request& req, httplib::Response& res) { error_body(options, req, res); });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, "internal error: " + what);
  });
  server.set_logger([&metrics, &log, access_log = options.access_log](const httplib::Request& req, const httplib::Response& res) {
    Route route = route_of(req.method, req.path);
    double seconds = -1;
    if (t_request_start) seconds = std::chrono::duration<double>(Clock::now() - *t_request_start).count();
    t_request_start.reset();
    metrics.request(route, res.status, seconds);
    if (access_log) log.request(req.method, req.path, res.status, seconds);
  });
  install_routes(server, service);
  // Debian's compiled cpp-httplib listens with a queue of 5 pending connections:
  // 64 clients connecting at once overflow it, and a dropped handshake is retried
  // by the client only after a second (p99 latencies of a second). So the
  // listening socket is remembered here and listened on again with a long queue.
  // SO_REUSEADDR (not the library's SO_REUSEPORT): a restart can bind at once,
  // but a second server on the same port is refused.
  int listening_socket = -1;
  server.set_socket_options([&listening_socket](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket = sock;
  });

  int port = options.port;
  errno = 0;
  bool bound = port == 0 ? (port = server.bind_to_any_port(options.host)) > 0 : server.bind_to_port(options.host, port);
  if (bound && listening_socket >= 0) ::listen(listening_socket, SOMAXCONN);
  if (!bound) {
    fmt::print(stderr, "segrule: cannot listen on {}: {}\n", url_of(options.host, options.port),
               errno ? std::strerror(errno) : "the address is not valid or is in use");
    return kMisuse;
  }

  catalog.start(options.watch_interval);
  std::atomic<bool> finished{false}, stopped_by_signal{false};
  std::thread signal_waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    if (finished) return;  // woken to end: the server already stopped
    stopped_by_signal = true;
    log_service(fmt::format("{}: no new connections; answering the requests in flight", strsignal(signal)));
    // stop() does nothing before the server runs: wait for it to run (it is about to).
    while (!finished && !server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.stop();
  });

  log_service(fmt::format("{} rule file{} from `{}`", catalog.size(), catalog.size() == 1 ? "" : "s", options.rules_dir));
  fmt::print("listening on {}\n", url_of(options.host, port));
  std::fflush(stdout);
  bool listened = server.listen_after_bind();  // returns once stopped and every worker is done

  finished = true;
  if (!stopped_by_signal) pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  catalog.stop();
  if (stopped_by_signal) {
    log_service("stopped");
    return kOk;
  }
  if (!listened) log_service("the server stopped unexpectedly");
  return listened ? kOk : kCompileError;
}

}  // namespace segrule::cli
