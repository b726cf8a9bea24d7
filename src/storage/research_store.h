// ResearchStore: research reports with their review, the security master they cite,
// and each customer's delivery (or block) and read. Implemented for SQLite in
// sqlite/sqlite_research_store.cc.
//
// Threading: one thread at a time per ResearchStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/research.h"
#include "core/status.h"

namespace fincrm {

struct ResearchQuery {
  std::optional<ResearchState> state;
  // Only reports released by then (published, embargo passed): what staff outside
  // research and compliance may see. 0 = no such filter.
  Timestamp released_by;
  int64_t before = 0;  // report_id, for paging newest first; 0 = from the newest
  int limit = 50;
};

struct DeliveryQuery {
  int64_t report_id = 0;
  std::optional<bool> delivered;
  std::string after;  // customer_id
  int limit = 100;
  std::string branch_id;  // scope: the customers' branch or broker
  std::string broker_id;
};

struct DeliveryCounts {
  int64_t delivered = 0, blocked = 0, read = 0;
  std::vector<std::pair<std::string, int64_t>> blocked_by_rule;
};

// A report in a customer's feed with their copy.
struct FeedItem {
  ResearchReport report;
  ResearchDelivery delivery;
};

class ResearchStore {
 public:
  virtual ~ResearchStore() = default;
  virtual Result<int64_t> Create(const ResearchReport& report) = 0;
  virtual Result<ResearchReport> Get(int64_t report_id) = 0;  // NotFound
  // Stores the report's new state and review fields if it is still in `expected`:
  // FailedPrecondition when another transition came first.
  virtual Status Transition(const ResearchReport& report, ResearchState expected) = 0;
  // Newest first.
  virtual Result<std::vector<ResearchReport>> List(const ResearchQuery& query) = 0;
  // The approved report becomes published with every delivery, in one transaction.
  virtual Status Publish(const ResearchReport& report, const std::vector<ResearchDelivery>& deliveries) = 0;
  // In customer order, joined to the customers' scope fields.
  virtual Result<std::vector<ResearchDelivery>> Deliveries(const DeliveryQuery& query) = 0;
  virtual Result<DeliveryCounts> CountDeliveries(int64_t report_id) = 0;
  // The customer's first read; NotFound when the report was not delivered to them.
  virtual Status MarkRead(int64_t report_id, const std::string& customer_id, Timestamp at) = 0;
  // A customer's delivered, published reports visible at `now`, newest first.
  virtual Result<std::vector<FeedItem>> Feed(const std::string& customer_id, Timestamp now, int limit) = 0;

  // The security master: replaces the rows with the same market and symbol.
  virtual Status PutSecurities(const std::vector<Security>& securities) = 0;
  virtual Result<std::vector<Security>> Securities() = 0;
};

Result<std::unique_ptr<ResearchStore>> OpenResearchStore(const std::string& location);

}  // namespace fincrm
