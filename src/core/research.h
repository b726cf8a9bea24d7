// Research reports (证券研究报告) and their distribution: written by a registered analyst,
// reviewed by another registered person (four eyes, 发布证券研究报告暂行规定), released at
// an embargo instant to every entitled customer at once, each delivery and read kept
// with the report, its review and its recipients for at least five years.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date_time.h"
#include "core/enums.h"
#include "core/money.h"

namespace fincrm {

enum class ResearchState { kDraft, kInReview, kApproved, kPublished, kRejected, kWithdrawn };
template <> struct EnumInfo<ResearchState> {
  static constexpr std::string_view kTypeName = "research state";
  static constexpr EnumName kNames[] = {{0, "draft", "草稿"},     {1, "in_review", "审核中"}, {2, "approved", "已审核"},
                                        {3, "published", "已发布"}, {4, "rejected", "已退回"}, {5, "withdrawn", "已撤回"}};
};

enum class ResearchRating { kBuy, kOutperform, kNeutral, kUnderperform, kSell };
template <> struct EnumInfo<ResearchRating> {
  static constexpr std::string_view kTypeName = "rating";
  static constexpr EnumName kNames[] = {{0, "buy", "买入"},
                                        {1, "outperform", "增持"},
                                        {2, "neutral", "中性"},
                                        {3, "underperform", "减持"},
                                        {4, "sell", "卖出"}};
};

// The Shenwan level-1 industries (申万一级行业, 2021 edition): code and name.
struct Industry {
  std::string_view code;
  std::string_view name;
};
inline constexpr std::array<Industry, 31> kShenwanIndustries = {{
    {"110000", "农林牧渔"}, {"220000", "基础化工"}, {"230000", "钢铁"},     {"240000", "有色金属"},
    {"270000", "电子"},     {"280000", "汽车"},     {"330000", "家用电器"}, {"340000", "食品饮料"},
    {"350000", "纺织服饰"}, {"360000", "轻工制造"}, {"370000", "医药生物"}, {"410000", "公用事业"},
    {"420000", "交通运输"}, {"430000", "房地产"},   {"450000", "商贸零售"}, {"460000", "社会服务"},
    {"480000", "银行"},     {"490000", "非银金融"}, {"510000", "综合"},     {"610000", "建筑材料"},
    {"620000", "建筑装饰"}, {"630000", "电力设备"}, {"640000", "机械设备"}, {"650000", "国防军工"},
    {"710000", "计算机"},   {"720000", "传媒"},     {"730000", "通信"},     {"740000", "煤炭"},
    {"750000", "石油石化"}, {"760000", "环保"},     {"770000", "美容护理"},
}};
// The industry with this code or name, or nullptr.
inline const Industry* FindIndustry(std::string_view code_or_name) {
  for (const Industry& i : kShenwanIndustries) {
    if (i.code == code_or_name || i.name == code_or_name) return &i;
  }
  return nullptr;
}

// A listed security in the master (证券基础信息), with its industry.
struct Security {
  Market market = Market::kShanghai;
  std::string symbol;
  std::string name;
  std::string industry;  // Shenwan level-1 code, "" for funds, bonds and options
};

struct ResearchReport {
  int64_t report_id = 0;
  std::string title;
  std::string summary;
  std::string body;  // Markdown
  std::string industry;  // Shenwan level-1 code
  std::vector<std::string> symbols;
  std::optional<ResearchRating> rating;
  std::optional<PriceLi> target_price;
  ProductRisk risk_level = ProductRisk::kR3;
  std::string min_tier;  // the lowest service class (value tier) it is for; "" = every class
  ResearchState state = ResearchState::kDraft;
  std::string author;               // login
  std::string author_registration;  // the analyst's SAC registration number (执业编号)
  std::string reviewer;
  std::string reviewer_registration;
  std::string review_note;
  Timestamp created_at, submitted_at, reviewed_at, published_at, withdrawn_at;
  Timestamp embargo_until;  // nobody outside research and compliance sees it before
  Date retain_until;        // five years after publication
};

// One customer's copy of a published report: delivered to the portal feed, or blocked
// by the suitability gate with its rule (a block is never a silent drop).
struct ResearchDelivery {
  int64_t report_id = 0;
  std::string customer_id;
  std::string channel = "portal";
  bool delivered = false;
  std::string rule;    // the gate's rule
  std::string reason;  // why matched: holds, traded, industry (comma-separated)
  Timestamp visible_at;  // the embargo
  Timestamp read_at;
};

}  // namespace fincrm
