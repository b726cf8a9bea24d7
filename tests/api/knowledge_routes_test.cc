// The knowledge base over HTTP: articles in Chinese and English found by a phrase of
// either (two-character Chinese words included), in the caller's category, with the
// match shown; versions on every change; who acknowledged which version.
#include <gtest/gtest.h>

#include <set>

#include "api/api_test_support.h"

namespace fincrm::testing {
namespace {

TEST(KnowledgeRoutesTest, SearchVersionsAndAcknowledgements) {
  DemoServer demo;
  demo.Start(100);
  ApiClient compliance = demo.As("compliance"), agent = demo.As("agent"), research = demo.As("research");
  auto create = [&](const std::string& body) {
    Reply created = compliance.Post("/api/v1/kb/articles", body);
    EXPECT_EQ(created.status, 201) << created.body;
    return int64_t(created.json["article_id"]);
  };
  int64_t open_account = create(
      R"({"category":"开户","title":"新开户回访话术","body":"您好，我是证券公司客服。您近期在我司办理了开户业务，请确认是否本人办理，并已知晓风险测评结果与适当性匹配情况。","must_acknowledge":true})");
  int64_t risk = create(
      R"({"category":"适当性","title":"风险测评到期提醒","body":"客户风险测评有效期为两年，到期后仅可购买R1产品，请提醒客户重新测评。"})");
  int64_t reset = create(
      R"({"category":"账户","title":"Resetting a trading password","body":"Verify the caller's identity with the ID number and the mobile on file, then send the reset SMS. Never read a password aloud."})");

  auto ids = [](const Reply& reply) {
    std::set<int64_t> found;
    for (auto item : reply.json["items"].get_array()) found.insert(int64_t(item["article_id"]));
    return found;
  };
  Reply two_characters = agent.Get("/api/v1/kb/search?q=" + std::string("%E5%BC%80%E6%88%B7"));  // 开户
  ASSERT_EQ(two_characters.status, 200) << two_characters.body;
  EXPECT_EQ(ids(two_characters), (std::set<int64_t>{open_account}));
  EXPECT_NE(Str(two_characters.json["items"].at(0)["snippet"]).find("【开户】"), std::string::npos)
      << two_characters.body;
  Reply phrase = agent.Get("/api/v1/kb/search?q=" + std::string("%E9%A3%8E%E9%99%A9%E6%B5%8B%E8%AF%84"));  // 风险测评
  ASSERT_EQ(phrase.status, 200);
  EXPECT_EQ(ids(phrase), (std::set<int64_t>{open_account, risk}));
  EXPECT_EQ(int64_t(phrase.json["items"].at(0)["article_id"]), risk) << "a match in the title comes first";
  Reply in_category = agent.Get("/api/v1/kb/search?q=%E9%A3%8E%E9%99%A9%E6%B5%8B%E8%AF%84&category=%E5%BC%80%E6%88%B7");
  EXPECT_EQ(ids(in_category), (std::set<int64_t>{open_account}));
  EXPECT_EQ(ids(research.Get("/api/v1/kb/search?q=PASSWORD")), (std::set<int64_t>{reset})) << "English, any case";
  EXPECT_EQ(ids(agent.Get("/api/v1/kb/search?q=%22aloud")).size(), 0u) << "quotes are text, not syntax";
  EXPECT_EQ(ids(agent.Get("/api/v1/kb/search?q=read%20a%20password")), (std::set<int64_t>{reset}));
  EXPECT_EQ(ids(agent.Get("/api/v1/kb/search?q=%25")).size(), 0u) << "a LIKE wildcard is text";
  EXPECT_EQ(agent.Get("/api/v1/kb/search").status, 400);
  for (const char* bad : {"ab%00cd", "%E5%BC", "x%0Ay", "%FF%FE%FD"}) {  // NUL, cut UTF-8, newline, not UTF-8
    EXPECT_EQ(agent.Get(std::string("/api/v1/kb/search?q=") + bad).status, 400) << bad;
  }
  EXPECT_EQ(agent.Get("/api/v1/kb/search?q=" + std::string(101, 'x')).status, 400);

  // Who may write: compliance and admins; not agents, not integrations.
  EXPECT_EQ(agent.Post("/api/v1/kb/articles", R"({"category":"x","title":"x","body":"x"})").status, 403);
  ApiClient feed(demo.port);
  EXPECT_EQ(feed.Get("/api/v1/kb/search?q=abc", {{"X-API-Key", demo.api_key}}).status, 403);
  Reply missing = compliance.Post("/api/v1/kb/articles", R"({"category":"x","title":"x"})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(Str(missing.json["error"]["field"]), "body");
  Reply not_bool = compliance.Post("/api/v1/kb/articles", R"({"category":"x","title":"x","body":"x","must_acknowledge":"yes"})");
  EXPECT_EQ(not_bool.status, 422);
  EXPECT_EQ(Str(not_bool.json["error"]["field"]), "must_acknowledge");

  // Acknowledgements are per version: a revision asks again.
  std::string path = "/api/v1/kb/articles/" + std::to_string(open_account);
  EXPECT_FALSE(bool(agent.Get(path).json["acknowledged"]));
  Reply acked = agent.Post(path + "/acknowledge", "");
  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(int64_t(acked.json["version"]), 1);
  EXPECT_TRUE(bool(agent.Get(path).json["acknowledged"]));
  EXPECT_EQ(agent.Post(path + "/acknowledge", "").status, 200) << "twice is once";
  Reply revised = compliance.Patch(path, R"({"body":"您好，我是证券公司客服，工号请报给客户。您近期在我司办理了开户业务。"})");
  ASSERT_EQ(revised.status, 200) << revised.body;
  EXPECT_EQ(int64_t(revised.json["version"]), 2);
  EXPECT_EQ(Str(revised.json["title"]), "新开户回访话术");
  EXPECT_FALSE(bool(agent.Get(path).json["acknowledged"]));
  EXPECT_EQ(ids(agent.Get("/api/v1/kb/search?q=%E5%B7%A5%E5%8F%B7")), (std::set<int64_t>{open_account}))
      << "the index follows the revision";  // 工号
  EXPECT_EQ(ids(agent.Get("/api/v1/kb/search?q=%E9%80%82%E5%BD%93%E6%80%A7%E5%8C%B9%E9%85%8D")).size(), 0u)
      << "text removed by the revision is no longer found";  // 适当性匹配
  Reply who = compliance.Get("/api/v1/kb/acknowledgements?article_id=" + std::to_string(open_account));
  ASSERT_EQ(who.status, 200);
  ASSERT_EQ(who.json["items"].get_array().size(), 1u) << who.body;
  EXPECT_EQ(Str(who.json["items"].at(0)["login"]), "agent");
  EXPECT_EQ(int64_t(who.json["items"].at(0)["version"]), 1);
  EXPECT_EQ(agent.Get("/api/v1/kb/acknowledgements").status, 403);
  EXPECT_EQ(agent.Get("/api/v1/kb/articles/999999").status, 404);
  EXPECT_EQ(agent.Post("/api/v1/kb/articles/999999/acknowledge", "").status, 404);
  EXPECT_EQ(compliance.Patch(path, R"({"title":""})").status, 422);
  demo.Stop();
}

}  // namespace
}  // namespace fincrm::testing
