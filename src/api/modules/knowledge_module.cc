#include "api/modules/knowledge_module.h"

#include <algorithm>

#include "api/audit_recorder.h"
#include "api/modules/module_support.h"
#include "api/request_json.h"
#include "ingest/csv/text_encoding.h"
#include "storage/knowledge_store.h"

namespace fincrm {
namespace {

using namespace module_support;

constexpr size_t kMaxCategory = 64, kMaxTitle = 200, kMaxBody = 200000, kMaxQuery = 100;

class KnowledgeModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "knowledge"; }

  std::vector<ModuleRoute> Routes() override {
    using P = Permission;
    auto bind = [this](HttpResponse (KnowledgeModule::*handler)(ModuleCall&)) {
      return [this, handler](ModuleCall& call) { return (this->*handler)(call); };
    };
    return {
        {"GET", "/api/v1/kb/search", P::kReadKnowledge, bind(&KnowledgeModule::Search)},
        {"POST", "/api/v1/kb/articles", P::kManageKnowledge, bind(&KnowledgeModule::Create)},
        {"GET", "/api/v1/kb/articles/{article_id}", P::kReadKnowledge, bind(&KnowledgeModule::Get)},
        {"PATCH", "/api/v1/kb/articles/{article_id}", P::kManageKnowledge, bind(&KnowledgeModule::Revise)},
        {"POST", "/api/v1/kb/articles/{article_id}/acknowledge", P::kReadKnowledge,
         bind(&KnowledgeModule::Acknowledge)},
        {"GET", "/api/v1/kb/acknowledgements", P::kManageKnowledge, bind(&KnowledgeModule::Acknowledgements)},
    };
  }

  Status Start(const ModuleEnvironment& environment) override {
    environment_ = environment;
    auto store = OpenKnowledgeStore(environment_.db_path);  // migrations before the first request
    return store.ok() ? Status::Ok() : store.status();
  }

 private:
  static void WriteArticle(JsonWriter& json, const KnowledgeArticle& a, bool with_body) {
    json.Field("article_id", a.article_id)
        .Field("category", a.category)
        .Field("title", a.title)
        .Field("version", a.version)
        .Field("must_acknowledge", a.must_acknowledge)
        .Field("updated_by", a.updated_by);
    WriteTime(json, "updated_at", a.updated_at);
    if (with_body) json.Field("body", a.body);
  }

  KnowledgeArticle Found(KnowledgeStore& store, int64_t id) {
    auto article = store.Get(id);
    if (!article.ok() && article.status().code() == StatusCode::kNotFound) {
      throw ApiError{404, "not_found", "no article " + std::to_string(id), "article_id"};
    }
    if (!article.ok()) ThrowStatus(article.status());
    return std::move(*article);
  }

  // The fields of a create or a revision onto `article`; which were given.
  static void ReadFields(ModuleCall& call, KnowledgeArticle& article, bool creating) {
    bool title = false, body = false, category = false;
    for (const JsonField& f : JsonBody(call.request)) {
      if (f.name == "category") article.category = Text(f, kMaxCategory), category = true;
      else if (f.name == "title") article.title = Text(f, kMaxTitle), title = true;
      else if (f.name == "body") article.body = Text(f, kMaxBody), body = true;
      else if (f.name == "must_acknowledge") {
        if (f.kind != JsonField::kBool) throw ApiError{422, "invalid", "must be true or false", f.name};
        article.must_acknowledge = f.text == "true";
      } else {
        throw ApiError{422, "invalid", "unknown field", f.name};
      }
    }
    if (creating && (!category || article.category.empty())) throw ApiError{422, "invalid", "is required", "category"};
    if (creating && (!title || article.title.empty())) throw ApiError{422, "invalid", "is required", "title"};
    if (creating && (!body || article.body.empty())) throw ApiError{422, "invalid", "is required", "body"};
    if (!creating && (article.title.empty() || article.body.empty() || article.category.empty())) {
      throw ApiError{422, "invalid", "may not be emptied", article.title.empty() ? "title" : article.body.empty() ? "body" : "category"};
    }
  }

  HttpResponse Search(ModuleCall& call) {
    std::string q(call.request.Query("q"));
    if (q.empty()) throw ApiError{400, "bad_parameter", "is required: the words to look for", "q"};
    if (q.size() > kMaxQuery) throw ApiError{400, "bad_parameter", "longer than 100 bytes", "q"};
    // Text only: a NUL or control character, or bytes that are not UTF-8, once reached
    // the full-text parser ("unterminated string", a 500 found by the router fuzzer).
    bool control = std::any_of(q.begin(), q.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (control || !IsValidUtf8(q)) {
      throw ApiError{400, "bad_parameter", "must be UTF-8 text without control characters", "q"};
    }
    auto hits = store_.Get().Search(q, std::string(call.request.Query("category")),
                                    static_cast<int>(QueryInt(call.request, "limit", 20, 1, 200)));
    if (!hits.ok()) ThrowStatus(hits.status());
    JsonWriter json;
    json.BeginObject().Field("q", q).Key("items").BeginArray();
    for (const KnowledgeHit& hit : *hits) {
      json.BeginObject();
      WriteArticle(json, hit.article, false);
      json.Field("snippet", hit.snippet).EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Create(ModuleCall& call) {
    KnowledgeArticle article;
    ReadFields(call, article, true);
    article.updated_by = call.principal.login;
    article.updated_at = environment_.now();
    auto id = store_.Get().Create(article);
    if (!id.ok()) ThrowStatus(id.status());
    article.article_id = *id;
    Check(call.audit.RecordDurably(call.principal.login, "kb.create", "", "article " + std::to_string(*id) + " " + article.title,
                                   call.request.remote_address));
    JsonWriter json;
    json.BeginObject();
    WriteArticle(json, article, true);
    json.EndObject();
    return JsonResponse(json.Take(), 201);
  }

  HttpResponse Get(ModuleCall& call) {
    KnowledgeStore& store = store_.Get();
    KnowledgeArticle article = Found(store, PathId(call.request, "article_id", "article"));
    auto mine = store.Acknowledgements(article.article_id, call.principal.login, 1);
    if (!mine.ok()) ThrowStatus(mine.status());
    bool acknowledged = !mine->empty() && mine->front().version == article.version;
    JsonWriter json;
    json.BeginObject();
    WriteArticle(json, article, true);
    json.Field("acknowledged", acknowledged).EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Revise(ModuleCall& call) {
    KnowledgeStore& store = store_.Get();
    KnowledgeArticle article = Found(store, PathId(call.request, "article_id", "article"));
    ReadFields(call, article, false);
    article.updated_by = call.principal.login;
    article.updated_at = environment_.now();
    auto revised = store.Revise(article);
    if (!revised.ok()) ThrowStatus(revised.status());
    Check(call.audit.RecordDurably(call.principal.login, "kb.revise", "",
                                   "article " + std::to_string(revised->article_id) + " version " +
                                       std::to_string(revised->version),
                                   call.request.remote_address));
    JsonWriter json;
    json.BeginObject();
    WriteArticle(json, *revised, true);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Acknowledge(ModuleCall& call) {
    int64_t id = PathId(call.request, "article_id", "article");
    auto ack = store_.Get().Acknowledge(id, call.principal.login, environment_.now());
    if (!ack.ok() && ack.status().code() == StatusCode::kNotFound) {
      throw ApiError{404, "not_found", "no article " + std::to_string(id), "article_id"};
    }
    if (!ack.ok()) ThrowStatus(ack.status());
    call.audit.Record(call.principal.login, "kb.acknowledge", "",
                      "article " + std::to_string(id) + " version " + std::to_string(ack->version),
                      call.request.remote_address);
    JsonWriter json;
    json.BeginObject().Field("article_id", ack->article_id).Field("version", ack->version).Field("login", ack->login);
    WriteTime(json, "acknowledged_at", ack->acknowledged_at);
    json.EndObject();
    return JsonResponse(json.Take());
  }

  HttpResponse Acknowledgements(ModuleCall& call) {
    auto rows = store_.Get().Acknowledgements(QueryInt(call.request, "article_id", 0, 0, INT64_MAX),
                                              std::string(call.request.Query("login")),
                                              static_cast<int>(QueryInt(call.request, "limit", 100, 1, 1000)));
    if (!rows.ok()) ThrowStatus(rows.status());
    JsonWriter json;
    json.BeginObject().Key("items").BeginArray();
    for (const Acknowledgement& a : *rows) {
      json.BeginObject().Field("article_id", a.article_id).Field("version", a.version).Field("login", a.login);
      WriteTime(json, "acknowledged_at", a.acknowledged_at);
      json.EndObject();
    }
    json.EndArray().EndObject();
    return JsonResponse(json.Take());
  }

  ModuleEnvironment environment_;
  PerThread<KnowledgeStore> store_{[this] { return OpenKnowledgeStore(environment_.db_path); }};
};

}  // namespace

std::unique_ptr<ServiceModule> MakeKnowledgeModule() { return std::make_unique<KnowledgeModule>(); }

}  // namespace fincrm
