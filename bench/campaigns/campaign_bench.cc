// Campaigns on a demo database (bench/campaigns/run.sh):
//   1. the live audience count — a segment of value tiers and 90-day app traders, with
//      the suitability gate for an R3 product — over the facts in memory, best of 5,
//      against the same count as one SQL query in SQLite in this process (the peer),
//      and the ratio;
//   2. the outbox: N queued SMS messages of one campaign sent through the Aliyun-shaped
//      gateway adapter to a local HTTP endpoint (cpp-httplib, in this process), every
//      claim and settlement committed, once with a template shared by all (1,000 numbers
//      a request) and once with a per-customer field (one request a message); messages
//      per second against the 2,000 the issue asks for.
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench_support.h"
#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "analytics/value_ladder.h"
#include "service/campaigns/campaign_audience.h"
#include "service/campaigns/message_gateway.h"
#include "service/campaigns/outbox_dispatcher.h"
#include "service/campaigns/segment.h"
#include "storage/campaign_store.h"
#include "storage/open_store.h"
#include "storage/suitability_store.h"

using namespace fincrm;

namespace {

using bench::Die;
using bench::Must;
using bench::Seconds;

void AudienceCount(const std::string& db) {
  auto store = Must(OpenStore(db, {.migrate = true, .create = false}));
  auto suitability = Must(OpenSuitabilityStore(db));
  auto started = std::chrono::steady_clock::now();
  FactTables facts = Must(FactTables::Load(*store));
  CubeContext context = Must(LoadCubeContext(*store, facts));
  std::printf("facts: %zu customers, %zu trades, loaded in %.1f s\n", facts.customer_count(), facts.trades().size(),
              Seconds(started));
  const Date today{facts.last_day() + 1};
  std::string from = FormatDate(Date{today.days - 90});
  std::string json = R"({"tier": ["gold", "platinum", "diamond"], "where": "channel=app", "from": ")" + from + "\"}";
  SegmentDefinition segment = Must(ParseSegment(json));
  SuitabilityRoster roster = Must(SuitabilityRoster::Load(*suitability));
  AudienceRules rules;
  rules.promotes = ProductRisk::kR3;
  rules.roster = &roster;
  rules.today = today;
  double best = 1e9, best_segment = 0;
  AudienceCounts counts;
  for (int run = 0; run < 5; ++run) {
    auto begin = std::chrono::steady_clock::now();
    std::vector<uint32_t> members = Must(EvaluateSegment(facts, context, segment, {}, today));
    double segment_s = Seconds(begin);
    counts = BuildAudience(facts, members, rules).counts;
    if (Seconds(begin) < best) {
      best = Seconds(begin);
      best_segment = segment_s;
    }
  }
  std::printf("segment %s, gate R3\n", json.c_str());
  std::printf("fincrm audience count: %.1f ms (segment %.1f, gate and exclusions %.1f) — %lld customers, %lld blocked "
              "by suitability\n",
              best * 1e3, best_segment * 1e3, (best - best_segment) * 1e3, static_cast<long long>(counts.count),
              static_cast<long long>(counts.blocked_by_suitability));

  sqlite3* peer = nullptr;
  sqlite3_open_v2(db.c_str(), &peer, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_exec(peer, "PRAGMA cache_size = -1048576", nullptr, nullptr, nullptr);
  std::string since = std::to_string(ShanghaiTime(Date{today.days - 90}, 0, 0, 0).seconds);
  std::string valid_since = FormatDate(AddMonths(today, -24));
  std::string sql =
      "SELECT COUNT(*), SUM(NOT (c.risk_level IN ('C3', 'C4', 'C5') AND COALESCE(c.risk_assessed_on, '') > '" +
      valid_since + "')) FROM customers c JOIN customer_scores s ON s.customer_id = c.customer_id WHERE c.status != 'closed' AND "
      "s.tier IN ('gold', 'platinum', 'diamond') AND EXISTS (SELECT 1 FROM trades t WHERE t.customer_id = "
      "c.customer_id AND t.channel = 'app' AND t.trade_time >= " + since + ")";
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(peer, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "campaign_bench: %s\n", sqlite3_errmsg(peer));
    std::exit(1);
  }
  auto begin = std::chrono::steady_clock::now();
  int64_t sql_count = 0, sql_blocked = 0;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    sql_count = sqlite3_column_int64(statement, 0);
    sql_blocked = sqlite3_column_int64(statement, 1);
  }
  double sql_s = Seconds(begin);
  sqlite3_finalize(statement);
  sqlite3_close(peer);
  std::printf("sqlite audience count: %.1f ms — %lld customers, %lld blocked%s\n", sql_s * 1e3,
              static_cast<long long>(sql_count), static_cast<long long>(sql_blocked),
              sql_count == counts.count && sql_blocked == counts.blocked_by_suitability ? " (the same)" : " (DIFFERENT)");
  std::printf("ratio: the audience count is %.1fx faster than the SQL peer\n", sql_s / best);
}

void Outbox(int messages, bool per_customer_fields) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "fincrm-outbox-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string db = (dir / "outbox.db").string();
  (void)Must(OpenStore(db));
  auto store = Must(OpenCampaignStore(db));
  Campaign c;
  c.name = "bench";
  c.channel = CampaignChannel::kSms;
  c.purpose = CampaignPurpose::kService;
  c.segment = "{}";
  c.sms_template_code = "SMS_1";
  c.created_at = CurrentTime();
  c.campaign_id = Must(store->Create(c));
  c.launched_at = c.created_at;
  std::vector<CampaignRecipient> audience;
  std::vector<CampaignMessage> queued;
  for (int i = 0; i < messages; ++i) {
    std::string id = "C" + std::to_string(10000000 + i);
    audience.push_back({c.campaign_id, id, "B1", "", false, true, RecipientOutcome::kMessaged, ""});
    CampaignMessage& m = queued.emplace_back();
    m.customer_id = id;
    m.channel = CampaignChannel::kSms;
    m.out_id = "bench-" + std::to_string(i);
    m.address = "139" + std::to_string(10000000 + i);
    m.template_params = per_customer_fields ? R"({"name":"客户)" + std::to_string(i) + "\"}" : R"({"day":"周六"})";
    m.queued_at = m.next_attempt_at = c.created_at;
  }
  if (Status s = store->Launch(c, audience, queued); !s.ok()) Die(s);

  httplib::Server endpoint;
  std::atomic<int64_t> requests{0};
  endpoint.Post("/sms", [&](const httplib::Request&, httplib::Response& response) {
    ++requests;
    response.set_content(R"({"Code":"OK","BizId":"b","RequestId":"r"})", "application/json");
  });
  endpoint.set_tcp_nodelay(true);
  int port = endpoint.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { endpoint.listen_after_bind(); });

  SmsGatewayOptions sms;
  sms.url = "http://127.0.0.1:" + std::to_string(port) + "/sms";
  sms.sign_name = "示例证券";
  std::vector<std::unique_ptr<MessageGateway>> gateways;
  gateways.push_back(MakeSmsGateway(sms));
  OutboxOptions options;
  options.per_second[CampaignChannel::kSms] = 1e6;  // unpaced: what the outbox itself sustains
  options.sms_quiet_from_hour = options.sms_quiet_to_hour = 0;
  options.idle_poll_ms = 5;
  OutboxDispatcher dispatcher([db] { return OpenCampaignStore(db); }, std::move(gateways), options, CurrentTime, nullptr);
  auto begin = std::chrono::steady_clock::now();
  if (Status s = dispatcher.Start(); !s.ok()) Die(s);
  int64_t sent = 0;
  while (true) {
    auto counts = Must(store->MessageCounts(CampaignChannel::kSms));
    sent = counts[MessageState::kSent];
    if (counts[MessageState::kQueued] == 0 && counts[MessageState::kSending] == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double seconds = Seconds(begin);
  dispatcher.Stop();
  endpoint.stop();
  serving.join();
  std::printf("outbox, %s: %lld of %d messages sent in %.2f s (%lld gateway requests) = %.0f messages/s durable, %.1fx "
              "the 2,000/s asked for\n",
              per_customer_fields ? "a per-customer field (one request a message)" : "one template for all (1,000 a request)",
              static_cast<long long>(sent), messages, seconds, static_cast<long long>(requests.load()), sent / seconds,
              sent / seconds / 2000);
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: campaign_bench DB [MESSAGES]\n");
    return 2;
  }
  AudienceCount(argv[1]);
  int messages = argc > 2 ? std::atoi(argv[2]) : 100000;
  Outbox(messages, false);
  Outbox(messages / 5, true);
  return 0;
}
