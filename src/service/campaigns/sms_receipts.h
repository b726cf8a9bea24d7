// SMS status reports (短信回执) as the gateways push them to POST /api/v1/sms/receipts:
//   Aliyun   [{"phone_number", "send_time", "report_time", "success": true, "err_code": "DELIVERED",
//              "err_msg", "biz_id", "out_id"}]                 answered {"code": 0, "msg": "成功"}
//   Tencent  [{"mobile", "report_status": "SUCCESS"|"FAIL", "errmsg": "DELIVRD", "description",
//              "sid", "user_receive_time", "nationcode"}]       answered {"result": 0, "errmsg": "OK"}
// The shape is told apart per item by its members.
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

}  // namespace fincrm
