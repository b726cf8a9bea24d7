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
// send its body (slow clients holding connections open); an address with
// `max_connections_per_address` open connections has further ones closed at once
// (0: no cap; raise it behind a proxy, whose connections share one address). Any
// exception a handler throws becomes a 500 JSON body and a log line; the connection
// stays usable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "core/status.h"

namespace fincrm {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
  int io_threads = 2;
  int worker_threads = 8;
  int64_t max_body_bytes = 32 << 20;
  int idle_timeout_seconds = 60;
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 60;
  int max_connections_per_address = 256;
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;
// Whether a request's handler is quick and never waits (a few index lookups): such
// handlers run on the I/O thread itself, saving two thread hand-offs; everything
// else (password hashing, commits, scans) goes to the worker pool.
using HttpInlinePredicate = std::function<bool(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler, HttpInlinePredicate runs_inline = {});
  ~HttpServer();

  // Binds and starts serving in background threads. Unavailable when the address
  // cannot be bound.
  Status Start();
  int port() const;
  // Connections closed at once because their address was at the cap.
  int64_t refused_connections() const;
  // Stops accepting, finishes requests in progress, then returns.
  void Stop();

  struct Impl;  // public so the engine's session type in the .cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fincrm
