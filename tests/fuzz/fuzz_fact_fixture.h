// The small fact table the fuzz targets over facts share (cube queries, campaign
// segments): every trade kind, customers with and without broker, province and birth
// date, tiers, clusters and churn risks, and facts spread over several years.
#pragma once

#include <memory>
#include <string>

#include "analytics/cube.h"
#include "analytics/fact_tables.h"

namespace fincrm::fuzz {

struct Fixture {
  FactTables facts;
  CubeContext context;
};

inline Customer MakeCustomer(int i) {
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

inline std::unique_ptr<Fixture> Build() {
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
    fixture->context.churn_risk.push_back(c % 3 ? static_cast<float>(c % 10) / 10 : -1.0f);
  }
  return fixture;
}

}  // namespace fincrm::fuzz
