// Fuzzes what campaigns take from outside: the first byte picks the parser, the rest is
// its input.
//   0: a segment definition, parsed and (when valid) evaluated over the fact fixture
//      (fuzz_fact_fixture.h) with an audience built from it;
//   1: an SMS gateway's status-report push (Aliyun's or Tencent's shape);
//   2: a message template, checked and filled;
//   3: an SMS gateway's push of upstream replies.
// Besides "no crash, no sanitizer report": a refusal names the field, a segment's
// members are valid ascending customer indexes and never closed, counts add up, and a
// checked template fills without a placeholder left.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "fuzz/fuzz_fact_fixture.h"
#include "service/campaigns/campaign_audience.h"
#include "service/campaigns/message_template.h"
#include "service/campaigns/segment.h"
#include "service/campaigns/sms_receipts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fincrm;
  static const std::unique_ptr<fuzz::Fixture> fixture = fuzz::Build();
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto segment = ParseSegment(input);
      if (!segment.ok()) {
        if (segment.status().field().rfind("segment", 0) != 0 || segment.status().message().empty()) std::abort();
        return 0;
      }
      std::vector<std::string> holders = {"C1001", "C1005", "nobody"};
      auto members = EvaluateSegment(fixture->facts, fixture->context, *segment, holders, Date{DaysFromCivil(2026, 10, 30)});
      if (!members.ok()) {
        if (members.status().field().rfind("segment", 0) != 0 || members.status().message().empty()) std::abort();
        return 0;
      }
      for (size_t i = 0; i < members->size(); ++i) {
        uint32_t c = (*members)[i];
        if (c >= fixture->facts.customer_count() || (i && (*members)[i - 1] >= c)) std::abort();
        if (fixture->facts.Attributes(c).status == CustomerStatus::kClosed) std::abort();
      }
      AudienceRules rules;
      rules.campaign_id = static_cast<int64_t>(size);
      rules.control_percent = static_cast<int>(size % 51);
      Audience audience = BuildAudience(fixture->facts, *members, rules);
      const AudienceCounts& n = audience.counts;
      if (n.count != static_cast<int64_t>(members->size()) || n.control + n.reachable > n.count) std::abort();
      return 0;
    }
    case 1: {
      auto receipts = ParseSmsReceipts(input, Timestamp{1});
      if (!receipts.ok()) {
        if (receipts.status().field().empty() || receipts.status().message().empty()) std::abort();
        return 0;
      }
      for (const DeliveryReceipt& r : *receipts) {
        if (r.out_id.empty() && r.provider_id.empty()) std::abort();
        if (r.delivered && r.hard_bounce) std::abort();
      }
      return 0;
    }
    case 3: {
      auto replies = ParseSmsReplies(input);
      if (!replies.ok()) {
        if (replies.status().field().empty() || replies.status().message().empty()) std::abort();
        return 0;
      }
      for (const SmsReply& r : *replies) {
        if (r.number.empty()) std::abort();
      }
      return 0;
    }
    default: {
      Status checked = CheckTemplate(input, "body_text");
      if (!checked.ok()) {
        if (checked.field() != "body_text") std::abort();
        return 0;
      }
      std::map<std::string, std::string> values;
      for (std::string_view name : TemplateFieldNames()) values[std::string(name)] = "值";
      std::string filled = FillTemplate(input, values, size % 2 == 0);
      for (const std::string& name : TemplatePlaceholders(input)) {
        if (!values.count(name)) std::abort();
      }
      (void)filled;
      return 0;
    }
  }
}
