#include "api/access_policy.h"

namespace fincrm {

bool Allows(const Principal& p, Permission permission) {
  using R = UserRole;
  if (permission == Permission::kPublic) return true;
  // An investor reaches the portal and nothing of the staff's.
  if (p.role == R::kInvestor) return permission == Permission::kPortal || permission == Permission::kSignedIn;
  if (permission == Permission::kPortal) return false;
  // An integration key does what its scopes name and nothing else.
  if (p.api_key) {
    auto has = [&](std::string_view scope) {
      std::string_view scopes = p.api_scopes;
      while (!scopes.empty()) {
        size_t end = scopes.find(' ');
        if (scopes.substr(0, end) == scope) return true;
        if (end == std::string_view::npos) break;
        scopes.remove_prefix(end + 1);
      }
      return false;
    };
    return (permission == Permission::kIngestEvents && has("events:write")) ||
           (permission == Permission::kCallEvents && has("cti")) ||
           (permission == Permission::kSmsReceipts && has("sms"));
  }
  switch (permission) {
    case Permission::kPublic:
    case Permission::kSignedIn: return true;
    case Permission::kReadCustomers:
      return p.role != R::kIntegration && p.role != R::kResearchAnalyst;
    case Permission::kWriteCustomers:
      return p.role == R::kAdmin || p.role == R::kBranchManager || p.role == R::kBroker || p.role == R::kAgent;
    case Permission::kIngestEvents: return p.role == R::kAdmin || p.role == R::kIntegration;
    case Permission::kReadAnalytics:
      return p.role == R::kAdmin || p.role == R::kHqAnalyst || p.role == R::kBranchManager ||
             p.role == R::kBroker || p.role == R::kResearchAnalyst;
    case Permission::kReadOrganisation: return p.role != R::kIntegration;
    case Permission::kReadAudit: return p.role == R::kAdmin || p.role == R::kCompliance;
    case Permission::kManageUsers: return p.role == R::kAdmin;
    // Compliance reads every ticket and its history; analysts and research see none.
    case Permission::kReadTickets:
      return p.role == R::kAdmin || p.role == R::kBranchManager || p.role == R::kBroker || p.role == R::kAgent ||
             p.role == R::kCompliance;
    case Permission::kWriteTickets:
      return p.role == R::kAdmin || p.role == R::kBranchManager || p.role == R::kBroker || p.role == R::kAgent;
    // Every member of staff reads the service rules and the knowledge base; compliance
    // writes them with the administrators (and sees who has read them).
    case Permission::kReadKnowledge: return p.role != R::kIntegration;
    case Permission::kManageKnowledge: return p.role == R::kAdmin || p.role == R::kCompliance;
    case Permission::kCallEvents: return p.role == R::kAdmin;
    // Agents take the calls; brokers and branch managers call their customers back.
    case Permission::kWorkCalls:
      return p.role == R::kAdmin || p.role == R::kAgent || p.role == R::kBroker || p.role == R::kBranchManager;
    case Permission::kReadCalls:
      return p.role == R::kAdmin || p.role == R::kAgent || p.role == R::kBroker || p.role == R::kBranchManager ||
             p.role == R::kCompliance;
    // Whoever offers customers anything asks the gate first; compliance checks too.
    case Permission::kCheckSuitability:
      return p.role == R::kAdmin || p.role == R::kAgent || p.role == R::kBroker || p.role == R::kBranchManager ||
             p.role == R::kCompliance;
    case Permission::kManageSuitability: return p.role == R::kAdmin || p.role == R::kCompliance;
    // A branch manager reads their branch's (the route narrows it).
    case Permission::kReadSuitabilityReport:
      return p.role == R::kAdmin || p.role == R::kCompliance || p.role == R::kBranchManager;
    case Permission::kReadResearch: return p.role != R::kIntegration;
    case Permission::kWriteResearch: return p.role == R::kAdmin || p.role == R::kResearchAnalyst;
    case Permission::kReviewResearch: return p.role == R::kAdmin || p.role == R::kCompliance;
    case Permission::kPublishResearch:
      return p.role == R::kAdmin || p.role == R::kResearchAnalyst || p.role == R::kCompliance;
    case Permission::kManageSecurities: return p.role == R::kAdmin;
    case Permission::kPortal: return false;
    case Permission::kManageCampaigns:
      return p.role == R::kAdmin || p.role == R::kHqAnalyst || p.role == R::kBranchManager;
    // A broker reads the results for their own customers (the routes narrow them).
    case Permission::kReadCampaigns:
      return p.role == R::kAdmin || p.role == R::kHqAnalyst || p.role == R::kBranchManager || p.role == R::kBroker ||
             p.role == R::kCompliance;
    case Permission::kSmsReceipts: return p.role == R::kAdmin;
  }
  return false;
}

namespace {
// A key no branch or staff id can have (ids are validated to letters, digits, '-', '_'
// and '.'): a filter on it matches nobody.
constexpr const char* kNobody = "\x01none";
}  // namespace

DataScope CustomerScopeOf(const Principal& p) {
  switch (p.role) {
    case UserRole::kBroker:
      if (p.staff_id.empty()) return {"", kNobody, true};
      return {"", p.staff_id, false};
    case UserRole::kBranchManager:
      if (p.branch_id.empty()) return {kNobody, "", true};
      return {p.branch_id, "", false};
    case UserRole::kIntegration:
    case UserRole::kInvestor:
    case UserRole::kResearchAnalyst: return {"", kNobody, true};
    default: return {};
  }
}

DataScope AggregateScopeOf(const Principal& p) {
  if (p.role == UserRole::kResearchAnalyst) return {};
  return CustomerScopeOf(p);
}

void ApplyScope(const DataScope& scope, CustomerQuery& query) {
  if (!scope.broker_id.empty()) query.broker_id = scope.broker_id;
  if (!scope.branch_id.empty()) query.branch_id = scope.branch_id;
}

void RestrictToScope(const Principal& p, CustomerQuery& query) { ApplyScope(CustomerScopeOf(p), query); }

// By the customer's current broker and branch, not the task's assignee: a broker kept
// seeing the tasks, with the customer's name, of a customer moved to someone else.
void RestrictToScope(const Principal& p, TaskQuery& query) {
  DataScope scope = CustomerScopeOf(p);
  if (!scope.broker_id.empty()) query.customer_broker_id = scope.broker_id;
  if (!scope.branch_id.empty()) query.customer_branch_id = scope.branch_id;
}

bool InScope(const Principal& p, const Customer& customer) {
  if (p.role == UserRole::kInvestor) return !p.customer_id.empty() && customer.customer_id == p.customer_id;
  return InScope(p, customer.branch_id, customer.broker_id);
}

bool InScope(const Principal& p, std::string_view branch_id, std::string_view broker_id) {
  switch (p.role) {
    case UserRole::kBroker: return !p.staff_id.empty() && broker_id == p.staff_id;
    case UserRole::kBranchManager: return !p.branch_id.empty() && branch_id == p.branch_id;
    case UserRole::kIntegration:
    case UserRole::kInvestor:
    case UserRole::kResearchAnalyst: return false;
    default: return true;
  }
}

FieldVisibility VisibilityFor(UserRole role) {
  switch (role) {
    // Compliance checks identities; brokers and agents call and write to their customers.
    case UserRole::kAdmin:
    case UserRole::kCompliance: return {true, true, true, true};
    case UserRole::kBroker:
    case UserRole::kAgent: return {false, true, true, false};
    default: return {};
  }
}

namespace {

// Counts UTF-8 characters so that masks never cut a character in half.
size_t CharStart(std::string_view text, size_t chars) {
  size_t i = 0;
  while (i < text.size() && chars > 0) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    --chars;
  }
  return i;
}

}  // namespace

std::string MaskMobile(std::string_view mobile) {
  if (mobile.size() < 7) return std::string(mobile.size(), '*');
  return std::string(mobile.substr(0, 3)) + std::string(mobile.size() - 7, '*') +
         std::string(mobile.substr(mobile.size() - 4));
}

std::string MaskIdNumber(std::string_view id) {
  if (id.size() < 8) return std::string(id.size(), '*');
  return std::string(id.size() - 4, '*') + std::string(id.substr(id.size() - 4));
}

std::string MaskBirthDate(std::string_view date) {
  if (date.size() < 4) return std::string(date.size(), '*');
  return std::string(date.substr(0, 4)) + "-**-**";
}

std::string MaskEmail(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return std::string(email.size(), '*');
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

std::string MaskAddress(std::string_view address) {
  size_t keep = CharStart(address, 6);
  if (keep >= address.size()) return std::string(address.substr(0, CharStart(address, 2))) + "****";
  return std::string(address.substr(0, keep)) + "****";
}

}  // namespace fincrm
