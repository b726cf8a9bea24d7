// The SMS gateway adapters against a local HTTP endpoint that answers as Aliyun's and
// Tencent's SendSms do: what each answer means for each message (accepted with the
// gateway's id, retried, or refused, a bad number a hard bounce), and one request per
// template parameter set.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "service/campaigns/message_gateway.h"

namespace fincrm {
namespace {

class SmsEndpoint {
 public:
  explicit SmsEndpoint(std::function<std::pair<int, std::string>(const std::string&)> answer) : answer_(std::move(answer)) {
    server_.Post("/sms", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(request.body);
      }
      auto [status, body] = answer_(request.body);
      response.status = status;
      response.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~SmsEndpoint() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  std::function<std::pair<int, std::string>(const std::string&)> answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
};

CampaignMessage Sms(const std::string& number, const std::string& params) {
  CampaignMessage m;
  m.address = number;
  m.template_params = params;
  m.template_code = "SMS_1";
  m.batch_id = "batch-1";
  return m;
}

TEST(SmsGatewayAdapterTest, AliyunAnswersDecideEachMessage) {
  std::string code = "OK";
  int status = 200;
  SmsEndpoint endpoint([&](const std::string&) {
    return std::pair{status, code == "not json" ? std::string("<html>") : R"({"Code":")" + code + R"(","BizId":"biz-9"})"};
  });
  auto gateway = MakeSmsGateway({SmsProvider::kAliyun, endpoint.url(), "示例证券", "", 5});
  std::vector<CampaignMessage> batch = {Sms("13800000000", R"({"day":"周六"})"), Sms("13800000001", R"({"day":"周六"})"),
                                        Sms("13800000002", R"({"day":"周日"})"), Sms("1380000", R"({"day":"周六"})")};
  auto outcomes = gateway->Send(batch);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, SendOutcome::kAccepted);
  EXPECT_EQ(outcomes[0].provider_id, "biz-9");
  EXPECT_EQ(outcomes[3].kind, SendOutcome::kRejected);  // not a mobile number: never sent
  EXPECT_EQ(endpoint.bodies().size(), 2u);              // one request per parameter set
  for (auto [answer, http, expected] : {std::tuple{"isv.BUSINESS_LIMIT_CONTROL", 200, SendOutcome::kRetry},
                                        std::tuple{"isv.MOBILE_NUMBER_ILLEGAL", 200, SendOutcome::kRejected},
                                        std::tuple{"isv.SMS_SIGNATURE_ILLEGAL", 200, SendOutcome::kRejected},
                                        std::tuple{"OK", 503, SendOutcome::kRetry},
                                        std::tuple{"not json", 200, SendOutcome::kRetry}}) {
    code = answer;
    status = http;
    auto one = gateway->Send({Sms("13800000000", "{}")});
    EXPECT_EQ(one[0].kind, expected) << answer << " " << http;
    EXPECT_EQ(one[0].hard_bounce, code == "isv.MOBILE_NUMBER_ILLEGAL");
  }
}

TEST(SmsGatewayAdapterTest, TencentStatusesAreMatchedByNumber) {
  SmsEndpoint endpoint([](const std::string&) {
    return std::pair{200, std::string(R"({"Response":{"SendStatusSet":[
        {"SerialNo":"s-1","PhoneNumber":"+8613800000000","Fee":1,"Code":"Ok","Message":"send success"},
        {"SerialNo":"","PhoneNumber":"+8613800000001","Fee":0,"Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"x"},
        {"SerialNo":"","PhoneNumber":"+8613800000002","Fee":0,"Code":"InvalidParameterValue.IncorrectPhoneNumber","Message":"x"}],
        "RequestId":"r"}})")};
  });
  auto gateway = MakeSmsGateway({SmsProvider::kTencent, endpoint.url(), "示例证券", "1400000000", 5});
  std::vector<CampaignMessage> batch = {Sms("13800000000", "{}"), Sms("13800000001", "{}"), Sms("13800000002", "{}"),
                                        Sms("13800000003", "{}")};
  auto outcomes = gateway->Send(batch);
  EXPECT_EQ(outcomes[0].kind, SendOutcome::kAccepted);
  EXPECT_EQ(outcomes[0].provider_id, "s-1");
  EXPECT_EQ(outcomes[1].kind, SendOutcome::kRetry);
  EXPECT_EQ(outcomes[2].kind, SendOutcome::kRejected);
  EXPECT_EQ(outcomes[3].kind, SendOutcome::kRetry);  // no status for it: not known to be sent
  ASSERT_EQ(endpoint.bodies().size(), 1u);
  EXPECT_NE(endpoint.bodies()[0].find(R"("SmsSdkAppId":"1400000000")"), std::string::npos);
}

TEST(SmsGatewayAdapterTest, NoEndpointMeansRetry) {
  auto gateway = MakeSmsGateway({SmsProvider::kAliyun, "http://127.0.0.1:1/sms", "示例证券", "", 2});
  auto outcomes = gateway->Send({Sms("13800000000", "{}")});
  EXPECT_EQ(outcomes[0].kind, SendOutcome::kRetry);
  EXPECT_FALSE(outcomes[0].error.empty());
}

}  // namespace
}  // namespace fincrm
