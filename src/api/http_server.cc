#include "api/http_server.h"

#include <utility>  // Boost 1.74's asio needs std::exchange declared under C++20

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/thread_name.h"

namespace fincrm {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string ErrorBody(std::string_view code, std::string_view message) {
  return std::string("{\"error\":{\"code\":\"") + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\",\"field\":\"\"}}";
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  HttpInlinePredicate runs_inline;
  // The concurrency hint must be the number of threads running the loop: a hint of 1
  // tells Asio that one thread runs it, and work posted while that thread sleeps can
  // then wait for it (seen as p99 of 0.5-0.9 s and timeouts at 1,000 connections).
  explicit Impl(int io_threads) : io(io_threads) {}
  asio::io_context io;
  // Every use of the acceptor runs on this strand: the accept handler (on any I/O
  // thread) and Stop's close once ran at the same time and crashed in start_op.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(io)};
  tcp::acceptor acceptor{accept_strand};
  // Blocking handlers run here, on named threads (an asio::thread_pool's are anonymous).
  asio::io_context workers;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> workers_busy;
  std::vector<std::thread> worker_threads;
  std::vector<std::thread> io_threads;
  std::atomic<int64_t> in_flight{0};
  // Open connections per client address (the per-address cap).
  std::mutex connections_mutex;
  std::unordered_map<std::string, int> connections;
  std::atomic<int64_t> refused_connections{0};
  // Counts the connection in; false when its address is at the cap.
  bool Admit(const std::string& address) {
    if (options.max_connections_per_address <= 0) return true;
    std::lock_guard lock(connections_mutex);
    int& open = connections[address];
    if (open >= options.max_connections_per_address) return false;
    ++open;
    return true;
  }
  void Release(const std::string& address) {
    if (options.max_connections_per_address <= 0) return;
    std::lock_guard lock(connections_mutex);
    auto it = connections.find(address);
    if (it != connections.end() && --it->second <= 0) connections.erase(it);
  }
  std::atomic<bool> stopping{false};
  int bound_port = 0;
  static constexpr int kAcceptsPerTurn = 1024;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server, std::string address)
      : stream_(std::move(socket)), server_(server), address_(std::move(address)) {}
  ~Session() { server_->Release(address_); }

  // Three deadlines, so that a slow client cannot hold a connection: the idle wait for
  // a request's first byte, then the header, then the body.
  void Read() {
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(server_->options.max_body_bytes));
    parser_->header_limit(64 * 1024);
    if (buffer_.size() > 0) {  // a pipelined request is already here
      ReadHeader();
      return;
    }
    stream_.expires_after(std::chrono::seconds(server_->options.idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                              if (error) return;  // closed, or idle too long
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

 private:
  void ReadHeader() {
    stream_.expires_after(std::chrono::seconds(server_->options.header_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error || self->parser_->is_done()) return self->OnRead(error);
      self->stream_.expires_after(std::chrono::seconds(self->server_->options.body_timeout_seconds));
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code error, std::size_t) { self->OnRead(error); });
    });
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::body_limit) {
      HttpResponse response{413, "application/json",
                            ErrorBody("payload_too_large", "the request body exceeds the server's limit"), {}};
      keep_alive_ = false;
      version_ = 11;
      counted_ = false;
      Write(std::move(response));
      return;
    }
    if (error) return;  // closed, timed out or unparsable: drop the connection
    auto& message = parser_->get();
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(message.method_string());
    ParseRequestTarget(std::string_view(message.target().data(), message.target().size()), *request);
    request->body = std::move(message.body());
    auto header = [&](http::field field) {
      auto it = message.find(field);
      return it == message.end() ? std::string() : std::string(it->value());
    };
    request->content_type = header(http::field::content_type);
    request->authorization = header(http::field::authorization);
    request->cookie = header(http::field::cookie);
    request->host = header(http::field::host);
    request->origin = header(http::field::origin);
    if (auto it = message.find("X-API-Key"); it != message.end()) request->api_key = std::string(it->value());
    request->remote_address = address_;
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    counted_ = true;
    ++server_->in_flight;
    if (server_->runs_inline && server_->runs_inline(*request)) {
      Write(Handle(*request));
      return;
    }
    asio::post(server_->workers, [self = shared_from_this(), request] {
      HttpResponse response = self->Handle(*request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    });
  }

  HttpResponse Handle(HttpRequest& request) {
    try {
      return server_->handler(request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fincrm serve: %s %s failed: %s\n", request.method.c_str(), request.path.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "fincrm serve: %s %s failed\n", request.method.c_str(), request.path.c_str());
    }
    return {500, "application/json", ErrorBody("internal", "the server failed to handle the request"), {}};
  }

  void Write(HttpResponse response) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::content_type, response.content_type);
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) response_.insert(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive_ && !server_->stopping);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      self->OnWritten(error);
    });
  }

  void OnWritten(beast::error_code error) {
    if (counted_) --server_->in_flight;
    if (error || !response_.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    Read();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool counted_ = true;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), asio::bind_executor(accept_strand, [this](beast::error_code error,
                                                                                        tcp::socket socket) {
    if (!acceptor.is_open()) return;
    auto serve = [this](tcp::socket socket) {
      beast::error_code ignored;
      auto endpoint = socket.remote_endpoint(ignored);
      std::string address = ignored ? std::string() : endpoint.address().to_string();
      if (!Admit(address)) {
        ++refused_connections;
        socket.close(ignored);
        return;
      }
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), this, std::move(address))->Read();
    };
    if (!error) serve(std::move(socket));
    // One accept per completion would take one connection per turn of the event loop:
    // under 1,000 busy connections a turn is ~10 ms, so a burst of new connections
    // waited up to 2 s in the listen queue (measured with ss). Take every connection
    // that is already waiting (the acceptor is non-blocking) before the next turn.
    for (int taken = 0; taken < kAcceptsPerTurn; ++taken) {
      tcp::socket next(asio::make_strand(io));
      beast::error_code would_block;
      acceptor.accept(next, would_block);
      if (would_block) break;
      serve(std::move(next));
    }
    Accept();
  }));
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, HttpInlinePredicate runs_inline)
    : impl_(std::make_unique<Impl>(std::max(1, options.io_threads))) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->runs_inline = std::move(runs_inline);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code error;
  auto address = asio::ip::make_address(impl_->options.address, error);
  if (error) return InvalidArgument("cannot listen on '" + impl_->options.address + "': " + error.message(), "listen");
  tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (!error) impl_->acceptor.non_blocking(true, error);
  if (error) {
    return Unavailable("cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) +
                       ": " + error.message());
  }
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  impl_->workers_busy.emplace(impl_->workers.get_executor());
  for (int i = 0; i < std::max(1, impl_->options.worker_threads); ++i) {
    impl_->worker_threads.emplace_back([this] {
      NameThisThread("fincrm-worker");
      impl_->workers.run();
    });
  }
  impl_->Accept();
  for (int i = 0; i < impl_->options.io_threads; ++i) {
    impl_->io_threads.emplace_back([this] {
      NameThisThread("fincrm-http");
      impl_->io.run();
    });
  }
  return Status::Ok();
}

int HttpServer::port() const { return impl_->bound_port; }

int64_t HttpServer::refused_connections() const { return impl_->refused_connections.load(); }

void HttpServer::Stop() {
  if (!impl_ || impl_->io_threads.empty()) return;
  impl_->stopping = true;
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  // Requests in progress finish (and their responses are written) before the loop stops.
  for (int waited = 0; impl_->in_flight > 0 && waited < 300; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  impl_->workers_busy.reset();  // the workers finish what was posted, then return
  for (auto& thread : impl_->worker_threads) thread.join();
  impl_->worker_threads.clear();
  impl_->io.stop();
  for (auto& thread : impl_->io_threads) thread.join();
  impl_->io_threads.clear();
}

}  // namespace fincrm
