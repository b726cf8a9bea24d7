// Where a webhook may be delivered (against server-side request forgery): an http or
// https URL whose host resolves only to public addresses. Loopback, link-local (cloud
// metadata at 169.254.169.254), private, shared (CGNAT), unspecified and multicast
// addresses are refused — the server would otherwise post to its own machine or its
// network on an administrator's say — unless the host is on the allow-list (an
// internal receiver the operator names). The check runs when a webhook is registered
// and again before each delivery, after DNS, and the delivery connects to the very
// address that was checked, so a name that later resolves elsewhere gains nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fincrm {

struct WebhookTargetPolicy {
  // Hosts (names or addresses, as written in the URL) delivered to whatever they
  // resolve to.
  std::vector<std::string> allowed_hosts;
};

struct WebhookTarget {
  std::string scheme;   // "http" or "https"
  std::string host;     // as in the URL, without brackets
  int port = 0;
  std::string path;     // "/..." with the query
  std::string address;  // the checked address to connect to
};

// InvalidArgument (field "url") naming what is wrong: not http(s), no host, a bad
// port, a host that does not resolve, or one that resolves to a refused address.
Result<WebhookTarget> ResolveWebhookTarget(std::string_view url, const WebhookTargetPolicy& policy);

// Whether an address (IPv4 or IPv6 text) is one webhooks may not reach by default,
// and which kind it is ("loopback", "private", ...); empty when it is public.
std::string RefusedAddressKind(std::string_view address);

}  // namespace fincrm
