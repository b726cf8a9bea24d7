// The suitability module (投资者适当性): the risk questionnaire and its assessments, the
// gate's check, Art 19 override evidence, professional investors and the compliance
// report. Every route reaches the gate in service/suitability; none decides itself.
//   GET  /api/v1/suitability/questionnaire                  the current version
//   POST /api/v1/customers/{customer_id}/risk-assessments   {answers: {q1: "A", …}, questionnaire_version?, channel?}
//   GET  /api/v1/customers/{customer_id}/suitability        standing, assessments, professional status
//   PUT  /api/v1/customers/{customer_id}/professional-investor  {basis, valid_until}
//   POST /api/v1/suitability/check       {customer_id, risk_level, purpose, channel?, item_kind?, item_id?, override_id?}
//   POST /api/v1/suitability/overrides   {customer_id, risk_level, item_kind, item_id, warning_text, confirmation, channel?}
//   GET  /api/v1/suitability/report?from=&to=               blocks by channel and rule, overrides, expired grades
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeSuitabilityModule();

}  // namespace fincrm
