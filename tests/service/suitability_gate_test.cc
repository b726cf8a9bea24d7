// The suitability gate's rules (CSRC Order 130) one by one, the questionnaire's scoring
// and its errors, and the gate over a real store: decisions logged, attempts capped,
// Art 19 overrides bound to their customer and level.
#include <gtest/gtest.h>

#include "service/suitability/risk_questionnaire.h"
#include "service/suitability/suitability_gate.h"
#include "storage/open_store.h"
#include "support/temp_dir.h"

namespace fincrm::testing {
namespace {

const Date kToday{DaysFromCivil(2026, 12, 3)};

InvestorStanding Graded(RiskLevel level) {
  InvestorStanding s;
  s.category = level;
  s.assessed_on = Date{kToday.days - 100};
  s.valid_until = Date{kToday.days + 600};
  return s;
}

TEST(SuitabilityGateTest, EachCategoryMatchesItsLevelsAndNoMore) {
  for (int c = 0; c < 5; ++c) {
    for (int r = 0; r < 5; ++r) {
      auto d = DecideSuitability(Graded(static_cast<RiskLevel>(c)), static_cast<ProductRisk>(r),
                                 SuitabilityPurpose::kPromotion);
      EXPECT_EQ(d.allowed, r <= c) << "C" << c + 1 << " R" << r + 1 << ": " << d.rule;
      if (r > c) {
        EXPECT_EQ(d.rule, "above_tolerance");
        EXPECT_FALSE(d.overridable) << "Art 22: no active promotion above tolerance, whatever is recorded";
      }
    }
  }
  auto c2_r4 = DecideSuitability(Graded(RiskLevel::kC2), ProductRisk::kR4, SuitabilityPurpose::kPromotion);
  EXPECT_FALSE(c2_r4.allowed);
  EXPECT_NE(c2_r4.message.find("R4"), std::string::npos) << c2_r4.message;
  EXPECT_NE(c2_r4.message.find("C2"), std::string::npos) << c2_r4.message;
  auto asked = DecideSuitability(Graded(RiskLevel::kC2), ProductRisk::kR4, SuitabilityPurpose::kCustomerRequest);
  EXPECT_FALSE(asked.allowed);
  EXPECT_TRUE(asked.overridable) << "Art 19: the customer's own request, after the warning";
}

TEST(SuitabilityGateTest, LowestCategoryExpiredAndUnassessedGetR1Only) {
  InvestorStanding lowest = Graded(RiskLevel::kC1);
  lowest.lowest_category = true;
  InvestorStanding expired = Graded(RiskLevel::kC5);
  expired.expired = true;
  InvestorStanding never;
  for (auto [standing, rule] : {std::pair{&lowest, "lowest_category"}, {&expired, "assessment_expired"},
                                {&never, "no_assessment"}}) {
    EXPECT_TRUE(DecideSuitability(*standing, ProductRisk::kR1, SuitabilityPurpose::kPromotion).allowed) << rule;
    for (int r = 1; r < 5; ++r) {
      for (auto purpose : {SuitabilityPurpose::kPromotion, SuitabilityPurpose::kCustomerRequest}) {
        auto d = DecideSuitability(*standing, static_cast<ProductRisk>(r), purpose);
        EXPECT_FALSE(d.allowed) << rule;
        EXPECT_EQ(d.rule, rule);
        EXPECT_FALSE(d.overridable) << rule << ": no override";
      }
    }
  }
  InvestorStanding professional = never;
  professional.professional = true;
  EXPECT_TRUE(DecideSuitability(professional, ProductRisk::kR5, SuitabilityPurpose::kPromotion).allowed);
}

TEST(SuitabilityGateTest, StandingTakesTheNewerGradeAndExpiresAfterTheValidity) {
  Customer c;
  c.customer_id = "C1";
  c.risk_level = RiskLevel::kC4;
  c.risk_assessed_on = Date{DaysFromCivil(2024, 12, 3)};
  SuitabilityOptions options;
  InvestorStanding on_record = StandingOf(c, std::nullopt, std::nullopt, kToday, options);
  EXPECT_EQ(on_record.category, RiskLevel::kC4);
  EXPECT_EQ(FormatDate(on_record.valid_until), "2026-12-02");
  EXPECT_TRUE(on_record.expired) << "two years to the day: expired";
  EXPECT_FALSE(StandingOf(c, std::nullopt, std::nullopt, Date{kToday.days - 1}, options).expired);

  RiskAssessment newer;
  newer.assessment_id = 7;
  newer.category = RiskLevel::kC1;
  newer.lowest_category = true;
  newer.assessed_at = ShanghaiTime(kToday, 10, 0, 0);
  newer.valid_until = AssessmentValidUntil(kToday, 24);
  InvestorStanding renewed = StandingOf(c, newer, std::nullopt, kToday, options);
  EXPECT_EQ(renewed.category, RiskLevel::kC1);
  EXPECT_TRUE(renewed.lowest_category);
  EXPECT_FALSE(renewed.expired);
  EXPECT_EQ(renewed.assessment_id, 7);

  Customer undated = c;
  undated.risk_assessed_on.reset();
  EXPECT_FALSE(StandingOf(undated, std::nullopt, std::nullopt, kToday, options).category)
      << "a grade without its date cannot be shown valid";
  EXPECT_EQ(FormatDate(AssessmentValidUntil(Date{DaysFromCivil(2024, 2, 29)}, 24)), "2026-02-27");
  EXPECT_EQ(FormatDate(AddMonths(Date{DaysFromCivil(2026, 3, 31)}, -25)), "2024-02-29");
}

std::vector<std::pair<std::string, std::string>> Answers(const std::string& codes) {
  std::vector<std::pair<std::string, std::string>> answers;
  for (size_t i = 0; i < codes.size(); ++i) answers.emplace_back("q" + std::to_string(i + 1), std::string(1, codes[i]));
  return answers;
}

TEST(RiskQuestionnaireTest, ScoresBandsAndTheLowestCategory) {
  const RiskQuestionnaire& q = CurrentRiskQuestionnaire();
  ASSERT_EQ(q.questions.size(), 11u);
  auto bold = ScoreQuestionnaire(q, Answers("ABCEDCCEDCE"));
  ASSERT_TRUE(bold.ok()) << bold.status().ToString();
  EXPECT_EQ(bold->score, 0 + 8 + 6 + 10 + 10 + 4 + 8 + 10 + 8 + 10 + 16);
  EXPECT_EQ(bold->category, RiskLevel::kC5);
  EXPECT_FALSE(bold->lowest_category);
  auto careful = ScoreQuestionnaire(q, Answers("AAAAAAAAAAB"));  // 6+2+0+2+0+0+0+2+2+4 = 18
  ASSERT_TRUE(careful.ok());
  EXPECT_EQ(careful->score, 18);
  EXPECT_EQ(careful->category, RiskLevel::kC1);
  EXPECT_FALSE(careful->lowest_category);
  auto no_loss = ScoreQuestionnaire(q, Answers("ABCEDCCEDCA"));  // otherwise bold, but bears no loss
  ASSERT_TRUE(no_loss.ok());
  EXPECT_TRUE(no_loss->lowest_category);
  EXPECT_EQ(no_loss->category, RiskLevel::kC1);

  auto missing = ScoreQuestionnaire(q, Answers("ABCEDCCEDC"));
  EXPECT_EQ(missing.status().field(), "answers.q11");
  auto extra = Answers("ABCEDCCEDCE");
  extra.emplace_back("q12", "A");
  EXPECT_EQ(ScoreQuestionnaire(q, extra).status().field(), "answers.q12");
  auto twice = Answers("ABCEDCCEDCE");
  twice.emplace_back("q3", "A");
  EXPECT_EQ(ScoreQuestionnaire(q, twice).status().field(), "answers.q3");
  auto bad_option = ScoreQuestionnaire(q, Answers("ABCEDCCEDCZ"));
  EXPECT_EQ(bad_option.status().field(), "answers.q11");
  EXPECT_NE(bad_option.status().message().find("'Z'"), std::string::npos);
}

class GateOverStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.File("s.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto writer = store_->BeginWrite();
    ASSERT_TRUE(writer.ok());
    Branch b{"B001", "总部营业部", "上海", "上海"};
    ASSERT_TRUE((*writer)->Put(b).ok());
    for (auto [id, level] : {std::pair{"C0000001", RiskLevel::kC2}, {"C0000002", RiskLevel::kC5}}) {
      Customer c;
      c.customer_id = id;
      c.name = "客户";
      c.id_type = IdType::kOther;
      c.id_number = std::string("X") + id;
      c.province = "上海";
      c.city = "上海";
      c.open_date = Date{DaysFromCivil(2020, 1, 2)};
      c.branch_id = "B001";
      c.risk_level = level;
      c.risk_assessed_on = Date{kToday.days - 30};
      auto put = (*writer)->Put(c);
      ASSERT_TRUE(put.ok()) << put.status().ToString();
    }
    ASSERT_TRUE((*writer)->Commit().ok());
    auto records = OpenSuitabilityStore(dir_.File("s.db"));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    records_ = std::move(*records);
  }
  SuitabilityReport ReportToday() {
    SuitabilityReportQuery q;
    q.from = ShanghaiTime(kToday, 0, 0, 0);
    q.to = ShanghaiTime(Date{kToday.days + 1}, 0, 0, 0);
    q.today = kToday;
    q.expired_before = AddMonths(kToday, -24);
    q.expiring_before = AddMonths(Date{kToday.days + 30}, -24);
    auto report = records_->Report(q);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : SuitabilityReport{};
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SuitabilityStore> records_;
  Timestamp now_ = ShanghaiTime(kToday, 10, 0, 0);
};

TEST_F(GateOverStoreTest, BlocksAreLoggedAndOverridesBindToTheirCustomerAndLevel) {
  SuitabilityGate gate(*store_, *records_);
  SuitabilityRequest request{"C0000001", "product", "F001", ProductRisk::kR4, SuitabilityPurpose::kPromotion,
                             SuitabilityChannel::kCampaign, "tester"};
  auto blocked = gate.Check(request, now_);
  ASSERT_TRUE(blocked.ok()) << blocked.status().ToString();
  EXPECT_FALSE(blocked->decision.allowed);
  EXPECT_EQ(blocked->decision.rule, "above_tolerance");
  request.item_risk = ProductRisk::kR2;
  EXPECT_TRUE(gate.Check(request, now_)->decision.allowed);
  request.customer_id = "C9999999";
  EXPECT_EQ(gate.Check(request, now_).status().code(), StatusCode::kNotFound);

  // Art 19: within tolerance needs no warning; above it the evidence is stored once.
  SuitabilityOverride evidence{0, "C0000001", "product", "F001", ProductRisk::kR2};
  evidence.warning_text = "特别风险警示";
  evidence.confirmation = "signature";
  EXPECT_EQ(gate.RecordOverride(evidence, now_).status().code(), StatusCode::kFailedPrecondition);
  evidence.item_risk = ProductRisk::kR4;
  auto recorded = gate.RecordOverride(evidence, now_);
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  EXPECT_EQ(recorded->category, RiskLevel::kC2);

  SuitabilityRequest asked{"C0000001", "product", "F001", ProductRisk::kR4, SuitabilityPurpose::kCustomerRequest,
                           SuitabilityChannel::kCounter, "tester", recorded->override_id};
  auto allowed = gate.Check(asked, now_);
  EXPECT_TRUE(allowed->decision.allowed);
  EXPECT_EQ(allowed->decision.rule, "confirmed_override");
  SuitabilityRequest other_level = asked;
  other_level.item_risk = ProductRisk::kR5;
  EXPECT_EQ(gate.Check(other_level, now_)->decision.rule, "override_not_applicable");
  SuitabilityRequest as_promotion = asked;
  as_promotion.purpose = SuitabilityPurpose::kPromotion;
  EXPECT_EQ(gate.Check(as_promotion, now_)->decision.rule, "above_tolerance") << "an override is no licence to promote";
  SuitabilityRequest later = asked;
  EXPECT_EQ(gate.Check(later, Timestamp{now_.seconds + 31 * 86400})->decision.rule, "override_not_applicable");

  SuitabilityReport report = ReportToday();
  EXPECT_EQ(report.overrides, 1);
  int64_t campaign_blocks = 0, counter_blocks = 0;
  for (const SuitabilityBlockCount& b : report.blocks) {
    if (b.channel == SuitabilityChannel::kCampaign && b.rule == "above_tolerance") campaign_blocks = b.count;
    if (b.channel == SuitabilityChannel::kCounter) counter_blocks += b.count;
  }
  EXPECT_EQ(campaign_blocks, 1);
  EXPECT_EQ(counter_blocks, 2) << "the wrong level, and the promotion despite the override (the lapsed one is next month's)";
  EXPECT_EQ(report.blocked, 3);
  EXPECT_EQ(report.never_assessed, 0);
}

TEST_F(GateOverStoreTest, AtMostTwoAssessmentsADay) {
  RiskAssessment a;
  a.customer_id = "C0000002";
  a.questionnaire_version = "2026-01";
  a.answers = Answers("ABCEDCCEDCE");
  a.category = RiskLevel::kC5;
  a.assessed_at = now_;
  a.valid_until = AssessmentValidUntil(kToday, 24);
  Timestamp day_start = ShanghaiTime(kToday, 0, 0, 0);
  ASSERT_TRUE(records_->RecordAssessment(a, day_start, 2).ok());
  a.assessed_at.seconds += 60;
  a.category = RiskLevel::kC1;
  a.lowest_category = true;
  ASSERT_TRUE(records_->RecordAssessment(a, day_start, 2).ok());
  auto third = records_->RecordAssessment(a, day_start, 2);
  EXPECT_EQ(third.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(third.status().field(), "attempts");
  a.assessed_at = Timestamp{day_start.seconds + 86400 + 60};
  EXPECT_TRUE(records_->RecordAssessment(a, Timestamp{day_start.seconds + 86400}, 2).ok()) << "a new day";

  auto latest = records_->LatestAssessment("C0000002");
  ASSERT_TRUE(latest.ok() && *latest);
  EXPECT_EQ((*latest)->answers, Answers("ABCEDCCEDCE"));
  EXPECT_TRUE((*latest)->lowest_category);
  SuitabilityGate gate(*store_, *records_);
  SuitabilityRequest request{"C0000002", "research", "R1", ProductRisk::kR2, SuitabilityPurpose::kPromotion,
                             SuitabilityChannel::kResearch, "tester"};
  EXPECT_EQ(gate.Check(request, Timestamp{day_start.seconds + 86400 + 120})->decision.rule, "lowest_category");
  EXPECT_EQ(ReportToday().lowest_category_assessments, 1);
}

}  // namespace
}  // namespace fincrm::testing
