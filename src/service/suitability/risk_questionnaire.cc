#include "service/suitability/risk_questionnaire.h"

#include <algorithm>
#include <map>

namespace fincrm {
namespace {

// Modelled on the industry's model questionnaire for ordinary natural-person investors
// (中国证券业协会《个人投资者风险承受能力评估问卷》), eleven questions, 0–90 points.
const RiskQuestionnaire kQuestionnaires[] = {
    {"2026-01",
     "个人投资者风险承受能力评估问卷（2026 年版）",
     {
         {"q1", "您是否具有完全民事行为能力？", {{"A", "是", 0}, {"B", "否", 0, true}}},
         {"q2", "您的年龄是：", {{"A", "18–30 岁", 6}, {"B", "31–50 岁", 8}, {"C", "51–64 岁", 4}, {"D", "65 岁及以上", 1}}},
         {"q3", "您的主要收入来源是：",
          {{"A", "工资、劳务报酬", 2},
           {"B", "生产经营所得", 4},
           {"C", "利息、股息、转让证券等金融性资产收入", 6},
           {"D", "出租、出售房地产等非金融性资产收入", 4},
           {"E", "无固定收入", 0, true}}},
         {"q4", "您的家庭可支配年收入为（折合人民币）：",
          {{"A", "10 万元以下", 0}, {"B", "10–50 万元", 3}, {"C", "50–100 万元", 6}, {"D", "100–500 万元", 8}, {"E", "500 万元以上", 10}}},
         {"q5", "在您每年的家庭可支配收入中，可用于金融投资（储蓄存款除外）的比例为：",
          {{"A", "小于 10%", 2}, {"B", "10%–25%", 4}, {"C", "25%–50%", 8}, {"D", "大于 50%", 10}}},
         {"q6", "您是否有尚未清偿的数额较大的债务？",
          {{"A", "有，亲戚朋友借款或信用卡、消费信贷等短期债务", 0}, {"B", "有，住房抵押贷款等长期定额债务", 2}, {"C", "没有", 4}}},
         {"q7", "您的投资知识可描述为：",
          {{"A", "有限：基本没有金融产品方面的知识", 0}, {"B", "一般：对金融产品及其相关风险具有基本的知识和理解", 4},
           {"C", "丰富：对金融产品及其相关风险具有丰富的知识和理解", 8}}},
         {"q8", "您有多少年投资股票、基金、债券、期货、期权等风险投资品的经验？",
          {{"A", "没有经验", 0}, {"B", "少于 2 年", 3}, {"C", "2–5 年", 6}, {"D", "5–10 年", 8}, {"E", "10 年以上", 10}}},
         {"q9", "您计划的投资期限是多久？", {{"A", "1 年以下", 2}, {"B", "1–3 年", 4}, {"C", "3–5 年", 6}, {"D", "5 年以上", 8}}},
         {"q10", "您的投资目标是：", {{"A", "资产保值，不愿承担风险", 2}, {"B", "资产稳健增长", 6}, {"C", "资产迅速增长", 10}}},
         {"q11", "您能承受的最大投资损失是多少？",
          {{"A", "不能承受任何损失", 0, true},
           {"B", "10% 以内", 4},
           {"C", "10%–30%", 8},
           {"D", "30%–50%", 12},
           {"E", "超过 50%", 16}}},
     },
     {20, 36, 53, 72}},
};

}  // namespace

std::span<const RiskQuestionnaire> RiskQuestionnaires() { return kQuestionnaires; }

const RiskQuestionnaire& CurrentRiskQuestionnaire() { return kQuestionnaires[std::size(kQuestionnaires) - 1]; }

const RiskQuestionnaire* FindRiskQuestionnaire(std::string_view version) {
  for (const RiskQuestionnaire& q : kQuestionnaires) {
    if (q.version == version) return &q;
  }
  return nullptr;
}

Result<QuestionnaireResult> ScoreQuestionnaire(const RiskQuestionnaire& questionnaire,
                                               const std::vector<std::pair<std::string, std::string>>& answers) {
  std::map<std::string_view, std::string_view> given;
  for (const auto& answer : answers) {
    // Named, not a structured binding: clang 14 cannot capture those in a lambda.
    const std::string& question = answer.first;
    const std::string& option = answer.second;
    std::string field = "answers." + question;
    auto asked = std::find_if(questionnaire.questions.begin(), questionnaire.questions.end(),
                              [&](const Question& q) { return q.id == question; });
    if (asked == questionnaire.questions.end()) {
      return InvalidArgument("version " + std::string(questionnaire.version) + " has no question '" + question + "'", field);
    }
    if (!given.emplace(asked->id, option).second) return InvalidArgument("answered twice", field);
  }
  QuestionnaireResult result;
  for (const Question& q : questionnaire.questions) {
    std::string field = "answers." + std::string(q.id);
    auto answer = given.find(q.id);
    if (answer == given.end()) return InvalidArgument("no answer to question " + std::string(q.id) + ": " + std::string(q.text), field);
    auto chosen = std::find_if(q.options.begin(), q.options.end(),
                               [&](const QuestionOption& o) { return o.code == answer->second; });
    if (chosen == q.options.end()) {
      std::string codes;
      for (const QuestionOption& o : q.options) codes += (codes.empty() ? "" : ", ") + std::string(o.code);
      return InvalidArgument("'" + std::string(answer->second) + "' is not an option (" + codes + ")", field);
    }
    result.score += chosen->score;
    result.lowest_category |= chosen->lowest_category;
    result.answers.emplace_back(std::string(q.id), std::string(chosen->code));
  }
  int band = 0;
  while (band < 4 && result.score > questionnaire.band_tops[band]) ++band;
  result.category = result.lowest_category ? RiskLevel::kC1 : static_cast<RiskLevel>(band);
  return result;
}

}  // namespace fincrm
