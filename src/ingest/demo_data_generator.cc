#include "ingest/demo_data_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/split_mix.h"
#include "core/validation.h"
#include "ingest/batch_queue.h"

namespace fincrm {
namespace {

// The demo's random stream: SplitMix64 with the distributions the generator needs.
// One stream per customer keeps the output independent of threading.
class Rng {
 public:
  explicit Rng(uint64_t seed) : stream_(seed) {}
  uint64_t Next() { return stream_.Next(); }
  double Uniform() { return stream_.Uniform(); }  // [0, 1)
  int64_t Range(int64_t lo, int64_t hi) {                  // [lo, hi]
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Pareto with scale xm and shape alpha: heavy right tail.
  double Pareto(double xm, double alpha) {
    return xm / std::pow(1.0 - Uniform(), 1.0 / alpha);
  }
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 60) return std::max(0, static_cast<int>(std::lround(lambda + std::sqrt(lambda) * Normal())));
    double limit = std::exp(-lambda), product = Uniform();
    int count = 0;
    while (product > limit) {
      ++count;
      product *= Uniform();
    }
    return count;
  }
  template <class Container>
  const auto& Pick(const Container& items) {
    return items[Next() % std::size(items)];
  }
  // Index drawn with the given weights.
  size_t Weighted(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    size_t i = 0;
    for (double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return weights.size() - 1;
  }

 private:
  SplitMix64 stream_;
};

uint64_t StreamSeed(uint64_t seed, uint64_t stream, uint64_t purpose) {
  Rng mix(seed * 0x9E3779B97F4A7C15ULL ^ (stream + 1) * 0xD1B54A32D192ED03ULL ^ purpose);
  mix.Next();
  return mix.Next();
}

struct City {
  const char* province;
  const char* city;
  const char* region_code;  // first six digits of local resident IDs
  double weight;            // share of customers
};

constexpr City kCities[] = {
    {"上海", "上海", "310115", 1.6}, {"北京", "北京", "110105", 1.5}, {"广东", "广州", "440106", 1.2},
    {"广东", "深圳", "440305", 1.4}, {"浙江", "杭州", "330106", 1.1}, {"江苏", "南京", "320106", 0.9},
    {"江苏", "苏州", "320505", 0.9}, {"四川", "成都", "510107", 0.9}, {"湖北", "武汉", "420106", 0.8},
    {"陕西", "西安", "610113", 0.6}, {"山东", "济南", "370102", 0.6}, {"山东", "青岛", "370212", 0.6},
    {"福建", "福州", "350102", 0.5}, {"福建", "厦门", "350203", 0.5}, {"湖南", "长沙", "430104", 0.6},
    {"河南", "郑州", "410105", 0.6}, {"天津", "天津", "120101", 0.6}, {"重庆", "重庆", "500103", 0.7},
    {"辽宁", "沈阳", "210102", 0.5}, {"安徽", "合肥", "340104", 0.5},
};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
                                     "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
constexpr const char* kGivenChars[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                       "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                       "刚", "桂", "英", "华", "文", "辉", "建", "国", "红", "玲",
                                       "婷", "浩", "宇", "欣", "子", "晨", "思", "雨", "博", "佳"};
constexpr const char* kDistricts[] = {"中心区", "东城区", "西城区", "南山区", "高新区", "滨江区", "开发区", "新区"};
constexpr const char* kRoads[] = {"人民", "解放", "中山", "建设", "和平", "长江", "黄河", "世纪", "金融", "科技"};
constexpr const char* kOccupations[] = {"企业职员", "公务员", "教师", "医生", "工程师", "个体经营",
                                        "企业主", "退休", "自由职业", "金融从业者", "学生"};
constexpr const char* kFundIssuers[] = {"华夏基金", "易方达基金", "南方基金", "广发基金", "嘉实基金",
                                        "本公司资管"};

struct Symbol {
  Market market;
  ProductType type;
  std::string code;
  int64_t price_li;
};

// The demo's securities, the same for a seed: the generator trades them and
// DemoSecurityMaster names them.
std::vector<Symbol> BuildDemoSymbols(uint64_t seed) {
  std::vector<Symbol> symbols;
  Rng rng(StreamSeed(seed, 0, 1));
  auto add = [&](Market market, ProductType type, std::string code, double price_yuan) {
    symbols.push_back({market, type, std::move(code), std::max<int64_t>(10, std::llround(price_yuan * 1000))});
  };
  char code[16];
  for (int i = 0; i < 400; ++i) {
    static constexpr int kShPrefixes[] = {600, 601, 603, 688};
    std::snprintf(code, sizeof code, "%03d%03d", rng.Pick(kShPrefixes), static_cast<int>(rng.Range(0, 999)));
    add(Market::kShanghai, ProductType::kStock, code, std::exp(rng.Normal() * 0.8 + 2.7));
    static constexpr int kSzPrefixes[] = {0, 2, 300};
    std::snprintf(code, sizeof code, "%03d%03d", rng.Pick(kSzPrefixes), static_cast<int>(rng.Range(0, 999)));
    add(Market::kShenzhen, ProductType::kStock, code, std::exp(rng.Normal() * 0.8 + 2.6));
  }
  for (int i = 0; i < 30; ++i) {
    std::snprintf(code, sizeof code, "83%04d", static_cast<int>(rng.Range(0, 9999)));
    add(Market::kBeijing, ProductType::kStock, code, std::exp(rng.Normal() * 0.6 + 2.3));
    std::snprintf(code, sizeof code, "%05d", static_cast<int>(rng.Range(1, 9999)));
    add(Market::kHongKong, ProductType::kStock, code, std::exp(rng.Normal() * 1.0 + 3.0));
  }
  for (int i = 0; i < 80; ++i) {
    std::snprintf(code, sizeof code, "51%04d", static_cast<int>(rng.Range(0, 9999)));
    add(Market::kShanghai, ProductType::kFund, code, 0.8 + rng.Uniform() * 3);
    std::snprintf(code, sizeof code, "15%04d", static_cast<int>(rng.Range(0, 9999)));
    add(Market::kShenzhen, ProductType::kFund, code, 0.8 + rng.Uniform() * 3);
  }
  for (int i = 0; i < 60; ++i) {
    std::snprintf(code, sizeof code, "019%03d", static_cast<int>(rng.Range(0, 999)));
    add(Market::kShanghai, ProductType::kBond, code, 98 + rng.Uniform() * 6);
  }
  for (int i = 0; i < 40; ++i) {
    std::snprintf(code, sizeof code, "1000%04d", static_cast<int>(rng.Range(0, 9999)));
    add(Market::kShanghai, ProductType::kOption, code, 0.05 + rng.Uniform() * 0.5);
  }
  return symbols;
}


struct MonthInfo {
  Date first_day;
  std::vector<Date> trading_days;  // up to the end date
};

// Everything decided about a customer before their activity is generated.
struct CustomerPlan {
  Customer customer;
  double base_assets = 0;  // yuan
  double trades_per_month = 0;
  double monthly_drift = 0;
  int primary_channel = 0;
  bool churner = false;
  int churn_month = 0;  // month index at which the customer has left
  bool closes = false;  // closes the account when leaving (else goes dormant)
  bool margin = false;
  bool option = false;
  bool complainer = false;  // complains without leaving: noise for the churn model
  int first_month = 0;      // month index of the open date (0 when opened before)
};

struct Activity {
  std::vector<AssetSnapshot> assets;
  std::vector<Trade> trades;
  std::vector<Interaction> interactions;
  std::vector<Account> closed_accounts;  // accounts updated with a close date
};

class Generator {
 public:
  Generator(const DemoDataOptions& options, RowSink& sink) : options_(options), sink_(sink) {}

  Result<DemoDataSummary> Run() {
    auto start = std::chrono::steady_clock::now();
    BuildCalendar();
    BuildSymbols();
    FINCRM_RETURN_IF_ERROR(WriteBranchesAndStaff());
    FINCRM_RETURN_IF_ERROR(WriteProducts());
    FINCRM_RETURN_IF_ERROR(WriteCustomers());
    FINCRM_RETURN_IF_ERROR(WriteHouseholdsAndAccounts());
    FINCRM_RETURN_IF_ERROR(WriteActivity());
    FINCRM_RETURN_IF_ERROR(sink_.Finish());
    summary_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary_;
  }

 private:
  template <class T>
  Status Emit(const T& row, int64_t& counter) {
    ++counter;
    return sink_.Put(row);
  }

  void BuildCalendar() {
    int end_year;
    unsigned end_month, end_day;
    CivilFromDays(options_.end_date.days, end_year, end_month, end_day);
    int month_index = end_year * 12 + static_cast<int>(end_month) - 1 - (options_.months - 1);
    for (int m = 0; m < options_.months; ++m, ++month_index) {
      int year = month_index / 12;
      unsigned month = month_index % 12 + 1;
      MonthInfo info;
      info.first_day = Date{DaysFromCivil(year, month, 1)};
      for (unsigned d = 1; d <= 31 && IsValidCivil(year, month, d); ++d) {
        Date day{DaysFromCivil(year, month, d)};
        if (day > options_.end_date) break;
        if (options_.calendar.IsTradingDay(day)) info.trading_days.push_back(day);
      }
      months_.push_back(std::move(info));
    }
    for (const MonthInfo& month : months_) {
      for (Date day : month.trading_days) all_trading_days_.push_back(day);
    }
    // Daily snapshots cover the last trading days; month-end ones stop before them.
    size_t daily = std::min<size_t>(options_.daily_snapshot_days, all_trading_days_.size());
    first_daily_snapshot_ = daily == 0 ? Date{options_.end_date.days + 1}
                                       : all_trading_days_[all_trading_days_.size() - daily];
  }

  void BuildSymbols() {
    symbols_ = BuildDemoSymbols(options_.seed);
    for (const Symbol& s : symbols_) symbols_by_type_[static_cast<int>(s.type)].push_back(&s);
  }

  Status WriteBranchesAndStaff() {
    Rng rng(StreamSeed(options_.seed, 0, 2));
    Branch head_office{"B000", "总部", "上海", "上海", Date{DaysFromCivil(1998, 6, 1)}};
    FINCRM_RETURN_IF_ERROR(Emit(head_office, summary_.branches));
    double total_weight = 0;
    for (const City& city : kCities) total_weight += city.weight;
    int64_t staff_number = 0;
    auto add_staff = [&](StaffRole role, const std::string& branch_id) -> Result<std::string> {
      char id[16];
      std::snprintf(id, sizeof id, "S%05lld", static_cast<long long>(++staff_number));
      Staff staff;
      staff.staff_id = id;
      staff.name = PersonName(rng);
      staff.role = role;
      staff.branch_id = branch_id;
      staff.mobile = Mobile(rng);
      staff.email = std::string(id) + "@staff.fincrm.example";
      staff.hired_on = Date{options_.end_date.days - static_cast<int32_t>(rng.Range(60, 5000))};
      Status status = Emit(staff, summary_.staff);
      if (!status.ok()) return status;
      return staff.staff_id;
    };
    for (size_t b = 0; b < std::size(kCities); ++b) {
      const City& city = kCities[b];
      char id[8];
      std::snprintf(id, sizeof id, "B%03zu", b + 1);
      Branch branch{id, std::string(city.city) + "营业部", city.province, city.city,
                    Date{DaysFromCivil(static_cast<int>(2000 + b % 15), 3, 1)}};
      FINCRM_RETURN_IF_ERROR(Emit(branch, summary_.branches));
      branch_ids_.push_back(branch.branch_id);
      double share = city.weight / total_weight;
      int64_t branch_customers = std::max<int64_t>(1, std::llround(share * options_.customers));
      std::vector<std::string> brokers;
      int64_t broker_count = std::max<int64_t>(1, (branch_customers + 150) / 300);
      for (int64_t i = 0; i < broker_count; ++i) {
        auto id_or = add_staff(StaffRole::kBroker, branch.branch_id);
        if (!id_or.ok()) return id_or.status();
        brokers.push_back(*id_or);
      }
      for (int64_t i = 0; i < std::max<int64_t>(1, branch_customers / 1500); ++i) {
        auto id_or = add_staff(StaffRole::kAccountManager, branch.branch_id);
        if (!id_or.ok()) return id_or.status();
        account_managers_by_branch_.resize(b + 1);
        account_managers_by_branch_[b].push_back(*id_or);
      }
      auto manager = add_staff(StaffRole::kManager, branch.branch_id);
      if (!manager.ok()) return manager.status();
      brokers_by_branch_.push_back(std::move(brokers));
      branch_weights_.push_back(share);
    }
    for (int64_t i = 0; i < std::max<int64_t>(4, options_.customers / 3000); ++i) {
      auto id_or = add_staff(StaffRole::kAgent, "B000");
      if (!id_or.ok()) return id_or.status();
      agents_.push_back(*id_or);
    }
    for (int i = 0; i < 8; ++i) {
      auto id_or = add_staff(StaffRole::kAnalyst, "B000");
      if (!id_or.ok()) return id_or.status();
      analysts_.push_back(*id_or);
    }
    return Status::Ok();
  }

  Status WriteProducts() {
    Rng rng(StreamSeed(options_.seed, 0, 3));
    static constexpr const char* kFundStyles[] = {"货币", "纯债", "稳健债券", "平衡混合", "成长混合",
                                                  "沪深300指数", "科技创新", "新能源股票"};
    static constexpr ProductRisk kFundRisks[] = {ProductRisk::kR1, ProductRisk::kR2, ProductRisk::kR2,
                                                 ProductRisk::kR3, ProductRisk::kR4, ProductRisk::kR4,
                                                 ProductRisk::kR5, ProductRisk::kR5};
    char id[16];
    for (int i = 0; i < 48; ++i) {
      Product product;
      int style = i % 8;
      std::snprintf(id, sizeof id, "P%04d", i + 1);
      product.product_id = id;
      product.issuer = rng.Pick(kFundIssuers);
      product.category = i < 32 ? ProductCategory::kFund : i < 40 ? ProductCategory::kWealth : ProductCategory::kBond;
      product.name = product.issuer.substr(0, product.issuer.size() - 6) +
                     (product.category == ProductCategory::kBond ? "债券" : kFundStyles[style]) +
                     (product.category == ProductCategory::kWealth ? "理财" : "") + std::to_string(i / 8 + 1) + "号";
      product.risk_level = product.category == ProductCategory::kBond ? ProductRisk::kR2 : kFundRisks[style];
      product.launch_date = Date{options_.end_date.days - static_cast<int32_t>(rng.Range(30, 3000))};
      FINCRM_RETURN_IF_ERROR(Emit(product, summary_.products));
    }
    return Status::Ok();
  }

  static std::string PersonName(Rng& rng) {
    std::string name = rng.Pick(kSurnames);
    name += rng.Pick(kGivenChars);
    if (rng.Chance(0.7)) name += rng.Pick(kGivenChars);
    return name;
  }

  static std::string Mobile(Rng& rng) {
    static constexpr char kSecond[] = {'3', '5', '7', '8', '9'};
    std::string mobile = "1";
    mobile += rng.Pick(kSecond);
    for (int i = 0; i < 9; ++i) mobile += static_cast<char>('0' + rng.Range(0, 9));
    return mobile;
  }

  CustomerPlan PlanCustomer(int64_t index) {
    Rng rng(StreamSeed(options_.seed, index, 4));
    CustomerPlan plan;
    Customer& c = plan.customer;
    char id[16];
    std::snprintf(id, sizeof id, "C%08lld", static_cast<long long>(index + 1));
    c.customer_id = id;
    size_t b = 0;
    {
      double x = rng.Uniform(), acc = 0;
      for (b = 0; b + 1 < branch_weights_.size(); ++b) {
        acc += branch_weights_[b];
        if (x < acc) break;
      }
    }
    const City& city = kCities[b];
    c.branch_id = branch_ids_[b];
    c.broker_id = rng.Chance(0.92) ? rng.Pick(brokers_by_branch_[b]) : "";
    c.province = city.province;
    c.city = city.city;
    c.gender = rng.Chance(0.55) ? Gender::kMale : Gender::kFemale;
    c.name = PersonName(rng);
    // Age 20-78 at the end date, skewed to the middle-aged, as brokerage clients are.
    int age = std::clamp(static_cast<int>(std::lround(45 + rng.Normal() * 12)), 20, 78);
    int end_year;
    unsigned end_month, end_day;
    CivilFromDays(options_.end_date.days, end_year, end_month, end_day);
    int birth_year = end_year - age;
    unsigned birth_month = static_cast<unsigned>(rng.Range(1, 12));
    unsigned birth_day = static_cast<unsigned>(rng.Range(1, 28));
    c.birth_date = Date{DaysFromCivil(birth_year, birth_month, birth_day)};
    c.id_type = rng.Chance(0.985) ? IdType::kResidentId : IdType::kPassport;
    if (c.id_type == IdType::kResidentId) {
      char first17[18];
      int sequence = static_cast<int>(rng.Range(0, 499)) * 2 + (c.gender == Gender::kMale ? 1 : 0);
      std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03d", city.region_code, birth_year,
                    birth_month, birth_day, sequence);
      c.id_number = std::string(first17) + ResidentIdCheckChar(first17);
    } else {
      std::snprintf(id, sizeof id, "E%08lld", static_cast<long long>(rng.Range(10000000, 99999999)));
      c.id_number = id;
    }
    c.mobile = rng.Chance(0.97) ? Mobile(rng) : "";
    if (rng.Chance(0.45)) {
      static constexpr const char* kDomains[] = {"qq.com", "163.com", "126.com", "sina.com", "outlook.com"};
      c.email = std::to_string(rng.Range(100000, 999999999)) + "@" + rng.Pick(kDomains);
    }
    c.address = std::string(city.city) + "市" + rng.Pick(kDistricts) + rng.Pick(kRoads) + "路" +
                std::to_string(rng.Range(1, 999)) + "号";
    c.occupation = age >= 62 && rng.Chance(0.7) ? "退休" : rng.Pick(kOccupations);

    // Open date: 72% before the window (the existing book), the rest during it.
    Date window_start = months_.front().first_day;
    int32_t earliest = std::max(DaysFromCivil(2003, 1, 1), c.birth_date->days + 18 * 366);
    if (rng.Chance(0.72) && earliest < window_start.days - 1) {
      int32_t span = window_start.days - 1 - earliest;
      c.open_date = Date{earliest + static_cast<int32_t>(rng.Range(0, span))};
      plan.first_month = 0;
    } else {
      plan.first_month = static_cast<int>(rng.Range(0, options_.months - 1));
      const MonthInfo& month = months_[plan.first_month];
      c.open_date = month.trading_days.empty() ? month.first_day : rng.Pick(month.trading_days);
    }
    c.status = CustomerStatus::kActive;

    // Assets: Pareto, the top 20% holding most of the book; income follows assets.
    plan.base_assets = std::min(rng.Pareto(15000, 1.1), 3.0e8);
    double income_draw = std::log10(plan.base_assets) + rng.Normal() * 0.5;
    c.income_band = income_draw < 4.6   ? IncomeBand::kBelow100k
                    : income_draw < 5.3 ? IncomeBand::k100kTo300k
                    : income_draw < 6.0 ? IncomeBand::k300kTo1m
                    : income_draw < 6.8 ? IncomeBand::k1mTo5m
                                        : IncomeBand::kAbove5m;
    if (rng.Chance(0.95)) {
      c.risk_level = static_cast<RiskLevel>(rng.Weighted({0.10, 0.25, 0.35, 0.20, 0.10}));
      int32_t assessed = std::max(c.open_date.days, options_.end_date.days - 730) +
                         static_cast<int32_t>(rng.Range(0, 60));
      c.risk_assessed_on = Date{std::min(assessed, options_.end_date.days)};
    }

    // Trading frequency: a power law; a third of the book barely trades.
    plan.trades_per_month = rng.Chance(0.3) ? 0.08 : std::min(40.0, rng.Pareto(0.6, 1.4));
    if (c.risk_level && *c.risk_level >= RiskLevel::kC4) plan.trades_per_month *= 1.5;
    plan.monthly_drift = rng.Normal() * 0.01 + (rng.Chance(0.12) ? 0.04 : 0.0);  // some grow fast
    plan.primary_channel = static_cast<int>(rng.Weighted({0.07, 0.08, 0.2, 0.6, 0.05}));
    if (age >= 60 && rng.Chance(0.5)) plan.primary_channel = rng.Chance(0.5) ? 0 : 1;
    plan.margin = plan.base_assets > 500000 && rng.Chance(0.35);
    plan.option = plan.base_assets > 500000 && c.risk_level && *c.risk_level >= RiskLevel::kC4 && rng.Chance(0.3);
    plan.complainer = rng.Chance(0.04);

    // The churn process: smaller, newer, lower-activity customers leave more often.
    double churn_probability = 0.10;
    if (plan.base_assets < 50000) churn_probability += 0.05;
    if (plan.trades_per_month < 0.5) churn_probability += 0.03;
    if (plan.first_month > 0) churn_probability += 0.03;
    int earliest_churn = std::max(plan.first_month + 5, 6);
    if (earliest_churn < options_.months + 3 && rng.Chance(churn_probability)) {
      plan.churner = true;
      // Leaving months spread over the window and up to 3 months past it, so that
      // customers in decline at the end of the data are there to be predicted.
      plan.churn_month = static_cast<int>(rng.Range(earliest_churn, options_.months + 2));
      plan.closes = rng.Chance(0.4);
    }
    return plan;
  }

  Status WriteCustomers() {
    plans_.reserve(options_.customers);
    for (int64_t i = 0; i < options_.customers; ++i) {
      CustomerPlan plan = PlanCustomer(i);
      if (plan.churner && plan.churn_month < options_.months) {
        plan.customer.status = plan.closes ? CustomerStatus::kClosed : CustomerStatus::kDormant;
      }
      if (plan.churner) ++summary_.planted_churners;
      FINCRM_RETURN_IF_ERROR(Emit(plan.customer, summary_.customers));
      plans_.push_back(std::move(plan));
    }
    return Status::Ok();
  }

  Status WriteHouseholdsAndAccounts() {
    for (int64_t i = 0; i < options_.customers; ++i) {
      Rng rng(StreamSeed(options_.seed, i, 5));
      const Customer& c = plans_[i].customer;
      // Neighbouring customers of opposite gender in the same city may be spouses.
      if (i % 2 == 0 && i + 1 < options_.customers && rng.Chance(0.16)) {
        const Customer& other = plans_[i + 1].customer;
        if (other.gender != c.gender && other.city == c.city) {
          HouseholdMember forward{c.customer_id, Relation::kSpouse, other.customer_id, "", ""};
          HouseholdMember backward{other.customer_id, Relation::kSpouse, c.customer_id, "", ""};
          FINCRM_RETURN_IF_ERROR(Emit(forward, summary_.households));
          FINCRM_RETURN_IF_ERROR(Emit(backward, summary_.households));
        }
      }
      if (rng.Chance(0.12)) {
        HouseholdMember member;
        member.customer_id = c.customer_id;
        member.relation = rng.Chance(0.6) ? Relation::kChild : Relation::kParent;
        member.member_name = std::string(c.name.substr(0, 3)) + rng.Pick(kGivenChars) + rng.Pick(kGivenChars);
        member.member_mobile = rng.Chance(0.7) ? Mobile(rng) : "";
        FINCRM_RETURN_IF_ERROR(Emit(member, summary_.households));
      }
      for (const Account& account : AccountsOf(plans_[i])) {
        FINCRM_RETURN_IF_ERROR(Emit(account, summary_.accounts));
      }
    }
    return Status::Ok();
  }

  std::vector<Account> AccountsOf(const CustomerPlan& plan) {
    std::vector<Account> accounts;
    const Customer& c = plan.customer;
    std::string number = c.customer_id.substr(1);
    std::optional<Date> closed;
    if (plan.churner && plan.closes && plan.churn_month < options_.months) {
      const MonthInfo& month = months_[plan.churn_month];
      closed = month.trading_days.empty() ? month.first_day : month.trading_days.front();
      if (*closed < c.open_date) closed = c.open_date;
    }
    accounts.push_back({"A" + number + "1", c.customer_id, AccountType::kCash, c.open_date, closed});
    if (plan.margin) {
      Date opened{std::max(c.open_date.days + 180, months_.front().first_day.days - 400)};
      if (closed && opened > *closed) opened = *closed;
      accounts.push_back({"A" + number + "2", c.customer_id, AccountType::kMargin, opened, closed});
    }
    if (plan.option) {
      Date opened{std::max(c.open_date.days + 365, months_.front().first_day.days - 200)};
      if (closed && opened > *closed) opened = *closed;
      accounts.push_back({"A" + number + "3", c.customer_id, AccountType::kOption, opened, closed});
    }
    return accounts;
  }

  // How much of a churner's normal self remains in month m: 1 before the decline,
  // falling over the four months before leaving, near zero after.
  double ChurnFactor(const CustomerPlan& plan, int m) const {
    if (!plan.churner) return 1.0;
    int before = plan.churn_month - m;
    if (before > 4) return 1.0;
    static constexpr double kDecline[] = {0.03, 0.12, 0.3, 0.55, 0.8};  // index: months before
    return before <= 0 ? (plan.closes ? 0.0 : 0.03) : kDecline[before];
  }

  Activity GenerateActivity(int64_t index) {
    const CustomerPlan& plan = plans_[index];
    const Customer& c = plan.customer;
    Rng rng(StreamSeed(options_.seed, index, 6));
    Activity out;
    std::string number = c.customer_id.substr(1);
    std::vector<Account> accounts = AccountsOf(plan);
    const Account* margin_account = nullptr;
    const Account* option_account = nullptr;
    for (const Account& a : accounts) {
      if (a.type == AccountType::kMargin) margin_account = &a;
      if (a.type == AccountType::kOption) option_account = &a;
    }
    const std::string& cash_account = accounts.front().account_id;
    const std::vector<std::string>& managers =
        account_managers_by_branch_[std::stoi(c.branch_id.substr(1)) - 1];

    double level = 1.0;  // the customer's own asset path
    double cash_share = 0.1 + rng.Uniform() * 0.35;
    double fund_share = rng.Uniform() * 0.3;
    double bond_share = rng.Uniform() < 0.3 ? rng.Uniform() * 0.25 : 0.0;
    int64_t trade_seq = 0, interaction_seq = 0;
    char id[40];

    auto snapshot = [&](Date day, double assets_yuan) {
      AssetSnapshot s;
      s.customer_id = c.customer_id;
      s.snapshot_date = day;
      int64_t total = std::max<int64_t>(0, std::llround(assets_yuan * 100));
      s.cash.fen = std::llround(total * cash_share);
      s.funds.fen = std::llround(total * fund_share);
      s.bonds.fen = std::llround(total * bond_share);
      s.stocks.fen = std::max<int64_t>(0, total - s.cash.fen - s.funds.fen - s.bonds.fen);
      s.total_assets.fen = s.cash.fen + s.stocks.fen + s.funds.fen + s.bonds.fen;
      s.margin_debt.fen = margin_account ? std::llround(s.stocks.fen * 0.15 * rng.Uniform()) : 0;
      out.assets.push_back(s);
    };
    auto interaction = [&](Date day, InteractionChannel channel, Direction direction,
                           InteractionType type, std::string staff, std::string subject,
                           std::string outcome, int64_t duration) {
      Interaction i;
      std::snprintf(id, sizeof id, "I%s%05lld", number.c_str(), static_cast<long long>(++interaction_seq));
      i.interaction_id = id;
      i.customer_id = c.customer_id;
      i.occurred_at = ShanghaiTime(day, static_cast<int>(rng.Range(8, 21)), static_cast<int>(rng.Range(0, 59)),
                                   static_cast<int>(rng.Range(0, 59)));
      i.channel = channel;
      i.direction = direction;
      i.type = type;
      i.staff_id = std::move(staff);
      i.subject = std::move(subject);
      i.outcome = std::move(outcome);
      i.duration_seconds = duration;
      out.interactions.push_back(std::move(i));
    };

    for (int m = plan.first_month; m < options_.months; ++m) {
      const MonthInfo& month = months_[m];
      if (month.trading_days.empty()) continue;
      double factor = ChurnFactor(plan, m);
      level *= std::exp(plan.monthly_drift + rng.Normal() * 0.06);
      double assets = plan.base_assets * level * factor;
      bool left = plan.churner && m >= plan.churn_month;
      bool closed = left && plan.closes;
      auto day_in_month = [&] {
        Date day = rng.Pick(month.trading_days);
        return day < c.open_date ? c.open_date : day;
      };

      // Trades: Poisson around the customer's rate, scaled down in the decline.
      int trade_count = closed ? 0 : rng.Poisson(plan.trades_per_month * factor);
      for (int t = 0; t < trade_count; ++t) {
        Trade trade;
        std::snprintf(id, sizeof id, "T%s%06lld", number.c_str(), static_cast<long long>(++trade_seq));
        trade.trade_id = id;
        trade.customer_id = c.customer_id;
        size_t kind = rng.Weighted({0.8, 0.12, 0.06, 0.04});
        if (kind == 3 && !option_account) kind = 0;
        const std::vector<const Symbol*>& pool = symbols_by_type_[kind];
        // Popular symbols trade more: square the uniform to skew towards the front.
        double u = rng.Uniform();
        const Symbol& symbol = *pool[static_cast<size_t>(u * u * pool.size())];
        trade.account_id = symbol.type == ProductType::kOption ? option_account->account_id
                           : margin_account && rng.Chance(0.3) ? margin_account->account_id
                                                               : cash_account;
        Date day = day_in_month();
        int minute_of_session = static_cast<int>(rng.Range(0, 239));
        int hour = minute_of_session < 120 ? 9 + (30 + minute_of_session) / 60 : 13 + (minute_of_session - 120) / 60;
        int minute = minute_of_session < 120 ? (30 + minute_of_session) % 60 : (minute_of_session - 120) % 60;
        trade.trade_time = ShanghaiTime(day, hour, minute, static_cast<int>(rng.Range(0, 59)));
        trade.market = symbol.market;
        trade.symbol = symbol.code;
        trade.product_type = symbol.type;
        trade.side = rng.Chance(0.52) ? TradeSide::kBuy : TradeSide::kSell;
        double price = symbol.price_li * std::exp(rng.Normal() * 0.05);
        trade.price.li = std::max<int64_t>(1, std::llround(price));
        int64_t lot = symbol.type == ProductType::kBond ? 10 : symbol.type == ProductType::kOption ? 1 : 100;
        double target = std::max(2000.0, assets * (0.03 + rng.Uniform() * 0.2)) * 1000;  // in li
        int64_t lots = std::max<int64_t>(1, static_cast<int64_t>(target / (trade.price.li * lot)));
        trade.quantity = lots * lot;
        if (symbol.type == ProductType::kOption) trade.quantity = std::min<int64_t>(trade.quantity, 200);
        int64_t contract = symbol.type == ProductType::kOption ? 10000 : 1;  // option contract unit
        trade.amount.fen = (trade.quantity * contract * trade.price.li + 5) / 10;
        // Commission about 0.025% with a 5 yuan minimum (options: 5 yuan a contract... capped simply).
        trade.commission.fen = std::max<int64_t>(500, (trade.amount.fen * 25 + 50000) / 100000);
        static constexpr TradeChannel kChannels[] = {TradeChannel::kCounter, TradeChannel::kPhone,
                                                     TradeChannel::kWeb, TradeChannel::kApp, TradeChannel::kApi};
        int channel = rng.Chance(0.78) ? plan.primary_channel : static_cast<int>(rng.Range(0, 4));
        trade.channel = kChannels[channel];
        out.trades.push_back(std::move(trade));
      }

      // Logins (web and app page views): active traders log in often; in decline, less.
      double visit_rate = closed ? 0 : (0.25 + 0.35 * std::min(plan.trades_per_month, 6.0)) * (left ? 0.1 : factor);
      int visits = rng.Poisson(visit_rate);
      static constexpr const char* kPages[] = {"行情", "自选股", "资产", "理财产品", "研报", "新股申购"};
      for (int v = 0; v < visits; ++v) {
        bool app = plan.primary_channel != 2 || rng.Chance(0.3);
        interaction(day_in_month(), app ? InteractionChannel::kApp : InteractionChannel::kWebsite,
                    Direction::kInbound, InteractionType::kWebVisit, "", rng.Pick(kPages), "", rng.Range(20, 900));
      }
      // Complaints: rare, frequent for churners in the months before they leave.
      bool declining = plan.churner && !left && plan.churn_month - m <= 4;
      double complaint_rate = declining ? 0.22 : plan.complainer ? 0.12 : 0.006;
      if (!closed && rng.Chance(complaint_rate)) {
        static constexpr const char* kComplaints[] = {"佣金费率过高", "交易系统卡顿", "服务响应慢",
                                                      "理财产品亏损", "经纪人联系不上"};
        interaction(day_in_month(), InteractionChannel::kCallCenter, Direction::kInbound,
                    InteractionType::kComplaint, rng.Pick(agents_), rng.Pick(kComplaints),
                    rng.Chance(0.6) ? "已受理" : "已解决", rng.Range(120, 1200));
      }
      if (!closed && rng.Chance(0.05)) {
        static constexpr const char* kQuestions[] = {"密码重置", "转账查询", "新股申购规则", "融资融券开通", "费率咨询"};
        interaction(day_in_month(), InteractionChannel::kCallCenter, Direction::kInbound,
                    InteractionType::kInquiry, rng.Pick(agents_), rng.Pick(kQuestions), "已解答", rng.Range(60, 600));
      }
      if (!closed && rng.Chance(0.02)) {
        interaction(day_in_month(), InteractionChannel::kCounter, Direction::kInbound, InteractionType::kInquiry,
                    c.broker_id, "柜台业务办理", "已办理", rng.Range(300, 1800));
      }
      // Relationship care scales with the customer's value.
      double care = plan.base_assets > 2e6 ? 0.35 : plan.base_assets > 3e5 ? 0.1 : 0.02;
      if (!closed && !c.broker_id.empty() && rng.Chance(care)) {
        bool visit = rng.Chance(0.4);
        interaction(day_in_month(), InteractionChannel::kBroker, Direction::kOutbound,
                    visit ? InteractionType::kVisit : InteractionType::kReturnVisit, c.broker_id,
                    visit ? "客户拜访" : "季度回访", "客户满意", rng.Range(300, 3600));
      }
      if (!closed && !managers.empty() && plan.base_assets > 1e6 && rng.Chance(0.08)) {
        interaction(day_in_month(), InteractionChannel::kAccountManager, Direction::kOutbound,
                    InteractionType::kAdvisory, rng.Pick(managers), "资产配置建议", "已沟通", rng.Range(600, 3600));
      }
      if (!closed && plan.base_assets > 5e5 && rng.Chance(0.03)) {
        interaction(day_in_month(), InteractionChannel::kAnalyst, Direction::kOutbound,
                    InteractionType::kAdvisory, rng.Pick(analysts_), "行业研究解读", "", rng.Range(600, 2400));
      }
      if (!closed && rng.Chance(0.1)) {
        bool sms = rng.Chance(0.6);
        interaction(day_in_month(), sms ? InteractionChannel::kSms : InteractionChannel::kEmail,
                    Direction::kOutbound, InteractionType::kMarketing, "", sms ? "新发基金推介" : "月度投资策略",
                    "", 0);
      }

      // Month-end snapshot; the last months get daily snapshots instead.
      Date month_end = month.trading_days.back();
      if (month_end < first_daily_snapshot_ && month_end >= c.open_date && !closed) {
        snapshot(month_end, assets);
      }
    }
    // Daily snapshots over the last trading days, drifting around the final level.
    bool closed_at_end = plan.churner && plan.closes && plan.churn_month < options_.months;
    if (options_.daily_snapshot_days > 0 && !closed_at_end) {
      size_t count = std::min<size_t>(options_.daily_snapshot_days, all_trading_days_.size());
      double factor = ChurnFactor(plan, options_.months - 1);
      double assets = plan.base_assets * level * factor;
      for (size_t d = all_trading_days_.size() - count; d < all_trading_days_.size(); ++d) {
        if (all_trading_days_[d] < c.open_date) continue;
        assets *= std::exp(rng.Normal() * 0.01);
        snapshot(all_trading_days_[d], assets);
      }
    }
    std::sort(out.trades.begin(), out.trades.end(),
              [](const Trade& a, const Trade& b) { return a.trade_time < b.trade_time; });
    return out;
  }

  Status WriteActivity() {
    constexpr int64_t kChunk = 256;
    BatchQueue<std::vector<Activity>> queue(8);
    std::thread producer([&] {
      for (int64_t first = 0; first < options_.customers; first += kChunk) {
        std::vector<Activity> chunk;
        int64_t last = std::min(options_.customers, first + kChunk);
        for (int64_t i = first; i < last; ++i) chunk.push_back(GenerateActivity(i));
        if (!queue.Push(std::move(chunk))) return;
      }
      queue.Close();
    });
    Status status;
    int64_t done = 0, next_report = 0;
    while (auto chunk = queue.Pop()) {
      for (const Activity& activity : *chunk) {
        for (const AssetSnapshot& row : activity.assets) {
          if (status.ok()) status = Emit(row, summary_.assets);
        }
        for (const Trade& row : activity.trades) {
          if (status.ok()) status = Emit(row, summary_.trades);
        }
        for (const Interaction& row : activity.interactions) {
          if (status.ok()) status = Emit(row, summary_.interactions);
        }
      }
      done += chunk->size();
      if (options_.on_progress && done >= next_report) {
        options_.on_progress(done, options_.customers);
        next_report = done + std::max<int64_t>(1, options_.customers / 100);
      }
      if (!status.ok()) {
        queue.Cancel();
        break;
      }
    }
    producer.join();
    return status;
  }

  const DemoDataOptions& options_;
  RowSink& sink_;
  DemoDataSummary summary_;
  std::vector<MonthInfo> months_;
  std::vector<Date> all_trading_days_;
  Date first_daily_snapshot_;
  std::vector<Symbol> symbols_;
  std::vector<const Symbol*> symbols_by_type_[4];
  std::vector<std::string> branch_ids_;
  std::vector<double> branch_weights_;
  std::vector<std::vector<std::string>> brokers_by_branch_;
  std::vector<std::vector<std::string>> account_managers_by_branch_;
  std::vector<std::string> agents_;
  std::vector<std::string> analysts_;
  std::vector<CustomerPlan> plans_;
};

}  // namespace

std::vector<Security> DemoSecurityMaster(uint64_t seed) {
  std::vector<Security> master;
  for (const Symbol& symbol : BuildDemoSymbols(seed)) {
    Security& s = master.emplace_back();
    s.market = symbol.market;
    s.symbol = symbol.code;
    s.name = std::string(EnumLabelZh(symbol.type)) + symbol.code;
    // Stocks get an industry by their code, so that every industry has some.
    if (symbol.type == ProductType::kStock) {
      uint32_t hash = 2166136261u;  // FNV-1a: the same on every platform
      for (unsigned char c : symbol.code) hash = (hash ^ c) * 16777619u;
      s.industry = std::string(kShenwanIndustries[hash % kShenwanIndustries.size()].code);
    }
  }
  return master;
}

Result<DemoDataSummary> GenerateDemoData(const DemoDataOptions& options, RowSink& sink) {
  if (options.customers < 1 || options.customers > 99999999) {
    return InvalidArgument("must be between 1 and 99,999,999", "customers");
  }
  if (options.months < 1 || options.months > 120) {
    return InvalidArgument("must be between 1 and 120", "months");
  }
  if (options.daily_snapshot_days < 0 || options.daily_snapshot_days > 250) {
    return InvalidArgument("must be between 0 and 250", "daily_snapshot_days");
  }
  Generator generator(options, sink);
  return generator.Run();
}

}  // namespace fincrm
