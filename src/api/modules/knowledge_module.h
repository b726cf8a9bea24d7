// The knowledge module (知识库, 统一服务规范): articles and service scripts by category,
// each change a new version, full-text search for Chinese and English, and who read and
// acknowledged which version.
//   GET   /api/v1/kb/search?q=&category=&limit=
//   POST  /api/v1/kb/articles                 {category, title, body, must_acknowledge?}
//   GET   /api/v1/kb/articles/{article_id}    with whether the caller acknowledged this version
//   PATCH /api/v1/kb/articles/{article_id}    a new version
//   POST  /api/v1/kb/articles/{article_id}/acknowledge
//   GET   /api/v1/kb/acknowledgements?article_id=&login=
#pragma once

#include <memory>

#include "api/service_module.h"

namespace fincrm {

std::unique_ptr<ServiceModule> MakeKnowledgeModule();

}  // namespace fincrm
