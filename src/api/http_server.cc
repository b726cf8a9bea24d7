#include "api/http_server.h"

#include <utility>  // Boost 1.74's asio needs std::exchange declared under C++20

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <list>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>

#include "core/thread_name.h"

namespace fincrm {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
// Each connection's executor is its own strand, held by its concrete type.
using Strand = asio::strand<asio::io_context::executor_type>;
using StrandSocket = asio::basic_stream_socket<tcp, Strand>;
using StrandStream = beast::basic_stream<tcp, Strand, beast::unlimited_rate_policy>;

std::string ErrorBody(std::string_view code, std::string_view message) {
  return std::string("{\"error\":{\"code\":\"") + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\",\"field\":\"\"}}";
}

class Session;

// A connection's place in the server's books: its address, and while it waits for a
// request, its entry in the idle list (oldest first). Guarded by the server's
// connections_mutex.
struct ConnectionSlot;
struct IdleEntry {
  std::weak_ptr<Session> session;
  ConnectionSlot* slot;
};
struct ConnectionSlot {
  std::string address;
  std::optional<std::list<IdleEntry>::iterator> idle;
  bool counted = false;  // still in the counts (shedding takes it out at once)
};

// Raises the soft limit on open files to the hard one (the usual soft 1,024 is reached
// by about 1,000 idle connections) and answers the limit now in force.
int64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : std::min<rlim_t>(limit.rlim_max, rlim_t{1} << 20);
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? int64_t{1} << 20 : static_cast<int64_t>(limit.rlim_cur);
}

// The program's allocator is tcmalloc (src/cli/CMakeLists.txt), which keeps freed
// pages for reuse, as glibc's malloc keeps them in its arenas: 60 bodies of 31 MiB
// left the server holding 2.2 GB. After a large body its pages are handed back.
// Weak, so that programs on another allocator (the tests, the sanitizer build) link.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));
constexpr size_t kLargeBody = 4 << 20;
void ReturnFreedMemory() {
  if (MallocExtension_ReleaseFreeMemory) MallocExtension_ReleaseFreeMemory();
  else malloc_trim(0);
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
  Strand accept_strand{asio::make_strand(io)};
  // The acceptor and its retry timer hold the strand by its concrete type (no
  // type-erased executor per operation), as the connections do.
  asio::basic_socket_acceptor<tcp, Strand> acceptor{accept_strand};
  // Waits before accepting again when the process is out of file descriptors.
  asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, Strand>
      accept_retry{accept_strand};
  // Blocking handlers run here, on named threads (an asio::thread_pool's are anonymous).
  asio::io_context workers;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> workers_busy;
  std::vector<std::thread> worker_threads;
  std::vector<std::thread> io_threads;
  std::atomic<int64_t> in_flight{0};

  // Open connections, per client address and in all, and the idle ones (waiting for
  // a request) oldest first. At a cap a new connection takes the place of the
  // longest-idle one (of its own address at the per-address cap), so that idle
  // connections piling up never lock out a client with a request to make (/healthz
  // among them); it is refused only when none is idle.
  std::mutex connections_mutex;
  std::unordered_map<std::string, int> connections;
  int64_t open_connections = 0;
  int64_t connection_cap = 0;  // set by Start
  std::list<IdleEntry> idle;
  std::atomic<int64_t> refused_connections{0};
  std::atomic<int64_t> shed_connections{0};

  // Counts the connection in, or answers false when it must be refused. `victim` gets
  // an idle connection to close in its place.
  bool Admit(ConnectionSlot& slot, std::shared_ptr<Session>& victim) {
    std::lock_guard lock(connections_mutex);
    int per_address_cap = options.max_connections_per_address;
    bool address_full = per_address_cap > 0 && connections[slot.address] >= per_address_cap;
    if (address_full || open_connections >= connection_cap) {
      for (auto it = idle.begin(); it != idle.end(); ++it) {
        if (address_full && it->slot->address != slot.address) continue;
        victim = it->session.lock();
        if (!victim) continue;  // being destroyed: its destructor takes it out
        ConnectionSlot& shed = *it->slot;
        idle.erase(it);
        shed.idle.reset();
        Uncount(shed);
        break;
      }
      if (!victim) {
        if (connections[slot.address] == 0) connections.erase(slot.address);
        return false;
      }
      ++shed_connections;
    }
    ++connections[slot.address];
    ++open_connections;
    slot.counted = true;
    return true;
  }
  void Uncount(ConnectionSlot& slot) {
    if (!slot.counted) return;
    slot.counted = false;
    --open_connections;
    auto it = connections.find(slot.address);
    if (it != connections.end() && --it->second <= 0) connections.erase(it);
  }
  void EnterIdle(ConnectionSlot& slot, std::weak_ptr<Session> session) {
    std::lock_guard lock(connections_mutex);
    if (!slot.counted || slot.idle) return;
    slot.idle = idle.insert(idle.end(), IdleEntry{std::move(session), &slot});
  }
  void LeaveIdle(ConnectionSlot& slot) {
    std::lock_guard lock(connections_mutex);
    if (slot.idle) idle.erase(*slot.idle);
    slot.idle.reset();
  }
  void Release(ConnectionSlot& slot) {
    std::lock_guard lock(connections_mutex);
    if (slot.idle) idle.erase(*slot.idle);
    slot.idle.reset();
    Uncount(slot);
  }
  // Out of file descriptors: the longest-idle connections make room, several at a
  // time so that connections waiting in the listen queue behind a flood get their
  // turn within a second.
  std::vector<std::shared_ptr<Session>> TakeOldestIdle(size_t most) {
    std::vector<std::shared_ptr<Session>> victims;
    std::lock_guard lock(connections_mutex);
    for (auto it = idle.begin(); it != idle.end() && victims.size() < most;) {
      auto victim = it->session.lock();
      if (!victim) {
        ++it;
        continue;
      }
      ConnectionSlot& shed = *it->slot;
      it = idle.erase(it);
      shed.idle.reset();
      Uncount(shed);
      ++shed_connections;
      victims.push_back(std::move(victim));
    }
    return victims;
  }
  void Shed(std::shared_ptr<Session> victim);
  static constexpr size_t kShedWhenOutOfDescriptors = 32;

  HttpHeaderGate header_gate;
  std::unordered_set<std::string> trusted_proxies;
  // The client a trusted proxy names: X-Forwarded-For lists the addresses a request
  // passed, the nearest last; the last one that is not a trusted proxy (and is an
  // address at all) is the client. Anything earlier in the list the client could
  // have written itself.
  std::string ForwardedClient(std::string_view forwarded, const std::string& peer) const {
    std::string client = peer;
    while (!forwarded.empty()) {
      size_t comma = forwarded.rfind(',');
      std::string_view item = comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
      forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      beast::error_code invalid;
      auto address = asio::ip::make_address(std::string(item), invalid);
      if (invalid) return client;
      client = address.to_string();
      if (!trusted_proxies.count(client)) return client;
    }
    return client;
  }

  std::atomic<bool> stopping{false};
  int bound_port = 0;
  static constexpr int kAcceptsPerTurn = 1024;
  // Descriptors kept back from connections: the database and its journal, a SQLite
  // connection per thread, webhook deliveries, log and checkpoint files.
  static constexpr int64_t kReservedDescriptors = 256;

  void Accept();
  void RetryAcceptSoon();
  std::unique_ptr<StrandSocket> accepting;  // the socket the pending accept fills; on accept_strand
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(StrandSocket socket, HttpServer::Impl* server, std::string address)
      : stream_(std::move(socket)), server_(server) {
    slot_.address = std::move(address);
  }
  ~Session() { server_->Release(slot_); }

  ConnectionSlot& slot() { return slot_; }
  // Closes the connection from its own executor (shed to make room for another).
  void Shed() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
    });
  }

  void Start() {
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    Read();
  }

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
    server_->EnterIdle(slot_, weak_from_this());
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                              if (error) return;  // closed, idle too long, or shed
                              self->server_->LeaveIdle(self->slot_);
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

 private:
  void ReadHeader() {
    stream_.expires_after(std::chrono::seconds(server_->options.header_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error || self->parser_->is_done()) return self->OnRead(error);
      if (self->server_->header_gate && !self->PassesHeaderGate()) return;
      self->stream_.expires_after(std::chrono::seconds(self->server_->options.body_timeout_seconds));
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code error, std::size_t) { self->OnRead(error); });
    });
  }

  // Before a body is read: the gate's answer, or a 413 when the declared length is over
  // the gate's limit, is sent at once and the connection closed (the body unread).
  bool PassesHeaderGate() {
    HttpRequest head;
    Describe(parser_->get(), head);
    HeaderVerdict verdict = server_->header_gate(head);
    if (!verdict.answer) {
      auto length = parser_->content_length();
      if (length && *length > static_cast<uint64_t>(verdict.body_limit)) {
        verdict.answer = TooLarge();
      } else {
        parser_->body_limit(static_cast<uint64_t>(verdict.body_limit));  // chunked bodies count as they come
        return true;
      }
    }
    keep_alive_ = false;
    version_ = parser_->get().version();
    counted_ = false;
    Write(std::move(*verdict.answer));
    return false;
  }

  static HttpResponse TooLarge() {
    return {413, "application/json", ErrorBody("payload_too_large", "the request body exceeds the server's limit"), {}};
  }

  // The request line and the headers the handlers read.
  void Describe(const http::request<http::string_body>& message, HttpRequest& request) const {
    request.method = std::string(message.method_string());
    ParseRequestTarget(std::string_view(message.target().data(), message.target().size()), request);
    auto header = [&](http::field field) {
      auto it = message.find(field);
      return it == message.end() ? std::string() : std::string(it->value());
    };
    request.content_type = header(http::field::content_type);
    request.authorization = header(http::field::authorization);
    request.cookie = header(http::field::cookie);
    request.host = header(http::field::host);
    request.origin = header(http::field::origin);
    if (auto it = message.find("X-API-Key"); it != message.end()) request.api_key = std::string(it->value());
    request.peer_address = slot_.address;
    request.remote_address = slot_.address;
    if (server_->trusted_proxies.count(slot_.address)) {
      if (auto it = message.find("X-Forwarded-For"); it != message.end()) {
        request.remote_address = server_->ForwardedClient(std::string_view(it->value().data(), it->value().size()),
                                                          slot_.address);
      }
    }
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::body_limit) {
      keep_alive_ = false;
      version_ = 11;
      counted_ = false;
      Write(TooLarge());
      return;
    }
    if (error) return;  // closed, timed out or unparsable: drop the connection
    auto& message = parser_->get();
    auto request = std::make_shared<HttpRequest>();
    Describe(message, *request);
    request->body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    counted_ = true;
    ++server_->in_flight;
    if (server_->runs_inline && server_->runs_inline(*request)) {
      Write(Handle(*request));
      return;
    }
    asio::post(server_->workers, [self = shared_from_this(), request]() mutable {
      HttpResponse response = self->Handle(*request);
      size_t body_bytes = request->body.capacity();
      request.reset();  // the body, and what parsing it took, is freed here
      if (body_bytes >= kLargeBody) ReturnFreedMemory();
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
    if (response.stream) return WriteStreamHeader(std::move(response));
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::content_type, response.content_type);
    response_.set(http::field::cache_control, "no-store");  // unless the handler says otherwise (static files)
    response_.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) {
      if (beast::iequals(name, "Cache-Control")) {
        response_.set(http::field::cache_control, value);
      } else {
        response_.insert(name, value);
      }
    }
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

  // A streamed response (Server-Sent Events): the header and first body, then whatever
  // the producer pushes. The connection has no deadline while it streams; a comment
  // line every 15 s finds a client that is gone, and reading tells when it leaves.
  void WriteStreamHeader(HttpResponse response) {
    stream_source_ = std::move(response.stream);
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " OK\r\nContent-Type: " + response.content_type +
                       "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Accel-Buffering: no\r\n"
                       "Connection: close\r\n";
    for (auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    stream_out_ = head + "\r\n" + response.body;
    stream_.expires_never();
    asio::async_write(stream_, asio::buffer(stream_out_), [self = shared_from_this()](beast::error_code error, size_t) {
      if (self->counted_) --self->server_->in_flight, self->counted_ = false;
      if (error) return self->EndStream();
      self->WatchForClose();
      std::weak_ptr<Session> weak = self;
      self->stream_source_->OnPending([weak] {
        if (auto session = weak.lock()) {
          asio::post(session->stream_.get_executor(), [session] { session->Pump(); });
        }
      });
      self->Heartbeat();
    });
  }

  void WatchForClose() {
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code error, size_t) {
      if (error) return self->EndStream();
      self->WatchForClose();  // whatever a client sends on an event stream is ignored
    });
  }

  void Pump() {
    if (writing_ || !stream_source_) return;
    bool done = false;
    stream_out_ = stream_source_->Take(done);
    if (stream_out_.empty()) {
      if (done || server_->stopping) EndStream();
      return;
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(stream_out_), [self = shared_from_this()](beast::error_code error, size_t) {
      self->writing_ = false;
      if (error) return self->EndStream();
      self->Pump();
    });
  }

  void Heartbeat() {
    if (!heartbeat_) heartbeat_.emplace(stream_.get_executor());
    heartbeat_->expires_after(std::chrono::seconds(15));
    heartbeat_->async_wait([self = shared_from_this()](beast::error_code error) {
      if (error || !self->stream_source_) return;
      if (self->server_->stopping || !self->stream_source_->Push(":\n\n")) return self->EndStream();
      self->Heartbeat();
    });
  }

  void EndStream() {
    if (!stream_source_) return;
    stream_source_->ClientGone();
    stream_source_.reset();
    if (heartbeat_) heartbeat_->cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  StrandStream stream_;
  HttpServer::Impl* server_;
  std::shared_ptr<ResponseStream> stream_source_;
  std::string stream_out_;
  char discard_[512];
  bool writing_ = false;
  std::optional<asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                           Strand>>
      heartbeat_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool counted_ = true;
};

}  // namespace

void HttpServer::Impl::Shed(std::shared_ptr<Session> victim) {
  if (victim) victim->Shed();
}

void HttpServer::Impl::RetryAcceptSoon() {
  accept_retry.expires_after(std::chrono::milliseconds(50));
  accept_retry.async_wait(asio::bind_executor(accept_strand, [this](beast::error_code error) {
    if (!error && acceptor.is_open()) Accept();
  }));
}

void HttpServer::Impl::Accept() {
  // Into a socket of ours, created with the connection's own strand.
  accepting = std::make_unique<StrandSocket>(asio::make_strand(io));
  acceptor.async_accept(*accepting, asio::bind_executor(accept_strand, [this](beast::error_code error) {
    if (!acceptor.is_open() || error == asio::error::operation_aborted) return;
    StrandSocket socket = std::move(*accepting);
    accepting.reset();
    auto serve = [this](StrandSocket socket) {
      beast::error_code ignored;
      auto endpoint = socket.remote_endpoint(ignored);
      std::string address = ignored ? std::string() : endpoint.address().to_string();
      auto session = std::make_shared<Session>(std::move(socket), this, std::move(address));
      std::shared_ptr<Session> victim;
      if (!Admit(session->slot(), victim)) {
        ++refused_connections;
        return;  // the session closes its socket as it goes
      }
      Shed(std::move(victim));
      session->Start();
    };
    // Out of descriptors (EMFILE, ENFILE) or another failure: accepting again at once
    // failed again at once, and the loop spun two cores until the clients left. Make
    // room by shedding the longest-idle connection, then try again shortly.
    auto out_of_room = [this] {
      for (auto& victim : TakeOldestIdle(kShedWhenOutOfDescriptors)) Shed(std::move(victim));
      RetryAcceptSoon();
    };
    if (error) return out_of_room();
    serve(std::move(socket));
    // One accept per completion would take one connection per turn of the event loop:
    // under 1,000 busy connections a turn is ~10 ms, so a burst of new connections
    // waited up to 2 s in the listen queue (measured with ss). Take every connection
    // that is already waiting (the acceptor is non-blocking) before the next turn.
    for (int taken = 0; taken < kAcceptsPerTurn; ++taken) {
      StrandSocket next(asio::make_strand(io));
      beast::error_code failed;
      acceptor.accept(next, failed);
      if (failed == asio::error::would_block || failed == asio::error::try_again) break;
      if (failed) return out_of_room();
      serve(std::move(next));
    }
    Accept();
  }));
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, HttpInlinePredicate runs_inline,
                       HttpHeaderGate header_gate)
    : impl_(std::make_unique<Impl>(std::max(1, options.io_threads))) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->runs_inline = std::move(runs_inline);
  impl_->header_gate = std::move(header_gate);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code error;
  for (const std::string& proxy : impl_->options.trusted_proxies) {
    auto address = asio::ip::make_address(proxy, error);
    if (error) return InvalidArgument("'" + proxy + "' is not an IP address", "trusted_proxy");
    impl_->trusted_proxies.insert(address.to_string());
  }
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
  int64_t descriptors = RaiseOpenFileLimit();
  impl_->connection_cap = impl_->options.max_connections > 0
                              ? impl_->options.max_connections
                              : std::max<int64_t>(16, descriptors - Impl::kReservedDescriptors);
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

int64_t HttpServer::shed_connections() const { return impl_->shed_connections.load(); }

int64_t HttpServer::open_connections() const {
  std::lock_guard lock(impl_->connections_mutex);
  return impl_->open_connections;
}

int64_t HttpServer::connection_cap() const { return impl_->connection_cap; }

void HttpServer::Stop() {
  if (!impl_ || impl_->io_threads.empty()) return;
  impl_->stopping = true;
  asio::post(impl_->accept_strand, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->accept_retry.cancel();
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
