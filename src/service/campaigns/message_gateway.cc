#include "service/campaigns/message_gateway.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "core/json_writer.h"
#include "service/campaigns/message_template.h"

namespace fincrm {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UploadSource {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  size_t n = std::min(size * count, source->data->size() - source->offset);
  std::memcpy(buffer, source->data->data() + source->offset, n);
  source->offset += n;
  return n;
}

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

class SmtpGateway final : public MessageGateway {
 public:
  explicit SmtpGateway(SmtpOptions options) : options_(std::move(options)) {
    InitCurlOnce();
    curl_ = curl_easy_init();
  }
  ~SmtpGateway() override { curl_easy_cleanup(curl_); }
  CampaignChannel channel() const override { return CampaignChannel::kEmail; }
  // One message a claim: SMTP takes them one by one, so a larger claim would leave more
  // than the one in flight in doubt after a crash.
  int batch_limit() const override { return 1; }

  std::vector<SendOutcome> Send(const std::vector<CampaignMessage>& batch) override {
    std::vector<SendOutcome> outcomes;
    outcomes.reserve(batch.size());
    for (const CampaignMessage& m : batch) outcomes.push_back(SendOne(m));
    return outcomes;
  }

 private:
  SendOutcome SendOne(const CampaignMessage& m) {
    SendOutcome outcome;
    if (!curl_) {
      outcome.error = "libcurl did not initialise";
      return outcome;
    }
    if (m.address.find_first_of("<>\r\n ") != std::string::npos || m.address.find('@') == std::string::npos) {
      outcome.kind = SendOutcome::kRejected;
      outcome.error = "not an e-mail address: " + m.address;
      return outcome;
    }
    EmailContent content;
    content.from = options_.from;
    content.to = m.address;
    content.subject = m.subject;
    content.text = m.body_text;
    content.html = m.body_html;
    content.message_id = m.out_id + "@fincrm";
    content.date = m.sent_at;
    content.unsubscribe_url = options_.unsubscribe_base.empty() ? "" : options_.unsubscribe_base + m.out_id;
    std::string message = ComposeEmail(content);
    UploadSource source{&message};
    std::string from = "<" + options_.from + ">", to = "<" + m.address + ">";
    curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout_seconds));
    if (options_.starttls) curl_easy_setopt(curl_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!options_.user.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, options_.user.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, options_.password.c_str());
    }
    CURLcode rc = curl_easy_perform(curl_);
    long reply = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(recipients);
    if (rc == CURLE_OK) {
      outcome.kind = SendOutcome::kAccepted;
      return outcome;
    }
    outcome.error = "smtp: " + std::string(curl_easy_strerror(rc)) + (reply ? " (" + std::to_string(reply) + ")" : "");
    // A 5xx reply is permanent: 550/551/553 for this mailbox are hard bounces.
    if (reply >= 500 && reply < 600) {
      outcome.kind = SendOutcome::kRejected;
      outcome.hard_bounce = reply == 550 || reply == 551 || reply == 553;
    }
    return outcome;
  }

 private:
  SmtpOptions options_;
  CURL* curl_ = nullptr;
};

// Posts JSON, answers the reply's body or an error that says whether to retry.
struct HttpReply {
  bool transport_ok = false;
  long status = 0;
  std::string body;
  std::string error;
};

class JsonPoster {
 public:
  explicit JsonPoster(int timeout_seconds) : timeout_seconds_(timeout_seconds) {
    InitCurlOnce();
    curl_ = curl_easy_init();
    headers_ = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  }
  ~JsonPoster() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  HttpReply Post(const std::string& url, const std::string& body) {
    HttpReply reply;
    if (!curl_) {
      reply.error = "libcurl did not initialise";
      return reply;
    }
    // The handle is kept between requests: its connection stays open (keep-alive).
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, CollectBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds_));
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.transport_ok = rc == CURLE_OK;
    if (!reply.transport_ok) reply.error = curl_easy_strerror(rc);
    return reply;
  }

 private:
  int timeout_seconds_;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
};

std::vector<std::string> ParamValues(const std::string& params_json) {
  std::vector<std::string> values;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(params_json).get(object)) return values;
  for (auto [key, value] : object) {
    std::string_view text;
    values.emplace_back(value.get_string().get(text) ? std::string() : std::string(text));
  }
  return values;
}

class SmsGateway final : public MessageGateway {
 public:
  explicit SmsGateway(SmsGatewayOptions options) : options_(std::move(options)), poster_(options_.timeout_seconds) {}
  CampaignChannel channel() const override { return CampaignChannel::kSms; }
  // Aliyun takes up to 1,000 numbers a request, Tencent 200.
  int batch_limit() const override { return options_.provider == SmsProvider::kAliyun ? 1000 : 200; }

  std::vector<SendOutcome> Send(const std::vector<CampaignMessage>& batch) override {
    std::vector<SendOutcome> outcomes(batch.size());
    // One request per template and parameter set: SendSms fills every number alike.
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<size_t>> groups;
    for (size_t i = 0; i < batch.size(); ++i) {
      const CampaignMessage& m = batch[i];
      if (m.address.size() != 11 || m.address.find_first_not_of("0123456789") != std::string::npos) {
        outcomes[i].kind = SendOutcome::kRejected;
        outcomes[i].error = "not a mainland mobile number: " + m.address;
        continue;
      }
      groups[{m.template_code, m.sign_name.empty() ? options_.sign_name : m.sign_name, m.template_params}].push_back(i);
    }
    for (auto& [key, members] : groups) {
      std::vector<const CampaignMessage*> part;
      for (size_t i : members) part.push_back(&batch[i]);
      const auto& [code, sign, params] = key;
      if (options_.provider == SmsProvider::kAliyun) {
        SendAliyun(part, members, sign, code, outcomes);
      } else {
        SendTencent(part, members, sign, code, outcomes);
      }
    }
    return outcomes;
  }

 private:
  static void AllRetry(const std::vector<size_t>& members, const std::string& error, std::vector<SendOutcome>& out) {
    for (size_t i : members) out[i] = SendOutcome{SendOutcome::kRetry, false, false, "", error};
  }

  void SendAliyun(const std::vector<const CampaignMessage*>& part, const std::vector<size_t>& members,
                  const std::string& sign, const std::string& code, std::vector<SendOutcome>& out) {
    HttpReply reply = poster_.Post(options_.url, AliyunSendSmsBody(part, sign, code));
    if (!reply.transport_ok || reply.status >= 500 || reply.status == 429) {
      AllRetry(members, "sms gateway: " + (reply.transport_ok ? "HTTP " + std::to_string(reply.status) : reply.error), out);
      return;
    }
    simdjson::dom::parser parser;
    simdjson::dom::object body;
    std::string_view result_code, biz_id;
    if (parser.parse(reply.body).get(body) || body["Code"].get_string().get(result_code)) {
      AllRetry(members, "sms gateway: an answer that is not Aliyun's (HTTP " + std::to_string(reply.status) + ")", out);
      return;
    }
    if (result_code == "OK") {
      if (body["BizId"].get_string().get(biz_id)) biz_id = {};
      for (size_t i : members) out[i] = SendOutcome{SendOutcome::kAccepted, false, false, std::string(biz_id), ""};
      return;
    }
    // Flow control passes; a bad signature, template or number does not.
    bool passing = result_code.find("LIMIT_CONTROL") != std::string_view::npos ||
                   result_code.find("BUSINESS_LIMIT") != std::string_view::npos || result_code == "isp.SYSTEM_ERROR";
    for (size_t i : members) {
      out[i] = SendOutcome{passing ? SendOutcome::kRetry : SendOutcome::kRejected, false,
                           result_code == "isv.MOBILE_NUMBER_ILLEGAL", "", "sms gateway: " + std::string(result_code)};
    }
  }

  void SendTencent(const std::vector<const CampaignMessage*>& part, const std::vector<size_t>& members,
                   const std::string& sign, const std::string& code, std::vector<SendOutcome>& out) {
    HttpReply reply = poster_.Post(options_.url, TencentSendSmsBody(part, sign, code, options_.app_id));
    if (!reply.transport_ok || reply.status >= 500 || reply.status == 429) {
      AllRetry(members, "sms gateway: " + (reply.transport_ok ? "HTTP " + std::to_string(reply.status) : reply.error), out);
      return;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    simdjson::dom::array statuses;
    if (parser.parse(reply.body).get(body) || body["Response"]["SendStatusSet"].get_array().get(statuses)) {
      AllRetry(members, "sms gateway: an answer that is not Tencent's (HTTP " + std::to_string(reply.status) + ")", out);
      return;
    }
    // Matched by number: "+8613800000000".
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> by_number;  // serial, code
    for (simdjson::dom::element s : statuses) {
      std::string_view number, serial, status_code;
      if (s["PhoneNumber"].get_string().get(number)) continue;
      if (s["SerialNo"].get_string().get(serial)) serial = {};
      if (s["Code"].get_string().get(status_code)) status_code = {};
      if (number.size() > 3 && number.substr(0, 3) == "+86") number.remove_prefix(3);
      by_number[std::string(number)] = {std::string(serial), std::string(status_code)};
    }
    for (size_t k = 0; k < part.size(); ++k) {
      auto found = by_number.find(part[k]->address);
      SendOutcome& o = out[members[k]];
      if (found == by_number.end()) {
        o = SendOutcome{SendOutcome::kRetry, false, false, "", "sms gateway: no status for this number"};
      } else if (found->second.second == "Ok") {
        o = SendOutcome{SendOutcome::kAccepted, false, false, found->second.first, ""};
      } else {
        bool passing = found->second.second.find("LimitExceeded") != std::string::npos;
        o = SendOutcome{passing ? SendOutcome::kRetry : SendOutcome::kRejected, false, false, "",
                        "sms gateway: " + found->second.second};
      }
    }
  }

  SmsGatewayOptions options_;
  JsonPoster poster_;
};

class PortalGateway final : public MessageGateway {
 public:
  explicit PortalGateway(std::function<Status(const std::vector<Interaction>&)> record) : record_(std::move(record)) {}
  CampaignChannel channel() const override { return CampaignChannel::kPortal; }
  int batch_limit() const override { return 500; }
  std::vector<SendOutcome> Send(const std::vector<CampaignMessage>& batch) override {
    std::vector<Interaction> items;
    for (const CampaignMessage& m : batch) {
      Interaction& i = items.emplace_back();
      i.interaction_id = "campaign:" + m.out_id;
      i.customer_id = m.customer_id;
      i.occurred_at = m.sent_at;
      i.channel = InteractionChannel::kWebsite;
      i.direction = Direction::kOutbound;
      i.type = m.promotional ? InteractionType::kMarketing : InteractionType::kAdvisory;
      i.subject = Utf8Prefix(m.subject, 480);
      i.notes = Utf8Prefix(m.body_text, 4000);
      i.outcome = "delivered";
    }
    Status recorded = record_(items);
    std::vector<SendOutcome> outcomes(batch.size());
    for (SendOutcome& o : outcomes) {
      o = recorded.ok() ? SendOutcome{SendOutcome::kAccepted, true, false, "", ""}
                        : SendOutcome{SendOutcome::kRetry, false, false, "", "portal: " + recorded.message()};
    }
    return outcomes;
  }

 private:
  std::function<Status(const std::vector<Interaction>&)> record_;
};

}  // namespace

std::string AliyunSendSmsBody(const std::vector<const CampaignMessage*>& batch, const std::string& sign_name,
                              const std::string& template_code) {
  std::string numbers;
  for (const CampaignMessage* m : batch) numbers += (numbers.empty() ? "" : ",") + m->address;
  JsonWriter json;
  json.BeginObject()
      .Field("PhoneNumbers", numbers)
      .Field("SignName", sign_name)
      .Field("TemplateCode", template_code)
      .Field("TemplateParam", batch.empty() ? std::string("{}") : batch.front()->template_params)
      .Field("OutId", batch.empty() ? std::string() : batch.front()->batch_id)
      .EndObject();
  return json.Take();
}

std::string TencentSendSmsBody(const std::vector<const CampaignMessage*>& batch, const std::string& sign_name,
                               const std::string& template_id, const std::string& app_id) {
  JsonWriter json;
  json.BeginObject().Key("PhoneNumberSet").BeginArray();
  for (const CampaignMessage* m : batch) json.String("+86" + m->address);
  json.EndArray().Field("SmsSdkAppId", app_id).Field("TemplateId", template_id).Field("SignName", sign_name);
  json.Key("TemplateParamSet").BeginArray();
  if (!batch.empty()) {
    for (const std::string& value : ParamValues(batch.front()->template_params)) json.String(value);
  }
  json.EndArray().Field("SessionContext", batch.empty() ? std::string() : batch.front()->batch_id).EndObject();
  return json.Take();
}

std::unique_ptr<MessageGateway> MakeSmtpGateway(SmtpOptions options) {
  return std::make_unique<SmtpGateway>(std::move(options));
}
std::unique_ptr<MessageGateway> MakeSmsGateway(SmsGatewayOptions options) {
  return std::make_unique<SmsGateway>(std::move(options));
}
std::unique_ptr<MessageGateway> MakePortalGateway(std::function<Status(const std::vector<Interaction>&)> record) {
  return std::make_unique<PortalGateway>(std::move(record));
}

}  // namespace fincrm
