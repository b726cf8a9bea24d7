// Ticket creation in batches (the group commit's storage half): ids in order, each
// ticket's "created" entry by its creator, and a batch with one bad ticket stores none.
#include "storage/ticket_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm {
namespace {

Ticket NewTicket(const std::string& customer, const std::string& creator) {
  Ticket t;
  t.customer_id = customer;
  t.subject = "咨询转账到账时间";
  t.created_by = creator;
  t.created_at = t.updated_at = Timestamp{1'764'000'000};
  t.sla.policy = "default";
  return t;
}

class TicketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenStore(db_).ok());  // creates the database file
    auto tickets = OpenTicketStore(db_);
    ASSERT_TRUE(tickets.ok()) << tickets.status().ToString();
    tickets_ = std::move(*tickets);
  }
  // The database refuses tickets of `customer`, as a full disk or a constraint would.
  void RefuseCustomer(const std::string& customer) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    std::string trigger = "CREATE TRIGGER refuse BEFORE INSERT ON tickets WHEN NEW.customer_id = '" + customer +
                          "' BEGIN SELECT RAISE(ABORT, 'refused'); END";
    ASSERT_EQ(sqlite3_exec(db, trigger.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  testing::TempDir dir_;
  std::string db_ = dir_.File("tickets.db");
  std::unique_ptr<TicketStore> tickets_;
};

TEST_F(TicketStoreTest, ABatchGetsIdsInOrderAndEachItsCreator) {
  auto ids = tickets_->CreateAll({NewTicket("C1", "agent1"), NewTicket("C2", "agent2"), NewTicket("C3", "agent1")});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_LT((*ids)[0], (*ids)[1]);
  EXPECT_LT((*ids)[1], (*ids)[2]);
  auto second = tickets_->Get((*ids)[1]);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->customer_id, "C2");
  auto history = tickets_->History((*ids)[1]);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].field, "created");
  EXPECT_EQ((*history)[0].actor, "agent2");
  auto single = tickets_->Create(NewTicket("C4", "agent3"));
  ASSERT_TRUE(single.ok());
  EXPECT_GT(*single, (*ids)[2]);
}

TEST_F(TicketStoreTest, ABatchWithOneBadTicketStoresNone) {
  RefuseCustomer("BAD");
  auto ids = tickets_->CreateAll({NewTicket("C1", "agent1"), NewTicket("BAD", "agent2"), NewTicket("C3", "agent1")});
  ASSERT_FALSE(ids.ok());
  EXPECT_NE(ids.status().message().find("refused"), std::string::npos) << ids.status().ToString();
  TicketQuery everything;
  everything.limit = 10;
  auto listed = tickets_->List(everything);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(TicketStoreTest, ListsByEveryFilterAndTheirCombinations) {
  Ticket open = NewTicket("C1", "agent1"), pending = NewTicket("C1", "agent1"), other = NewTicket("C2", "agent2");
  pending.state = TicketState::kPendingCustomer;
  open.state = other.state = TicketState::kOpen;
  open.owner = "agent1";
  other.branch_id = "B002";
  open.sla.first_response_due = Timestamp{1'764'000'100};  // past due at `now` below, never answered
  pending.sla.first_response_due = other.sla.first_response_due = Timestamp{1'764'900'000};
  auto ids = tickets_->CreateAll({open, pending, other});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  auto count = [&](TicketQuery q) {
    auto listed = tickets_->List(q);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    return listed.ok() ? listed->size() : size_t{999};
  };
  TicketQuery q;
  EXPECT_EQ(count(q), 3u);
  q.customer_id = "C1";
  EXPECT_EQ(count(q), 2u);
  q.state = TicketState::kPendingCustomer;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.owner = "agent1";
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.branch_id = "B002";
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.customer_id = "C1";
  q.after = (*ids)[0];
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.now = Timestamp{1'764'000'200};
  q.breached = true;
  EXPECT_EQ(count(q), 1u);
  q.breached = false;
  EXPECT_EQ(count(q), 2u);
  q.customer_id = "C2";
  EXPECT_EQ(count(q), 1u);
}

TEST_F(TicketStoreTest, AuditEntriesCommitWithTheTicketsAndAreChainedInOrderLater) {
  auto entry = [](const Ticket& t, int64_t id, size_t index) {
    return AuditEntry{0, t.created_at, t.created_by, "ticket.create", t.customer_id,
                      "ticket " + std::to_string(id) + " #" + std::to_string(index), "10.0.0.1", {}, {}};
  };
  auto ids = tickets_->CreateAll({NewTicket("C1", "agent1"), NewTicket("C2", "agent2")}, entry);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  // A batch that fails leaves no entry behind.
  RefuseCustomer("BAD");
  ASSERT_FALSE(tickets_->CreateAll({NewTicket("C3", "agent1"), NewTicket("BAD", "agent1")}, entry).ok());

  auto store = OpenStore(db_);
  ASSERT_TRUE(store.ok());
  auto seal = [](const AuditEntry& e) { return "h" + std::to_string(e.sequence) + "<" + e.previous_hash; };
  auto queued = (*store)->AppendAuditBatch({AuditEntry{0, Timestamp{1'764'000'500}, "admin", "user.add", "", "x",
                                                       "cli", {}, {}}},
                                           seal);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_EQ(queued->size(), 3u);  // the two outbox entries first, then the batch's own
  EXPECT_EQ((*queued)[0].detail, "ticket " + std::to_string((*ids)[0]) + " #0");
  EXPECT_EQ((*queued)[0].actor, "agent1");
  EXPECT_EQ((*queued)[0].source, "10.0.0.1");
  EXPECT_EQ((*queued)[1].detail, "ticket " + std::to_string((*ids)[1]) + " #1");
  EXPECT_EQ((*queued)[2].action, "user.add");
  EXPECT_EQ((*queued)[1].previous_hash, (*queued)[0].hash);
  EXPECT_EQ((*queued)[2].previous_hash, (*queued)[1].hash);
  // Taken once: the next append finds the outbox empty.
  auto again = (*store)->AppendAuditBatch({}, seal);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  AuditQuery query;
  query.action = "ticket.create";
  auto trail = (*store)->ListAudit(query);
  ASSERT_TRUE(trail.ok());
  EXPECT_EQ(trail->size(), 2u);
}

}  // namespace
}  // namespace fincrm
