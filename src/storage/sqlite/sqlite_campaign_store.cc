// The campaign module's SQLite tables: campaigns, their audiences, the outbox of
// messages and do-not-contact.
#include <sqlite3.h>

#include <algorithm>

#include "storage/campaign_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kCampaignSchema = R"sql(
CREATE TABLE campaigns (
  campaign_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  channel TEXT NOT NULL,
  purpose TEXT NOT NULL,
  segment TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  sms_template_code TEXT NOT NULL,
  sms_sign_name TEXT NOT NULL,
  link_url TEXT NOT NULL,
  product_id TEXT NOT NULL,
  product_risk TEXT,
  control_percent INTEGER NOT NULL,
  conversion_days INTEGER NOT NULL,
  scheduled_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  launched_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0,
  audience INTEGER NOT NULL DEFAULT 0,
  control INTEGER NOT NULL DEFAULT 0,
  messaged INTEGER NOT NULL DEFAULT 0,
  suitability_blocked INTEGER NOT NULL DEFAULT 0,
  do_not_contact INTEGER NOT NULL DEFAULT 0,
  contact_budget INTEGER NOT NULL DEFAULT 0,
  no_address INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE campaign_recipients (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(campaign_id),
  customer_id TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  broker_id TEXT NOT NULL,
  control INTEGER NOT NULL,
  eligible INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  rule TEXT NOT NULL,
  PRIMARY KEY (campaign_id, customer_id)
) WITHOUT ROWID;
CREATE TABLE campaign_messages (
  message_id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(campaign_id),
  customer_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  out_id TEXT NOT NULL UNIQUE,
  batch_id TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  template_params TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0,
  delivered_at INTEGER NOT NULL DEFAULT 0,
  opened_at INTEGER NOT NULL DEFAULT 0,
  clicked_at INTEGER NOT NULL DEFAULT 0,
  replied_at INTEGER NOT NULL DEFAULT 0,
  provider_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  promotional INTEGER NOT NULL
);
CREATE INDEX campaign_messages_due ON campaign_messages(channel, next_attempt_at) WHERE state = 'queued';
CREATE INDEX campaign_messages_in_flight ON campaign_messages(state) WHERE state = 'sending';
CREATE INDEX campaign_messages_by_campaign ON campaign_messages(campaign_id, message_id);
CREATE INDEX campaign_messages_by_batch ON campaign_messages(batch_id, address) WHERE batch_id <> '';
CREATE INDEX campaign_messages_by_provider ON campaign_messages(provider_id) WHERE provider_id <> '';
CREATE INDEX campaign_messages_promotional ON campaign_messages(queued_at) WHERE promotional = 1;
CREATE INDEX campaign_messages_by_number ON campaign_messages(address, sent_at) WHERE channel = 'sms';
CREATE TABLE do_not_contact (
  customer_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  reason TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;
)sql";

constexpr Migration kCampaignMigrations[] = {
    {1, "campaigns, their audiences, the message outbox and do-not-contact", kCampaignSchema},
};

constexpr std::string_view kCampaignColumns =
    "campaign_id, name, channel, purpose, segment, subject, body_text, body_html, sms_template_code, sms_sign_name, "
    "link_url, product_id, product_risk, control_percent, conversion_days, scheduled_at, state, branch_id, created_by, "
    "created_at, launched_at, finished_at, audience, control, messaged, suitability_blocked, do_not_contact, "
    "contact_budget, no_address";

constexpr std::string_view kMessageColumns =
    "message_id, campaign_id, customer_id, channel, out_id, batch_id, address, subject, body_text, body_html, "
    "template_params, state, attempts, next_attempt_at, queued_at, sent_at, delivered_at, opened_at, clicked_at, "
    "provider_id, error, promotional, replied_at";

std::string Select(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

Campaign ReadCampaign(const SqliteStatement& s) {
  Campaign c;
  int64_t number = 0;
  s.Read(0, c.campaign_id);
  s.Read(1, c.name);
  s.Read(2, c.channel);
  s.Read(3, c.purpose);
  s.Read(4, c.segment);
  s.Read(5, c.subject);
  s.Read(6, c.body_text);
  s.Read(7, c.body_html);
  s.Read(8, c.sms_template_code);
  s.Read(9, c.sms_sign_name);
  s.Read(10, c.link_url);
  s.Read(11, c.product_id);
  s.Read(12, c.product_risk);
  s.Read(13, number);
  c.control_percent = static_cast<int>(number);
  s.Read(14, number);
  c.conversion_days = static_cast<int>(number);
  s.Read(15, c.scheduled_at);
  s.Read(16, c.state);
  s.Read(17, c.branch_id);
  s.Read(18, c.created_by);
  s.Read(19, c.created_at);
  s.Read(20, c.launched_at);
  s.Read(21, c.finished_at);
  s.Read(22, c.audience);
  s.Read(23, c.control);
  s.Read(24, c.messaged);
  s.Read(25, c.suitability_blocked);
  s.Read(26, c.do_not_contact);
  s.Read(27, c.contact_budget);
  s.Read(28, c.no_address);
  return c;
}

CampaignMessage ReadMessage(const SqliteStatement& s) {
  CampaignMessage m;
  int64_t number = 0;
  s.Read(0, m.message_id);
  s.Read(1, m.campaign_id);
  s.Read(2, m.customer_id);
  s.Read(3, m.channel);
  s.Read(4, m.out_id);
  s.Read(5, m.batch_id);
  s.Read(6, m.address);
  s.Read(7, m.subject);
  s.Read(8, m.body_text);
  s.Read(9, m.body_html);
  s.Read(10, m.template_params);
  s.Read(11, m.state);
  s.Read(12, number);
  m.attempts = static_cast<int>(number);
  s.Read(13, m.next_attempt_at);
  s.Read(14, m.queued_at);
  s.Read(15, m.sent_at);
  s.Read(16, m.delivered_at);
  s.Read(17, m.opened_at);
  s.Read(18, m.clicked_at);
  s.Read(19, m.provider_id);
  s.Read(20, m.error);
  m.promotional = s.Int(21) != 0;
  s.Read(22, m.replied_at);
  return m;
}

class SqliteCampaignStore final : public CampaignStore {
 public:
  explicit SqliteCampaignStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Create(const Campaign& c) override {
    auto insert = db_->Prepared(
        "INSERT INTO campaigns (name, channel, purpose, segment, subject, body_text, body_html, sms_template_code, "
        "sms_sign_name, link_url, product_id, product_risk, control_percent, conversion_days, scheduled_at, state, "
        "branch_id, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
        "?16, ?17, ?18, ?19)");
    if (!insert.ok()) return insert.status();
    SqliteStatement& s = **insert;
    s.Bind(1, std::string_view(c.name));
    s.Bind(2, c.channel);
    s.Bind(3, c.purpose);
    s.Bind(4, std::string_view(c.segment));
    s.Bind(5, std::string_view(c.subject));
    s.Bind(6, std::string_view(c.body_text));
    s.Bind(7, std::string_view(c.body_html));
    s.Bind(8, std::string_view(c.sms_template_code));
    s.Bind(9, std::string_view(c.sms_sign_name));
    s.Bind(10, std::string_view(c.link_url));
    s.Bind(11, std::string_view(c.product_id));
    s.Bind(12, c.product_risk);
    s.Bind(13, int64_t{c.control_percent});
    s.Bind(14, int64_t{c.conversion_days});
    s.Bind(15, c.scheduled_at);
    s.Bind(16, CampaignState::kDraft);
    s.Bind(17, std::string_view(c.branch_id));
    s.Bind(18, std::string_view(c.created_by));
    s.Bind(19, c.created_at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "creating the campaign"));
    return db_->LastInsertId();
  }

  Result<std::optional<Campaign>> Get(int64_t campaign_id) override {
    auto query = db_->Prepared(Select(kCampaignColumns, "FROM campaigns WHERE campaign_id = ?1"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, campaign_id);
    // Reset before returning: a statement left on its row would hold this connection's
    // read snapshot open, and it would not see later commits by other connections.
    int rc = s.Step();
    std::optional<Campaign> found;
    if (rc == SQLITE_ROW) found = ReadCampaign(s);
    else FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the campaign"));
    s.Reset();
    return found;
  }

  Result<std::vector<Campaign>> List(const CampaignListQuery& q) override {
    auto query = db_->Prepared(Select(kCampaignColumns,
                                      "FROM campaigns WHERE (?1 = '' OR branch_id = ?1) AND (?2 = 0 OR campaign_id < ?2) "
                                      "ORDER BY campaign_id DESC LIMIT ?3"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(q.branch_id));
    s.Bind(2, q.before_id);
    s.Bind(3, int64_t{q.limit});
    std::vector<Campaign> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) rows.push_back(ReadCampaign(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing campaigns"));
    return rows;
  }

  Status SetState(int64_t campaign_id, const std::vector<CampaignState>& from, CampaignState to, Timestamp at) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto current = Get(campaign_id);
    if (!current.ok()) return current.status();
    if (!*current) return NotFound("no campaign " + std::to_string(campaign_id));
    if (std::find(from.begin(), from.end(), (*current)->state) == from.end()) {
      return Status(StatusCode::kFailedPrecondition, "the campaign is " + std::string(EnumCode((*current)->state)), "state");
    }
    auto update = db_->Prepared(
        "UPDATE campaigns SET state = ?2, finished_at = CASE WHEN ?2 IN ('cancelled', 'finished') THEN ?3 ELSE "
        "finished_at END WHERE campaign_id = ?1");
    if (!update.ok()) return update.status();
    (*update)->Bind(1, campaign_id);
    (*update)->Bind(2, to);
    (*update)->Bind(3, at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "changing the campaign's state"));
    if (to == CampaignState::kCancelled) {
      // What was not yet handed to a gateway is never sent.
      auto cancel = db_->Prepared(
          "UPDATE campaign_messages SET state = 'failed', error = 'cancelled' WHERE campaign_id = ?1 AND state = 'queued'");
      if (!cancel.ok()) return cancel.status();
      (*cancel)->Bind(1, campaign_id);
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*cancel)->Step(), "cancelling the queued messages"));
    }
    return transaction.Commit();
  }

  Status Launch(const Campaign& c, const std::vector<CampaignRecipient>& audience,
                std::vector<CampaignMessage>& messages) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto current = Get(c.campaign_id);
    if (!current.ok()) return current.status();
    if (!*current) return NotFound("no campaign " + std::to_string(c.campaign_id));
    if ((*current)->state != CampaignState::kDraft) {
      return Status(StatusCode::kFailedPrecondition,
                    "the campaign is " + std::string(EnumCode((*current)->state)) + ", not a draft", "state");
    }
    auto recipient = db_->Prepared(
        "INSERT INTO campaign_recipients (campaign_id, customer_id, branch_id, broker_id, control, eligible, outcome, "
        "rule) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!recipient.ok()) return recipient.status();
    for (const CampaignRecipient& r : audience) {
      SqliteStatement& s = **recipient;
      s.Bind(1, c.campaign_id);
      s.Bind(2, std::string_view(r.customer_id));
      s.Bind(3, std::string_view(r.branch_id));
      s.Bind(4, std::string_view(r.broker_id));
      s.Bind(5, int64_t{r.control});
      s.Bind(6, int64_t{r.eligible});
      s.Bind(7, r.outcome);
      s.Bind(8, std::string_view(r.rule));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "recording the audience"));
      s.Reset();
    }
    auto message = db_->Prepared(
        "INSERT INTO campaign_messages (campaign_id, customer_id, channel, out_id, address, subject, body_text, "
        "body_html, template_params, state, next_attempt_at, queued_at, promotional) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "?7, ?8, ?9, 'queued', ?10, ?11, ?12)");
    if (!message.ok()) return message.status();
    for (CampaignMessage& m : messages) {
      SqliteStatement& s = **message;
      s.Bind(1, c.campaign_id);
      s.Bind(2, std::string_view(m.customer_id));
      s.Bind(3, m.channel);
      s.Bind(4, std::string_view(m.out_id));
      s.Bind(5, std::string_view(m.address));
      s.Bind(6, std::string_view(m.subject));
      s.Bind(7, std::string_view(m.body_text));
      s.Bind(8, std::string_view(m.body_html));
      s.Bind(9, std::string_view(m.template_params));
      s.Bind(10, m.next_attempt_at);
      s.Bind(11, m.queued_at);
      s.Bind(12, int64_t{m.promotional});
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "queueing the messages"));
      s.Reset();
      m.message_id = db_->LastInsertId();
      m.campaign_id = c.campaign_id;
      m.state = MessageState::kQueued;
    }
    auto update = db_->Prepared(
        "UPDATE campaigns SET state = 'running', launched_at = ?2, audience = ?3, control = ?4, messaged = ?5, "
        "suitability_blocked = ?6, do_not_contact = ?7, contact_budget = ?8, no_address = ?9, product_risk = ?10 "
        "WHERE campaign_id = ?1");
    if (!update.ok()) return update.status();
    SqliteStatement& s = **update;
    s.Bind(1, c.campaign_id);
    s.Bind(2, c.launched_at);
    s.Bind(3, c.audience);
    s.Bind(4, c.control);
    s.Bind(5, c.messaged);
    s.Bind(6, c.suitability_blocked);
    s.Bind(7, c.do_not_contact);
    s.Bind(8, c.contact_budget);
    s.Bind(9, c.no_address);
    s.Bind(10, c.product_risk);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, s.Step(), "launching the campaign"));
    return transaction.Commit();
  }

  Result<std::vector<CampaignMessage>> ClaimDue(CampaignChannel channel, Timestamp now, int limit) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto query = db_->Prepared(
        Select(kMessageColumns,
               ", (SELECT sms_template_code FROM campaigns c WHERE c.campaign_id = m.campaign_id), (SELECT "
               "sms_sign_name FROM campaigns c WHERE c.campaign_id = m.campaign_id) FROM campaign_messages m WHERE m.channel = ?1 AND m.state = 'queued' AND m.next_attempt_at <= ?2 AND "
               "EXISTS (SELECT 1 FROM campaigns c WHERE c.campaign_id = m.campaign_id AND c.state = 'running' AND "
               "c.scheduled_at <= ?2) ORDER BY m.next_attempt_at, m.message_id LIMIT ?3"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, channel);
    s.Bind(2, now);
    s.Bind(3, int64_t{limit});
    std::vector<CampaignMessage> claimed;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      CampaignMessage& m = claimed.emplace_back(ReadMessage(s));
      s.Read(23, m.template_code);
      s.Read(24, m.sign_name);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the due messages"));
    s.Reset();
    if (claimed.empty()) return claimed;
    // One claim is one gateway request: its first message's out id names the batch.
    std::string batch = claimed.front().out_id;
    auto claim = db_->Prepared(
        "UPDATE campaign_messages SET state = 'sending', batch_id = ?2, attempts = attempts + 1 WHERE message_id = ?1");
    if (!claim.ok()) return claim.status();
    for (CampaignMessage& m : claimed) {
      SqliteStatement& u = **claim;
      u.Bind(1, m.message_id);
      u.Bind(2, std::string_view(batch));
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, u.Step(), "claiming a message"));
      u.Reset();
      m.state = MessageState::kSending;
      m.batch_id = batch;
      ++m.attempts;
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return claimed;
  }

  Status Settle(const std::vector<Settlement>& settlements) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto update = db_->Prepared(
        "UPDATE campaign_messages SET state = ?2, provider_id = CASE WHEN ?3 = '' THEN provider_id ELSE ?3 END, "
        "error = ?4, sent_at = CASE WHEN ?2 IN ('sent', 'delivered') THEN ?5 ELSE sent_at END, delivered_at = CASE "
        "WHEN ?2 = 'delivered' THEN ?5 ELSE delivered_at END, next_attempt_at = ?6 WHERE message_id = ?1 AND state = "
        "'sending' RETURNING customer_id, channel");
    if (!update.ok()) return update.status();
    for (const Settlement& x : settlements) {
      SqliteStatement& s = **update;
      MessageState state = x.kind == Settlement::kSent    ? (x.delivered ? MessageState::kDelivered : MessageState::kSent)
                           : x.kind == Settlement::kRetry ? MessageState::kQueued
                                                          : (x.hard_bounce ? MessageState::kBounced : MessageState::kFailed);
      s.Bind(1, x.message_id);
      s.Bind(2, state);
      s.Bind(3, std::string_view(x.provider_id));
      s.Bind(4, std::string_view(x.error));
      s.Bind(5, x.at);
      s.Bind(6, x.next_attempt);
      int rc = s.Step();
      std::string customer_id;
      CampaignChannel channel{};
      if (rc == SQLITE_ROW) {
        s.Read(0, customer_id);
        s.Read(1, channel);
        rc = s.Step();
      }
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "settling a message"));
      s.Reset();
      if (x.hard_bounce && !customer_id.empty()) {
        FINCRM_RETURN_IF_ERROR(
            PutDoNotContactIn({customer_id, channel, DoNotContactReason::kBounced, x.error, "gateway", x.at}));
      }
    }
    return transaction.Commit();
  }

  Result<int64_t> RecoverInDoubt(Timestamp) override {
    FINCRM_RETURN_IF_ERROR(db_->Execute(
        "UPDATE campaign_messages SET state = 'failed', error = 'in_doubt: the server stopped while the gateway call "
        "was in flight; not sent again' WHERE state = 'sending'"));
    return int64_t{db_->Changes()};
  }

  Result<std::vector<int64_t>> FinishSettled(Timestamp now) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto query = db_->Prepared(
        "SELECT campaign_id FROM campaigns c WHERE state = 'running' AND NOT EXISTS (SELECT 1 FROM campaign_messages "
        "m WHERE m.campaign_id = c.campaign_id AND m.state IN ('queued', 'sending'))");
    if (!query.ok()) return query.status();
    std::vector<int64_t> finished;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) finished.push_back((*query)->Int(0));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding finished campaigns"));
    (*query)->Reset();
    auto update = db_->Prepared("UPDATE campaigns SET state = 'finished', finished_at = ?2 WHERE campaign_id = ?1");
    if (!update.ok()) return update.status();
    for (int64_t id : finished) {
      (*update)->Bind(1, id);
      (*update)->Bind(2, now);
      FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "finishing a campaign"));
      (*update)->Reset();
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return finished;
  }

  Result<CampaignMessage> ApplyReceipt(const DeliveryReceipt& r) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    std::optional<CampaignMessage> found;
    {
      // A receipt names a message by its out id, by its batch and number, or by the
      // gateway's own per-number id.
      auto query = db_->Prepared(Select(
          kMessageColumns,
          "FROM campaign_messages WHERE (out_id = ?1 AND (?2 = '' OR address = ?2)) OR (batch_id = ?1 AND ?1 <> '' AND "
          "address = ?2) OR (provider_id = ?3 AND ?3 <> '') LIMIT 1"));
      if (!query.ok()) return query.status();
      SqliteStatement& s = **query;
      s.Bind(1, std::string_view(r.out_id));
      s.Bind(2, std::string_view(r.address));
      s.Bind(3, std::string_view(r.provider_id));
      int rc = s.Step();
      if (rc == SQLITE_ROW) found = ReadMessage(s);
      else FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding the receipt's message"));
      s.Reset();
    }
    if (!found) return NotFound("no message for out id '" + r.out_id + "'" + (r.address.empty() ? "" : " and " + r.address), "out_id");
    MessageState state = r.delivered ? MessageState::kDelivered : r.hard_bounce ? MessageState::kBounced : MessageState::kFailed;
    auto update = db_->Prepared(
        "UPDATE campaign_messages SET state = ?2, delivered_at = CASE WHEN ?2 = 'delivered' THEN ?3 ELSE delivered_at "
        "END, error = ?4, sent_at = CASE WHEN sent_at = 0 THEN ?3 ELSE sent_at END WHERE message_id = ?1");
    if (!update.ok()) return update.status();
    SqliteStatement& u = **update;
    u.Bind(1, found->message_id);
    u.Bind(2, state);
    u.Bind(3, r.at);
    u.Bind(4, std::string_view(r.error));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, u.Step(), "applying the receipt"));
    if (r.hard_bounce) {
      FINCRM_RETURN_IF_ERROR(PutDoNotContactIn(
          {found->customer_id, found->channel, DoNotContactReason::kBounced, r.error, "gateway", r.at}));
    }
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    found->state = state;
    if (r.delivered) found->delivered_at = r.at;
    found->error = r.error;
    return *found;
  }

  Result<std::optional<CampaignMessage>> FindMessage(const std::string& out_id) override {
    auto query = db_->Prepared(Select(kMessageColumns, "FROM campaign_messages WHERE out_id = ?1"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(out_id));
    int rc = s.Step();
    std::optional<CampaignMessage> found;
    if (rc == SQLITE_ROW) found = ReadMessage(s);
    else FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding the message"));
    s.Reset();
    return found;
  }

  Result<bool> RecordResponse(const std::string& out_id, Response response, Timestamp at) override {
    // A click implies the message was opened (images may be blocked).
    std::string_view sql =
        response == Response::kClick
            ? "UPDATE campaign_messages SET clicked_at = ?2, opened_at = CASE WHEN opened_at = 0 THEN ?2 ELSE opened_at "
              "END WHERE out_id = ?1 AND clicked_at = 0"
        : response == Response::kOpen ? "UPDATE campaign_messages SET opened_at = ?2 WHERE out_id = ?1 AND opened_at = 0"
                                      : "UPDATE campaign_messages SET replied_at = ?2 WHERE out_id = ?1 AND replied_at = 0";
    auto update = db_->Prepared(sql);
    if (!update.ok()) return update.status();
    (*update)->Bind(1, std::string_view(out_id));
    (*update)->Bind(2, at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "recording the response"));
    return db_->Changes() > 0;
  }

  Result<std::optional<CampaignMessage>> LatestSmsTo(const std::string& number) override {
    auto query = db_->Prepared(Select(kMessageColumns,
                                      "FROM campaign_messages WHERE channel = 'sms' AND address = ?1 AND sent_at > 0 "
                                      "ORDER BY sent_at DESC, message_id DESC LIMIT 1"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(number));
    int rc = s.Step();
    std::optional<CampaignMessage> found;
    if (rc == SQLITE_ROW) found = ReadMessage(s);
    else FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "finding the message replied to"));
    s.Reset();
    return found;
  }

  Result<std::vector<CampaignMessage>> Messages(const MessageListQuery& q) override {
    auto query = db_->Prepared(Select(kMessageColumns,
                                      "FROM campaign_messages WHERE campaign_id = ?1 AND (?2 = '' OR state = ?2) AND "
                                      "message_id > ?3 ORDER BY message_id LIMIT ?4"));
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, q.campaign_id);
    s.Bind(2, q.state ? EnumCode(*q.state) : std::string_view());
    s.Bind(3, q.after_id);
    s.Bind(4, int64_t{q.limit});
    std::vector<CampaignMessage> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) rows.push_back(ReadMessage(s));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing messages"));
    return rows;
  }

  Result<std::vector<RecipientResult>> Recipients(int64_t campaign_id) override {
    auto query = db_->Prepared(
        "SELECT r.customer_id, r.branch_id, r.broker_id, r.control, r.outcome, m.state, m.sent_at, m.opened_at, "
        "m.clicked_at, r.eligible, m.replied_at FROM campaign_recipients r LEFT JOIN campaign_messages m ON m.campaign_id = r.campaign_id AND "
        "m.customer_id = r.customer_id WHERE r.campaign_id = ?1 ORDER BY r.customer_id");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, campaign_id);
    std::vector<RecipientResult> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      RecipientResult& r = rows.emplace_back();
      s.Read(0, r.customer_id);
      s.Read(1, r.branch_id);
      s.Read(2, r.broker_id);
      r.control = s.Int(3) != 0;
      r.eligible = s.Int(9) != 0;
      s.Read(4, r.outcome);
      if (!s.IsNull(5)) {
        MessageState state{};
        s.Read(5, state);
        r.state = state;
        s.Read(6, r.sent_at);
        s.Read(7, r.opened_at);
        s.Read(8, r.clicked_at);
        s.Read(10, r.replied_at);
      }
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the audience"));
    return rows;
  }

  Result<std::map<MessageState, int64_t>> MessageCounts(CampaignChannel channel) override {
    auto query = db_->Prepared("SELECT state, COUNT(*) FROM campaign_messages WHERE channel = ?1 GROUP BY state");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, channel);
    std::map<MessageState, int64_t> counts;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) {
      MessageState state{};
      (*query)->Read(0, state);
      counts[state] = (*query)->Int(1);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting messages"));
    return counts;
  }

  Result<std::unordered_map<std::string, int64_t>> PromotionalContacts(Timestamp since) override {
    auto query = db_->Prepared(
        "SELECT customer_id, COUNT(*) FROM campaign_messages WHERE promotional = 1 AND queued_at >= ?1 AND state IN "
        "('queued', 'sending', 'sent', 'delivered') GROUP BY customer_id");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, since);
    std::unordered_map<std::string, int64_t> counts;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) counts[std::string((*query)->Text(0))] = (*query)->Int(1);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "counting contacts"));
    return counts;
  }

  Status PutDoNotContact(const DoNotContact& entry) override { return PutDoNotContactIn(entry); }

  Status RemoveDoNotContact(const std::string& customer_id, CampaignChannel channel) override {
    auto remove = db_->Prepared("DELETE FROM do_not_contact WHERE customer_id = ?1 AND channel = ?2");
    if (!remove.ok()) return remove.status();
    (*remove)->Bind(1, std::string_view(customer_id));
    (*remove)->Bind(2, channel);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*remove)->Step(), "removing do-not-contact"));
    if (db_->Changes() == 0) {
      return NotFound("customer " + customer_id + " has no do-not-contact for " + std::string(EnumCode(channel)), "channel");
    }
    return Status::Ok();
  }

  Result<std::vector<DoNotContact>> DoNotContacts(const std::string& customer_id) override {
    auto query = db_->Prepared(
        "SELECT customer_id, channel, reason, note, recorded_by, recorded_at FROM do_not_contact WHERE customer_id = ?1 "
        "ORDER BY channel");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, std::string_view(customer_id));
    std::vector<DoNotContact> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      DoNotContact& d = rows.emplace_back();
      s.Read(0, d.customer_id);
      s.Read(1, d.channel);
      s.Read(2, d.reason);
      s.Read(3, d.note);
      s.Read(4, d.recorded_by);
      s.Read(5, d.recorded_at);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading do-not-contact"));
    return rows;
  }

  Result<std::unordered_set<std::string>> DoNotContactSet(CampaignChannel channel) override {
    auto query = db_->Prepared("SELECT customer_id FROM do_not_contact WHERE channel = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, channel);
    std::unordered_set<std::string> ids;
    int rc;
    while ((rc = (*query)->Step()) == SQLITE_ROW) ids.emplace((*query)->Text(0));
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading do-not-contact"));
    return ids;
  }

 private:
  Status PutDoNotContactIn(const DoNotContact& d) {
    auto upsert = db_->Prepared(
        "INSERT INTO do_not_contact (customer_id, channel, reason, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6) ON CONFLICT (customer_id, channel) DO UPDATE SET reason = excluded.reason, note = excluded.note, "
        "recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at");
    if (!upsert.ok()) return upsert.status();
    SqliteStatement& s = **upsert;
    s.Bind(1, std::string_view(d.customer_id));
    s.Bind(2, d.channel);
    s.Bind(3, d.reason);
    s.Bind(4, std::string_view(d.note));
    s.Bind(5, std::string_view(d.recorded_by));
    s.Bind(6, d.recorded_at);
    return StepStatus(*db_, s.Step(), "recording do-not-contact");
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<CampaignStore>> OpenCampaignStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "campaigns", kCampaignMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<CampaignStore>(new SqliteCampaignStore(std::move(*db)));
}

}  // namespace fincrm
