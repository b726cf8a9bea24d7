// The one description of every entity's fields.
//
// Storage derives its column lists and upserts from these tables, ingest derives CSV
// headers (English or Chinese) and parsing, export derives its output. Adding a field
// means adding it to the struct, to the table below and to a schema migration; a test
// checks that every table matches the database schema.
#pragma once

#include <span>
#include <string_view>
#include <variant>

#include "core/account.h"
#include "core/analysis_records.h"
#include "core/asset_snapshot.h"
#include "core/audit_entry.h"
#include "core/branch.h"
#include "core/customer.h"
#include "core/holding.h"
#include "core/household_member.h"
#include "core/interaction.h"
#include "core/product.h"
#include "core/service_records.h"
#include "core/staff.h"
#include "core/staff_user.h"
#include "core/trade.h"

namespace fincrm {

enum class EntityKind {
  kBranch, kStaff, kCustomer, kHousehold, kAccount, kAssetSnapshot, kTrade, kInteraction, kProduct,
  // Analysis results: exported, never imported.
  kAnalysisRun, kCustomerScore, kTierRecord, kKpiRecord, kModel, kCluster,
  // Security: logins (never exported with their hashes through the CLI), audit trail.
  kUser, kAudit,
  // The running server's own records: event ids, alerts, tasks, webhooks, API keys.
  kEvent, kAlert, kTask, kWebhook, kWebhookDelivery, kApiKey
};
inline constexpr EntityKind kAllEntityKinds[] = {
    EntityKind::kBranch,  EntityKind::kStaff,         EntityKind::kProduct,
    EntityKind::kCustomer, EntityKind::kHousehold,    EntityKind::kAccount,
    EntityKind::kAssetSnapshot, EntityKind::kTrade,   EntityKind::kInteraction};
inline constexpr EntityKind kAnalysisKinds[] = {EntityKind::kAnalysisRun, EntityKind::kCustomerScore,
                                                EntityKind::kTierRecord, EntityKind::kKpiRecord,
                                                EntityKind::kModel, EntityKind::kCluster};

template <class T>
using MemberPointer = std::variant<
    std::string T::*, int64_t T::*, double T::*, Money T::*, PriceLi T::*, Date T::*,
    std::optional<Date> T::*, Timestamp T::*, Gender T::*, IdType T::*,
    CustomerStatus T::*, std::optional<RiskLevel> T::*, std::optional<IncomeBand> T::*,
    ProductRisk T::*, StaffRole T::*, Relation T::*, AccountType T::*, Market T::*,
    ProductType T::*, TradeSide T::*, TradeChannel T::*, InteractionChannel T::*,
    Direction T::*, InteractionType T::*, ProductCategory T::*, UserRole T::*>;

template <class T>
struct FieldSpec {
  std::string_view name;      // column name and English CSV header
  std::string_view label_zh;  // Chinese CSV header
  bool required;              // empty text is an error
  bool key;                   // part of the natural key (upserts conflict on it)
  MemberPointer<T> member;
};

template <class T>
struct EntityInfo;  // kKind, kName (CLI kind and table name), kFields

template <> struct EntityInfo<Branch> {
  static constexpr EntityKind kKind = EntityKind::kBranch;
  static constexpr std::string_view kName = "branches";
  static constexpr std::string_view kLabelZh = "营业部";
  static constexpr FieldSpec<Branch> kFields[] = {
      {"branch_id", "营业部代码", true, true, &Branch::branch_id},
      {"name", "营业部名称", true, false, &Branch::name},
      {"province", "省份", true, false, &Branch::province},
      {"city", "城市", true, false, &Branch::city},
      {"opened_on", "开业日期", false, false, &Branch::opened_on},
  };
};

template <> struct EntityInfo<Staff> {
  static constexpr EntityKind kKind = EntityKind::kStaff;
  static constexpr std::string_view kName = "staff";
  static constexpr std::string_view kLabelZh = "员工";
  static constexpr FieldSpec<Staff> kFields[] = {
      {"staff_id", "员工编号", true, true, &Staff::staff_id},
      {"name", "姓名", true, false, &Staff::name},
      {"role", "岗位", true, false, &Staff::role},
      {"branch_id", "营业部代码", true, false, &Staff::branch_id},
      {"mobile", "手机号", false, false, &Staff::mobile},
      {"email", "邮箱", false, false, &Staff::email},
      {"hired_on", "入职日期", false, false, &Staff::hired_on},
  };
};

template <> struct EntityInfo<Customer> {
  static constexpr EntityKind kKind = EntityKind::kCustomer;
  static constexpr std::string_view kName = "customers";
  static constexpr std::string_view kLabelZh = "客户";
  static constexpr FieldSpec<Customer> kFields[] = {
      {"customer_id", "客户号", true, true, &Customer::customer_id},
      {"name", "姓名", true, false, &Customer::name},
      {"gender", "性别", true, false, &Customer::gender},
      {"birth_date", "出生日期", false, false, &Customer::birth_date},
      {"id_type", "证件类型", true, false, &Customer::id_type},
      {"id_number", "证件号码", true, false, &Customer::id_number},
      {"mobile", "手机号", false, false, &Customer::mobile},
      {"email", "邮箱", false, false, &Customer::email},
      {"province", "省份", true, false, &Customer::province},
      {"city", "城市", true, false, &Customer::city},
      {"address", "地址", false, false, &Customer::address},
      {"occupation", "职业", false, false, &Customer::occupation},
      {"income_band", "收入区间", false, false, &Customer::income_band},
      {"open_date", "开户日期", true, false, &Customer::open_date},
      {"status", "客户状态", true, false, &Customer::status},
      {"risk_level", "风险等级", false, false, &Customer::risk_level},
      {"risk_assessed_on", "风险测评日期", false, false, &Customer::risk_assessed_on},
      {"broker_id", "经纪人编号", false, false, &Customer::broker_id},
      {"branch_id", "营业部代码", true, false, &Customer::branch_id},
  };
};

template <> struct EntityInfo<HouseholdMember> {
  static constexpr EntityKind kKind = EntityKind::kHousehold;
  static constexpr std::string_view kName = "households";
  static constexpr std::string_view kLabelZh = "家庭成员";
  static constexpr FieldSpec<HouseholdMember> kFields[] = {
      {"customer_id", "客户号", true, true, &HouseholdMember::customer_id},
      {"relation", "关系", true, true, &HouseholdMember::relation},
      {"member_customer_id", "成员客户号", false, true, &HouseholdMember::member_customer_id},
      {"member_name", "成员姓名", false, true, &HouseholdMember::member_name},
      {"member_mobile", "成员手机号", false, false, &HouseholdMember::member_mobile},
  };
};

template <> struct EntityInfo<Account> {
  static constexpr EntityKind kKind = EntityKind::kAccount;
  static constexpr std::string_view kName = "accounts";
  static constexpr std::string_view kLabelZh = "资金账号";
  static constexpr FieldSpec<Account> kFields[] = {
      {"account_id", "资金账号", true, true, &Account::account_id},
      {"customer_id", "客户号", true, false, &Account::customer_id},
      {"type", "账户类型", true, false, &Account::type},
      {"open_date", "开户日期", true, false, &Account::open_date},
      {"close_date", "销户日期", false, false, &Account::close_date},
  };
};

template <> struct EntityInfo<AssetSnapshot> {
  static constexpr EntityKind kKind = EntityKind::kAssetSnapshot;
  static constexpr std::string_view kName = "assets";
  static constexpr std::string_view kLabelZh = "资产快照";
  static constexpr FieldSpec<AssetSnapshot> kFields[] = {
      {"customer_id", "客户号", true, true, &AssetSnapshot::customer_id},
      {"snapshot_date", "日期", true, true, &AssetSnapshot::snapshot_date},
      {"total_assets", "总资产", true, false, &AssetSnapshot::total_assets},
      {"cash", "现金", true, false, &AssetSnapshot::cash},
      {"stocks", "股票市值", true, false, &AssetSnapshot::stocks},
      {"funds", "基金市值", true, false, &AssetSnapshot::funds},
      {"bonds", "债券市值", true, false, &AssetSnapshot::bonds},
      {"margin_debt", "融资负债", true, false, &AssetSnapshot::margin_debt},
  };
};

// A holdings line, as a holding_snapshot event carries it. Not an entity kind of Store:
// the holdings module stores it (no kKind, so no generic import or export reaches it).
template <> struct EntityInfo<Holding> {
  static constexpr std::string_view kName = "holdings";
  static constexpr std::string_view kLabelZh = "持仓";
  static constexpr FieldSpec<Holding> kFields[] = {
      {"customer_id", "客户号", true, true, &Holding::customer_id},
      {"market", "市场", true, true, &Holding::market},
      {"symbol", "证券代码", true, true, &Holding::symbol},
      {"quantity", "持仓数量", true, false, &Holding::quantity},
      {"cost", "持仓成本", false, false, &Holding::cost},
      {"as_of", "日期", true, true, &Holding::as_of},
  };
};

template <> struct EntityInfo<Trade> {
  static constexpr EntityKind kKind = EntityKind::kTrade;
  static constexpr std::string_view kName = "trades";
  static constexpr std::string_view kLabelZh = "成交";
  static constexpr FieldSpec<Trade> kFields[] = {
      {"trade_id", "成交编号", true, true, &Trade::trade_id},
      {"customer_id", "客户号", true, false, &Trade::customer_id},
      {"account_id", "资金账号", true, false, &Trade::account_id},
      {"trade_time", "成交时间", true, false, &Trade::trade_time},
      {"market", "市场", true, false, &Trade::market},
      {"symbol", "证券代码", true, false, &Trade::symbol},
      {"product_type", "品种", true, false, &Trade::product_type},
      {"side", "买卖方向", true, false, &Trade::side},
      {"quantity", "成交数量", true, false, &Trade::quantity},
      {"price", "成交价格", true, false, &Trade::price},
      {"amount", "成交金额", true, false, &Trade::amount},
      {"commission", "佣金", true, false, &Trade::commission},
      {"channel", "委托渠道", true, false, &Trade::channel},
  };
};

template <> struct EntityInfo<Interaction> {
  static constexpr EntityKind kKind = EntityKind::kInteraction;
  static constexpr std::string_view kName = "interactions";
  static constexpr std::string_view kLabelZh = "客户接触";
  static constexpr FieldSpec<Interaction> kFields[] = {
      {"interaction_id", "接触编号", true, true, &Interaction::interaction_id},
      {"customer_id", "客户号", true, false, &Interaction::customer_id},
      {"occurred_at", "发生时间", true, false, &Interaction::occurred_at},
      {"channel", "渠道", true, false, &Interaction::channel},
      {"direction", "方向", true, false, &Interaction::direction},
      {"type", "类型", true, false, &Interaction::type},
      {"staff_id", "员工编号", false, false, &Interaction::staff_id},
      {"subject", "主题", false, false, &Interaction::subject},
      {"notes", "备注", false, false, &Interaction::notes},
      {"outcome", "结果", false, false, &Interaction::outcome},
      {"duration_seconds", "时长秒", false, false, &Interaction::duration_seconds},
  };
};

template <> struct EntityInfo<Product> {
  static constexpr EntityKind kKind = EntityKind::kProduct;
  static constexpr std::string_view kName = "products";
  static constexpr std::string_view kLabelZh = "产品";
  static constexpr FieldSpec<Product> kFields[] = {
      {"product_id", "产品代码", true, true, &Product::product_id},
      {"name", "产品名称", true, false, &Product::name},
      {"category", "产品类别", true, false, &Product::category},
      {"risk_level", "风险等级", true, false, &Product::risk_level},
      {"issuer", "发行机构", false, false, &Product::issuer},
      {"launch_date", "成立日期", false, false, &Product::launch_date},
  };
};

template <> struct EntityInfo<AnalysisRun> {
  static constexpr EntityKind kKind = EntityKind::kAnalysisRun;
  static constexpr std::string_view kName = "analysis_runs";
  static constexpr std::string_view kLabelZh = "分析批次";
  static constexpr FieldSpec<AnalysisRun> kFields[] = {
      {"run_id", "批次号", true, true, &AnalysisRun::run_id},
      {"computed_at", "计算时间", true, false, &AnalysisRun::computed_at},
      {"as_of", "数据截至", true, false, &AnalysisRun::as_of},
      {"customers", "客户数", true, false, &AnalysisRun::customers},
      {"summary", "摘要", false, false, &AnalysisRun::summary},
  };
};

template <> struct EntityInfo<CustomerScore> {
  static constexpr EntityKind kKind = EntityKind::kCustomerScore;
  static constexpr std::string_view kName = "customer_scores";
  static constexpr std::string_view kLabelZh = "客户评分";
  static constexpr FieldSpec<CustomerScore> kFields[] = {
      {"customer_id", "客户号", true, true, &CustomerScore::customer_id},
      {"run_id", "批次号", true, false, &CustomerScore::run_id},
      {"as_of", "数据截至", true, false, &CustomerScore::as_of},
      {"recency_days", "最近交易天数", true, false, &CustomerScore::recency_days},
      {"frequency", "交易频次", true, false, &CustomerScore::frequency},
      {"monetary", "佣金贡献", true, false, &CustomerScore::monetary},
      {"rfm", "RFM", true, false, &CustomerScore::rfm},
      {"commission", "佣金", true, false, &CustomerScore::commission},
      {"margin_interest", "融资利息", true, false, &CustomerScore::margin_interest},
      {"product_fee", "产品费用", true, false, &CustomerScore::product_fee},
      {"profit", "利润贡献", true, false, &CustomerScore::profit},
      {"lifetime_value", "终身价值", true, false, &CustomerScore::lifetime_value},
      {"latest_assets", "最新资产", true, false, &CustomerScore::latest_assets},
      {"average_assets", "平均资产", true, false, &CustomerScore::average_assets},
      {"trades_per_month", "月均交易", true, false, &CustomerScore::trades_per_month},
      {"turnover_rate", "换手率", true, false, &CustomerScore::turnover_rate},
      {"holding_period_days", "平均持有天数", true, false, &CustomerScore::holding_period_days},
      {"trading_style", "交易风格", true, false, &CustomerScore::trading_style},
      {"preferred_channel", "偏好渠道", false, false, &CustomerScore::preferred_channel},
      {"loyalty_index", "忠诚度", true, false, &CustomerScore::loyalty_index},
      {"credit_grade", "信用等级", true, false, &CustomerScore::credit_grade},
      {"credit_reasons", "信用说明", false, false, &CustomerScore::credit_reasons},
      {"value_score", "价值得分", true, false, &CustomerScore::value_score},
      {"tier", "客户阶梯", false, false, &CustomerScore::tier},
      {"cluster", "客户群", true, false, &CustomerScore::cluster},
      {"churn_risk", "流失风险", true, false, &CustomerScore::churn_risk},
      {"churn_reasons", "流失原因", false, false, &CustomerScore::churn_reasons},
  };
};

template <> struct EntityInfo<TierRecord> {
  static constexpr EntityKind kKind = EntityKind::kTierRecord;
  static constexpr std::string_view kName = "tier_history";
  static constexpr std::string_view kLabelZh = "客户阶梯历史";
  static constexpr FieldSpec<TierRecord> kFields[] = {
      {"customer_id", "客户号", true, true, &TierRecord::customer_id},
      {"month_end", "月末", true, true, &TierRecord::month_end},
      {"tier", "客户阶梯", true, false, &TierRecord::tier},
      {"value_score", "价值得分", true, false, &TierRecord::value_score},
  };
};

template <> struct EntityInfo<KpiRecord> {
  static constexpr EntityKind kKind = EntityKind::kKpiRecord;
  static constexpr std::string_view kName = "kpi_scores";
  static constexpr std::string_view kLabelZh = "考核得分";
  static constexpr FieldSpec<KpiRecord> kFields[] = {
      {"period", "考核期", true, true, &KpiRecord::period},
      {"level", "层级", true, true, &KpiRecord::level},
      {"unit", "考核对象", true, true, &KpiRecord::unit},
      {"run_id", "批次号", true, false, &KpiRecord::run_id},
      {"rank", "排名", true, false, &KpiRecord::rank},
      {"composite", "综合得分", true, false, &KpiRecord::composite},
      {"customers", "客户数", true, false, &KpiRecord::customers},
      {"new_customers", "新增客户", true, false, &KpiRecord::new_customers},
      {"new_rate", "新增率", true, false, &KpiRecord::new_rate},
      {"churned", "流失客户", true, false, &KpiRecord::churned},
      {"retention_rate", "保持率", true, false, &KpiRecord::retention_rate},
      {"upgraded", "升级客户", true, false, &KpiRecord::upgraded},
      {"upgrade_rate", "升级率", true, false, &KpiRecord::upgrade_rate},
      {"average_profit", "平均利润贡献", true, false, &KpiRecord::average_profit},
  };
};

template <> struct EntityInfo<StoredModel> {
  static constexpr EntityKind kKind = EntityKind::kModel;
  static constexpr std::string_view kName = "models";
  static constexpr std::string_view kLabelZh = "模型";
  static constexpr FieldSpec<StoredModel> kFields[] = {
      {"model_id", "模型号", true, true, &StoredModel::model_id},
      {"name", "名称", true, false, &StoredModel::name},
      {"version", "版本", true, false, &StoredModel::version},
      {"created_at", "创建时间", true, false, &StoredModel::created_at},
      {"card_json", "模型卡", true, false, &StoredModel::card_json},
      {"card_text", "模型卡文本", false, false, &StoredModel::card_text},
      {"rules_text", "决策规则", false, false, &StoredModel::rules_text},
      {"model_json", "模型", false, false, &StoredModel::model_json},
  };
};

template <> struct EntityInfo<ClusterRecord> {
  static constexpr EntityKind kKind = EntityKind::kCluster;
  static constexpr std::string_view kName = "clusters";
  static constexpr std::string_view kLabelZh = "客户群";
  static constexpr FieldSpec<ClusterRecord> kFields[] = {
      {"run_id", "批次号", true, true, &ClusterRecord::run_id},
      {"cluster", "客户群", true, true, &ClusterRecord::cluster},
      {"size", "客户数", true, false, &ClusterRecord::size},
      {"label", "名称", true, false, &ClusterRecord::label},
      {"profile_json", "画像", true, false, &ClusterRecord::profile_json},
  };
};

template <> struct EntityInfo<StaffUser> {
  static constexpr EntityKind kKind = EntityKind::kUser;
  static constexpr std::string_view kName = "users";
  static constexpr std::string_view kLabelZh = "用户";
  static constexpr FieldSpec<StaffUser> kFields[] = {
      {"login", "登录名", true, true, &StaffUser::login},
      {"role", "角色", true, false, &StaffUser::role},
      {"branch_id", "营业部代码", false, false, &StaffUser::branch_id},
      {"staff_id", "员工编号", false, false, &StaffUser::staff_id},
      {"password_hash", "口令摘要", true, false, &StaffUser::password_hash},
      {"disabled", "停用", true, false, &StaffUser::disabled},
      {"failed_logins", "失败次数", true, false, &StaffUser::failed_logins},
      {"locked_until", "锁定至", true, false, &StaffUser::locked_until},
      {"created_at", "创建时间", true, false, &StaffUser::created_at},
  };
};

template <> struct EntityInfo<AuditEntry> {
  static constexpr EntityKind kKind = EntityKind::kAudit;
  static constexpr std::string_view kName = "audit_log";
  static constexpr std::string_view kLabelZh = "审计日志";
  static constexpr FieldSpec<AuditEntry> kFields[] = {
      {"sequence", "序号", true, true, &AuditEntry::sequence},
      {"at", "时间", true, false, &AuditEntry::at},
      {"actor", "操作人", true, false, &AuditEntry::actor},
      {"action", "操作", true, false, &AuditEntry::action},
      {"customer_id", "客户号", false, false, &AuditEntry::customer_id},
      {"detail", "详情", false, false, &AuditEntry::detail},
      {"source", "来源", false, false, &AuditEntry::source},
      {"previous_hash", "前序摘要", false, false, &AuditEntry::previous_hash},
      {"hash", "摘要", true, false, &AuditEntry::hash},
  };
};

template <> struct EntityInfo<IngestedEvent> {
  static constexpr EntityKind kKind = EntityKind::kEvent;
  static constexpr std::string_view kName = "ingested_events";
  static constexpr std::string_view kLabelZh = "已接收事件";
  static constexpr FieldSpec<IngestedEvent> kFields[] = {
      {"event_id", "事件号", true, true, &IngestedEvent::event_id},
      {"type", "类型", true, false, &IngestedEvent::type},
      {"customer_id", "客户号", false, false, &IngestedEvent::customer_id},
      {"received_at", "接收时间", true, false, &IngestedEvent::received_at},
  };
};

template <> struct EntityInfo<Alert> {
  static constexpr EntityKind kKind = EntityKind::kAlert;
  static constexpr std::string_view kName = "alerts";
  static constexpr std::string_view kLabelZh = "预警";
  static constexpr FieldSpec<Alert> kFields[] = {
      {"alert_id", "预警号", true, true, &Alert::alert_id},
      {"raised_at", "时间", true, false, &Alert::raised_at},
      {"kind", "类型", true, false, &Alert::kind},
      {"customer_id", "客户号", true, false, &Alert::customer_id},
      {"value", "数值", true, false, &Alert::value},
      {"threshold", "阈值", true, false, &Alert::threshold},
      {"detail", "说明", false, false, &Alert::detail},
  };
};

template <> struct EntityInfo<FollowUpTask> {
  static constexpr EntityKind kKind = EntityKind::kTask;
  static constexpr std::string_view kName = "tasks";
  static constexpr std::string_view kLabelZh = "跟进任务";
  static constexpr FieldSpec<FollowUpTask> kFields[] = {
      {"task_id", "任务号", true, true, &FollowUpTask::task_id},
      {"customer_id", "客户号", true, false, &FollowUpTask::customer_id},
      {"assignee_staff_id", "负责人", false, false, &FollowUpTask::assignee_staff_id},
      {"branch_id", "营业部代码", false, false, &FollowUpTask::branch_id},
      {"title", "标题", true, false, &FollowUpTask::title},
      {"status", "状态", true, false, &FollowUpTask::status},
      {"created_at", "创建时间", true, false, &FollowUpTask::created_at},
      {"due_on", "到期日", true, false, &FollowUpTask::due_on},
      {"alert_id", "预警号", false, false, &FollowUpTask::alert_id},
  };
};

template <> struct EntityInfo<WebhookSubscription> {
  static constexpr EntityKind kKind = EntityKind::kWebhook;
  static constexpr std::string_view kName = "webhooks";
  static constexpr std::string_view kLabelZh = "推送订阅";
  static constexpr FieldSpec<WebhookSubscription> kFields[] = {
      {"webhook_id", "订阅号", true, true, &WebhookSubscription::webhook_id},
      {"url", "地址", true, false, &WebhookSubscription::url},
      {"secret", "密钥", true, false, &WebhookSubscription::secret},
      {"event_types", "事件类型", true, false, &WebhookSubscription::event_types},
      {"active", "启用", true, false, &WebhookSubscription::active},
      {"created_at", "创建时间", true, false, &WebhookSubscription::created_at},
  };
};

template <> struct EntityInfo<WebhookDelivery> {
  static constexpr EntityKind kKind = EntityKind::kWebhookDelivery;
  static constexpr std::string_view kName = "webhook_deliveries";
  static constexpr std::string_view kLabelZh = "推送记录";
  static constexpr FieldSpec<WebhookDelivery> kFields[] = {
      {"delivery_id", "推送号", true, true, &WebhookDelivery::delivery_id},
      {"webhook_id", "订阅号", true, false, &WebhookDelivery::webhook_id},
      {"alert_id", "预警号", true, false, &WebhookDelivery::alert_id},
      {"payload", "内容", true, false, &WebhookDelivery::payload},
      {"state", "状态", true, false, &WebhookDelivery::state},
      {"attempts", "尝试次数", true, false, &WebhookDelivery::attempts},
      {"last_status", "最后状态码", true, false, &WebhookDelivery::last_status},
      {"last_error", "最后错误", false, false, &WebhookDelivery::last_error},
      {"next_attempt_at", "下次尝试", true, false, &WebhookDelivery::next_attempt_at},
      {"updated_at", "更新时间", true, false, &WebhookDelivery::updated_at},
  };
};

template <> struct EntityInfo<ApiKey> {
  static constexpr EntityKind kKind = EntityKind::kApiKey;
  static constexpr std::string_view kName = "api_keys";
  static constexpr std::string_view kLabelZh = "接口密钥";
  static constexpr FieldSpec<ApiKey> kFields[] = {
      {"key_id", "密钥号", true, true, &ApiKey::key_id},
      {"name", "名称", true, false, &ApiKey::name},
      {"key_hash", "摘要", true, false, &ApiKey::key_hash},
      {"scopes", "权限", true, false, &ApiKey::scopes},
      {"disabled", "停用", true, false, &ApiKey::disabled},
      {"created_at", "创建时间", true, false, &ApiKey::created_at},
  };
};

// Kinds that `fincrm import` accepts (analysis results are computed, not imported).
template <class T>
inline constexpr bool kImportable = EntityInfo<T>::kKind < EntityKind::kAnalysisRun;
template <class T>
inline constexpr bool kExportable =
    EntityInfo<T>::kKind != EntityKind::kUser && EntityInfo<T>::kKind != EntityKind::kApiKey &&
    EntityInfo<T>::kKind != EntityKind::kWebhook;

std::string_view EntityKindName(EntityKind kind);
// "trades", "成交"...; with `analysis`, also the analysis result kinds.
std::optional<EntityKind> ParseEntityKind(std::string_view name, bool analysis = false);

// Calls fn.template operator()<T>() with the entity type of `kind`.
template <class Fn>
decltype(auto) VisitEntityKind(EntityKind kind, Fn&& fn) {
  switch (kind) {
    case EntityKind::kBranch: return fn.template operator()<Branch>();
    case EntityKind::kStaff: return fn.template operator()<Staff>();
    case EntityKind::kCustomer: return fn.template operator()<Customer>();
    case EntityKind::kHousehold: return fn.template operator()<HouseholdMember>();
    case EntityKind::kAccount: return fn.template operator()<Account>();
    case EntityKind::kAssetSnapshot: return fn.template operator()<AssetSnapshot>();
    case EntityKind::kTrade: return fn.template operator()<Trade>();
    case EntityKind::kInteraction: return fn.template operator()<Interaction>();
    case EntityKind::kProduct: return fn.template operator()<Product>();
    case EntityKind::kAnalysisRun: return fn.template operator()<AnalysisRun>();
    case EntityKind::kCustomerScore: return fn.template operator()<CustomerScore>();
    case EntityKind::kTierRecord: return fn.template operator()<TierRecord>();
    case EntityKind::kKpiRecord: return fn.template operator()<KpiRecord>();
    case EntityKind::kModel: return fn.template operator()<StoredModel>();
    case EntityKind::kCluster: return fn.template operator()<ClusterRecord>();
    case EntityKind::kUser: return fn.template operator()<StaffUser>();
    case EntityKind::kAudit: return fn.template operator()<AuditEntry>();
    case EntityKind::kEvent: return fn.template operator()<IngestedEvent>();
    case EntityKind::kAlert: return fn.template operator()<Alert>();
    case EntityKind::kTask: return fn.template operator()<FollowUpTask>();
    case EntityKind::kWebhook: return fn.template operator()<WebhookSubscription>();
    case EntityKind::kWebhookDelivery: return fn.template operator()<WebhookDelivery>();
    case EntityKind::kApiKey: return fn.template operator()<ApiKey>();
  }
  return fn.template operator()<Branch>();
}

}  // namespace fincrm
