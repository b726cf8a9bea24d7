#include "service/campaigns/sms_receipts.h"

#include <simdjson.h>

#include <cctype>
#include <functional>

namespace fincrm {
namespace {

// Aliyun reports "DELIVERED" (or a carrier's code); these mean the number is gone.
bool IsHardBounce(std::string_view code) {
  return code == "MK:0001" || code == "UNDELIV" || code == "EMPTY_NUMBER" || code == "MOBILE_NUMBER_ILLEGAL" ||
         code == "isv.MOBILE_NUMBER_ILLEGAL";
}

std::string Member(simdjson::dom::object item, std::string_view name, size_t index, Status& error) {
  simdjson::dom::element value;
  if (item[name].get(value)) return {};
  std::string_view text;
  if (value.get_string().get(text)) {
    error = InvalidArgument("expected a string", "[" + std::to_string(index) + "]." + std::string(name));
    return {};
  }
  return std::string(text);
}

// A gateway's push: a JSON array of at most kMaxReceiptsPerPush objects, each handed
// to `item` with its position ("[3]") for error fields.
Status ForEachPushed(std::string_view json, std::string_view what,
                     const std::function<Status(simdjson::dom::object, size_t, const std::string&)>& item) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return InvalidArgument("is not valid JSON", "body");
  simdjson::dom::array items;
  if (root.get_array().get(items)) return InvalidArgument("expected an array of " + std::string(what), "body");
  if (items.size() > kMaxReceiptsPerPush) {
    return InvalidArgument("more than " + std::to_string(kMaxReceiptsPerPush) + " " + std::string(what) + " in one push",
                           "body");
  }
  size_t index = 0;
  for (simdjson::dom::element element : items) {
    simdjson::dom::object object;
    std::string at = "[" + std::to_string(index) + "]";
    if (element.get_object().get(object)) return InvalidArgument("expected an object", at);
    FINCRM_RETURN_IF_ERROR(item(object, index, at));
    ++index;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<DeliveryReceipt>> ParseSmsReceipts(std::string_view json, Timestamp received_at) {
  std::vector<DeliveryReceipt> receipts;
  Status parsed = ForEachPushed(json, "reports", [&](simdjson::dom::object item, size_t index, const std::string& at) {
    Status error;
    DeliveryReceipt r;
    r.at = received_at;
    simdjson::dom::element success;
    if (!item["out_id"].error() || !item["biz_id"].error()) {  // Aliyun
      r.out_id = Member(item, "out_id", index, error);
      r.address = Member(item, "phone_number", index, error);
      r.error = Member(item, "err_code", index, error);
      bool delivered = false;
      if (item["success"].get(success) || success.get_bool().get(delivered)) {
        return InvalidArgument("expected true or false", at + ".success");
      }
      r.delivered = delivered;
    } else if (!item["sid"].error()) {  // Tencent
      r.provider_id = Member(item, "sid", index, error);
      r.address = Member(item, "mobile", index, error);
      std::string status = Member(item, "report_status", index, error);
      if (error.ok() && status != "SUCCESS" && status != "FAIL") {
        return InvalidArgument("expected SUCCESS or FAIL", at + ".report_status");
      }
      r.delivered = status == "SUCCESS";
      r.error = Member(item, "errmsg", index, error);
    } else {
      return InvalidArgument("neither an Aliyun report (out_id, phone_number, success) nor a Tencent one (sid, mobile, "
                             "report_status)",
                             at);
    }
    if (!error.ok()) return error;
    if (r.out_id.empty() && r.provider_id.empty()) return InvalidArgument("names no message", at + ".out_id");
    if (r.out_id.size() > 128 || r.address.size() > 32 || r.provider_id.size() > 128 || r.error.size() > 200) {
      return InvalidArgument("a member is too long", at);
    }
    r.hard_bounce = !r.delivered && IsHardBounce(r.error);
    receipts.push_back(std::move(r));
    return Status::Ok();
  });
  if (!parsed.ok()) return parsed;
  return receipts;
}

Result<std::vector<SmsReply>> ParseSmsReplies(std::string_view json) {
  std::vector<SmsReply> replies;
  Status parsed = ForEachPushed(json, "replies", [&](simdjson::dom::object item, size_t index, const std::string& at) {
    Status error;
    SmsReply reply;
    bool aliyun = !item["phone_number"].error();
    reply.number = Member(item, aliyun ? "phone_number" : "mobile", index, error);
    reply.text = Member(item, aliyun ? "content" : "text", index, error);
    if (!error.ok()) return error;
    if (reply.number.empty()) return InvalidArgument("names no number (phone_number or mobile)", at);
    if (reply.number.size() > 32 || reply.text.size() > 2000) return InvalidArgument("a member is too long", at);
    if (reply.number.size() > 11 && reply.number.starts_with("+86")) reply.number.erase(0, 3);
    std::string word;
    for (char c : reply.text) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    reply.unsubscribe = word == "TD" || word == "T" || word == "N" || word == "退订";
    replies.push_back(std::move(reply));
    return Status::Ok();
  });
  if (!parsed.ok()) return parsed;
  return replies;
}

}  // namespace fincrm
