// The domain's closed vocabularies and their text forms.
//
// Every enum has a stable lower-case code (stored in the database, used in CSV and
// JSON) and a Chinese label that brokerage files often carry instead ("男", "沪",
// "买入"). Parsing accepts either, plus a few common aliases; formatting always
// writes the code.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fincrm {

struct EnumName {
  int value;
  std::string_view code;
  std::string_view zh;
  std::string_view alias = {};  // another spelling seen in source systems
};

template <class E>
struct EnumInfo;  // specialised below: kTypeName and kNames

enum class Gender { kMale, kFemale };
template <> struct EnumInfo<Gender> {
  static constexpr std::string_view kTypeName = "gender";
  static constexpr EnumName kNames[] = {{0, "M", "男", "male"}, {1, "F", "女", "female"}};
};

enum class IdType { kResidentId, kPassport, kHkMacauPermit, kTaiwanPermit, kOther };
template <> struct EnumInfo<IdType> {
  static constexpr std::string_view kTypeName = "ID type";
  static constexpr EnumName kNames[] = {{0, "resident_id", "身份证", "居民身份证"},
                                        {1, "passport", "护照"},
                                        {2, "hk_macau_permit", "港澳通行证", "港澳居民来往内地通行证"},
                                        {3, "taiwan_permit", "台胞证", "台湾居民来往大陆通行证"},
                                        {4, "other", "其他"}};
};

enum class CustomerStatus { kActive, kDormant, kClosed };
template <> struct EnumInfo<CustomerStatus> {
  static constexpr std::string_view kTypeName = "customer status";
  static constexpr EnumName kNames[] = {
      {0, "active", "正常", "活跃"}, {1, "dormant", "休眠", "睡眠"}, {2, "closed", "销户", "注销"}};
};

// Investor risk tolerance from the suitability questionnaire, C1 (conservative) to C5.
enum class RiskLevel { kC1, kC2, kC3, kC4, kC5 };
template <> struct EnumInfo<RiskLevel> {
  static constexpr std::string_view kTypeName = "risk level";
  static constexpr EnumName kNames[] = {{0, "C1", "保守型"},
                                        {1, "C2", "谨慎型"},
                                        {2, "C3", "稳健型"},
                                        {3, "C4", "积极型"},
                                        {4, "C5", "激进型"}};
};

// Product risk rating R1 (low) to R5; a product may reach a customer only if
// the customer's C-level is at least the product's R-level.
enum class ProductRisk { kR1, kR2, kR3, kR4, kR5 };
template <> struct EnumInfo<ProductRisk> {
  static constexpr std::string_view kTypeName = "product risk";
  static constexpr EnumName kNames[] = {{0, "R1", "低风险"},
                                        {1, "R2", "中低风险"},
                                        {2, "R3", "中风险"},
                                        {3, "R4", "中高风险"},
                                        {4, "R5", "高风险"}};
};

enum class IncomeBand { kBelow100k, k100kTo300k, k300kTo1m, k1mTo5m, kAbove5m };
template <> struct EnumInfo<IncomeBand> {
  static constexpr std::string_view kTypeName = "income band";
  static constexpr EnumName kNames[] = {{0, "lt100k", "10万以下"},
                                        {1, "100k-300k", "10-30万"},
                                        {2, "300k-1m", "30-100万"},
                                        {3, "1m-5m", "100-500万"},
                                        {4, "gt5m", "500万以上"}};
};

enum class StaffRole { kBroker, kAccountManager, kAgent, kAnalyst, kManager };
template <> struct EnumInfo<StaffRole> {
  static constexpr std::string_view kTypeName = "staff role";
  static constexpr EnumName kNames[] = {{0, "broker", "经纪人"},
                                        {1, "account_manager", "客户经理"},
                                        {2, "agent", "坐席", "呼叫中心坐席"},
                                        {3, "analyst", "分析师"},
                                        {4, "manager", "经理", "营业部经理"}};
};

enum class Relation { kSpouse, kParent, kChild, kOther };
template <> struct EnumInfo<Relation> {
  static constexpr std::string_view kTypeName = "relation";
  static constexpr EnumName kNames[] = {
      {0, "spouse", "配偶"}, {1, "parent", "父母"}, {2, "child", "子女"}, {3, "other", "其他"}};
};

enum class AccountType { kCash, kMargin, kOption };
template <> struct EnumInfo<AccountType> {
  static constexpr std::string_view kTypeName = "account type";
  static constexpr EnumName kNames[] = {
      {0, "cash", "普通", "资金账户"}, {1, "margin", "信用", "融资融券"}, {2, "option", "期权"}};
};

enum class Market { kShanghai, kShenzhen, kBeijing, kHongKong };
template <> struct EnumInfo<Market> {
  static constexpr std::string_view kTypeName = "market";
  static constexpr EnumName kNames[] = {
      {0, "SH", "沪", "上海"}, {1, "SZ", "深", "深圳"}, {2, "BJ", "京", "北京"}, {3, "HK", "港", "香港"}};
};

enum class ProductType { kStock, kFund, kBond, kOption };
template <> struct EnumInfo<ProductType> {
  static constexpr std::string_view kTypeName = "product type";
  static constexpr EnumName kNames[] = {
      {0, "stock", "股票"}, {1, "fund", "基金"}, {2, "bond", "债券"}, {3, "option", "期权"}};
};

enum class TradeSide { kBuy, kSell };
template <> struct EnumInfo<TradeSide> {
  static constexpr std::string_view kTypeName = "side";
  static constexpr EnumName kNames[] = {{0, "buy", "买入", "买"}, {1, "sell", "卖出", "卖"}};
};

enum class TradeChannel { kCounter, kPhone, kWeb, kApp, kApi };
template <> struct EnumInfo<TradeChannel> {
  static constexpr std::string_view kTypeName = "trade channel";
  static constexpr EnumName kNames[] = {{0, "counter", "柜台"},
                                        {1, "phone", "电话"},
                                        {2, "web", "网上", "网站"},
                                        {3, "app", "手机", "移动端"},
                                        {4, "api", "程序化", "接口"}};
};

enum class InteractionChannel {
  kCounter, kCallCenter, kAccountManager, kBroker, kWebsite, kApp, kAnalyst, kSms, kEmail
};
template <> struct EnumInfo<InteractionChannel> {
  static constexpr std::string_view kTypeName = "interaction channel";
  static constexpr EnumName kNames[] = {{0, "counter", "柜台"},
                                        {1, "call_center", "呼叫中心"},
                                        {2, "account_manager", "客户经理"},
                                        {3, "broker", "经纪人"},
                                        {4, "website", "网站"},
                                        {5, "app", "手机"},
                                        {6, "analyst", "分析师"},
                                        {7, "sms", "短信"},
                                        {8, "email", "邮件", "电子邮件"}};
};

enum class Direction { kInbound, kOutbound };
template <> struct EnumInfo<Direction> {
  static constexpr std::string_view kTypeName = "direction";
  static constexpr EnumName kNames[] = {{0, "inbound", "呼入", "客户发起"},
                                        {1, "outbound", "呼出", "公司发起"}};
};

enum class InteractionType {
  kInquiry, kComplaint, kVisit, kReturnVisit, kMarketing, kAdvisory, kWebVisit
};
template <> struct EnumInfo<InteractionType> {
  static constexpr std::string_view kTypeName = "interaction type";
  static constexpr EnumName kNames[] = {{0, "inquiry", "咨询"},
                                        {1, "complaint", "投诉"},
                                        {2, "visit", "拜访"},
                                        {3, "return_visit", "回访"},
                                        {4, "marketing", "营销"},
                                        {5, "advisory", "投顾", "投资顾问"},
                                        {6, "web_visit", "访问", "网页浏览"}};
};

enum class ProductCategory { kFund, kWealth, kBond };
template <> struct EnumInfo<ProductCategory> {
  static constexpr std::string_view kTypeName = "product category";
  static constexpr EnumName kNames[] = {
      {0, "fund", "基金"}, {1, "wealth", "理财", "资管"}, {2, "bond", "债券"}};
};

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

template <class E>
constexpr std::span<const EnumName> EnumNames() {
  return EnumInfo<E>::kNames;
}

// The text forms of a value outside the vocabulary (a corrupt row, a packed field
// decoded from bits the vocabulary does not use) are "?": never an out-of-range read.
template <class E>
std::string_view EnumCode(E value) {
  auto index = static_cast<size_t>(static_cast<int>(value));
  if (index >= std::size(EnumInfo<E>::kNames)) return "?";
  return EnumInfo<E>::kNames[index].code;
}

template <class E>
std::string_view EnumLabelZh(E value) {
  auto index = static_cast<size_t>(static_cast<int>(value));
  if (index >= std::size(EnumInfo<E>::kNames)) return "?";
  return EnumInfo<E>::kNames[index].zh;
}

// Whether the value is one of the vocabulary's.
template <class E>
bool IsKnownEnum(E value) {
  return static_cast<size_t>(static_cast<int>(value)) < std::size(EnumInfo<E>::kNames);
}

// Accepts the code (any ASCII case), the Chinese label or the alias.
template <class E>
std::optional<E> ParseEnum(std::string_view text) {
  for (const EnumName& name : EnumInfo<E>::kNames) {
    if (EqualsIgnoreAsciiCase(text, name.code) || text == name.zh ||
        (!name.alias.empty() && EqualsIgnoreAsciiCase(text, name.alias))) {
      return static_cast<E>(name.value);
    }
  }
  return std::nullopt;
}

// "one of: M, F" — for error messages.
template <class E>
std::string EnumChoices() {
  std::string out = "one of: ";
  bool first = true;
  for (const EnumName& name : EnumInfo<E>::kNames) {
    if (!first) out += ", ";
    out += name.code;
    first = false;
  }
  return out;
}

}  // namespace fincrm
