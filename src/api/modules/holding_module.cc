#include "api/modules/holding_module.h"

#include "api/modules/module_support.h"
#include "storage/holding_store.h"

namespace fincrm {
namespace {

using namespace module_support;

class HoldingModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "holdings"; }

  std::vector<ModuleRoute> Routes() override {
    return {{"GET", "/api/v1/customers/{customer_id}/holdings", Permission::kReadCustomers,
             [this](ModuleCall& call) { return Holdings(call); }}};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto holdings = OpenHoldingStore(environment_.db_path);  // migrations before the first request
    return holdings.ok() ? Status::Ok() : holdings.status();
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    // After the nightly analysis has started on the day's import: 18:45 by default.
    return {PositionsJob(options.nightly_analysis_minute + 15)};
  }

 private:
  HttpResponse Holdings(ModuleCall& call) {
    std::string customer_id = VisibleCustomer(call, std::string(call.request.Param("customer_id"))).customer_id;
    auto positions = store_.Get().Positions(customer_id);
    if (!positions.ok()) ThrowStatus(positions.status());
    JsonWriter json;
    json.BeginObject().Field("customer_id", customer_id).Key("items").BeginArray();
    for (const Position& p : *positions) {
      json.BeginObject()
          .Field("market", EnumCode(p.market))
          .Field("symbol", p.symbol)
          .Field("quantity", p.quantity)
          .Key("cost");
      if (p.snapshot_on && p.cost.fen) json.RawNumber(FormatYuan(p.cost));
      else json.Null();
      json.Key("snapshot_on");
      if (p.snapshot_on) json.String(FormatDate(*p.snapshot_on));
      else json.Null();
      json.Field("trades_since", p.trades_since);
      WriteTime(json, "last_trade_at", p.last_trade_at);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  ModuleEnvironment environment_;
  PerThread<HoldingStore> store_{[this] { return OpenHoldingStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeHoldingModule() { return std::make_unique<HoldingModule>(); }

Job PositionsJob(int minute_of_day) {
  return {"positions",
          "rebuild every customer's positions from the latest holdings snapshots and the trades since",
          {0, minute_of_day % (24 * 60)},
          [](const JobContext& c) -> Result<JobOutcome> {
            auto holdings = OpenHoldingStore(c.db_path);
            if (!holdings.ok()) return holdings.status();
            auto rebuilt = (*holdings)->RebuildPositions();
            if (!rebuilt.ok()) return rebuilt.status();
            return JobOutcome{*rebuilt, std::to_string(*rebuilt) + " positions"};
          },
          {}};
}

}  // namespace fincrm
