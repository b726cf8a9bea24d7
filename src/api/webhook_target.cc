#include "api/webhook_target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/enums.h"

namespace fincrm {
namespace {

std::string RefusedV4(uint32_t a) {  // host byte order
  auto in = [&](uint32_t network, int bits) { return (a >> (32 - bits)) == (network >> (32 - bits)); };
  if (in(0x7F000000, 8)) return "loopback";
  if (in(0x00000000, 8)) return "unspecified";
  if (in(0xA9FE0000, 16)) return "link-local";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "private";
  if (in(0x64400000, 10)) return "shared (carrier-grade NAT)";
  if (in(0xE0000000, 4)) return "multicast";
  if (in(0xF0000000, 4)) return "reserved";
  return "";
}

std::string Refused(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return RefusedV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family != AF_INET6) return "not an IP address";
  const unsigned char* b = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) {  // ::ffff:a.b.c.d is a.b.c.d
    return RefusedV4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | b[15]);
  }
  bool zero_prefix = std::all_of(b, b + 15, [](unsigned char c) { return c == 0; });
  if (zero_prefix && b[15] == 1) return "loopback";
  if (zero_prefix && b[15] == 0) return "unspecified";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";
  if ((b[0] & 0xFE) == 0xFC) return "private";
  if (b[0] == 0xFF) return "multicast";
  return "";
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = address->sa_family == AF_INET
                        ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
                        : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  inet_ntop(address->sa_family, raw, text, sizeof text);
  return text;
}

Status Bad(std::string message) { return InvalidArgument(std::move(message), "url"); }

}  // namespace

std::string RefusedAddressKind(std::string_view address) {
  std::string text(address);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return Refused(reinterpret_cast<const sockaddr*>(&v4));
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return Refused(reinterpret_cast<const sockaddr*>(&v6));
  }
  return "not an IP address";
}

Result<WebhookTarget> ResolveWebhookTarget(std::string_view url, const WebhookTargetPolicy& policy) {
  WebhookTarget target;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return Bad("must be an http:// or https:// URL");
  target.scheme = std::string(url.substr(0, scheme_end));
  std::transform(target.scheme.begin(), target.scheme.end(), target.scheme.begin(), ::tolower);
  if (target.scheme != "http" && target.scheme != "https") return Bad("must be an http:// or https:// URL");
  std::string_view rest = url.substr(scheme_end + 3);
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  target.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (!target.path.empty() && target.path[0] != '/') target.path = "/" + target.path;
  if (authority.find('@') != std::string_view::npos) return Bad("must not carry a user name or password");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("has an unclosed [ in its host");
    target.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return Bad("has text after its host");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (target.host.empty()) return Bad("names no host");
  target.port = target.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), target.port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || target.port < 1 || target.port > 65535) {
      return Bad("has a port that is not 1 to 65535");
    }
  }
  bool allowed = std::any_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                             [&](const std::string& host) { return EqualsIgnoreAsciiCase(host, target.host); });
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) return Bad("host '" + target.host + "' does not resolve: " + gai_strerror(rc));
  std::string refused;
  for (addrinfo* a = found; a; a = a->ai_next) {
    std::string kind = Refused(a->ai_addr);
    if (!kind.empty() && !allowed) {
      refused = AddressText(a->ai_addr) + " is a " + kind + " address";
      break;
    }
    if (target.address.empty()) target.address = AddressText(a->ai_addr);
  }
  freeaddrinfo(found);
  // Every address must pass: a name with one public and one private address could be
  // delivered to either.
  if (!refused.empty()) {
    return Bad("host '" + target.host + "': " + refused +
               "; webhooks go to public addresses only (serve --webhook-allow-host names internal receivers)");
  }
  if (target.address.empty()) return Bad("host '" + target.host + "' has no address");
  return target;
}

}  // namespace fincrm
