#include "api/modules/campaign_module.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "analytics/value_ladder.h"
#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "core/json_writer.h"
#include "core/money.h"
#include "service/campaigns/campaign_audience.h"
#include "service/campaigns/message_template.h"
#include "service/campaigns/outbox_dispatcher.h"
#include "service/campaigns/segment.h"
#include "service/campaigns/sms_receipts.h"
#include "storage/campaign_store.h"
#include "storage/holding_store.h"
#include "storage/research_store.h"
#include "storage/suitability_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxName = 200, kMaxSubject = 300, kMaxBody = 100000, kMaxCode = 64, kMaxUrl = 2000;
constexpr size_t kMaxSegment = 20000;
// A GIF of one transparent pixel (the open-tracking image).
constexpr unsigned char kPixel[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
                                    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00,
                                    0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02,
                                    0x44, 0x01, 0x00, 0x3b};

std::string_view StringOf(simdjson::dom::element value, std::string_view field) {
  std::string_view text;
  if (value.get_string().get(text)) throw ApiError{422, "invalid", "expected a string", std::string(field)};
  return text;
}

std::string BoundedString(simdjson::dom::element value, std::string_view field, size_t max) {
  std::string_view text = StringOf(value, field);
  if (text.size() > max) throw ApiError{422, "invalid", "longer than " + std::to_string(max) + " bytes", std::string(field)};
  return std::string(text);
}

template <class E>
E EnumOf(simdjson::dom::element value, std::string_view field) {
  auto parsed = ParseEnum<E>(StringOf(value, field));
  if (!parsed) throw ApiError{422, "invalid", "expected " + EnumChoices<E>(), std::string(field)};
  return *parsed;
}

// 128 random bits in hex: unguessable, so the public tracking and unsubscribe links
// cannot be forged for other messages.
std::string NewOutId() {
  thread_local std::random_device device;
  std::string id;
  char hex[9];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(device()));
    id += hex;
  }
  return id;
}

std::string FirstCharacter(const std::string& text) {
  if (text.empty()) return text;
  unsigned char lead = static_cast<unsigned char>(text[0]);
  size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return text.substr(0, std::min(n, text.size()));
}

void WriteCounts(JsonWriter& json, const AudienceCounts& n) {
  json.Field("count", n.count)
      .Field("blocked_by_suitability", n.blocked_by_suitability)
      .Field("do_not_contact", n.do_not_contact)
      .Field("contact_budget", n.contact_budget)
      .Field("control", n.control)
      .Field("reachable", n.reachable);
}

void WriteCampaign(JsonWriter& json, const Campaign& c) {
  json.BeginObject()
      .Field("campaign_id", c.campaign_id)
      .Field("name", c.name)
      .Field("channel", EnumCode(c.channel))
      .Field("purpose", EnumCode(c.purpose))
      .Key("segment")
      .RawJson(c.segment)
      .Field("subject", c.subject)
      .Field("body_text", c.body_text)
      .Field("body_html", c.body_html)
      .Field("sms_template_code", c.sms_template_code)
      .Field("sms_sign_name", c.sms_sign_name)
      .Field("link_url", c.link_url)
      .Field("product_id", c.product_id)
      .Key("product_risk");
  if (c.product_risk) json.String(EnumCode(*c.product_risk));
  else json.Null();
  json.Field("control_percent", c.control_percent)
      .Field("conversion_days", c.conversion_days)
      .Field("state", EnumCode(c.state))
      .Field("branch_id", c.branch_id)
      .Field("created_by", c.created_by);
  WriteTime(json, "scheduled_at", c.scheduled_at);
  WriteTime(json, "created_at", c.created_at);
  WriteTime(json, "launched_at", c.launched_at);
  WriteTime(json, "finished_at", c.finished_at);
  json.Key("audience")
      .BeginObject()
      .Field("count", c.audience)
      .Field("control", c.control)
      .Field("messaged", c.messaged)
      .Field("blocked_by_suitability", c.suitability_blocked)
      .Field("do_not_contact", c.do_not_contact)
      .Field("contact_budget", c.contact_budget)
      .Field("no_address", c.no_address)
      .EndObject()
      .EndObject();
}

void WriteMessage(JsonWriter& json, const CampaignMessage& m) {
  json.BeginObject()
      .Field("message_id", m.message_id)
      .Field("campaign_id", m.campaign_id)
      .Field("customer_id", m.customer_id)
      .Field("channel", EnumCode(m.channel))
      .Field("out_id", m.out_id)
      .Field("batch_id", m.batch_id)
      .Field("subject", m.subject)
      .Field("state", EnumCode(m.state))
      .Field("attempts", m.attempts)
      .Field("provider_id", m.provider_id)
      .Field("error", m.error);
  WriteTime(json, "queued_at", m.queued_at);
  WriteTime(json, "next_attempt_at", m.next_attempt_at);
  WriteTime(json, "sent_at", m.sent_at);
  WriteTime(json, "delivered_at", m.delivered_at);
  WriteTime(json, "opened_at", m.opened_at);
  WriteTime(json, "clicked_at", m.clicked_at);
  WriteTime(json, "replied_at", m.replied_at);
  json.EndObject();
}

void WriteArm(JsonWriter& json, std::string_view key, const ArmResult& a) {
  json.Key(key)
      .BeginObject()
      .Field("members", a.members)
      .Field("eligible", a.eligible)
      .Field("sent", a.sent)
      .Field("delivered", a.delivered)
      .Field("opened", a.opened)
      .Field("clicked", a.clicked)
      .Field("replied", a.replied)
      .Field("converted", a.converted)
      .Field("churned", a.churned)
      .EndObject();
}

void WriteDifference(JsonWriter& json, std::string_view key, const RateDifference& d) {
  json.Key(key);
  if (!d.estimable) {
    json.Null();
    return;
  }
  json.BeginObject()
      .Field("treated_rate", d.treated)
      .Field("control_rate", d.control)
      .Field("uplift", d.uplift)
      .Key("ci95")
      .BeginArray()
      .Double(d.low)
      .Double(d.high)
      .EndArray()
      .EndObject();
}

class CampaignModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "campaigns"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (CampaignModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"POST", "/api/v1/campaigns/audience", P::kManageCampaigns, bind(&CampaignModule::CountAudience)},
        {"POST", "/api/v1/campaigns", P::kManageCampaigns, bind(&CampaignModule::Create)},
        {"GET", "/api/v1/campaigns", P::kReadCampaigns, bind(&CampaignModule::List)},
        {"GET", "/api/v1/campaigns/{campaign_id}", P::kReadCampaigns, bind(&CampaignModule::Show)},
        {"POST", "/api/v1/campaigns/{campaign_id}/launch", P::kManageCampaigns, bind(&CampaignModule::Launch)},
        {"POST", "/api/v1/campaigns/{campaign_id}/pause", P::kManageCampaigns, bind(&CampaignModule::Pause)},
        {"POST", "/api/v1/campaigns/{campaign_id}/resume", P::kManageCampaigns, bind(&CampaignModule::Resume)},
        {"POST", "/api/v1/campaigns/{campaign_id}/cancel", P::kManageCampaigns, bind(&CampaignModule::Cancel)},
        {"GET", "/api/v1/campaigns/{campaign_id}/results", P::kReadCampaigns, bind(&CampaignModule::Results)},
        {"GET", "/api/v1/campaigns/{campaign_id}/messages", P::kReadCampaigns, bind(&CampaignModule::Messages)},
        {"POST", "/api/v1/sms/receipts", P::kSmsReceipts, bind(&CampaignModule::Receipts)},
        {"POST", "/api/v1/sms/replies", P::kSmsReceipts, bind(&CampaignModule::Replies)},
        {"GET", "/api/v1/customers/{customer_id}/do-not-contact", P::kReadCustomers,
         bind(&CampaignModule::ListDoNotContact)},
        {"PUT", "/api/v1/customers/{customer_id}/do-not-contact/{channel}", P::kWriteCustomers,
         bind(&CampaignModule::PutDoNotContact)},
        {"DELETE", "/api/v1/customers/{customer_id}/do-not-contact/{channel}", P::kWriteCustomers,
         bind(&CampaignModule::RemoveDoNotContact)},
        {"GET", "/api/v1/t/o/{out_id}", P::kPublic, bind(&CampaignModule::Opened)},
        {"GET", "/api/v1/t/c/{out_id}", P::kPublic, bind(&CampaignModule::Clicked)},
        {"GET", "/api/v1/unsubscribe/{out_id}", P::kPublic, bind(&CampaignModule::Unsubscribe)},
        {"POST", "/api/v1/unsubscribe/{out_id}", P::kPublic, bind(&CampaignModule::Unsubscribe)},
    };
  }

  std::vector<Job> Jobs(const ServiceJobOptions& options) override {
    suitability_ = options.suitability;
    options_ = options.campaigns;
    return {};
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto store = OpenCampaignStore(environment_.db_path);  // migrations before the first request
    if (!store.ok()) return store.status();
    std::vector<std::unique_ptr<MessageGateway>> gateways;
    if (!options_.smtp.url.empty()) gateways.push_back(MakeSmtpGateway(options_.smtp));
    if (!options_.sms.url.empty()) gateways.push_back(MakeSmsGateway(options_.sms));
    gateways.push_back(MakePortalGateway(environment_.record_interactions));
    std::string db = environment_.db_path;
    dispatcher_ = std::make_unique<OutboxDispatcher>(
        [db] { return OpenCampaignStore(db); }, std::move(gateways), options_.outbox, environment_.now,
        [this](const std::vector<CampaignMessage>& sent) { OnSent(sent); });
    return dispatcher_->Start();
  }

  void Stop() override {
    if (dispatcher_) dispatcher_->Stop();
  }

 private:
  bool Configured(CampaignChannel channel) const {
    return channel == CampaignChannel::kPortal || (channel == CampaignChannel::kEmail && !options_.smtp.url.empty()) ||
           (channel == CampaignChannel::kSms && !options_.sms.url.empty());
  }

  // E-mail and SMS go on the customers' timelines once a gateway took them (portal
  // messages are put there by their gateway).
  void OnSent(const std::vector<CampaignMessage>& sent) {
    std::vector<Interaction> contacts;
    for (const CampaignMessage& m : sent) {
      if (m.channel == CampaignChannel::kPortal) continue;
      Interaction& i = contacts.emplace_back();
      i.interaction_id = "campaign:" + m.out_id;
      i.customer_id = m.customer_id;
      i.occurred_at = m.sent_at;
      i.channel = m.channel == CampaignChannel::kEmail ? InteractionChannel::kEmail : InteractionChannel::kSms;
      i.direction = Direction::kOutbound;
      i.type = m.promotional ? InteractionType::kMarketing : InteractionType::kAdvisory;
      i.subject = Utf8Prefix(m.subject.empty() ? m.body_text : m.subject, 480);
      i.outcome = "sent";
    }
    if (contacts.empty() || !environment_.record_interactions) return;
    Status recorded = environment_.record_interactions(contacts);
    if (!recorded.ok()) std::fprintf(stderr, "campaigns: timeline: %s\n", recorded.ToString().c_str());
  }

  Campaign Find(ModuleCall& call) {
    int64_t id = PathId(call.request, "campaign_id", "campaign");
    auto campaign = store_.Get().Get(id);
    if (!campaign.ok()) ThrowStatus(campaign.status());
    // A branch manager sees their branch's campaigns and the head office's.
    if (!*campaign || (call.principal.role == UserRole::kBranchManager && !(*campaign)->branch_id.empty() &&
                       (*campaign)->branch_id != call.principal.branch_id)) {
      throw ApiError{404, "not_found", "no campaign '" + std::string(call.request.Param("campaign_id")) + "'",
                     "campaign_id"};
    }
    return **campaign;
  }

  // A branch manager's campaign and audience stay in their branch.
  static void NarrowToBranch(const Principal& principal, SegmentDefinition& segment) {
    if (principal.role != UserRole::kBranchManager) return;
    CubeFilter branch{CubeDimension::kBranch, false, {principal.branch_id}};
    branch.from_scope = true;
    segment.cube.filters.push_back(std::move(branch));
  }

  std::vector<std::string> Holders(const SegmentDefinition& segment) {
    if (!segment.holds()) return {};
    std::vector<std::string> symbols = segment.holds_symbols;
    if (!segment.holds_industries.empty()) {
      auto securities = research_.Get().Securities();
      if (!securities.ok()) ThrowStatus(securities.status());
      for (const Security& s : *securities) {
        if (std::find(segment.holds_industries.begin(), segment.holds_industries.end(), s.industry) !=
            segment.holds_industries.end()) {
          symbols.push_back(s.symbol);
        }
      }
    }
    if (symbols.empty()) return {};
    auto holders = holdings_.Get().Holders(symbols);
    if (!holders.ok()) ThrowStatus(holders.status());
    return std::move(*holders);
  }

  SegmentDefinition ReadSegment(simdjson::dom::element value, std::string* canonical) {
    std::string json = simdjson::to_string(value);
    if (json.size() > kMaxSegment) throw ApiError{422, "invalid", "longer than 20,000 bytes", "segment"};
    auto segment = ParseSegment(json);
    if (!segment.ok()) ThrowStatus(segment.status());
    if (canonical) *canonical = std::move(json);
    return std::move(*segment);
  }

  // The live count while a segment is edited: who it selects, and of them whom the
  // gate (for the product's level), do-not-contact (for the channel) and the contact
  // budget would keep out.
  HttpResponse CountAudience(ModuleCall& call) {
    auto started = std::chrono::steady_clock::now();
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(call.request.body).get(body)) throw ApiError{400, "malformed", "the body is not a JSON object", ""};
    std::optional<SegmentDefinition> segment;
    CampaignChannel channel = CampaignChannel::kEmail;
    std::optional<ProductRisk> risk;
    CampaignPurpose purpose = CampaignPurpose::kPromotion;
    for (auto [key, value] : body) {
      std::string_view field = key;
      if (field == "segment") segment = ReadSegment(value, nullptr);
      else if (field == "channel") channel = EnumOf<CampaignChannel>(value, field);
      else if (field == "risk_level") risk = EnumOf<ProductRisk>(value, field);
      else if (field == "purpose") purpose = EnumOf<CampaignPurpose>(value, field);
      else throw ApiError{422, "invalid", "unknown field", std::string(field)};
    }
    if (!segment) throw ApiError{422, "invalid", "is required", "segment"};
    NarrowToBranch(call.principal, *segment);
    Exclusions exclusions;
    ReadExclusions(channel, purpose, risk, call.principal.login, exclusions);
    const AudienceRules& rules = exclusions.rules;
    std::vector<std::string> holders = Holders(*segment);
    Audience audience;
    Status segment_status;
    Check(environment_.read_live_facts([&](const FactTables& facts, const CubeContext& context) {
      auto members = EvaluateSegment(facts, context, *segment, holders, rules.today);
      if (!members.ok()) {
        segment_status = members.status();
        return;
      }
      audience = BuildAudience(facts, *members, rules);
    }));
    Check(segment_status);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    JsonWriter json;
    json.BeginObject();
    WriteCounts(json, audience.counts);
    json.Field("elapsed_ms", ms).EndObject();
    return JsonResponse(json.Take());
  }

  // The do-not-contact list and the contact budget as they stand, and today; the rules
  // point into it, so it stays where it is made.
  struct Exclusions {
    std::unordered_map<std::string, int64_t> contacts_30d;
    std::unordered_set<std::string> do_not_contact;
    std::optional<SuitabilityRoster> roster;
    AudienceRules rules;
  };
  void ReadExclusions(CampaignChannel channel, CampaignPurpose purpose, std::optional<ProductRisk> risk,
                      const std::string& actor, Exclusions& out) {
    AudienceRules& rules = out.rules;
    Timestamp now = environment_.now();
    rules.today = ShanghaiDate(now);
    rules.actor = actor;
    if (purpose == CampaignPurpose::kPromotion) {
      rules.promotes = risk;
      rules.budgeted = true;
      rules.contact_limit = options_.contact_limit;
      auto contacts = store_.Get().PromotionalContacts(Timestamp{now.seconds - 30 * 86400});
      if (!contacts.ok()) ThrowStatus(contacts.status());
      out.contacts_30d = std::move(*contacts);
      rules.contacts_30d = &out.contacts_30d;
    }
    auto dnc = store_.Get().DoNotContactSet(channel);
    if (!dnc.ok()) ThrowStatus(dnc.status());
    out.do_not_contact = std::move(*dnc);
    rules.do_not_contact = &out.do_not_contact;
    if (rules.promotes) {
      auto roster = SuitabilityRoster::Load(suitability_records_.Get(), suitability_);
      if (!roster.ok()) ThrowStatus(roster.status());
      out.roster = std::move(*roster);
      rules.roster = &*out.roster;
    }
  }

  HttpResponse Create(ModuleCall& call) {
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    if (parser.parse(call.request.body).get(body)) throw ApiError{400, "malformed", "the body is not a JSON object", ""};
    Campaign c;
    bool has_segment = false;
    for (auto [key, value] : body) {
      std::string_view field = key;
      std::string f(field);
      if (field == "name") c.name = BoundedString(value, f, kMaxName);
      else if (field == "segment") {
        ReadSegment(value, &c.segment);
        has_segment = true;
      } else if (field == "channel") c.channel = EnumOf<CampaignChannel>(value, f);
      else if (field == "purpose") c.purpose = EnumOf<CampaignPurpose>(value, f);
      else if (field == "subject") c.subject = BoundedString(value, f, kMaxSubject);
      else if (field == "body_text") c.body_text = BoundedString(value, f, kMaxBody);
      else if (field == "body_html") c.body_html = BoundedString(value, f, kMaxBody);
      else if (field == "sms_template_code") c.sms_template_code = BoundedString(value, f, kMaxCode);
      else if (field == "sms_sign_name") c.sms_sign_name = BoundedString(value, f, kMaxCode);
      else if (field == "link_url") c.link_url = BoundedString(value, f, kMaxUrl);
      else if (field == "product_id") c.product_id = BoundedString(value, f, kMaxCode);
      else if (field == "risk_level") {
        if (!value.is_null()) c.product_risk = EnumOf<ProductRisk>(value, f);
      } else if (field == "control_percent" || field == "conversion_days") {
        int64_t n = 0;
        int64_t max = field == "control_percent" ? 50 : 365;
        if (value.get_int64().get(n) || n < (field == "control_percent" ? 0 : 1) || n > max) {
          throw ApiError{422, "invalid", "expected a whole number up to " + std::to_string(max), f};
        }
        (field == "control_percent" ? c.control_percent : c.conversion_days) = static_cast<int>(n);
      } else if (field == "schedule") {
        if (!value.is_null()) {
          auto at = ParseTimestamp(StringOf(value, f));
          if (!at.ok()) throw ApiError{422, "invalid", at.status().message(), f};
          c.scheduled_at = *at;
        }
      } else {
        throw ApiError{422, "invalid", "unknown field", f};
      }
    }
    if (c.name.empty()) throw ApiError{422, "invalid", "is required", "name"};
    if (!has_segment) throw ApiError{422, "invalid", "is required", "segment"};
    if (c.channel == CampaignChannel::kSms) {
      if (c.sms_template_code.empty()) throw ApiError{422, "invalid", "is required for SMS", "sms_template_code"};
      if (c.body_text.empty()) throw ApiError{422, "invalid", "is required: the template's text, its parameters as {{fields}}", "body_text"};
    } else {
      if (c.subject.empty()) throw ApiError{422, "invalid", "is required", "subject"};
      if (c.body_text.empty()) throw ApiError{422, "invalid", "is required", "body_text"};
    }
    for (auto [field, text] : {std::pair{"subject", &c.subject}, {"body_text", &c.body_text}, {"body_html", &c.body_html}}) {
      Check(CheckTemplate(*text, field));
    }
    // The product's level comes from the product list when it is one; a level given
    // must match it.
    if (!c.product_id.empty()) {
      std::optional<Product> product;
      Check(call.store.ForEach(std::function<bool(const Product&)>([&](const Product& p) {
        if (p.product_id == c.product_id) product = p;
        return !product;
      })));
      if (product) {
        if (c.product_risk && *c.product_risk != product->risk_level) {
          throw ApiError{422, "invalid",
                         "product " + c.product_id + " is " + std::string(EnumCode(product->risk_level)) + ", not " +
                             std::string(EnumCode(*c.product_risk)),
                         "risk_level"};
        }
        c.product_risk = product->risk_level;
      }
    }
    if (call.principal.role == UserRole::kBranchManager) c.branch_id = call.principal.branch_id;
    c.created_by = call.principal.login;
    c.created_at = environment_.now();
    auto id = store_.Get().Create(c);
    if (!id.ok()) ThrowStatus(id.status());
    c.campaign_id = *id;
    Check(call.audit.RecordDurably(call.principal.login, "campaign.create", "campaign:" + std::to_string(*id),
                                   c.name + " (" + std::string(EnumCode(c.channel)) + ")", call.request.remote_address));
    JsonWriter json;
    WriteCampaign(json, c);
    return JsonResponse(json.Take(), 201);
  }

  HttpResponse List(ModuleCall& call) {
    CampaignListQuery query;
    if (call.principal.role == UserRole::kBranchManager) query.branch_id = call.principal.branch_id;
    query.limit = static_cast<int>(QueryInt(call.request, "limit", 50, 1, 200));
    query.before_id = QueryInt(call.request, "before", 0, 0, INT64_MAX);
    auto rows = store_.Get().List(query);
    if (!rows.ok()) ThrowStatus(rows.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Campaign& c : *rows) WriteCampaign(json, c);
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Show(ModuleCall& call) {
    JsonWriter json;
    WriteCampaign(json, Find(call));
    return JsonResponse(json.Take());
  }

  // One member's message: the templates filled with their fields, the tracked links and
  // the pixel under a new out id; for SMS the template's parameters as JSON.
  CampaignMessage RenderMessage(const Campaign& c, const Customer& customer, const std::string& tier, int64_t assets_fen,
                                const std::string& address, Timestamp now) const {
    CampaignMessage msg;
    msg.customer_id = customer.customer_id;
    msg.channel = c.channel;
    msg.out_id = NewOutId();
    msg.address = address;
    msg.promotional = c.purpose == CampaignPurpose::kPromotion;
    msg.queued_at = now;
    msg.next_attempt_at = c.scheduled_at.seconds > now.seconds ? c.scheduled_at : now;
    std::map<std::string, std::string> values = {
        {"name", customer.name},
        {"surname", FirstCharacter(customer.name)},
        {"customer_id", customer.customer_id},
        {"branch_id", customer.branch_id},
        {"broker_id", customer.broker_id},
        {"tier", tier},
        {"tier_zh", tier.empty() ? "" : std::string(EnumLabelZh(*ParseEnum<ValueTier>(tier)))},
        {"assets_yuan", FormatYuan(Money{assets_fen})},
        {"product_id", c.product_id},
        {"link_url", c.link_url.empty() ? "" : options_.public_url + "/api/v1/t/c/" + msg.out_id},
        {"unsubscribe_url", options_.public_url + "/api/v1/unsubscribe/" + msg.out_id},
    };
    msg.subject = FillTemplate(c.subject, values, false);
    msg.body_text = FillTemplate(c.body_text, values, false);
    if (!c.body_html.empty()) {
      msg.body_html = FillTemplate(c.body_html, values, true) + "<img src=\"" + options_.public_url + "/api/v1/t/o/" +
                      msg.out_id + "\" width=\"1\" height=\"1\" alt=\"\">";
    }
    if (c.channel == CampaignChannel::kSms) {
      JsonWriter params;
      params.BeginObject();
      for (const std::string& field : TemplatePlaceholders(c.body_text)) params.Field(field, values[field]);
      params.EndObject();
      msg.template_params = params.Take();
    }
    return msg;
  }

  // The audience is built over the live facts; its members' contact details and
  // template fields are read from the store; audience, messages and the running state
  // commit in one transaction; the gate's blocks go to its log.
  HttpResponse Launch(ModuleCall& call) {
    Campaign c = Find(call);
    if (c.state != CampaignState::kDraft) {
      throw ApiError{409, "conflict", "the campaign is " + std::string(EnumCode(c.state)) + ", not a draft", "state"};
    }
    if (c.purpose == CampaignPurpose::kPromotion && !c.product_risk) {
      throw ApiError{409, "conflict",
                     "a promotion needs its product's risk level (R1–R5) before it can launch: the suitability gate "
                     "decides by it",
                     "risk_level"};
    }
    if (!Configured(c.channel)) {
      throw ApiError{409, "conflict",
                     c.channel == CampaignChannel::kEmail ? "no SMTP server is configured (fincrm serve --smtp-url)"
                                                          : "no SMS gateway is configured (fincrm serve --sms-gateway-url)",
                     "channel"};
    }
    auto started = std::chrono::steady_clock::now();
    auto parsed = ParseSegment(c.segment);
    if (!parsed.ok()) ThrowStatus(parsed.status());
    SegmentDefinition segment = std::move(*parsed);
    if (!c.branch_id.empty()) {
      CubeFilter branch{CubeDimension::kBranch, false, {c.branch_id}};
      branch.from_scope = true;
      segment.cube.filters.push_back(std::move(branch));
    }
    Exclusions exclusions;
    ReadExclusions(c.channel, c.purpose, c.product_risk, call.principal.login, exclusions);
    AudienceRules& rules = exclusions.rules;
    rules.campaign_id = c.campaign_id;
    rules.control_percent = c.control_percent;
    std::vector<std::string> holders = Holders(segment);
    Audience audience;
    Status segment_status;
    struct Facts {
      std::string id, branch, broker, tier;
      int64_t assets_fen = 0;
    };
    std::vector<Facts> facts_of;  // per audience member
    Check(environment_.read_live_facts([&](const FactTables& facts, const CubeContext& context) {
      auto members = EvaluateSegment(facts, context, segment, holders, rules.today);
      if (!members.ok()) {
        segment_status = members.status();
        return;
      }
      audience = BuildAudience(facts, *members, rules);
      facts_of.reserve(audience.members.size());
      for (const AudienceMember& m : audience.members) {
        const CustomerAttributes& a = facts.Attributes(m.customer);
        int tier = m.customer < context.tier.size() ? context.tier[m.customer] : -1;
        facts_of.push_back({facts.CustomerId(m.customer), a.branch == kNoCode ? "" : facts.branches().Value(a.branch),
                            a.broker == kNoCode ? "" : facts.brokers().Value(a.broker),
                            tier < 0 ? "" : std::string(EnumCode(static_cast<ValueTier>(tier))),
                            facts.Totals(m.customer).latest_assets_fen});
      }
    }));
    Check(segment_status);
    Timestamp now = environment_.now();
    std::vector<CampaignRecipient> recipients;
    std::vector<CampaignMessage> messages;
    recipients.reserve(audience.members.size());
    c.launched_at = now;
    for (size_t k = 0; k < audience.members.size(); ++k) {
      const AudienceMember& m = audience.members[k];
      const Facts& f = facts_of[k];
      CampaignRecipient& r = recipients.emplace_back();
      r.campaign_id = c.campaign_id;
      r.customer_id = f.id;
      r.branch_id = f.branch;
      r.broker_id = f.broker;
      r.control = m.control;
      r.eligible = m.eligible;
      r.outcome = m.outcome;
      r.rule = m.rule;
      if (!m.eligible) continue;
      // The contact details, for the control group too: a member without one would not
      // have been reached, so is not compared.
      auto customer = call.store.GetCustomer(f.id);
      if (!customer.ok()) {
        if (customer.status().code() != StatusCode::kNotFound) ThrowStatus(customer.status());
        r.eligible = false;
        if (!r.control) r.outcome = RecipientOutcome::kNoAddress;
        continue;
      }
      std::string address = c.channel == CampaignChannel::kEmail ? customer->email
                            : c.channel == CampaignChannel::kSms ? customer->mobile
                                                                 : customer->customer_id;
      if (address.empty()) {
        r.eligible = false;
        if (!r.control) r.outcome = RecipientOutcome::kNoAddress;
        continue;
      }
      if (r.control) continue;
      messages.push_back(RenderMessage(c, *customer, f.tier, f.assets_fen, address, now));
    }
    const AudienceCounts& n = audience.counts;
    c.audience = n.count;
    c.control = n.control;
    c.suitability_blocked = n.blocked_by_suitability;
    c.do_not_contact = n.do_not_contact;
    c.contact_budget = n.contact_budget;
    c.messaged = static_cast<int64_t>(messages.size());
    c.no_address = n.reachable - c.messaged;
    Check(store_.Get().Launch(c, recipients, messages));
    for (SuitabilityDecisionRecord& block : audience.blocks) block.at = now;
    Check(suitability_records_.Get().LogDecisions(audience.blocks));
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    Check(call.audit.RecordDurably(call.principal.login, "campaign.launch", "campaign:" + std::to_string(c.campaign_id),
                                   "audience " + std::to_string(c.audience) + ", control " + std::to_string(c.control) +
                                       ", messages " + std::to_string(c.messaged) + ", blocked by suitability " +
                                       std::to_string(c.suitability_blocked),
                                   call.request.remote_address));
    dispatcher_->Wake();
    c.state = CampaignState::kRunning;
    JsonWriter json;
    json.BeginObject().Key("campaign");
    WriteCampaign(json, c);
    json.Field("elapsed_ms", ms).EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Transition(ModuleCall& call, std::vector<CampaignState> from, CampaignState to, std::string_view action) {
    Campaign c = Find(call);
    Check(store_.Get().SetState(c.campaign_id, from, to, environment_.now()));
    Check(call.audit.RecordDurably(call.principal.login, "campaign." + std::string(action),
                                   "campaign:" + std::to_string(c.campaign_id), c.name, call.request.remote_address));
    if (to == CampaignState::kRunning) dispatcher_->Wake();
    return Show(call);
  }
  HttpResponse Pause(ModuleCall& call) { return Transition(call, {CampaignState::kRunning}, CampaignState::kPaused, "pause"); }
  HttpResponse Resume(ModuleCall& call) { return Transition(call, {CampaignState::kPaused}, CampaignState::kRunning, "resume"); }
  HttpResponse Cancel(ModuleCall& call) {
    return Transition(call, {CampaignState::kDraft, CampaignState::kRunning, CampaignState::kPaused},
                      CampaignState::kCancelled, "cancel");
  }

  // In the caller's scope: a broker's customers, a branch manager's branch.
  HttpResponse Results(ModuleCall& call) {
    Campaign c = Find(call);
    auto recipients = store_.Get().Recipients(c.campaign_id);
    if (!recipients.ok()) ThrowStatus(recipients.status());
    DataScope scope = CustomerScopeOf(call.principal);
    std::vector<RecipientResult> visible;
    for (RecipientResult& r : *recipients) {
      if (scope.nobody || (!scope.branch_id.empty() && r.branch_id != scope.branch_id) ||
          (!scope.broker_id.empty() && r.broker_id != scope.broker_id)) {
        continue;
      }
      visible.push_back(std::move(r));
    }
    CampaignResults results;
    Check(environment_.read_live_facts([&](const FactTables& facts, const CubeContext&) {
      results = ComputeCampaignResults(facts, c, visible);
    }));
    JsonWriter json;
    json.BeginObject()
        .Field("campaign_id", c.campaign_id)
        .Field("state", EnumCode(c.state))
        .Field("purpose", EnumCode(c.purpose))
        .Field("product_id", c.product_id)
        .Field("conversion_days", c.conversion_days);
    WriteArm(json, "treated", results.treated);
    WriteArm(json, "control", results.control);
    WriteDifference(json, "conversion", results.conversion);
    if (results.churn) WriteDifference(json, "churn", *results.churn);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Messages(ModuleCall& call) {
    Campaign c = Find(call);
    MessageListQuery query;
    query.campaign_id = c.campaign_id;
    query.limit = static_cast<int>(QueryInt(call.request, "limit", 100, 1, 1000));
    query.after_id = QueryInt(call.request, "after", 0, 0, INT64_MAX);
    if (call.request.HasQuery("state")) {
      auto state = ParseEnum<MessageState>(call.request.Query("state"));
      if (!state) throw ApiError{422, "invalid", "expected " + EnumChoices<MessageState>(), "state"};
      query.state = *state;
    }
    auto rows = store_.Get().Messages(query);
    if (!rows.ok()) ThrowStatus(rows.status());
    DataScope scope = CustomerScopeOf(call.principal);
    bool everyone = scope.branch_id.empty() && scope.broker_id.empty() && !scope.nobody;
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    int64_t last = 0;
    for (const CampaignMessage& m : *rows) {
      last = m.message_id;
      if (!everyone) {
        auto customer = call.store.GetCustomer(m.customer_id);
        if (!customer.ok() || !InScope(call.principal, *customer)) continue;
      }
      WriteMessage(json, m);
    }
    json.EndArray().Key("next_after");
    if (static_cast<int>(rows->size()) == query.limit) json.Int(last);
    else json.Null();
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Receipts(ModuleCall& call) {
    auto receipts = ParseSmsReceipts(call.request.body, environment_.now());
    if (!receipts.ok()) ThrowStatus(receipts.status());
    int64_t applied = 0;
    std::vector<std::string> unknown;
    for (const DeliveryReceipt& r : *receipts) {
      auto message = store_.Get().ApplyReceipt(r);
      if (message.ok()) {
        ++applied;
        continue;
      }
      if (message.status().code() != StatusCode::kNotFound) ThrowStatus(message.status());
      unknown.push_back(r.out_id.empty() ? r.provider_id : r.out_id);
      std::fprintf(stderr, "campaigns: a receipt for no message: out id '%s', number '%s'\n", r.out_id.c_str(),
                   r.address.c_str());
    }
    if (!unknown.empty() && applied == 0) {
      throw ApiError{404, "not_found", "no message for out id '" + unknown.front() + "'", "out_id"};
    }
    // Both gateways' "received" answers, and the counts.
    JsonWriter json;
    json.BeginObject()
        .Field("code", 0)
        .Field("result", 0)
        .Field("msg", "成功")
        .Field("applied", applied)
        .Key("unknown")
        .BeginArray();
    for (const std::string& id : unknown) json.String(id);
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  // An upstream SMS answers the newest message sent to its number: a reply on the
  // timeline, and TD/退订 unsubscribes the number's customer from SMS.
  HttpResponse Replies(ModuleCall& call) {
    auto replies = ParseSmsReplies(call.request.body);
    if (!replies.ok()) ThrowStatus(replies.status());
    int64_t applied = 0, unsubscribed = 0;
    std::vector<std::string> unknown;
    for (const SmsReply& reply : *replies) {
      auto message = store_.Get().LatestSmsTo(reply.number);
      if (!message.ok()) ThrowStatus(message.status());
      if (!*message) {
        unknown.push_back(reply.number);
        std::fprintf(stderr, "campaigns: an SMS reply from a number no campaign wrote to\n");
        continue;
      }
      ++applied;
      Timestamp now = environment_.now();
      auto first = store_.Get().RecordResponse((*message)->out_id, CampaignStore::Response::kReply, now);
      if (!first.ok()) ThrowStatus(first.status());
      RecordResponse(**message, "replied", "回复短信：" + Utf8Prefix(reply.text, 300));
      if (reply.unsubscribe) {
        ++unsubscribed;
        Check(store_.Get().PutDoNotContact({(*message)->customer_id, CampaignChannel::kSms,
                                            DoNotContactReason::kUnsubscribed, "SMS reply " + Utf8Prefix(reply.text, 20),
                                            "customer", now}));
      }
    }
    if (!unknown.empty() && applied == 0) {
      throw ApiError{404, "not_found", "no campaign message was sent to " + unknown.front(), "phone_number"};
    }
    JsonWriter json;
    json.BeginObject()
        .Field("code", 0)
        .Field("result", 0)
        .Field("msg", "成功")
        .Field("applied", applied)
        .Field("unsubscribed", unsubscribed)
        .Field("unknown", static_cast<int64_t>(unknown.size()))
        .EndObject();
    return JsonResponse(json.Take());
  }

  CampaignChannel ChannelParam(ModuleCall& call) {
    auto channel = ParseEnum<CampaignChannel>(call.request.Param("channel"));
    if (!channel) throw ApiError{404, "not_found", "no channel '" + std::string(call.request.Param("channel")) + "'", "channel"};
    return *channel;
  }

  void WriteDoNotContacts(JsonWriter& json, const std::string& customer_id) {
    auto rows = store_.Get().DoNotContacts(customer_id);
    if (!rows.ok()) ThrowStatus(rows.status());
    json.BeginObject().Field("customer_id", customer_id).Key("items").BeginArray();
    for (const DoNotContact& d : *rows) {
      json.BeginObject()
          .Field("channel", EnumCode(d.channel))
          .Field("reason", EnumCode(d.reason))
          .Field("reason_label", EnumLabelZh(d.reason))
          .Field("note", d.note)
          .Field("recorded_by", d.recorded_by);
      WriteTime(json, "recorded_at", d.recorded_at);
      json.EndObject();
    }
    json.EndArray().EndObject();
  }

  HttpResponse ListDoNotContact(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    JsonWriter json;
    WriteDoNotContacts(json, customer.customer_id);
    return JsonResponse(json.Take());
  }

  HttpResponse PutDoNotContact(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    DoNotContact d;
    d.customer_id = customer.customer_id;
    d.channel = ChannelParam(call);
    d.reason = DoNotContactReason::kManual;
    if (!call.request.body.empty()) {
      for (const JsonField& f : JsonBody(call.request)) {
        if (f.name == "reason") d.reason = Enum<DoNotContactReason>(f);
        else if (f.name == "note") d.note = Text(f, 500);
        else throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    d.recorded_by = call.principal.login;
    d.recorded_at = environment_.now();
    Check(store_.Get().PutDoNotContact(d));
    Check(call.audit.RecordDurably(call.principal.login, "campaign.do_not_contact", customer.customer_id,
                                   std::string(EnumCode(d.channel)) + ": " + std::string(EnumCode(d.reason)),
                                   call.request.remote_address));
    JsonWriter json;
    WriteDoNotContacts(json, customer.customer_id);
    return JsonResponse(json.Take());
  }

  HttpResponse RemoveDoNotContact(ModuleCall& call) {
    Customer customer = VisibleCustomer(call, std::string(call.request.Param("customer_id")));
    CampaignChannel channel = ChannelParam(call);
    Check(store_.Get().RemoveDoNotContact(customer.customer_id, channel));
    Check(call.audit.RecordDurably(call.principal.login, "campaign.contact_allowed", customer.customer_id,
                                   std::string(EnumCode(channel)), call.request.remote_address));
    JsonWriter json;
    WriteDoNotContacts(json, customer.customer_id);
    return JsonResponse(json.Take());
  }

  // The response on the customer's timeline (once: a second open is not news).
  void RecordResponse(const CampaignMessage& m, std::string_view what, const std::string& subject) {
    if (!environment_.record_interaction) return;
    Interaction i;
    i.interaction_id = "campaign:" + m.out_id + ":" + std::string(what);
    i.customer_id = m.customer_id;
    i.occurred_at = environment_.now();
    i.channel = m.channel == CampaignChannel::kSms ? InteractionChannel::kSms
                : m.channel == CampaignChannel::kEmail ? InteractionChannel::kEmail
                                                       : InteractionChannel::kWebsite;
    i.direction = Direction::kInbound;
    i.type = InteractionType::kMarketing;
    i.subject = Utf8Prefix(subject + (m.subject.empty() ? "" : "：" + m.subject), 480);
    i.outcome = std::string(what);
    Status recorded = environment_.record_interaction(i);
    if (!recorded.ok()) std::fprintf(stderr, "campaigns: timeline: %s\n", recorded.ToString().c_str());
  }

  std::optional<CampaignMessage> MessageOf(ModuleCall& call) {
    std::string out_id(call.request.Param("out_id"));
    if (out_id.size() > 64) return std::nullopt;
    auto m = store_.Get().FindMessage(out_id);
    if (!m.ok()) ThrowStatus(m.status());
    return *m;
  }

  // Answers the pixel whatever the token: a mail client learns nothing from it.
  HttpResponse Opened(ModuleCall& call) {
    if (auto m = MessageOf(call)) {
      auto first = store_.Get().RecordResponse(m->out_id, CampaignStore::Response::kOpen, environment_.now());
      if (first.ok() && *first) RecordResponse(*m, "opened", "打开邮件");
    }
    HttpResponse response;
    response.content_type = "image/gif";
    response.body.assign(reinterpret_cast<const char*>(kPixel), sizeof kPixel);
    response.headers.push_back({"Cache-Control", "no-store"});
    return response;
  }

  // Redirects only to the campaign's own link: the token names the message, never a target.
  HttpResponse Clicked(ModuleCall& call) {
    auto m = MessageOf(call);
    if (!m) throw ApiError{404, "not_found", "no such link", "out_id"};
    auto campaign = store_.Get().Get(m->campaign_id);
    if (!campaign.ok()) ThrowStatus(campaign.status());
    if (!*campaign || (*campaign)->link_url.empty()) throw ApiError{404, "not_found", "no such link", "out_id"};
    auto first = store_.Get().RecordResponse(m->out_id, CampaignStore::Response::kClick, environment_.now());
    if (first.ok() && *first) RecordResponse(*m, "clicked", "点击链接");
    HttpResponse response;
    response.status = 302;
    response.content_type = "text/plain; charset=utf-8";
    response.headers.push_back({"Location", (*campaign)->link_url});
    response.headers.push_back({"Cache-Control", "no-store"});
    return response;
  }

  // The link in a message shows a page whose button posts; the post (that button, or a
  // mail client's one-click per RFC 8058) unsubscribes. A GET never does: link scanners
  // and previews follow links, and must not unsubscribe anyone.
  HttpResponse Unsubscribe(ModuleCall& call) {
    auto m = MessageOf(call);
    if (!m) throw ApiError{404, "not_found", "no such link", "out_id"};
    HttpResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.headers.push_back({"Cache-Control", "no-store"});
    if (call.request.method == "GET") {
      response.body = "<!doctype html><meta charset=\"utf-8\"><title>退订</title><form method=\"post\">"
                      "<p>退订后，我们不会再通过该渠道向您发送营销信息。 Unsubscribe from these messages?"
                      "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                      "<p><button type=\"submit\">确认退订 Unsubscribe</button></form>";
      return response;
    }
    DoNotContact d{m->customer_id, m->channel, DoNotContactReason::kUnsubscribed,
                   "campaign " + std::to_string(m->campaign_id), "customer", environment_.now()};
    Check(store_.Get().PutDoNotContact(d));
    RecordResponse(*m, "unsubscribed", "退订");
    response.body =
        "<!doctype html><meta charset=\"utf-8\"><title>退订成功</title><p>您已退订此类消息，我们不会再通过该渠道向您发送营销信息。"
        "<p>You have been unsubscribed.";
    return response;
  }

  SuitabilityOptions suitability_;
  CampaignOptions options_;
  ModuleEnvironment environment_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
  PerThread<CampaignStore> store_{[this] { return OpenCampaignStore(environment_.db_path); }};
  PerThread<HoldingStore> holdings_{[this] { return OpenHoldingStore(environment_.db_path); }};
  PerThread<ResearchStore> research_{[this] { return OpenResearchStore(environment_.db_path); }};
  PerThread<SuitabilityStore> suitability_records_{[this] { return OpenSuitabilityStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeCampaignModule() { return std::make_unique<CampaignModule>(); }

}  // namespace fincrm
