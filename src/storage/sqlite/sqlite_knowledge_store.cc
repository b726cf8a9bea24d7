// The knowledge module's SQLite tables: articles with every version kept, an FTS5 index
// with the trigram tokenizer (substring search that works for Chinese, which has no
// spaces between words, and for English), and read acknowledgements.
#include <sqlite3.h>

#include "storage/knowledge_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace fincrm {
namespace {

constexpr std::string_view kKnowledgeSchema = R"sql(
CREATE TABLE kb_articles (
  article_id INTEGER PRIMARY KEY,
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  must_acknowledge INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX kb_articles_by_category ON kb_articles(category);
CREATE TABLE kb_versions (
  article_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  category TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (article_id, version)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE kb_search USING fts5(title, body, content='kb_articles', content_rowid='article_id',
                                          tokenize='trigram case_sensitive 0');
CREATE TRIGGER kb_articles_indexed AFTER INSERT ON kb_articles BEGIN
  INSERT INTO kb_search(rowid, title, body) VALUES (NEW.article_id, NEW.title, NEW.body);
END;
CREATE TRIGGER kb_articles_reindexed AFTER UPDATE ON kb_articles BEGIN
  INSERT INTO kb_search(kb_search, rowid, title, body) VALUES ('delete', OLD.article_id, OLD.title, OLD.body);
  INSERT INTO kb_search(rowid, title, body) VALUES (NEW.article_id, NEW.title, NEW.body);
END;
CREATE TRIGGER kb_articles_unindexed AFTER DELETE ON kb_articles BEGIN
  INSERT INTO kb_search(kb_search, rowid, title, body) VALUES ('delete', OLD.article_id, OLD.title, OLD.body);
END;
CREATE TABLE kb_acknowledgements (
  article_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  login TEXT NOT NULL,
  acknowledged_at INTEGER NOT NULL,
  PRIMARY KEY (article_id, version, login)
) WITHOUT ROWID;
CREATE INDEX kb_acknowledgements_by_login ON kb_acknowledgements(login, acknowledged_at);
)sql";

constexpr Migration kKnowledgeMigrations[] = {
    {1, "knowledge articles, their versions, trigram full-text index, read acknowledgements", kKnowledgeSchema},
};

constexpr std::string_view kColumns =
    "a.article_id, a.category, a.title, a.body, a.version, a.must_acknowledge, a.updated_by, a.updated_at";

KnowledgeArticle ReadArticle(const SqliteStatement& s) {
  KnowledgeArticle a;
  int64_t flag = 0;
  s.Read(0, a.article_id);
  s.Read(1, a.category);
  s.Read(2, a.title);
  s.Read(3, a.body);
  s.Read(4, a.version);
  s.Read(5, flag);
  a.must_acknowledge = flag != 0;
  s.Read(6, a.updated_by);
  s.Read(7, a.updated_at);
  return a;
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Moves `at` back or forward over up to `chars` whole UTF-8 characters.
size_t StepBack(std::string_view text, size_t at, int chars) {
  while (at > 0 && chars > 0) {
    --at;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
    --chars;
  }
  return at;
}
size_t StepForward(std::string_view text, size_t at, int chars) {
  while (at < text.size() && chars > 0) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    --chars;
  }
  return at;
}

// The body around the first match, the match in 【】; the body's start when only the title matched.
std::string Snippet(const KnowledgeArticle& a, std::string_view text) {
  std::string body = AsciiLower(a.body), needle = AsciiLower(text);
  size_t at = needle.empty() ? std::string::npos : body.find(needle);
  if (at == std::string::npos) {
    size_t end = StepForward(a.body, 0, 60);
    return a.body.substr(0, end) + (end < a.body.size() ? "…" : "");
  }
  size_t from = StepBack(a.body, at, 20), to = StepForward(a.body, at + needle.size(), 30);
  return (from > 0 ? "…" : "") + a.body.substr(from, at - from) + "【" + a.body.substr(at, needle.size()) + "】" +
         a.body.substr(at + needle.size(), to - at - needle.size()) + (to < a.body.size() ? "…" : "");
}

class SqliteKnowledgeStore final : public KnowledgeStore {
 public:
  explicit SqliteKnowledgeStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  Result<int64_t> Create(const KnowledgeArticle& a) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto insert = db_->Prepared(
        "INSERT INTO kb_articles (category, title, body, version, must_acknowledge, updated_by, updated_at) "
        "VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)");
    if (!insert.ok()) return insert.status();
    BindArticle(**insert, a);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "storing the article"));
    int64_t id = db_->LastInsertId();
    FINCRM_RETURN_IF_ERROR(KeepVersion(id));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return id;
  }

  Result<KnowledgeArticle> Revise(const KnowledgeArticle& a) override {
    SqliteConnection::Transaction transaction(*db_);
    FINCRM_RETURN_IF_ERROR(transaction.Begin());
    auto update = db_->Prepared(
        "UPDATE kb_articles SET category = ?1, title = ?2, body = ?3, must_acknowledge = ?4, updated_by = ?5, "
        "updated_at = ?6, version = version + 1 WHERE article_id = ?7");
    if (!update.ok()) return update.status();
    BindArticle(**update, a);
    (*update)->Bind(7, a.article_id);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*update)->Step(), "revising the article"));
    if (db_->Changes() != 1) return NotFound("no article " + std::to_string(a.article_id), "article_id");
    FINCRM_RETURN_IF_ERROR(KeepVersion(a.article_id));
    FINCRM_RETURN_IF_ERROR(transaction.Commit());
    return Get(a.article_id);
  }

  Result<KnowledgeArticle> Get(int64_t article_id) override {
    auto query = db_->Prepared("SELECT " + std::string(kColumns) + " FROM kb_articles a WHERE a.article_id = ?1");
    if (!query.ok()) return query.status();
    (*query)->Bind(1, article_id);
    int rc = (*query)->Step();
    if (rc == SQLITE_ROW) {
      KnowledgeArticle article = ReadArticle(**query);
      (*query)->Reset();
      return article;
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "reading the article"));
    return NotFound("no article " + std::to_string(article_id), "article_id");
  }

  Result<std::vector<KnowledgeHit>> Search(const std::string& text, const std::string& category, int limit) override {
    // Trigrams index substrings of three characters or more; a shorter query (a
    // two-character Chinese word such as 开户) is looked for directly, which a
    // knowledge base of thousands of articles answers at once.
    bool indexed = Utf8Length(text) >= 3;
    std::string sql =
        indexed ? "SELECT " + std::string(kColumns) +
                      " FROM kb_search JOIN kb_articles a ON a.article_id = kb_search.rowid WHERE kb_search MATCH ?1 "
                      "AND (?2 = '' OR a.category = ?2) ORDER BY instr(lower(a.title), lower(?3)) = 0, rank LIMIT ?4"
                : "SELECT " + std::string(kColumns) +
                      " FROM kb_articles a WHERE (a.title LIKE ?1 ESCAPE '\\' OR a.body LIKE ?1 ESCAPE '\\') "
                      "AND (?2 = '' OR a.category = ?2) ORDER BY instr(lower(a.title), lower(?3)) = 0, "
                      "a.updated_at DESC LIMIT ?4";
    auto query = db_->Prepared(sql);
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    std::string pattern;
    if (indexed) {
      pattern = "\"";  // one FTS5 string: the text as a substring, operators and all
      for (char c : text) pattern += c == '"' ? std::string("\"\"") : std::string(1, c);
      pattern += "\"";
    } else {
      pattern = "%";
      for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
      }
      pattern += "%";
    }
    s.Bind(1, std::string_view(pattern));
    s.Bind(2, std::string_view(category));
    s.Bind(3, std::string_view(text));
    s.Bind(4, int64_t{limit});
    std::vector<KnowledgeHit> hits;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      KnowledgeHit& hit = hits.emplace_back();
      hit.article = ReadArticle(s);
      hit.snippet = Snippet(hit.article, text);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "searching the knowledge base"));
    return hits;
  }

  Result<Acknowledgement> Acknowledge(int64_t article_id, const std::string& login, Timestamp at) override {
    auto article = Get(article_id);
    if (!article.ok()) return article.status();
    auto insert = db_->Prepared(
        "INSERT INTO kb_acknowledgements (article_id, version, login, acknowledged_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT DO NOTHING");
    if (!insert.ok()) return insert.status();
    (*insert)->Bind(1, article_id);
    (*insert)->Bind(2, article->version);
    (*insert)->Bind(3, std::string_view(login));
    (*insert)->Bind(4, at);
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, (*insert)->Step(), "recording the acknowledgement"));
    auto recorded = Acknowledgements(article_id, login, 1);
    if (!recorded.ok()) return recorded.status();
    if (recorded->empty()) return Internal("the acknowledgement was not recorded");
    return recorded->front();
  }

  Result<std::vector<Acknowledgement>> Acknowledgements(int64_t article_id, const std::string& login,
                                                        int limit) override {
    auto query = db_->Prepared(
        "SELECT article_id, version, login, acknowledged_at FROM kb_acknowledgements WHERE (?1 = 0 OR article_id = ?1) "
        "AND (?2 = '' OR login = ?2) ORDER BY acknowledged_at DESC, article_id, version DESC LIMIT ?3");
    if (!query.ok()) return query.status();
    SqliteStatement& s = **query;
    s.Bind(1, article_id);
    s.Bind(2, std::string_view(login));
    s.Bind(3, int64_t{limit});
    std::vector<Acknowledgement> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Acknowledgement& a = rows.emplace_back();
      s.Read(0, a.article_id);
      s.Read(1, a.version);
      s.Read(2, a.login);
      s.Read(3, a.acknowledged_at);
    }
    FINCRM_RETURN_IF_ERROR(StepStatus(*db_, rc, "listing acknowledgements"));
    return rows;
  }

 private:
  static void BindArticle(SqliteStatement& s, const KnowledgeArticle& a) {
    s.Bind(1, std::string_view(a.category));
    s.Bind(2, std::string_view(a.title));
    s.Bind(3, std::string_view(a.body));
    s.Bind(4, int64_t{a.must_acknowledge});
    s.Bind(5, std::string_view(a.updated_by));
    s.Bind(6, a.updated_at);
  }

  Status KeepVersion(int64_t article_id) {
    auto copy = db_->Prepared(
        "INSERT INTO kb_versions SELECT article_id, version, category, title, body, updated_by, updated_at "
        "FROM kb_articles WHERE article_id = ?1");
    if (!copy.ok()) return copy.status();
    (*copy)->Bind(1, article_id);
    return StepStatus(*db_, (*copy)->Step(), "keeping the article's version");
  }

  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace

Result<std::unique_ptr<KnowledgeStore>> OpenKnowledgeStore(const std::string& location) {
  auto db = OpenModuleConnection(location, "knowledge", kKnowledgeMigrations);
  if (!db.ok()) return db.status();
  return std::unique_ptr<KnowledgeStore>(new SqliteKnowledgeStore(std::move(*db)));
}

}  // namespace fincrm
