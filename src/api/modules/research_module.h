// The research module (研究报告发布, 专家控制): reports written by registered analysts,
// reviewed by another person, released at an embargo instant to the customers they
// match — through the suitability gate — and the security master they cite.
//   POST /api/v1/research                               a draft
//   GET  /api/v1/research?state=&before=&limit=          newest first (others than research
//                                                        and compliance: released reports only)
//   GET  /api/v1/research/{report_id}
//   POST /api/v1/research/{report_id}/submit|approve|reject|publish|withdraw
//   GET  /api/v1/research/{report_id}/recipients?delivered=&after=&limit=   in the caller's scope
//   GET  /api/v1/securities?industry=    PUT /api/v1/securities {items: [...]}
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeResearchModule();

}  // namespace fincrm
