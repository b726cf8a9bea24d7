#include "api/http_types.h"

namespace fincrm {

bool ResponseStream::Push(std::string_view chunk) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (pending_.size() + chunk.size() > max_pending_) {
      closed_ = true;  // too slow a reader: it is dropped and reconnects
      pending_.clear();
    } else {
      pending_.append(chunk);
    }
    wake = wake_;
  }
  if (wake) wake();
  return open();
}

void ResponseStream::Close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

bool ResponseStream::open() const {
  std::lock_guard lock(mutex_);
  return !closed_;
}

void ResponseStream::OnPending(std::function<void()> wake) {
  std::function<void()> now;
  {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
    if (!pending_.empty() || closed_) now = wake_;
  }
  if (now) now();
}

std::string ResponseStream::Take(bool& done) {
  std::lock_guard lock(mutex_);
  done = closed_;
  return std::exchange(pending_, {});
}

void ResponseStream::ClientGone() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  pending_.clear();
  wake_ = nullptr;
}

std::string_view HttpRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return {};
}

bool HttpRequest::HasQuery(std::string_view name) const {
  for (const auto& entry : query) {
    if (entry.first == name) return true;
  }
  return false;
}

std::string_view HttpRequest::Param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::string_view HttpRequest::Cookie(std::string_view name) const {
  std::string_view rest = cookie;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return pair.substr(equals + 1);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void ParseRequestTarget(std::string_view target, HttpRequest& request) {
  size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question), false);
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t equals = pair.find('=');
      request.query.emplace_back(PercentDecode(pair.substr(0, equals), true),
                                 equals == std::string_view::npos ? std::string()
                                                                  : PercentDecode(pair.substr(equals + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace fincrm
