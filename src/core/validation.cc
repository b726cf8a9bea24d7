#include "core/validation.h"

#include <algorithm>
#include <utility>

namespace fincrm {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status NonNegative(Money value, const char* field) {
  if (value.fen < 0) return InvalidArgument("must not be negative", field);
  return Status::Ok();
}

Status Required(const std::string& value, const char* field) {
  if (value.empty()) return InvalidArgument("is required", field);
  return Status::Ok();
}

Status MaxLength(const std::string& value, size_t limit, const char* field) {
  if (value.size() > limit) {
    return InvalidArgument("is longer than " + std::to_string(limit) + " bytes", field);
  }
  return Status::Ok();
}

Status OptionalIdentifier(const std::string& value, const char* field) {
  return value.empty() ? Status::Ok() : ValidateIdentifier(value, field);
}

Status OptionalMobile(const std::string& value, const char* field) {
  if (value.empty()) return Status::Ok();
  Status status = ValidateMobile(value);
  return status.ok() ? status : InvalidArgument(status.message(), field);
}

Status OptionalEmail(const std::string& value, const char* field) {
  if (value.empty()) return Status::Ok();
  Status status = ValidateEmail(value);
  return status.ok() ? status : InvalidArgument(status.message(), field);
}

// Market records lie between the opening of the Shanghai Stock Exchange and a day from
// now (head office's and the CRM's clocks differ by seconds, never by a day).
Status WithinMarketHistory(Timestamp at, const char* field) {
  static const Timestamp kExchangeOpened = ShanghaiTime(Date{DaysFromCivil(1990, 12, 19)}, 0, 0, 0);
  if (at < kExchangeOpened) return InvalidArgument("is before 1990-12-19, when the Shanghai Stock Exchange opened", field);
  if (at.seconds > CurrentTime().seconds + kMaxClockAheadSeconds) return InvalidArgument("is in the future", field);
  return Status::Ok();
}

}  // namespace

char ResidentIdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

Status ValidateResidentId(std::string_view id) {
  if (id.size() != 18) return InvalidArgument("resident ID must have 18 characters", "id_number");
  for (int i = 0; i < 17; ++i) {
    if (!IsDigit(id[i])) {
      return InvalidArgument("resident ID must be 17 digits and a check character", "id_number");
    }
  }
  char last = id[17] == 'x' ? 'X' : id[17];
  if (!IsDigit(last) && last != 'X') {
    return InvalidArgument("resident ID check character must be a digit or X", "id_number");
  }
  int year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
  unsigned month = (id[10] - '0') * 10 + (id[11] - '0');
  unsigned day = (id[12] - '0') * 10 + (id[13] - '0');
  if (!IsValidCivil(year, month, day)) {
    return InvalidArgument("resident ID holds an impossible birth date", "id_number");
  }
  char expected = ResidentIdCheckChar(id.substr(0, 17));
  if (last != expected) {
    return InvalidArgument(std::string("resident ID check digit is wrong (expected ") + expected +
                               ")",
                           "id_number");
  }
  return Status::Ok();
}

Status ValidateMobile(std::string_view mobile) {
  if (mobile.size() != 11) return InvalidArgument("mobile number must have 11 digits", "mobile");
  for (char c : mobile) {
    if (!IsDigit(c)) return InvalidArgument("mobile number must be digits only", "mobile");
  }
  if (mobile[0] != '1' || mobile[1] < '3') {
    return InvalidArgument("mobile number must start with 13-19", "mobile");
  }
  return Status::Ok();
}

Status ValidateEmail(std::string_view email) {
  size_t at = email.find('@');
  if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos ||
      email.find('.', at) == std::string_view::npos || email.back() == '.' ||
      email.find(' ') != std::string_view::npos || email.size() > 254) {
    return InvalidArgument("not a valid e-mail address", "email");
  }
  return Status::Ok();
}

Status ValidateIdentifier(std::string_view id, std::string_view field) {
  if (id.empty()) return InvalidArgument("is required", std::string(field));
  if (id.size() > 64) return InvalidArgument("is longer than 64 characters", std::string(field));
  for (char c : id) {
    bool ok = IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) {
      return InvalidArgument("may hold only letters, digits, '-', '_' and '.'", std::string(field));
    }
  }
  return Status::Ok();
}

Status Validate(const Branch& branch) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(branch.branch_id, "branch_id"));
  FINCRM_RETURN_IF_ERROR(Required(branch.name, "name"));
  FINCRM_RETURN_IF_ERROR(MaxLength(branch.name, 200, "name"));
  FINCRM_RETURN_IF_ERROR(Required(branch.province, "province"));
  return Required(branch.city, "city");
}

Status Validate(const Staff& staff) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(staff.staff_id, "staff_id"));
  FINCRM_RETURN_IF_ERROR(Required(staff.name, "name"));
  FINCRM_RETURN_IF_ERROR(MaxLength(staff.name, 200, "name"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(staff.branch_id, "branch_id"));
  FINCRM_RETURN_IF_ERROR(OptionalMobile(staff.mobile, "mobile"));
  return OptionalEmail(staff.email, "email");
}

Status Validate(const Customer& c) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(c.customer_id, "customer_id"));
  FINCRM_RETURN_IF_ERROR(Required(c.name, "name"));
  FINCRM_RETURN_IF_ERROR(MaxLength(c.name, 200, "name"));
  FINCRM_RETURN_IF_ERROR(Required(c.id_number, "id_number"));
  FINCRM_RETURN_IF_ERROR(MaxLength(c.id_number, 64, "id_number"));
  if (c.id_type == IdType::kResidentId) {
    FINCRM_RETURN_IF_ERROR(ValidateResidentId(c.id_number));
    int year = (c.id_number[6] - '0') * 1000 + (c.id_number[7] - '0') * 100 +
               (c.id_number[8] - '0') * 10 + (c.id_number[9] - '0');
    unsigned month = (c.id_number[10] - '0') * 10 + (c.id_number[11] - '0');
    unsigned day = (c.id_number[12] - '0') * 10 + (c.id_number[13] - '0');
    if (c.birth_date && c.birth_date->days != DaysFromCivil(year, month, day)) {
      return InvalidArgument("does not match the birth date in the resident ID", "birth_date");
    }
    bool id_says_male = (c.id_number[16] - '0') % 2 == 1;
    if (id_says_male != (c.gender == Gender::kMale)) {
      return InvalidArgument("does not match the resident ID", "gender");
    }
  }
  FINCRM_RETURN_IF_ERROR(OptionalMobile(c.mobile, "mobile"));
  FINCRM_RETURN_IF_ERROR(OptionalEmail(c.email, "email"));
  FINCRM_RETURN_IF_ERROR(Required(c.province, "province"));
  FINCRM_RETURN_IF_ERROR(Required(c.city, "city"));
  FINCRM_RETURN_IF_ERROR(MaxLength(c.address, 500, "address"));
  if (c.birth_date && *c.birth_date > c.open_date) {
    return InvalidArgument("is before the birth date", "open_date");
  }
  if (c.risk_assessed_on && !c.risk_level) {
    return InvalidArgument("is set but risk_level is empty", "risk_assessed_on");
  }
  FINCRM_RETURN_IF_ERROR(OptionalIdentifier(c.broker_id, "broker_id"));
  return ValidateIdentifier(c.branch_id, "branch_id");
}

Status Validate(const HouseholdMember& m) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(m.customer_id, "customer_id"));
  if (m.member_customer_id.empty() == m.member_name.empty()) {
    return InvalidArgument("give either member_customer_id or member_name, not both or neither",
                           "member_customer_id");
  }
  FINCRM_RETURN_IF_ERROR(OptionalIdentifier(m.member_customer_id, "member_customer_id"));
  if (m.member_customer_id == m.customer_id) {
    return InvalidArgument("a customer cannot be their own relative", "member_customer_id");
  }
  FINCRM_RETURN_IF_ERROR(MaxLength(m.member_name, 200, "member_name"));
  return OptionalMobile(m.member_mobile, "member_mobile");
}

Status Validate(const Account& a) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(a.account_id, "account_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(a.customer_id, "customer_id"));
  if (a.close_date && *a.close_date < a.open_date) {
    return InvalidArgument("is before the open date", "close_date");
  }
  return Status::Ok();
}

Status Validate(const Holding& h) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(h.customer_id, "customer_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(h.symbol, "symbol"));
  if (h.symbol.size() > 16) return InvalidArgument("is longer than 16 characters", "symbol");
  if (h.quantity < 0) return InvalidArgument("must not be negative", "quantity");
  if (h.quantity > kMaxTradeQuantity) return InvalidArgument("is above 10 billion", "quantity");
  if (h.cost.fen > kMaxAssetsFen) return InvalidArgument("is above 10 trillion yuan", "cost");
  return NonNegative(h.cost, "cost");
}

Status Validate(const AssetSnapshot& s) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(s.customer_id, "customer_id"));
  FINCRM_RETURN_IF_ERROR(WithinMarketHistory(ShanghaiTime(s.snapshot_date, 0, 0, 0), "snapshot_date"));
  for (auto [value, field] : {std::pair{s.total_assets, "total_assets"}, {s.cash, "cash"}, {s.stocks, "stocks"},
                              {s.funds, "funds"}, {s.bonds, "bonds"}, {s.margin_debt, "margin_debt"}}) {
    if (value.fen > kMaxAssetsFen) return InvalidArgument("is above 10 trillion yuan", field);
  }
  FINCRM_RETURN_IF_ERROR(NonNegative(s.total_assets, "total_assets"));
  FINCRM_RETURN_IF_ERROR(NonNegative(s.cash, "cash"));
  FINCRM_RETURN_IF_ERROR(NonNegative(s.stocks, "stocks"));
  FINCRM_RETURN_IF_ERROR(NonNegative(s.funds, "funds"));
  FINCRM_RETURN_IF_ERROR(NonNegative(s.bonds, "bonds"));
  return NonNegative(s.margin_debt, "margin_debt");
}

Status Validate(const Trade& t) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(t.trade_id, "trade_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(t.customer_id, "customer_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(t.account_id, "account_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(t.symbol, "symbol"));
  if (t.symbol.size() > 16) return InvalidArgument("is longer than 16 characters", "symbol");
  FINCRM_RETURN_IF_ERROR(WithinMarketHistory(t.trade_time, "trade_time"));
  if (t.quantity <= 0) return InvalidArgument("must be positive", "quantity");
  if (t.quantity > kMaxTradeQuantity) return InvalidArgument("is above 10 billion units", "quantity");
  if (t.price.li < 0) return InvalidArgument("must not be negative", "price");
  if (t.price.li > kMaxPriceLi) return InvalidArgument("is above 1,000,000 yuan a unit", "price");
  FINCRM_RETURN_IF_ERROR(NonNegative(t.amount, "amount"));
  FINCRM_RETURN_IF_ERROR(NonNegative(t.commission, "commission"));
  // amount ≈ quantity × contract unit × price; price is in li (0.001 yuan), amount in fen.
  bool option = t.product_type == ProductType::kOption;
  __int128 expected = static_cast<__int128>(t.quantity) * (option ? kOptionContractUnit : 1) * t.price.li / 10;
  __int128 deviation = expected > t.amount.fen ? expected - t.amount.fen : t.amount.fen - expected;
  __int128 tolerance = std::max<__int128>(100, expected * (t.product_type == ProductType::kBond ? 10 : 1) / 100);
  if (deviation > tolerance) {
    return InvalidArgument("does not fit quantity × price (" + std::to_string(t.quantity) + " × " +
                               FormatScaledDecimal(t.price.li, 3) + (option ? " × 10000" : "") + " is about " +
                               FormatYuan(Money{static_cast<int64_t>(expected)}) + " yuan)",
                           "amount");
  }
  int64_t commission_cap = option ? std::max<int64_t>(500, t.quantity * kMaxOptionCommissionFen)
                                  : std::max<int64_t>(500, t.amount.fen / 100);
  if (t.commission.fen > commission_cap) {
    return InvalidArgument(option ? "is above 50 yuan a contract" : "is above 1% of the amount (and 5 yuan)",
                           "commission");
  }
  return Status::Ok();
}

Status Validate(const Interaction& i) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(i.interaction_id, "interaction_id"));
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(i.customer_id, "customer_id"));
  FINCRM_RETURN_IF_ERROR(OptionalIdentifier(i.staff_id, "staff_id"));
  FINCRM_RETURN_IF_ERROR(MaxLength(i.subject, 500, "subject"));
  FINCRM_RETURN_IF_ERROR(MaxLength(i.notes, 10000, "notes"));
  FINCRM_RETURN_IF_ERROR(WithinMarketHistory(i.occurred_at, "occurred_at"));
  if (i.duration_seconds < 0) return InvalidArgument("must not be negative", "duration_seconds");
  if (i.duration_seconds > 86400) return InvalidArgument("is longer than a day", "duration_seconds");
  return Status::Ok();
}

Status Validate(const Product& p) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(p.product_id, "product_id"));
  FINCRM_RETURN_IF_ERROR(Required(p.name, "name"));
  return MaxLength(p.name, 200, "name");
}

Status Validate(const StaffUser& user) {
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(user.login, "login"));
  if (user.login.size() < 3) return InvalidArgument("must have at least 3 characters", "login");
  if (user.login.starts_with(kInvestorLoginPrefix) != (user.role == UserRole::kInvestor)) {
    return InvalidArgument(user.role == UserRole::kInvestor ? "an investor's login is 'investor.' and the customer number"
                                                            : "'investor.' begins investors' logins only",
                           "login");
  }
  if (user.role == UserRole::kBranchManager && user.branch_id.empty()) {
    return InvalidArgument("a branch manager needs a branch", "branch");
  }
  if (user.role == UserRole::kBroker && user.staff_id.empty()) {
    return InvalidArgument("a broker login needs the broker's staff id", "staff_id");
  }
  FINCRM_RETURN_IF_ERROR(OptionalIdentifier(user.branch_id, "branch"));
  return OptionalIdentifier(user.staff_id, "staff_id");
}

}  // namespace fincrm
