// Knowledge base (知识库) and service scripts (服务话术): articles by category, each
// change a new version, and which member of staff read and acknowledged which version
// (统一服务规范, 培训).
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"

namespace fincrm {

struct KnowledgeArticle {
  int64_t article_id = 0;  // assigned when created
  std::string category;    // e.g. "开户", "交易", "适当性", "投诉处理", "script"
  std::string title;
  std::string body;
  int64_t version = 1;
  bool must_acknowledge = false;  // staff must confirm they have read it
  std::string updated_by;
  Timestamp updated_at;
};

struct KnowledgeHit {
  KnowledgeArticle article;
  std::string snippet;  // around the first match, the match in 【】
};

struct Acknowledgement {
  int64_t article_id = 0;
  int64_t version = 0;
  std::string login;
  Timestamp acknowledged_at;
};

}  // namespace fincrm
