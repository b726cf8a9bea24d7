// Choosing and filling service scripts: the most specific active script for a call
// (its kind, the ticket type, the customer's tier), its {{placeholders}} filled from
// the customer. Placeholders a script may use are a fixed list, checked when it is saved.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/customer.h"
#include "core/date_time.h"
#include "core/service_script.h"

namespace fincrm {

using ScriptValues = std::map<std::string, std::string, std::less<>>;

// "name", "surname", "tier", "customer_id", "branch", "broker", "agent", "today".
const std::vector<std::string_view>& ScriptPlaceholders();

// Placeholders in `body` that are not on the list, or a "{{" left unclosed ("{{" itself).
std::vector<std::string> UnknownPlaceholders(std::string_view body);

// `body` with each {{placeholder}} replaced by its value (empty when none is given).
std::string FillScript(std::string_view body, const ScriptValues& values);

// The placeholders' values for a customer, the agent speaking and the day.
ScriptValues ScriptValuesFor(const Customer& customer, const std::string& tier, const std::string& agent, Date today);

// The active script whose every set condition matches, preferring more conditions
// matched and then the lower id; null when none applies.
const ServiceScript* ChooseScript(const std::vector<ServiceScript>& scripts, std::string_view call_type,
                                  std::string_view ticket_type, std::string_view tier);

}  // namespace fincrm
