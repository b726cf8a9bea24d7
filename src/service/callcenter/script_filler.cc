#include "service/callcenter/script_filler.h"

#include <algorithm>

namespace fincrm {

const std::vector<std::string_view>& ScriptPlaceholders() {
  static const std::vector<std::string_view> names = {"name",   "surname", "tier",  "customer_id",
                                                      "branch", "broker",  "agent", "today"};
  return names;
}

namespace {

// Calls `on(name, start, end)` for each {{name}}; answers false at an unclosed "{{".
template <class F>
bool ForEachPlaceholder(std::string_view body, F on) {
  size_t at = 0;
  while ((at = body.find("{{", at)) != std::string_view::npos) {
    size_t close = body.find("}}", at + 2);
    if (close == std::string_view::npos) return false;
    std::string_view name = body.substr(at + 2, close - at - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    on(name, at, close + 2);
    at = close + 2;
  }
  return true;
}

}  // namespace

std::vector<std::string> UnknownPlaceholders(std::string_view body) {
  std::vector<std::string> unknown;
  bool closed = ForEachPlaceholder(body, [&](std::string_view name, size_t, size_t) {
    const auto& known = ScriptPlaceholders();
    if (std::find(known.begin(), known.end(), name) == known.end()) unknown.emplace_back(name);
  });
  if (!closed) unknown.emplace_back("{{");
  return unknown;
}

std::string FillScript(std::string_view body, const ScriptValues& values) {
  std::string out;
  size_t copied = 0;
  ForEachPlaceholder(body, [&](std::string_view name, size_t start, size_t end) {
    out.append(body.substr(copied, start - copied));
    if (auto it = values.find(name); it != values.end()) out += it->second;
    copied = end;
  });
  out.append(body.substr(copied));
  return out;
}

ScriptValues ScriptValuesFor(const Customer& c, const std::string& tier, const std::string& agent, Date today) {
  // The surname is the first character of a Chinese name (compound surnames aside).
  size_t first = c.name.empty() ? 0 : 1;
  while (first < c.name.size() && (static_cast<unsigned char>(c.name[first]) & 0xC0) == 0x80) ++first;
  return {{"name", c.name},           {"surname", c.name.substr(0, first)}, {"tier", tier},
          {"customer_id", c.customer_id}, {"branch", c.branch_id},        {"broker", c.broker_id},
          {"agent", agent},           {"today", FormatDate(today)}};
}

const ServiceScript* ChooseScript(const std::vector<ServiceScript>& scripts, std::string_view call_type,
                                  std::string_view ticket_type, std::string_view tier) {
  const ServiceScript* best = nullptr;
  int best_score = -1;
  for (const ServiceScript& s : scripts) {
    if (!s.active) continue;
    int score = 0;
    bool fits = true;
    auto condition = [&](const std::string& wanted, std::string_view given) {
      if (wanted.empty()) return;
      if (wanted == given) ++score;
      else fits = false;
    };
    condition(s.call_type, call_type);
    condition(s.ticket_type, ticket_type);
    condition(s.tier, tier);
    if (fits && score > best_score) best = &s, best_score = score;
  }
  return best;
}

}  // namespace fincrm
