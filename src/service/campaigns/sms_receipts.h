// SMS status reports (短信回执) as the gateways push them to POST /api/v1/sms/receipts:
//   Aliyun   [{"phone_number", "send_time", "report_time", "success": true, "err_code": "DELIVERED",
//              "err_msg", "biz_id", "out_id"}]                 answered {"code": 0, "msg": "成功"}
//   Tencent  [{"mobile", "report_status": "SUCCESS"|"FAIL", "errmsg": "DELIVRD", "description",
//              "sid", "user_receive_time", "nationcode"}]       answered {"result": 0, "errmsg": "OK"}
// The shape is told apart per item by its members.
//
// Replies (上行短信) to POST /api/v1/sms/replies:
//   Aliyun   [{"phone_number", "content", "send_time", "sign_name", "dest_code", "sequence_id"}]
//   Tencent  [{"mobile", "text", "time", "sign", "extend", "nationcode"}]
// A reply of TD, T, N or 退订 (the unsubscribe words of Chinese SMS) unsubscribes.
#pragma once

#include <string_view>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"
#include "storage/campaign_store.h"

namespace fincrm {

// At most this many reports in one push.
inline constexpr size_t kMaxReceiptsPerPush = 10000;

// InvalidArgument naming the item and member ("[3].out_id") for malformed JSON, a
// non-array, an item of neither shape, or a member of the wrong type.
Result<std::vector<DeliveryReceipt>> ParseSmsReceipts(std::string_view json, Timestamp received_at);

struct SmsReply {
  std::string number;
  std::string text;
  bool unsubscribe = false;
};
// InvalidArgument naming the item and member as above.
Result<std::vector<SmsReply>> ParseSmsReplies(std::string_view json);

}  // namespace fincrm
