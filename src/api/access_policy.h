// Authorisation in one place (权限): what each role may do, which customers it may
// see, and which personal fields it sees unmasked. Handlers never decide this
// themselves: the router checks the route's permission, list queries get the
// principal's scope added, single-customer reads go through InScope, and every
// customer rendered passes through the role's field allow-list.
#pragma once

#include <string>
#include <string_view>

#include "core/staff_user.h"
#include "storage/store.h"

namespace fincrm {

// Who is calling: a signed-in member of staff or an integration system's API key.
struct Principal {
  std::string login;  // or "apikey:<key id>"
  UserRole role = UserRole::kAgent;
  std::string branch_id;
  std::string staff_id;
  bool api_key = false;
  std::string api_scopes;  // an API key's permissions, space-separated: "events:write", "cti"
  std::string customer_id;  // an investor's own customer number
};

enum class Permission {
  kPublic,            // no sign-in needed
  kSignedIn,          // any signed-in user
  kReadCustomers,     // lists, search, 360, timeline
  kWriteCustomers,    // create, update, log contacts
  kIngestEvents,      // POST /events
  kReadAnalytics,     // churn list, clusters, ladder, cube, KPI, model card
  kReadOrganisation,  // branches, staff
  kReadAudit,         // the audit trail
  kManageUsers,       // logins, API keys, webhooks
  kReadTickets,       // service tickets and their history, SLA policies
  kWriteTickets,      // open and change tickets
  kReadKnowledge,     // search and read the knowledge base and scripts, acknowledge articles
  kManageKnowledge,   // write articles and scripts, the wrap-up code tree; see who acknowledged what
  kCallEvents,        // POST /cti and agent readiness: the PBX's API key (scope "cti")
  kWorkCalls,         // screen pop, the agent's event stream, wrap-ups, callbacks, the worklist
  kReadCalls,         // call records and callbacks, in the caller's scope
  kCheckSuitability,  // ask the suitability gate whether an item may reach a customer
  kManageSuitability,  // professional-investor status
  kReadSuitabilityReport,  // the compliance report: blocks, overrides, expired assessments
  kReadResearch,      // released research reports (research and compliance: every state)
  kWriteResearch,     // write and submit research reports (registered analysts)
  kReviewResearch,    // approve or reject another person's report (合规审查)
  kPublishResearch,   // release an approved report, withdraw one
  kManageSecurities,  // the security master (symbols, names, industries)
  kPortal,            // the investor portal: an investor's own data (investors only)
  kManageCampaigns,   // build, count, create and launch campaigns (a branch manager: their branch's)
  kReadCampaigns,     // campaigns, their messages and results, in the caller's scope
  kSmsReceipts,       // POST /sms/receipts: the SMS gateway's API key (scope "sms")
};

bool Allows(const Principal& principal, Permission permission);

// Which customers a principal's answers may cover, as filters: everyone (both empty),
// one branch, one broker's customers, or nobody.
struct DataScope {
  std::string branch_id;
  std::string broker_id;
  bool nobody = false;
};
// Whose records (names, profiles, lists) the principal may see: a broker their own
// customers, a branch manager their branch; research analysts and integrations nobody.
DataScope CustomerScopeOf(const Principal& principal);
// Whose counts and sums (ladder, cube, KPIs, churn distribution, clusters) the principal
// may see: the same as CustomerScopeOf, except that research analysts, who read no
// customer, see the brokerage's aggregates.
DataScope AggregateScopeOf(const Principal& principal);

// Narrows a customer query to a scope (its branch and broker filters).
void ApplyScope(const DataScope& scope, CustomerQuery& query);
// Narrows a customer query to what the principal may see (CustomerScopeOf).
void RestrictToScope(const Principal& principal, CustomerQuery& query);
void RestrictToScope(const Principal& principal, TaskQuery& query);
// Whether the principal may see this customer. Out-of-scope customers answer 404.
bool InScope(const Principal& principal, const Customer& customer);
bool InScope(const Principal& principal, std::string_view branch_id, std::string_view broker_id);

// Personal fields shown unmasked. The allow-list: roles not named here see masks.
struct FieldVisibility {
  bool id_number = false;
  bool mobile = false;
  bool email = false;
  bool address = false;
};
FieldVisibility VisibilityFor(UserRole role);

// "138****5678"; ID numbers keep only their last 4 characters and birth dates only
// their year ("1985-**-**"): the ID number's region and birth-date digits are not
// rebuilt from the rest of a masked view (docs/api.md); e-mail "z***@example.com";
// addresses keep their first 6 characters (province and city).
std::string MaskMobile(std::string_view mobile);
std::string MaskIdNumber(std::string_view id_number);
std::string MaskBirthDate(std::string_view date);
std::string MaskEmail(std::string_view email);
std::string MaskAddress(std::string_view address);

}  // namespace fincrm
