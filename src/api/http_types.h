// The server's view of one HTTP exchange, free of the network engine's types so that
// handlers compile without Boost.Beast.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fincrm {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string cookie;
  std::string host;     // Host
  std::string origin;   // Origin, sent by browsers with cross-site and same-origin writes
  std::string api_key;  // X-API-Key
  std::string remote_address;  // the client: the socket's peer, or what a trusted proxy forwarded
  std::string peer_address;    // the socket's peer

  // The first value of a query parameter, or "".
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string_view Param(std::string_view name) const;
  std::string_view Cookie(std::string_view name) const;
};

// The body of a response that goes on after its header (Server-Sent Events): the
// engine writes the header, then whatever the producer pushes, until the producer
// closes the stream or the client goes away. Producers push from any thread.
class ResponseStream {
 public:
  // A client that falls `max_pending_bytes` behind is dropped rather than buffered
  // without bound.
  explicit ResponseStream(size_t max_pending_bytes = 1 << 20) : max_pending_(max_pending_bytes) {}
  // False once the stream is closed or the client gone: the producer forgets it.
  bool Push(std::string_view chunk);
  void Close();
  bool open() const;

  // The engine's side: `wake` is called (from the pushing thread) whenever there is
  // something to write; Take hands it over, with `done` once nothing more will come.
  void OnPending(std::function<void()> wake);
  std::string Take(bool& done);
  void ClientGone();

 private:
  mutable std::mutex mutex_;
  std::string pending_;
  bool closed_ = false;
  std::function<void()> wake_;
  size_t max_pending_;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie...)
  // When set, `body` is sent first and the response goes on with what the stream
  // gets (the connection is not reused).
  std::shared_ptr<ResponseStream> stream;
};

// Decodes %XX and, in query strings, '+'. Invalid escapes stay as they are.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// Fills the request's path (decoded) and query parameters from a request target
// ("/api/v1/customers?q=%E7%8E%8B&limit=5"). Any text is accepted.
void ParseRequestTarget(std::string_view target, HttpRequest& request);

}  // namespace fincrm
