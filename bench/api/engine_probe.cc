// Engine probe: the same trivial JSON route served by cpp-httplib (thread pool) and by
// Boost.Beast (event-driven, one io_context per core), so bench/api/choose_engine.sh can
// compare them with wrk at 64 and 1,000 keep-alive connections. This decided which engine
// `fincrm serve` uses (docs/architecture.md, "HTTP engine").
//
// Usage: engine_probe httplib|beast PORT [POOL_THREADS]
#include <utility>  // Boost 1.74 asio needs std::exchange under C++20

#include <httplib.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr char kBody[] = R"({"status":"ok","service":"fincrm"})";

int ServeHttplib(int port, int pool_threads) {
  httplib::Server server;
  server.new_task_queue = [pool_threads] { return new httplib::ThreadPool(pool_threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.Get("/trivial", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(kBody, "application/json");
  });
  return server.listen("127.0.0.1", port) ? 0 : 1;
}

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void Read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       if (!error) self->Respond();
                     });
  }

 private:
  void Respond() {
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    if (request_.target() == "/trivial") {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "application/json");
      response_.body() = kBody;
    } else {
      response_.result(http::status::not_found);
    }
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (!error && self->response_.keep_alive()) self->Read();
                      });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code error, tcp::socket socket) {
    if (!error) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket))->Read();
    }
    Accept(acceptor);
  });
}

int ServeBeast(int port, int threads) {
  boost::asio::io_context context(threads);
  tcp::acceptor acceptor(context, {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  Accept(acceptor);
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&context] { context.run(); });
  context.run();
  for (auto& worker : workers) worker.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: engine_probe httplib|beast PORT [THREADS]\n");
    return 2;
  }
  std::string engine = argv[1];
  int port = std::atoi(argv[2]);
  int threads = argc > 3 ? std::atoi(argv[3]) : (engine == "beast" ? 2 : 1024);
  return engine == "beast" ? ServeBeast(port, threads) : ServeHttplib(port, threads);
}
