// The HTTP engine: Boost.Beast, event-driven. Chosen by measurement (bench/api/
// choose_engine.sh): at 1,000 keep-alive connections on 2 cores Beast held p99 35 ms
// and 59k req/s where cpp-httplib's thread-per-connection pool reached p99 876 ms
// and 9k req/s (docs/architecture.md).
//
// Network I/O runs on `io_threads`; handlers run on a pool of `worker_threads` so a
// handler waiting for a commit never stalls other connections (quick handlers, as
// the inline predicate says, run on the I/O thread). Limits: request bodies over
// `max_body_bytes` get 413; a connection is closed when it waits more than
// `idle_timeout_seconds` for the first byte of a request, or takes more than
// `header_timeout_seconds` to send the request's header or `body_timeout_seconds` to
// send its body (slow clients holding connections open). Connections are capped per
// address (`max_connections_per_address`, 0: no cap; raise it behind a proxy, whose
// connections share one address) and in all (`max_connections`, by default what the
// open-file limit leaves, which Start raises to its hard maximum). At a cap a new
// connection takes the place of the longest-idle one (of its own address at the
// per-address cap); it is closed at once only when none is idle. Out of file
// descriptors, the server sheds idle connections and accepts again 50 ms later
// instead of retrying in a loop. Any exception a handler throws becomes a 500 JSON
// body and a log line; the connection stays usable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "core/status.h"

namespace fincrm {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
  int io_threads = 2;
  int worker_threads = 32;
  int64_t max_body_bytes = 32 << 20;
  int idle_timeout_seconds = 60;
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 60;
  int max_connections_per_address = 256;
  int64_t max_connections = 0;  // 0: the open-file limit less 256 kept for files and outgoing connections
  // Reverse proxies (their addresses) whose X-Forwarded-For is believed: a request from
  // one gets as its remote_address the nearest address in that header that is not
  // itself a trusted proxy. The header is ignored from anyone else.
  std::vector<std::string> trusted_proxies;
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;
// Whether a request's handler is quick and never waits (a few index lookups): such
// handlers run on the I/O thread itself, saving two thread hand-offs; everything
// else (password hashing, commits, scans) goes to the worker pool.
using HttpInlinePredicate = std::function<bool(const HttpRequest&)>;

// What a request may send, decided from its header alone before its body is read:
// `answer` (say a 401) is sent at once and the body never read; otherwise the body
// may have up to `body_limit` bytes (413 above). So a client that has not signed in
// cannot make the server read and hold large bodies.
struct HeaderVerdict {
  int64_t body_limit = 0;
  std::optional<HttpResponse> answer;
};
using HttpHeaderGate = std::function<HeaderVerdict(const HttpRequest& head)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler, HttpInlinePredicate runs_inline = {},
             HttpHeaderGate header_gate = {});
  ~HttpServer();

  // Binds and starts serving in background threads. Unavailable when the address
  // cannot be bound.
  Status Start();
  int port() const;
  // Connections closed at once because a cap was reached and none was idle.
  int64_t refused_connections() const;
  // Idle connections closed to make room for new ones.
  int64_t shed_connections() const;
  int64_t open_connections() const;
  int64_t connection_cap() const;  // after Start
  // Stops accepting, finishes requests in progress, then returns.
  void Stop();

  struct Impl;  // public so the engine's session type in the .cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fincrm
