#include "core/phone_number.h"

namespace fincrm {
namespace {

Status Bad(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 40));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return InvalidArgument("cannot read '" + shown + "' as a phone number: " + why, "phone");
}

// A mainland number without its country code: a mobile, or a landline whose area code
// (2–3 digits after the trunk 0) and 7–8 digit subscriber number make 10–12 digits.
Result<PhoneNumber> Mainland(std::string_view text, std::string digits, bool had_country_code) {
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3') return PhoneNumber{digits, PhoneKind::kMobile};
  // Dialled from abroad a landline drops its trunk 0 ("+86 21 6888 1234").
  if (had_country_code && digits[0] != '0' && digits[0] != '1') digits.insert(digits.begin(), '0');
  if (digits[0] == '0' && digits.size() >= 10 && digits.size() <= 12 && digits[1] != '0') {
    return PhoneNumber{digits, PhoneKind::kLandline};
  }
  if (digits[0] == '1') return Bad(text, "a mobile number has 11 digits, starting 13–19");
  return Bad(text, "a landline needs its area code (10–12 digits starting with 0)");
}

}  // namespace

Result<PhoneNumber> NormalisePhoneNumber(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '\t') {
      continue;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else {
      return Bad(text, "only digits, spaces, dashes, dots, parentheses and a leading + (no extensions)");
    }
    if (digits.size() > 20) return Bad(text, "too many digits");
  }
  if (digits.empty()) return Bad(text, "no digits");
  if (plus || digits.starts_with("00")) {
    std::string_view international = digits;
    if (!plus) international.remove_prefix(2);
    if (international.starts_with("86")) {
      if (international.size() < 9) return Bad(text, "too few digits after +86");
      return Mainland(text, std::string(international.substr(2)), true);
    }
    if (international.size() < 7 || international.size() > 15 || international[0] == '0') {
      return Bad(text, "an international number has 7–15 digits after its country code's +");
    }
    return PhoneNumber{"+" + std::string(international), PhoneKind::kInternational};
  }
  // "86 13800138000": the country code without + or 00, before a mobile only (a
  // landline in Shenyang could start 86 too, but never has 13 digits).
  if (digits.size() == 13 && digits.starts_with("861")) return Mainland(text, digits.substr(2), true);
  if (digits.size() < 10) return Bad(text, "too few digits (a mobile has 11, a landline with area code 10–12)");
  return Mainland(text, digits, false);
}

}  // namespace fincrm
