// The screen pop's read of everything about the callers with one mobile number,
// in one transaction: every customer with that number, their scores when
// analysed, and only what is still open of their tickets, return visits and
// callbacks.
#include "storage/caller_lookup.h"

#include <gtest/gtest.h>

#include "storage/call_store.h"
#include "storage/open_store.h"
#include "storage/return_visit_store.h"
#include "storage/store.h"
#include "storage/ticket_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

constexpr const char *kMobile = "13912345678";

Customer MakeCustomer(const std::string &id, const std::string &mobile) {
  Customer c;
  c.customer_id = id;
  c.name = "客户" + id;
  c.gender = Gender::kFemale;
  c.id_type = IdType::kResidentId;
  c.id_number = "11010519491231002X";
  c.mobile = mobile;
  c.province = "上海";
  c.city = "上海";
  c.risk_level = RiskLevel::kC3;
  c.income_band = IncomeBand::k300kTo1m;
  c.open_date = *ParseDate("2015-06-01");
  c.broker_id = "S001";
  c.branch_id = "B001";
  return c;
}

class CallerLookupTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto store = OpenStore(db_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    {
      auto writer = (*store)->BeginWrite();
      ASSERT_TRUE(writer.ok());
      ASSERT_TRUE((*writer)
                      ->Put(Branch{"B001", "上海营业部", "上海", "上海",
                                   *ParseDate("2001-03-01")})
                      .ok());
      ASSERT_TRUE((*writer)
                      ->Put(Staff{"S001", "王经纪", StaffRole::kBroker, "B001",
                                  "13800000001", "", std::nullopt})
                      .ok());
      // Two customers share the number (a couple's landline moved to a mobile);
      // a third does not.
      for (const char *id : {"C002", "C001"}) {
        auto put = (*writer)->Put(MakeCustomer(id, kMobile));
        ASSERT_TRUE(put.ok()) << put.status().ToString();
      }
      ASSERT_TRUE((*writer)->Put(MakeCustomer("C003", "13700000000")).ok());
      ASSERT_TRUE((*writer)->Commit().ok());
    }
    CustomerScore score;
    score.customer_id = "C001";
    score.as_of = *ParseDate("2026-11-30");
    score.rfm = "543";
    score.trading_style = "value";
    score.credit_grade = "A";
    score.tier = "gold";
    score.churn_risk = 0.42;
    score.churn_reasons = "资产下降; 交易减少";
    AnalysisRun run{0, Timestamp{1'764'000'000}, *ParseDate("2026-11-30"), 1,
                    "test"};
    auto saved = (*store)->SaveAnalysis(run, std::span(&score, 1), {}, {}, {});
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();

    auto tickets = OpenTicketStore(db_);
    ASSERT_TRUE(tickets.ok());
    for (TicketState state : {TicketState::kOpen, TicketState::kResolved,
                              TicketState::kPendingCustomer}) {
      Ticket t;
      t.customer_id = "C001";
      t.state = state;
      t.subject = std::string("工单 ") + std::string(EnumCode(state));
      t.created_by = "agent1";
      t.sla.policy = "default";
      ASSERT_TRUE((*tickets)->Create(t).ok());
    }
    auto visits = OpenReturnVisitStore(db_);
    ASSERT_TRUE(visits.ok());
    ReturnVisit open{.customer_id = "C001",
                     .source = "A1",
                     .due_on = *ParseDate("2026-12-10")};
    ReturnVisit closed{.customer_id = "C001",
                       .source = "A2",
                       .due_on = *ParseDate("2026-11-10")};
    ASSERT_TRUE((*visits)->Plan({open, closed}).ok());
    ReturnVisitQuery all;
    all.customer_id = "C001";
    auto planned = (*visits)->List(all);
    ASSERT_TRUE(planned.ok());
    ASSERT_EQ(planned->size(), 2u);
    ReturnVisit done = (*planned)[1];
    done.closed = true;
    ASSERT_TRUE((*visits)->Update(done).ok());

    auto calls = OpenCallStore(db_);
    ASSERT_TRUE(calls.ok());
    for (CallbackState state : {CallbackState::kDone, CallbackState::kOpen}) {
      Callback cb;
      cb.customer_id = "C001";
      cb.owner = "agent1";
      cb.due_at = Timestamp{1'765'000'000};
      cb.state = state;
      cb.created_by = "agent1";
      ASSERT_TRUE((*calls)->AddCallback(cb).ok());
    }
    auto lookup = OpenCallerLookup(db_);
    ASSERT_TRUE(lookup.ok()) << lookup.status().ToString();
    lookup_ = std::move(*lookup);
  }

  testing::TempDir dir_;
  std::string db_ = dir_.File("callers.db");
  std::unique_ptr<CallerLookup> lookup_;
};

TEST_F(CallerLookupTest, EveryCustomerWithTheNumberWithWhatIsStillOpen) {
  auto callers = lookup_->ByMobile(kMobile, {});
  ASSERT_TRUE(callers.ok()) << callers.status().ToString();
  ASSERT_EQ(callers->size(), 2u);
  const CallerRecord &first = (*callers)[0];
  EXPECT_EQ(first.customer.customer_id, "C001");
  EXPECT_EQ(first.customer.branch_id, "B001");
  ASSERT_TRUE(first.score.has_value());
  EXPECT_EQ(first.score->tier, "gold");
  EXPECT_DOUBLE_EQ(first.score->churn_risk, 0.42);
  EXPECT_EQ(first.score->churn_reasons, "资产下降; 交易减少");
  ASSERT_EQ(first.open_tickets.size(),
            2u); // open and pending; the resolved one is not shown
  EXPECT_EQ(first.open_tickets[0].state, TicketState::kOpen);
  EXPECT_EQ(first.open_tickets[1].state, TicketState::kPendingCustomer);
  ASSERT_EQ(first.open_visits.size(), 1u);
  EXPECT_EQ(first.open_visits[0].source, "A1");
  ASSERT_EQ(first.open_callbacks.size(), 1u);
  EXPECT_EQ(first.open_callbacks[0].state, CallbackState::kOpen);

  const CallerRecord &second = (*callers)[1];
  EXPECT_EQ(second.customer.customer_id, "C002");
  EXPECT_FALSE(second.score.has_value()); // never analysed
  EXPECT_TRUE(second.open_tickets.empty());
  EXPECT_TRUE(second.open_visits.empty());
  EXPECT_TRUE(second.open_callbacks.empty());
}

TEST_F(CallerLookupTest, LimitsAndUnknownNumbers) {
  CallerLookupLimits one;
  one.customers = 1;
  one.tickets = 1;
  auto callers = lookup_->ByMobile(kMobile, one);
  ASSERT_TRUE(callers.ok());
  ASSERT_EQ(callers->size(), 1u);
  EXPECT_EQ((*callers)[0].open_tickets.size(), 1u);
  auto nobody = lookup_->ByMobile("13600000000", {});
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->empty());
  // Repeated reads reuse the connection's statements and transaction cleanly.
  for (int i = 0; i < 3; ++i) {
    auto again = lookup_->ByMobile(kMobile, {});
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->size(), 2u);
  }
}

} // namespace
} // namespace fincrm
