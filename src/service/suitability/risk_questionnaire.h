// The risk questionnaire (风险承受能力评估问卷): versioned questions whose options carry
// scores; the total gives the category C1–C5, and certain answers put the investor in
// the lowest category whatever the score (基金募集机构投资者适当性管理实施指引 Art 29:
// no full civil capacity, or unwilling to bear any loss; and no steady income).
// A version is never changed once used: answers are kept against the version asked.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/suitability.h"

namespace fincrm {

struct QuestionOption {
  std::string_view code;  // "A"
  std::string_view text;
  int score = 0;
  bool lowest_category = false;  // choosing it makes the investor lowest category
};

struct Question {
  std::string_view id;  // "q1"
  std::string_view text;
  std::vector<QuestionOption> options;
};

struct RiskQuestionnaire {
  std::string_view version;
  std::string_view title;
  std::vector<Question> questions;
  // Upper bounds of the C1–C4 score bands (inclusive); above the last is C5.
  int band_tops[4] = {};
};

// Every version, oldest first; the last is the one new assessments answer.
std::span<const RiskQuestionnaire> RiskQuestionnaires();
const RiskQuestionnaire& CurrentRiskQuestionnaire();
// nullptr for an unknown version.
const RiskQuestionnaire* FindRiskQuestionnaire(std::string_view version);

struct QuestionnaireResult {
  int score = 0;
  RiskLevel category = RiskLevel::kC1;
  bool lowest_category = false;
  std::vector<std::pair<std::string, std::string>> answers;  // in question order
};

// Scores one answer per question. InvalidArgument naming the question ("answers.q3")
// for a missing answer, an answer to a question the version does not have, a second
// answer to a question, or an option the question does not offer.
Result<QuestionnaireResult> ScoreQuestionnaire(const RiskQuestionnaire& questionnaire,
                                               const std::vector<std::pair<std::string, std::string>>& answers);

}  // namespace fincrm
