#include "analytics/cube.h"

#include <algorithm>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "analytics/value_ladder.h"

namespace fincrm {
namespace {

constexpr size_t kMaxDimensions = 4;
constexpr std::string_view kAgeBands[] = {"(unknown)", "<30", "30-39", "40-49", "50-59", "60+"};
// Day codes are 16 bits: the facts a query covers must span fewer days.
constexpr int32_t kMaxDaySpan = 65000;
constexpr uint32_t kCodeLimit = 0xFFFF;  // codes are packed 16 bits per dimension

bool IsTradeOnly(CubeDimension d) {
  return d == CubeDimension::kChannel || d == CubeDimension::kProductType || d == CubeDimension::kMarket;
}
bool IsTime(CubeDimension d) {
  return d == CubeDimension::kDay || d == CubeDimension::kMonth || d == CubeDimension::kQuarter ||
         d == CubeDimension::kYear;
}
bool IsTradeMeasure(CubeMeasure m) {
  return m == CubeMeasure::kTradeAmount || m == CubeMeasure::kCommission ||
         m == CubeMeasure::kTradeCount || m == CubeMeasure::kActiveCustomers;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(separator, start), text.size());
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

Result<Date> ParseBound(std::string_view text, bool is_end, const char* field) {
  if (text.size() == 7) {  // YYYY-MM: the month's first or last day
    auto first = ParseDate(std::string(text) + "-01");
    if (first.ok()) {
      if (!is_end) return *first;
      int year;
      unsigned month, day;
      CivilFromDays(first->days, year, month, day);
      return Date{(month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, month + 1, 1)) - 1};
    }
  }
  auto date = ParseDate(text);
  if (!date.ok()) return InvalidArgument("'" + std::string(text) + "' is not a date or month", field);
  return *date;
}

// A dictionary's text for a code; codes the dictionary never issued (a clamped code
// past 65,534 values, a customer without one) read as "(none)".
std::string DictionaryLabel(const Dictionary& dictionary, uint32_t code) {
  return code < dictionary.size() ? dictionary.Value(code) : std::string("(none)");
}

// Maps facts to dimension codes and codes to labels.
class Coder {
 public:
  Coder(const FactTables& facts, const CubeContext& context, int32_t first_day, int32_t reference_day,
        const std::vector<std::string>& holders = {})
      : facts_(facts), context_(context), base_day_(first_day), reference_day_(reference_day) {
    if (!holders.empty()) {
      holds_.assign(facts.customer_count(), 0);
      for (const std::string& id : holders) {
        if (auto index = facts.CustomerIndex(id)) holds_[*index] = 1;
      }
    }
    int year;
    unsigned month, day;
    CivilFromDays(first_day, year, month, day);
    base_year_ = year;
    // Month index of every day code, so that facts never convert dates one by one.
    int32_t span = std::clamp(reference_day - first_day + 1, 1, 65535);
    month_of_day_.resize(span);
    for (int32_t d = 0; d < span; ++d) {
      CivilFromDays(first_day + d, year, month, day);
      month_of_day_[d] = (year - base_year_) * 12 + static_cast<int>(month) - 1;
    }
  }

  uint32_t Code(CubeDimension d, uint32_t customer, int32_t day, uint8_t kind) const {
    const CustomerAttributes& a = facts_.Attributes(customer);
    switch (d) {
      case CubeDimension::kDay: return static_cast<uint32_t>(std::clamp(day - base_day_, 0, 65534));
      case CubeDimension::kMonth: return static_cast<uint32_t>(MonthIndex(day));
      case CubeDimension::kQuarter: return static_cast<uint32_t>(MonthIndex(day) / 3);
      case CubeDimension::kYear: return static_cast<uint32_t>(MonthIndex(day) / 12);
      case CubeDimension::kBranch: return std::min(a.branch, kCodeLimit - 1);
      case CubeDimension::kBroker: return a.broker == kNoCode ? kCodeLimit - 1 : std::min(a.broker, kCodeLimit - 2);
      case CubeDimension::kProvince: return std::min(a.province, kCodeLimit - 1);
      case CubeDimension::kTier:
        return customer < context_.tier.size() ? static_cast<uint32_t>(context_.tier[customer] + 1) : 0;
      case CubeDimension::kCluster:
        return customer < context_.cluster.size() ? static_cast<uint32_t>(context_.cluster[customer] + 1) : 0;
      case CubeDimension::kRiskLevel: return a.risk_level == kNoRiskLevel ? 5 : a.risk_level;
      case CubeDimension::kChannel: return static_cast<uint32_t>(KindChannel(kind));
      case CubeDimension::kProductType: return static_cast<uint32_t>(KindProduct(kind));
      case CubeDimension::kMarket: return static_cast<uint32_t>(KindMarket(kind));
      case CubeDimension::kAgeBand: {
        if (a.birth_day == kNoDay) return 0;
        int age = static_cast<int>((reference_day_ - a.birth_day) / 365.25);
        return age < 30 ? 1 : age < 40 ? 2 : age < 50 ? 3 : age < 60 ? 4 : 5;
      }
      case CubeDimension::kHolds: return customer < holds_.size() ? holds_[customer] : 0;
    }
    return 0;
  }

  std::string Label(CubeDimension d, uint32_t code) const {
    char text[16];
    switch (d) {
      case CubeDimension::kDay: return FormatDate(Date{base_day_ + static_cast<int32_t>(code)});
      case CubeDimension::kMonth: {
        int index = base_year_ * 12 + static_cast<int>(code);
        std::snprintf(text, sizeof text, "%04d-%02d", index / 12, index % 12 + 1);
        return text;
      }
      case CubeDimension::kQuarter: {
        int index = base_year_ * 4 + static_cast<int>(code);
        std::snprintf(text, sizeof text, "%04d-Q%d", index / 4, index % 4 + 1);
        return text;
      }
      case CubeDimension::kYear: return std::to_string(base_year_ + static_cast<int>(code));
      case CubeDimension::kBranch: return DictionaryLabel(facts_.branches(), code);
      case CubeDimension::kBroker: return code == kCodeLimit - 1 ? "(none)" : DictionaryLabel(facts_.brokers(), code);
      case CubeDimension::kProvince: return DictionaryLabel(facts_.provinces(), code);
      case CubeDimension::kTier:
        return code == 0 ? "(none)" : std::string(EnumCode(static_cast<ValueTier>(code - 1)));
      case CubeDimension::kCluster: return code == 0 ? "(none)" : std::to_string(code - 1);
      case CubeDimension::kRiskLevel: return code == 5 ? "(none)" : "C" + std::to_string(code + 1);
      case CubeDimension::kChannel: return std::string(EnumCode(static_cast<TradeChannel>(code)));
      case CubeDimension::kProductType: return std::string(EnumCode(static_cast<ProductType>(code)));
      case CubeDimension::kMarket: return std::string(EnumCode(static_cast<Market>(code)));
      case CubeDimension::kAgeBand: return std::string(kAgeBands[std::min<uint32_t>(code, 5)]);
      case CubeDimension::kHolds: return code ? "yes" : "no";
    }
    return "";
  }

 private:
  int MonthIndex(int32_t day) const {
    int32_t offset = day - base_day_;
    if (offset >= 0 && offset < static_cast<int32_t>(month_of_day_.size())) return month_of_day_[offset];
    int year;
    unsigned month, d;
    CivilFromDays(day, year, month, d);
    return (year - base_year_) * 12 + static_cast<int>(month) - 1;
  }

  const FactTables& facts_;
  const CubeContext& context_;
  int32_t base_day_;
  int32_t reference_day_;
  int base_year_ = 0;
  std::vector<int32_t> month_of_day_;
  std::vector<uint8_t> holds_;  // by customer index: 1 for the holders asked about
};

// Accepts or rejects a code of one filter's dimension, remembering each answer.
class FilterMemo {
 public:
  FilterMemo(const CubeFilter& filter, const Coder& coder) : filter_(filter), coder_(coder), memo_(kCodeLimit + 1, -1) {}
  bool Accepts(uint32_t code) {
    if (code >= memo_.size()) return filter_.negate;
    int8_t& known = memo_[code];
    if (known < 0) {
      std::string label = coder_.Label(filter_.dimension, code);
      bool listed = std::find_if(filter_.values.begin(), filter_.values.end(), [&](const std::string& v) {
                      return EqualsIgnoreAsciiCase(v, label);
                    }) != filter_.values.end();
      known = listed != filter_.negate;
    }
    return known;
  }
  CubeDimension dimension() const { return filter_.dimension; }

 private:
  const CubeFilter& filter_;
  const Coder& coder_;
  std::vector<int8_t> memo_;
};

struct Group {
  std::vector<int64_t> values;
};

// For the trade scan, the group key split into parts precomputed per customer, per
// day and per trade kind, with the filters folded in, and a dense slot table over
// all key combinations: a trade then costs three lookups and an add instead of a
// hash probe. Usable while the combinations stay under 16 M and the days under 64 K.
struct DenseGrouper {
  bool usable = false;
  int32_t lo = 0;
  std::vector<uint32_t> customer_key, day_key, kind_key;
  std::vector<uint8_t> customer_pass, day_pass, kind_pass;
  std::vector<int32_t> slot;

  static DenseGrouper Build(const FactTables& facts, const Coder& coder, const CubeQuery& query,
                            std::vector<FilterMemo>& filters, int32_t lo, int32_t hi) {
    DenseGrouper g;
    if (hi < lo || hi - lo > 65534) return g;
    g.lo = lo;
    const size_t days = static_cast<size_t>(hi - lo + 1);
    const size_t customers = facts.customer_count();
    auto grain = [](CubeDimension d) { return IsTime(d) ? 1 : IsTradeOnly(d) ? 2 : 0; };
    auto code = [&](CubeDimension d, size_t index) -> uint32_t {
      switch (grain(d)) {
        case 0: return coder.Code(d, static_cast<uint32_t>(index), lo, 0);
        case 1: return coder.Code(d, 0, lo + static_cast<int32_t>(index), 0);
        default: return coder.Code(d, 0, lo, static_cast<uint8_t>(index));
      }
    };
    const size_t sizes[3] = {customers, days, 256};
    std::vector<uint64_t> cardinality;
    for (CubeDimension d : query.by) {
      uint64_t largest = 0;
      for (size_t i = 0; i < sizes[grain(d)]; ++i) largest = std::max<uint64_t>(largest, code(d, i));
      cardinality.push_back(largest + 1);
    }
    uint64_t combinations = 1;
    for (uint64_t c : cardinality) combinations *= c;
    if (combinations > (uint64_t{1} << 24)) return g;
    std::vector<uint64_t> stride(query.by.size(), 1);
    for (size_t d = query.by.size(); d-- > 1;) stride[d - 1] = stride[d] * cardinality[d];
    std::vector<uint32_t>* keys[3] = {&g.customer_key, &g.day_key, &g.kind_key};
    std::vector<uint8_t>* passes[3] = {&g.customer_pass, &g.day_pass, &g.kind_pass};
    for (int part = 0; part < 3; ++part) {
      keys[part]->assign(sizes[part], 0);
      passes[part]->assign(sizes[part], 1);
      for (size_t d = 0; d < query.by.size(); ++d) {
        if (grain(query.by[d]) != part) continue;
        for (size_t i = 0; i < sizes[part]; ++i) (*keys[part])[i] += static_cast<uint32_t>(code(query.by[d], i) * stride[d]);
      }
      for (FilterMemo& f : filters) {
        if (grain(f.dimension()) != part) continue;
        for (size_t i = 0; i < sizes[part]; ++i) {
          if (!f.Accepts(code(f.dimension(), i))) (*passes[part])[i] = 0;
        }
      }
    }
    g.slot.assign(combinations, -1);
    g.usable = true;
    return g;
  }
};

// The clustered prefix of the trades, on two threads split at a customer boundary.
// Facts are grouped by customer there, so a group's distinct customers are counted
// by remembering the last customer each slot saw. Returns how many trades it covered.
template <class GroupIndex>
size_t ScanClusteredTrades(const FactTables& facts, const DenseGrouper& dense, int32_t from, int32_t to,
                           int amount_slot, int commission_slot, int count_slot, int active_slot,
                           std::vector<Group>& groups, GroupIndex& group_index) {
  const TradeColumns& t = facts.trades();
  const size_t n = facts.clustered_trades();
  const size_t slots = dense.slot.size();
  constexpr int kThreads = 2;
  size_t split = n / 2;
  while (split > 0 && split < n && t.customer[split] == t.customer[split - 1]) ++split;
  const size_t bounds[kThreads + 1] = {0, split, n};
  struct Partial {
    std::vector<int64_t> amount, commission, count, active;
    std::vector<uint32_t> last_customer;
    std::vector<uint64_t> first_trade;  // a representative trade per slot
  };
  std::vector<Partial> partials(kThreads);
  auto scan = [&](int part) {
    Partial& p = partials[part];
    p.amount.assign(slots, 0);
    p.commission.assign(slots, 0);
    p.count.assign(slots, 0);
    p.active.assign(slots, 0);
    p.last_customer.assign(slots, UINT32_MAX);
    p.first_trade.assign(slots, UINT64_MAX);
    for (size_t i = bounds[part]; i < bounds[part + 1]; ++i) {
      int32_t day = t.day[i];
      if (day < from || day > to || day < dense.lo) continue;
      uint32_t c = t.customer[i];
      size_t d = static_cast<size_t>(day - dense.lo);
      uint8_t kind = t.kind[i];
      if (!(dense.customer_pass[c] & dense.day_pass[d] & dense.kind_pass[kind])) continue;
      uint32_t key = dense.customer_key[c] + dense.day_key[d] + dense.kind_key[kind];
      p.amount[key] += t.amount[i];
      p.commission[key] += t.commission[i];
      ++p.count[key];
      if (p.last_customer[key] != c) {
        p.last_customer[key] = c;
        ++p.active[key];
      }
      if (p.first_trade[key] == UINT64_MAX) p.first_trade[key] = i;
    }
  };
  std::thread helper(scan, 1);
  scan(0);
  helper.join();
  for (size_t key = 0; key < slots; ++key) {
    uint64_t first = std::min(partials[0].first_trade[key], partials[1].first_trade[key]);
    if (first == UINT64_MAX) continue;
    int64_t g = group_index(t.customer[first], t.day[first], t.kind[first]);
    if (g < 0) continue;
    std::vector<int64_t>& v = groups[g].values;
    for (const Partial& p : partials) {
      if (amount_slot >= 0) v[amount_slot] += p.amount[key];
      if (commission_slot >= 0) v[commission_slot] += p.commission[key];
      if (count_slot >= 0) v[count_slot] += p.count[key];
      if (active_slot >= 0) v[active_slot] += p.active[key];
    }
  }
  return n;
}

template <class E>
Result<std::string> VocabularyValue(std::string_view value, CubeDimension d, bool none_allowed) {
  if (none_allowed && value == "(none)") return std::string(value);
  if (auto parsed = ParseEnum<E>(value)) return std::string(EnumCode(*parsed));
  return InvalidArgument("unknown " + std::string(EnumCode(d)) + " '" + std::string(value) + "', expected " +
                             EnumChoices<E>() + (none_allowed ? " or (none)" : ""),
                         "where");
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A filter value in the spelling the cube prints it in (codes for closed vocabularies,
// whichever of code, Chinese label or alias was given), or InvalidArgument naming the
// value and what the dimension takes. Values of branches, brokers and provinces are
// checked against the facts in RunCube.
Result<std::string> CanonicalFilterValue(CubeDimension d, std::string_view value) {
  auto malformed = [&](std::string_view expected) -> Status {
    return InvalidArgument("'" + std::string(value) + "' is not a " + std::string(EnumCode(d)) + " (expected " +
                               std::string(expected) + ")",
                           "where");
  };
  char text[16];
  switch (d) {
    case CubeDimension::kDay: {
      auto date = ParseDate(value);
      if (!date.ok()) return malformed("YYYY-MM-DD");
      return FormatDate(*date);
    }
    case CubeDimension::kMonth: {
      if (value.size() != 7 || value[4] != '-' || !AllDigits(value.substr(0, 4)) || !AllDigits(value.substr(5))) {
        return malformed("YYYY-MM");
      }
      int month = (value[5] - '0') * 10 + (value[6] - '0');
      if (month < 1 || month > 12) return malformed("YYYY-MM");
      return std::string(value);
    }
    case CubeDimension::kQuarter: {
      if (value.size() != 7 || value[4] != '-' || (value[5] != 'Q' && value[5] != 'q') ||
          !AllDigits(value.substr(0, 4)) || value[6] < '1' || value[6] > '4') {
        return malformed("YYYY-Qn");
      }
      std::snprintf(text, sizeof text, "%.4s-Q%c", value.data(), value[6]);
      return std::string(text);
    }
    case CubeDimension::kYear:
      if (value.size() != 4 || !AllDigits(value)) return malformed("YYYY");
      return std::string(value);
    case CubeDimension::kBranch:
    case CubeDimension::kBroker:
    case CubeDimension::kProvince: return std::string(value);
    case CubeDimension::kTier: return VocabularyValue<ValueTier>(value, d, true);
    case CubeDimension::kCluster:
      if (value == "(none)") return std::string(value);
      if (value.size() > 5 || !AllDigits(value) || std::stoi(std::string(value)) > 32766) {
        return malformed("a cluster number or (none)");
      }
      return std::to_string(std::stoi(std::string(value)));
    case CubeDimension::kRiskLevel: return VocabularyValue<RiskLevel>(value, d, true);
    case CubeDimension::kChannel: return VocabularyValue<TradeChannel>(value, d, false);
    case CubeDimension::kProductType: return VocabularyValue<ProductType>(value, d, false);
    case CubeDimension::kMarket: return VocabularyValue<Market>(value, d, false);
    case CubeDimension::kAgeBand:
      for (std::string_view band : kAgeBands) {
        if (value == band) return std::string(value);
      }
      return malformed("one of: (unknown), <30, 30-39, 40-49, 50-59, 60+");
    case CubeDimension::kHolds:
      if (value == "yes" || value == "是") return std::string("yes");
      if (value == "no" || value == "否") return std::string("no");
      return malformed("yes or no");
  }
  return malformed("a known value");
}

// A branch, broker or province filter must name one the facts hold (any ASCII case):
// a mistyped id answers with what is wrong instead of an empty table.
Status CheckNamedInFacts(const FactTables& facts, const CubeFilter& filter) {
  const Dictionary* dictionary = filter.dimension == CubeDimension::kBranch   ? &facts.branches()
                                 : filter.dimension == CubeDimension::kBroker ? &facts.brokers()
                                 : filter.dimension == CubeDimension::kProvince ? &facts.provinces()
                                                                                : nullptr;
  if (!dictionary || filter.from_scope) return Status::Ok();
  for (const std::string& value : filter.values) {
    if (filter.dimension == CubeDimension::kBroker && value == "(none)") continue;
    bool known = false;
    for (uint32_t code = 0; code < dictionary->size() && !known; ++code) {
      known = EqualsIgnoreAsciiCase(dictionary->Value(code), value);
    }
    if (!known) {
      return InvalidArgument("no " + std::string(EnumCode(filter.dimension)) + " '" + value + "' in the data",
                             "where");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsMoneyMeasure(CubeMeasure measure) {
  return measure == CubeMeasure::kTradeAmount || measure == CubeMeasure::kCommission ||
         measure == CubeMeasure::kAssets;
}

Result<CubeQuery> ParseCubeQuery(std::string_view measures, std::string_view by, std::string_view where,
                                 std::string_view from, std::string_view to, int top) {
  CubeQuery query;
  for (std::string_view name : Split(measures, ',')) {
    auto measure = ParseEnum<CubeMeasure>(name);
    if (!measure) {
      return InvalidArgument("unknown measure '" + std::string(name) + "', expected " + EnumChoices<CubeMeasure>(),
                             "measures");
    }
    query.measures.push_back(*measure);
  }
  if (query.measures.empty()) return InvalidArgument("name at least one measure", "measures");
  for (std::string_view name : Split(by, ',')) {
    auto dimension = ParseEnum<CubeDimension>(name);
    if (!dimension) {
      return InvalidArgument("unknown dimension '" + std::string(name) + "', expected " +
                                 EnumChoices<CubeDimension>(),
                             "by");
    }
    query.by.push_back(*dimension);
  }
  if (query.by.size() > kMaxDimensions) {
    return InvalidArgument("at most " + std::to_string(kMaxDimensions) + " dimensions at a time", "by");
  }
  for (std::string_view condition : Split(where, ';')) {
    size_t eq = condition.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("'" + std::string(condition) + "' is not dimension=value[,value]", "where");
    }
    CubeFilter filter;
    filter.negate = condition[eq - 1] == '!';
    std::string_view name = condition.substr(0, filter.negate ? eq - 1 : eq);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    auto dimension = ParseEnum<CubeDimension>(name);
    if (!dimension) return InvalidArgument("unknown dimension '" + std::string(name) + "' in where", "where");
    filter.dimension = *dimension;
    for (std::string_view value : Split(condition.substr(eq + 1), ',')) {
      auto canonical = CanonicalFilterValue(filter.dimension, value);
      if (!canonical.ok()) return canonical.status();
      filter.values.push_back(std::move(*canonical));
    }
    if (filter.values.empty()) return InvalidArgument("'" + std::string(condition) + "' lists no value", "where");
    query.filters.push_back(std::move(filter));
  }
  if (!from.empty()) {
    auto date = ParseBound(from, false, "from");
    if (!date.ok()) return date.status();
    query.from = *date;
  }
  if (!to.empty()) {
    auto date = ParseBound(to, true, "to");
    if (!date.ok()) return date.status();
    query.to = *date;
  }
  if (top < 0) return InvalidArgument("must not be negative", "top");
  query.top = top;
  bool only_trade_measures = std::all_of(query.measures.begin(), query.measures.end(), IsTradeMeasure);
  if (!only_trade_measures) {
    for (CubeDimension d : query.by) {
      if (IsTradeOnly(d)) {
        return InvalidArgument("dimension '" + std::string(EnumCode(d)) +
                                   "' applies to trade measures only (trade_amount, commission, "
                                   "trade_count, active_customers)",
                               "by");
      }
    }
    for (const CubeFilter& f : query.filters) {
      if (IsTradeOnly(f.dimension)) {
        return InvalidArgument("filter on '" + std::string(EnumCode(f.dimension)) +
                                   "' applies to trade measures only",
                               "where");
      }
    }
  }
  return query;
}

namespace {

// The days a query covers: from its `from` (or the first fact) to its `to` (or the last
// fact); InvalidArgument when they span more than day codes can hold.
struct DayRange {
  int32_t first = 0, from = INT32_MIN, to = 0;
};
Result<DayRange> QueryDays(const FactTables& facts, const CubeQuery& query) {
  int32_t first_day = INT32_MAX, last_day = facts.last_day() == kNoDay ? INT32_MIN : facts.last_day();
  auto note = [&](int32_t day) {
    first_day = std::min(first_day, day);
    last_day = std::max(last_day, day);
  };
  for (int32_t day : facts.trades().day) note(day);
  for (int32_t day : facts.assets().day) note(day);
  for (uint32_t c = 0; c < facts.customer_count(); ++c) note(facts.Attributes(c).open_day);
  if (first_day == INT32_MAX) first_day = last_day = 0;
  DayRange range;
  range.from = query.from ? query.from->days : INT32_MIN;
  // No fact lies past the last day, so a later bound changes nothing but the codes' range.
  range.to = query.to ? std::min(query.to->days, last_day) : last_day;
  if (query.from) first_day = std::max(first_day, range.from);
  range.first = first_day;
  if (static_cast<int64_t>(range.to) - first_day > kMaxDaySpan) {
    return InvalidArgument("the facts from " + FormatDate(Date{first_day}) + " to " + FormatDate(Date{range.to}) +
                               " span more than " + std::to_string(kMaxDaySpan) + " days: narrow them with from",
                           "from");
  }
  for (const CubeFilter& f : query.filters) FINCRM_RETURN_IF_ERROR(CheckNamedInFacts(facts, f));
  return range;
}

}  // namespace

Result<std::vector<uint8_t>> SelectCubeCustomers(const FactTables& facts, const CubeContext& context,
                                                 const CubeQuery& query, int threads) {
  bool by_trades = query.from || query.to;
  for (const CubeFilter& f : query.filters) by_trades |= IsTradeOnly(f.dimension) || IsTime(f.dimension);
  // The first fact's day takes a pass over every fact: only a time filter without a
  // `from` needs it (day codes and months count from it); otherwise `from` or the last
  // day anchors the codes.
  DayRange days;
  const int32_t last = facts.last_day() == kNoDay ? 0 : facts.last_day();
  bool time_filter = std::any_of(query.filters.begin(), query.filters.end(),
                                 [](const CubeFilter& f) { return IsTime(f.dimension); });
  if (time_filter && !query.from) {
    auto range = QueryDays(facts, query);
    if (!range.ok()) return range.status();
    days = *range;
  } else {
    for (const CubeFilter& f : query.filters) FINCRM_RETURN_IF_ERROR(CheckNamedInFacts(facts, f));
    days.to = query.to ? std::min(query.to->days, last) : last;
    days.from = query.from ? query.from->days : INT32_MIN;
    days.first = query.from ? std::min(query.from->days, days.to) : days.to;
    if (by_trades && !query.from) days.first = INT32_MIN;  // every trade up to `to` counts
  }
  const int32_t first_day = days.first == INT32_MIN ? days.to : days.first, from = days.from, to = days.to;
  Coder coder(facts, context, first_day, std::max(first_day, to), query.holders);
  std::vector<FilterMemo> by_customer;
  std::vector<const CubeFilter*> by_kind, by_day;
  for (const CubeFilter& f : query.filters) {
    if (IsTradeOnly(f.dimension)) by_kind.push_back(&f);
    else if (IsTime(f.dimension)) by_day.push_back(&f);
    else by_customer.emplace_back(f, coder);
  }
  const uint32_t customers = static_cast<uint32_t>(facts.customer_count());
  std::vector<uint8_t> selected(customers, 0);
  for (uint32_t c = 0; c < customers; ++c) {
    bool ok = true;
    for (FilterMemo& f : by_customer) {
      if (!f.Accepts(coder.Code(f.dimension(), c, 0, 0))) {
        ok = false;
        break;
      }
    }
    selected[c] = ok;
  }
  if (!by_trades) return selected;

  // Trade-grained conditions: the customers with at least one trade that meets them
  // all. Each condition is folded into a table by trade kind or by day first, so that
  // the scan (split between threads) only looks values up.
  std::vector<uint8_t> kind_ok(256, 1);
  for (const CubeFilter* f : by_kind) {
    FilterMemo memo(*f, coder);
    for (int kind = 0; kind < 256; ++kind) kind_ok[kind] &= memo.Accepts(coder.Code(f->dimension, 0, 0, kind));
  }
  // Without a time filter or a from, every trade up to `to` counts, and no day table is needed.
  const bool any_day = days.first == INT32_MIN;
  const int32_t low = any_day ? to : std::max(from, first_day);
  std::vector<uint8_t> day_ok(!any_day && to >= low ? static_cast<size_t>(to - low) + 1 : 0, 1);
  for (const CubeFilter* f : by_day) {
    FilterMemo memo(*f, coder);
    for (size_t d = 0; d < day_ok.size(); ++d) {
      day_ok[d] &= memo.Accepts(coder.Code(f->dimension, 0, low + static_cast<int32_t>(d), 0));
    }
  }
  const TradeColumns& t = facts.trades();
  int parts = std::max(1, threads);
  std::vector<std::vector<uint8_t>> traded(parts, std::vector<uint8_t>(customers, 0));
  auto scan = [&](int part) {
    std::vector<uint8_t>& mine = traded[part];
    size_t begin = t.size() * part / parts, end = t.size() * (part + 1) / parts;
    for (size_t i = begin; i < end; ++i) {
      uint32_t c = t.customer[i];
      if (any_day) {
        if (t.day[i] <= to) mine[c] |= selected[c] & kind_ok[t.kind[i]];
        continue;
      }
      int32_t offset = t.day[i] - low;
      if (offset < 0 || offset >= static_cast<int32_t>(day_ok.size())) continue;
      mine[c] |= selected[c] & day_ok[offset] & kind_ok[t.kind[i]];
    }
  };
  std::vector<std::thread> workers;
  for (int part = 1; part < parts; ++part) workers.emplace_back(scan, part);
  scan(0);
  for (std::thread& w : workers) w.join();
  for (int part = 1; part < parts; ++part) {
    for (uint32_t c = 0; c < customers; ++c) traded[0][c] |= traded[part][c];
  }
  return std::move(traded[0]);
}

Result<CubeResult> RunCube(const FactTables& facts, const CubeContext& context, const CubeQuery& query) {
  auto days = QueryDays(facts, query);
  if (!days.ok()) return days.status();
  const int32_t first_day = days->first, from = days->from, to = days->to;
  Coder coder(facts, context, first_day, std::max(first_day, to), query.holders);
  std::vector<FilterMemo> filters;
  for (const CubeFilter& f : query.filters) filters.emplace_back(f, coder);

  std::unordered_map<uint64_t, uint32_t> group_of_key;
  std::vector<uint64_t> keys;
  std::vector<Group> groups;
  const size_t measure_count = query.measures.size();
  auto group_index = [&](uint32_t customer, int32_t day, uint8_t kind) -> int64_t {
    for (FilterMemo& f : filters) {
      if (!f.Accepts(coder.Code(f.dimension(), customer, day, kind))) return -1;
    }
    uint64_t key = 0;
    for (CubeDimension d : query.by) key = key << 16 | coder.Code(d, customer, day, kind);
    auto [it, inserted] = group_of_key.emplace(key, static_cast<uint32_t>(groups.size()));
    if (inserted) {
      keys.push_back(key);
      groups.push_back(Group{std::vector<int64_t>(measure_count, 0)});
    }
    return it->second;
  };
  auto measure_slot = [&](CubeMeasure m) -> int {
    for (size_t i = 0; i < measure_count; ++i) {
      if (query.measures[i] == m) return static_cast<int>(i);
    }
    return -1;
  };

  // Trades.
  int amount_slot = measure_slot(CubeMeasure::kTradeAmount);
  int commission_slot = measure_slot(CubeMeasure::kCommission);
  int count_slot = measure_slot(CubeMeasure::kTradeCount);
  int active_slot = measure_slot(CubeMeasure::kActiveCustomers);
  if (amount_slot >= 0 || commission_slot >= 0 || count_slot >= 0 || active_slot >= 0) {
    // Distinct customers per group: a bitset per group while that stays under
    // 256 MiB in all (fast, sequential), else one hash set of (group, customer).
    const size_t words = (facts.customer_count() + 63) / 64;
    std::vector<std::vector<uint64_t>> seen;
    std::unordered_set<uint64_t> active;
    auto first_time = [&](int64_t g, uint32_t customer) {
      if (static_cast<size_t>(g) < seen.size() || (static_cast<size_t>(g) + 1) * words * 8 <= (size_t{256} << 20)) {
        if (static_cast<size_t>(g) >= seen.size()) seen.resize(g + 1);
        std::vector<uint64_t>& bits = seen[g];
        if (bits.empty()) bits.assign(words, 0);
        uint64_t mask = uint64_t{1} << (customer & 63);
        if (bits[customer >> 6] & mask) return false;
        bits[customer >> 6] |= mask;
        return true;
      }
      return active.insert(static_cast<uint64_t>(g) << 32 | customer).second;
    };
    const TradeColumns& t = facts.trades();
    DenseGrouper dense = DenseGrouper::Build(facts, coder, query, filters, std::max(from, first_day), to);
    size_t done = 0;
    // Distinct counting in the clustered path cannot see the unclustered tail, so with
    // active customers it runs only when every trade is clustered.
    bool clustered = facts.clustered_trades() > 0 &&
                     (active_slot < 0 || facts.clustered_trades() == t.size());
    if (dense.usable && dense.slot.size() <= (size_t{1} << 16) && clustered) {
      done = ScanClusteredTrades(facts, dense, from, to, amount_slot, commission_slot, count_slot, active_slot,
                                 groups, group_index);
    }
    for (size_t i = done; i < t.size(); ++i) {
      int32_t day = t.day[i];
      if (day < from || day > to) continue;
      int64_t g;
      if (dense.usable && day >= dense.lo) {
        uint32_t c = t.customer[i];
        size_t d = static_cast<size_t>(day - dense.lo);
        uint8_t kind = t.kind[i];
        if (!(dense.customer_pass[c] & dense.day_pass[d] & dense.kind_pass[kind])) continue;
        int32_t& slot = dense.slot[dense.customer_key[c] + dense.day_key[d] + dense.kind_key[kind]];
        if (slot < 0) slot = static_cast<int32_t>(group_index(c, day, kind));
        g = slot;
      } else {
        g = group_index(t.customer[i], day, t.kind[i]);
      }
      if (g < 0) continue;
      std::vector<int64_t>& v = groups[g].values;
      if (amount_slot >= 0) v[amount_slot] += t.amount[i];
      if (commission_slot >= 0) v[commission_slot] += t.commission[i];
      if (count_slot >= 0) ++v[count_slot];
      if (active_slot >= 0 && first_time(g, t.customer[i])) {
        ++v[active_slot];
      }
    }
  }
  // New customers, by open date.
  int new_slot = measure_slot(CubeMeasure::kNewCustomers);
  if (new_slot >= 0) {
    for (uint32_t c = 0; c < facts.customer_count(); ++c) {
      int32_t day = facts.Attributes(c).open_day;
      if (day < from || day > to) continue;
      int64_t g = group_index(c, day, 0);
      if (g >= 0) ++groups[g].values[new_slot];
    }
  }
  // Assets: the latest snapshot per customer and time bucket.
  int assets_slot = measure_slot(CubeMeasure::kAssets);
  if (assets_slot >= 0) {
    std::optional<CubeDimension> time_dimension;
    for (CubeDimension d : query.by) {
      if (IsTime(d)) time_dimension = d;
    }
    struct Latest {
      uint32_t bucket;
      int32_t day;
      int64_t total;
    };
    const AssetColumns& a = facts.assets();
    // Rows are clustered by customer after loading; only customers whose rows are
    // split (snapshots appended live) need the general map. The rest are handled one
    // run at a time with a small list of buckets, which is much cheaper than hashing
    // every (customer, bucket) pair.
    std::vector<uint8_t> runs(facts.customer_count(), 0);
    for (size_t i = 0; i < a.size(); ++i) {
      if (i == 0 || a.customer[i] != a.customer[i - 1]) runs[a.customer[i]] = std::min(runs[a.customer[i]] + 1, 2);
    }
    auto bucket_at = [&](size_t i) -> uint32_t {
      return time_dimension ? coder.Code(*time_dimension, a.customer[i], a.day[i], 0) : 0;
    };
    auto keep_latest = [](std::vector<Latest>& list, uint32_t bucket, int32_t day, int64_t total) {
      for (Latest& l : list) {
        if (l.bucket != bucket) continue;
        if (day >= l.day) l = {bucket, day, total};
        return;
      }
      list.push_back({bucket, day, total});
    };
    auto add_to_groups = [&](uint32_t customer, const Latest& l) {
      int64_t g = group_index(customer, l.day, 0);
      if (g >= 0) groups[g].values[assets_slot] += l.total;
    };
    std::unordered_map<uint64_t, Latest> split_customers;
    std::vector<Latest> run;
    for (size_t i = 0; i < a.size();) {
      uint32_t customer = a.customer[i];
      size_t end = i;
      while (end < a.size() && a.customer[end] == customer) ++end;
      run.clear();
      for (size_t r = i; r < end; ++r) {
        int32_t day = a.day[r];
        if (day < from || day > to) continue;
        uint32_t bucket = bucket_at(r);
        if (runs[customer] > 1) {
          auto [it, inserted] = split_customers.try_emplace(static_cast<uint64_t>(customer) << 16 | bucket,
                                                            Latest{bucket, day, a.total[r]});
          if (!inserted && day >= it->second.day) it->second = {bucket, day, a.total[r]};
        } else {
          keep_latest(run, bucket, day, a.total[r]);
        }
      }
      for (const Latest& l : run) add_to_groups(customer, l);
      i = end;
    }
    for (const auto& [key, value] : split_customers) add_to_groups(static_cast<uint32_t>(key >> 16), value);
  }

  CubeResult result;
  for (CubeDimension d : query.by) result.dimensions.emplace_back(EnumCode(d));
  for (CubeMeasure m : query.measures) result.measures.emplace_back(EnumCode(m));
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (query.top > 0) {
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      if (groups[x].values[0] != groups[y].values[0]) return groups[x].values[0] > groups[y].values[0];
      return keys[x] < keys[y];
    });
    if (order.size() > static_cast<size_t>(query.top)) order.resize(query.top);
  } else {
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return keys[x] < keys[y]; });
  }
  for (size_t g : order) {
    CubeResult::Row row;
    for (size_t d = 0; d < query.by.size(); ++d) {
      uint32_t code = static_cast<uint32_t>(keys[g] >> (16 * (query.by.size() - 1 - d)) & 0xFFFF);
      row.keys.push_back(coder.Label(query.by[d], code));
    }
    row.values = groups[g].values;
    result.rows.push_back(std::move(row));
  }
  return result;
}

Result<CubeContext> LoadCubeContext(Store& store, const FactTables& facts) {
  CubeContext context;
  context.tier.assign(facts.customer_count(), -1);
  context.cluster.assign(facts.customer_count(), -1);
  context.churn_risk.assign(facts.customer_count(), -1.0f);
  Status read = store.ForEach(std::function<bool(const CustomerScore&)>([&](const CustomerScore& score) {
    if (auto index = facts.CustomerIndex(score.customer_id)) {
      context.churn_risk[*index] = static_cast<float>(score.churn_risk);
      if (auto tier = ParseEnum<ValueTier>(score.tier)) context.tier[*index] = static_cast<int8_t>(*tier);
      context.cluster[*index] = static_cast<int16_t>(score.cluster);
    }
    return true;
  }));
  if (!read.ok()) return read;
  return context;
}

}  // namespace fincrm
