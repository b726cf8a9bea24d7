// KnowledgeStore: knowledge articles with full-text search for Chinese and English
// (SQLite FTS5 with the trigram tokenizer), their versions, and read acknowledgements.
// Implemented for SQLite in sqlite/sqlite_knowledge_store.cc.
//
// Threading: one thread at a time per KnowledgeStore; open one per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/knowledge_article.h"
#include "core/status.h"

namespace fincrm {

class KnowledgeStore {
 public:
  virtual ~KnowledgeStore() = default;
  // Returns the new article's id (version 1).
  virtual Result<int64_t> Create(const KnowledgeArticle& article) = 0;
  // A new version of the article (title, body, category, must_acknowledge). NotFound.
  virtual Result<KnowledgeArticle> Revise(const KnowledgeArticle& article) = 0;
  virtual Result<KnowledgeArticle> Get(int64_t article_id) = 0;  // NotFound
  // Articles whose title or body holds `text` (any language; case-insensitive for
  // Latin letters), title matches first; `category` empty: any.
  virtual Result<std::vector<KnowledgeHit>> Search(const std::string& text, const std::string& category, int limit) = 0;
  // Records that `login` read the article's current version (once per version).
  virtual Result<Acknowledgement> Acknowledge(int64_t article_id, const std::string& login, Timestamp at) = 0;
  // By article (0: any) and login ("": any), newest first.
  virtual Result<std::vector<Acknowledgement>> Acknowledgements(int64_t article_id, const std::string& login,
                                                                int limit) = 0;
};

Result<std::unique_ptr<KnowledgeStore>> OpenKnowledgeStore(const std::string& location);

}  // namespace fincrm
