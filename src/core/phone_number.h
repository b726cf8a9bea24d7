// Phone numbers as a PBX or an agent types them ("+86 138-0013-8000", "0086 13800138000",
// "(021) 6888 1234", "+86 21 6888 1234") reduced to one form, the form customer records
// keep: an 11-digit mobile ("13800138000"), a landline with its area code
// ("02168881234"), or another country's number in E.164 ("+85291234567").
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace fincrm {

enum class PhoneKind { kMobile, kLandline, kInternational };

struct PhoneNumber {
  std::string digits;  // the normalised form
  PhoneKind kind = PhoneKind::kMobile;
};

// InvalidArgument (field "phone") naming what is wrong: letters or extensions, too few
// or too many digits, a mainland number that is neither a mobile nor area-coded.
Result<PhoneNumber> NormalisePhoneNumber(std::string_view text);

}  // namespace fincrm
