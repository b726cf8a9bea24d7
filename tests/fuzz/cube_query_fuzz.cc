// Fuzzes the OLAP cube: the query text (measures, by, where, from, to, top — six
// fields separated by newlines) parsed and run over a small fact table that has every
// trade kind, customers with and without broker, province and birth date, tiers and
// clusters, and facts spread over several years. Besides "no crash, no sanitizer
// report": a failed query must say what is wrong and where, and a result must have one
// key per dimension and one value per measure in every row, within top.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "core/validation.h"

namespace {

using namespace fincrm;

struct Fixture {
  FactTables facts;
  CubeContext context;
};

Customer MakeCustomer(int i) {
  Customer c;
  c.customer_id = "C" + std::to_string(1000 + i);
  c.name = "客户" + std::to_string(i);
  c.id_type = IdType::kPassport;
  c.id_number = "P" + std::to_string(i);
  c.province = i % 4 == 0 ? "" : (i % 2 ? "上海" : "北京");
  c.city = c.province;
  c.open_date = Date{DaysFromCivil(2010 + i % 15, 1 + i % 12, 1 + i % 28)};
  if (i % 3) c.birth_date = Date{DaysFromCivil(1950 + i * 3 % 60, 1 + i % 12, 1 + i % 27)};
  if (i % 5) c.risk_level = static_cast<RiskLevel>(i % 5);
  c.branch_id = "B" + std::to_string(i % 3);
  if (i % 4) c.broker_id = "S" + std::to_string(i % 7);
  return c;
}

std::unique_ptr<Fixture> Build() {
  auto fixture = std::make_unique<Fixture>();
  constexpr int kCustomers = 24;
  for (int i = 0; i < kCustomers; ++i) fixture->facts.UpsertCustomer(MakeCustomer(i));
  // Every packed trade kind, including bit patterns the vocabularies do not use.
  for (int kind = 0; kind < 256; ++kind) {
    uint32_t customer = static_cast<uint32_t>(kind % kCustomers);
    int32_t day = DaysFromCivil(2024 + kind % 3, 1 + kind % 12, 1 + kind % 28);
    fixture->facts.AppendTradeFact(customer, day, 1000 + kind, 5 + kind % 7, kNoCode, static_cast<uint8_t>(kind));
  }
  for (int i = 0; i < kCustomers * 3; ++i) {
    AssetSnapshot snapshot;
    snapshot.customer_id = "C" + std::to_string(1000 + i % kCustomers);
    snapshot.snapshot_date = Date{DaysFromCivil(2025 + i % 2, 1 + i % 12, 28)};
    snapshot.total_assets = Money{100000 + i};
    (void)fixture->facts.Append(snapshot);
  }
  fixture->facts.ClusterByCustomer();
  for (int kind = 0; kind < 16; ++kind) {  // an unclustered tail, as live appends leave
    fixture->facts.AppendTradeFact(kind % 5, DaysFromCivil(2026, 10, 1 + kind), 500, 2, kNoCode,
                                   static_cast<uint8_t>(kind * 17));
  }
  for (uint32_t c = 0; c < fixture->facts.customer_count(); ++c) {
    fixture->context.tier.push_back(static_cast<int8_t>(c % 6) - 1);
    fixture->context.cluster.push_back(static_cast<int16_t>(c % 4) - 1);
  }
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<Fixture> fixture = Build();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() < 5) {
    size_t newline = input.find('\n');
    parts.push_back(input.substr(0, newline));
    if (newline == std::string_view::npos) {
      input = {};
      break;
    }
    input.remove_prefix(newline + 1);
  }
  parts.resize(5);
  int top = 0;
  for (char c : input.substr(0, 6)) {
    if (c >= '0' && c <= '9') top = top * 10 + (c - '0');
  }
  if (!input.empty() && input[0] == '-') top = -top;
  auto query = ParseCubeQuery(parts[0], parts[1], parts[2], parts[3], parts[4], top);
  if (!query.ok()) {
    if (query.status().message().empty() || query.status().field().empty()) std::abort();
    return 0;
  }
  // The API adds the caller's scope as a filter that may name a unit without facts.
  if (size % 3 == 0) query->filters.push_back({CubeDimension::kBroker, false, {"S3"}, true});
  auto result = RunCube(fixture->facts, fixture->context, *query);
  if (!result.ok()) {
    if (result.status().message().empty() || result.status().field().empty()) std::abort();
    return 0;
  }
  if (result->dimensions.size() != query->by.size() || result->measures.size() != query->measures.size()) std::abort();
  if (query->top > 0 && result->rows.size() > static_cast<size_t>(query->top)) std::abort();
  for (const CubeResult::Row& row : result->rows) {
    if (row.keys.size() != query->by.size() || row.values.size() != query->measures.size()) std::abort();
    for (int64_t value : row.values) {
      if (value < 0) std::abort();  // every measure sums non-negative facts
    }
  }
  return 0;
}
