// Compliance and administration routes: the audit trail with filters and its chain
// verification, logins (create, disable, reset password, unlock), webhooks and their
// delivery log, and the web console's static files.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/audit_trail.h"
#include "api/password_hasher.h"
#include "api/request_json.h"
#include "api/web_console_assets.h"
#include "api/webhook_target.h"
#include "api/route_support.h"
#include "core/validation.h"

namespace fincrm {
namespace {

const JsonField* Find(const std::vector<JsonField>& fields, std::string_view name) {
  for (const JsonField& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void WriteUser(JsonWriter& json, const StaffUser& user) {
  json.BeginObject()
      .Field("login", user.login)
      .Field("role", EnumCode(user.role))
      .Field("branch_id", user.branch_id)
      .Field("staff_id", user.staff_id)
      .Field("disabled", user.disabled != 0)
      .Field("failed_logins", user.failed_logins)
      .Key("locked_until");
  if (user.locked_until.seconds) json.String(FormatTimestamp(user.locked_until));
  else json.Null();
  json.Field("created_at", FormatTimestamp(user.created_at)).EndObject();
}

}  // namespace

HttpResponse ApiServer::AuditLog(Context& c) {
  const HttpRequest& r = c.request;
  AuditQuery query;
  query.actor = r.Query("actor");
  query.action = r.Query("action");
  query.customer_id = r.Query("customer_id");
  auto instant = [&](std::string_view name) {
    if (!r.HasQuery(name)) return Timestamp{0};
    auto parsed = ParseTimestamp(r.Query(name));
    if (!parsed.ok()) throw ApiError{400, "bad_parameter", "must be an ISO 8601 time", std::string(name)};
    return *parsed;
  };
  query.from = instant("from");
  query.to = instant("to");
  query.after = QueryInt(r, "after", 0, 0, INT64_MAX);
  query.limit = static_cast<int>(QueryInt(r, "limit", 100, 1, 1000));
  audit_->Flush();  // so compliance sees everything up to this request
  auto rows = c.store.ListAudit(query);
  if (!rows.ok()) ThrowStatus(rows.status());
  audit_->Record(c.principal.login, "audit.read", query.customer_id, "", r.remote_address);
  JsonWriter json;
  json.BeginObject().Key("items");
  WriteEntities(json, *rows);
  json.Key("next_after");
  if (static_cast<int>(rows->size()) == query.limit) json.Int(rows->back().sequence);
  else json.Null();
  json.EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::AuditVerify(Context& c) {
  audit_->Flush();
  const AuditKey* key = audit_key_ ? &*audit_key_ : nullptr;
  std::optional<AuditCheckpoint> checkpoint;
  if (key && !options_.audit_checkpoint_file.empty()) {
    auto latest = LatestCheckpoint(options_.audit_checkpoint_file, *key);
    if (!latest.ok()) {
      JsonWriter json;
      json.BeginObject().Field("entries", int64_t{0}).Field("intact", false).Key("first_bad").Null();
      json.Field("problem", latest.status().message());
      json.EndObject();
      return JsonResponse(json.Take());
    }
    checkpoint = *latest;
  }
  Status error;
  AuditVerification result = VerifyAuditTrail(c.store, error, key, checkpoint);
  if (!error.ok()) ThrowStatus(error);
  JsonWriter json;
  json.BeginObject().Field("entries", result.entries).Field("intact", !result.first_bad.has_value());
  json.Field("keyed", key != nullptr).Field("keyed_from", result.keyed_from);
  json.Field("checkpoint_sequence", result.checkpoint_sequence);
  json.Key("first_bad");
  if (result.first_bad) json.Int(*result.first_bad);
  else json.Null();
  json.Field("problem", result.problem).EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::Users(Context& c) {
  JsonWriter json;
  json.BeginObject().Key("items").BeginArray();
  Status status = c.store.ForEach([&](const StaffUser& user) {
    if (user.role != UserRole::kInvestor) WriteUser(json, user);  // staff logins: investors are the portal's
    return true;
  });
  if (!status.ok()) ThrowStatus(status);
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::CreateUser(Context& c) {
  std::vector<JsonField> fields = JsonBody(c.request);
  StaffUser user;
  for (const JsonField& f : fields) {
    if (f.name == "login") user.login = f.text;
    else if (f.name == "role") {
      auto role = ParseEnum<UserRole>(f.text);
      if (!role) throw ApiError{422, "invalid", "expected " + EnumChoices<UserRole>(), "role"};
      if (*role == UserRole::kInvestor) {
        throw ApiError{422, "invalid", "investors activate their own login in the portal, with a code from the counter", "role"};
      }
      user.role = *role;
    } else if (f.name == "branch_id") user.branch_id = f.text;
    else if (f.name == "staff_id") user.staff_id = f.text;
    else if (f.name != "password") throw ApiError{422, "invalid", "unknown field", f.name};
  }
  if (!Find(fields, "role")) throw ApiError{422, "invalid", "is required", "role"};
  const JsonField* password = Find(fields, "password");
  if (!password) throw ApiError{422, "invalid", "is required", "password"};
  auto hash = HashPassword(password->text);
  if (!hash.ok()) throw ApiError{422, "invalid", hash.status().message(), "password"};
  user.password_hash = *hash;
  user.created_at = CurrentTime();
  Status valid = Validate(user);
  if (!valid.ok()) throw ApiError{422, "invalid", valid.message(), valid.field()};
  Status added = c.store.AddUser(user);
  if (!added.ok()) ThrowStatus(added);
  Status audited = audit_->RecordDurably(c.principal.login, "user.add", "", user.login + " " + std::string(EnumCode(user.role)),
                                         c.request.remote_address);
  if (!audited.ok()) ThrowStatus(audited);
  JsonWriter json;
  WriteUser(json, user);
  return JsonResponse(json.Take(), 201);
}

HttpResponse ApiServer::UpdateUser(Context& c) {
  std::string login(c.request.Param("login"));
  auto found = c.store.FindUser(login);
  if (!found.ok()) ThrowStatus(found.status());
  if (!*found) throw ApiError{404, "not_found", "no login '" + login + "'", "login"};
  StaffUser user = **found;
  const StaffUser before = user;
  std::string changed;
  for (const JsonField& f : JsonBody(c.request)) {
    if (f.name == "disabled") {
      if (f.kind != JsonField::kBool) throw ApiError{422, "invalid", "must be true or false", "disabled"};
      user.disabled = f.text == "1";
    } else if (f.name == "password") {
      auto hash = HashPassword(f.text);
      if (!hash.ok()) throw ApiError{422, "invalid", hash.status().message(), "password"};
      user.password_hash = *hash;
    } else if (f.name == "unlock") {
      user.failed_logins = 0;
      user.locked_until = Timestamp{0};
    } else if (f.name == "role") {
      auto role = ParseEnum<UserRole>(f.text);
      if (!role) throw ApiError{422, "invalid", "expected " + EnumChoices<UserRole>(), "role"};
      user.role = *role;
    } else if (f.name == "branch_id") {
      user.branch_id = f.text;
    } else if (f.name == "staff_id") {
      user.staff_id = f.text;
    } else {
      throw ApiError{422, "invalid", "unknown field", f.name};
    }
    changed += (changed.empty() ? "" : ",") + f.name;
  }
  Status valid = Validate(user);
  if (!valid.ok()) throw ApiError{422, "invalid", valid.message(), valid.field()};
  Status updated = c.store.UpdateUser(user);
  if (!updated.ok()) ThrowStatus(updated);
  // A decision that takes rights away holds from this moment: the login's sessions end
  // (it signs in again, with its new role, scope or password).
  if (RightsChanged(before, user)) {
    int ended = sessions_->EndSessionsOf(login);
    if (ended > 0) changed += " (" + std::to_string(ended) + " sessions ended)";
  }
  Status audited = audit_->RecordDurably(c.principal.login, "user.update", "", login + " " + changed,
                                         c.request.remote_address);
  if (!audited.ok()) ThrowStatus(audited);
  JsonWriter json;
  WriteUser(json, user);
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::Webhooks(Context& c) {
  JsonWriter json;
  json.BeginObject().Key("items").BeginArray();
  Status status = c.store.ForEach([&](const WebhookSubscription& w) {
    json.BeginObject()
        .Field("webhook_id", w.webhook_id)
        .Field("url", w.url)
        .Field("event_types", w.event_types)
        .Field("active", w.active != 0)
        .Field("created_at", FormatTimestamp(w.created_at))
        .EndObject();  // the secret is never shown again
    return true;
  });
  if (!status.ok()) ThrowStatus(status);
  json.EndArray().EndObject();
  return JsonResponse(json.Take());
}

HttpResponse ApiServer::CreateWebhook(Context& c) {
  WebhookSubscription webhook;
  for (const JsonField& f : JsonBody(c.request)) {
    if (f.name == "url") webhook.url = f.text;
    else if (f.name == "secret") webhook.secret = f.text;
    else if (f.name == "event_types") webhook.event_types = f.text;
    else throw ApiError{422, "invalid", "unknown field", f.name};
  }
  auto target = ResolveWebhookTarget(webhook.url, {options_.webhook_allowed_hosts});
  if (!target.ok()) throw ApiError{422, "invalid", target.status().message(), "url"};
  if (webhook.secret.size() < 16) throw ApiError{422, "invalid", "must have at least 16 characters", "secret"};
  if (webhook.event_types.empty()) webhook.event_types = "churn_risk";
  webhook.created_at = CurrentTime();
  auto id = c.store.AddWebhook(webhook);
  if (!id.ok()) ThrowStatus(id.status());
  Status audited = audit_->RecordDurably(c.principal.login, "webhook.add", "", webhook.url, c.request.remote_address);
  if (!audited.ok()) ThrowStatus(audited);
  JsonWriter json;
  json.BeginObject().Field("webhook_id", *id).Field("url", webhook.url).Field("event_types", webhook.event_types);
  json.EndObject();
  return JsonResponse(json.Take(), 201);
}

HttpResponse ApiServer::WebhookDeliveries(Context& c) {
  return ItemsResponse(c.store.ListDeliveries(QueryInt(c.request, "webhook_id", 0, 0, INT64_MAX),
                                              static_cast<int>(QueryInt(c.request, "limit", 100, 1, 1000))));
}

namespace {

std::string StaticContentType(std::string_view path) {
  auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
  return ends(".html")  ? "text/html; charset=utf-8"
         : ends(".js")  ? "text/javascript"
         : ends(".css") ? "text/css"
         : ends(".svg") ? "image/svg+xml"
         : ends(".png") ? "image/png"
         : ends(".ico") ? "image/x-icon"
         : ends(".json") ? "application/json"
                         : "application/octet-stream";
}

// Vite names the bundle's files after their content ("/assets/index-BYzjcAbx.js"), so
// those may be kept for good; the page that names them is asked for again each time.
HttpResponse StaticResponse(const std::string& path, std::string content) {
  HttpResponse response{200, StaticContentType(path), std::move(content), {}};
  response.headers.emplace_back("Cache-Control",
                                path.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace

// The request's path is decoded text from the client: only an absolute path made of
// plain segments (no "." or "..", no backslash or NUL) is looked up, and the file it
// resolves to, symbolic links followed, must lie inside the web root. A target without
// its leading '/' was once joined onto the root's own name ("GET .db" served
// "<root>.db"). Without a web root the console embedded at build time is served.
HttpResponse ApiServer::StaticFile(Context& c) {
  std::string path = c.request.path;
  auto not_found = [] { return ErrorResponse(404, "not_found", "no such file", ""); };
  if (!path.starts_with('/') || path.find_first_of(std::string_view("\\\0", 2)) != std::string::npos) {
    return not_found();
  }
  for (size_t start = 1; start <= path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = std::string_view(path).substr(start, end - start);
    if (segment == "." || segment == "..") return not_found();
    start = end + 1;
  }
  if (path == "/" || path.find('.') == std::string::npos) path = "/index.html";  // client-side routes
  if (options_.web_root.empty()) {
    const WebAsset* asset = FindEmbeddedWebAsset(path);
    if (asset == nullptr && path == "/index.html") {
      return ErrorResponse(404, "not_found",
                           "this binary was built without the web console: run scripts/build-web.sh, then build again "
                           "(or serve a built console with --web-root)",
                           "");
    }
    if (asset == nullptr) return not_found();
    return StaticResponse(path, std::string(asset->content));
  }
  std::error_code error;
  std::filesystem::path root = std::filesystem::canonical(options_.web_root, error);
  if (error) return not_found();
  std::filesystem::path target = std::filesystem::canonical(root.string() + path, error);
  if (error || !std::filesystem::is_regular_file(target, error)) return not_found();
  auto [root_end, target_at] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
  if (root_end != root.end()) return not_found();
  std::ifstream file(target, std::ios::binary);
  if (!file) return not_found();
  std::ostringstream content;
  content << file.rdbuf();
  return StaticResponse(path, content.str());
}

}  // namespace fincrm
