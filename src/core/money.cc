#include "core/money.h"

#include <limits>

namespace fincrm {
namespace {

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

bool MultiplyAdd(int64_t& acc, int64_t digit) {
  if (acc > (std::numeric_limits<int64_t>::max() - digit) / 10) return false;
  acc = acc * 10 + digit;
  return true;
}

}  // namespace

Result<int64_t> ParseScaledDecimal(std::string_view text, int scale) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return InvalidArgument("empty number");
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  int64_t value = 0;
  int fraction_digits = -1;  // -1 until the decimal point is seen
  bool any_digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (fraction_digits >= 0) {
        if (fraction_digits == scale) {
          if (c != '0') {
            return InvalidArgument("more than " + std::to_string(scale) +
                                   " decimal places in '" + std::string(text) + "'");
          }
          continue;  // trailing zeros beyond the scale lose nothing
        }
        ++fraction_digits;
      }
      if (!MultiplyAdd(value, c - '0')) return InvalidArgument("number too large");
      any_digit = true;
    } else if (c == '.' && fraction_digits < 0) {
      fraction_digits = 0;
    } else if (c == ',' && fraction_digits < 0 && any_digit) {
      continue;
    } else {
      return InvalidArgument("not a number: '" + std::string(text) + "'");
    }
  }
  if (!any_digit) return InvalidArgument("not a number: '" + std::string(text) + "'");
  int missing = scale - (fraction_digits < 0 ? 0 : fraction_digits);
  if (value > std::numeric_limits<int64_t>::max() / kPow10[missing]) {
    return InvalidArgument("number too large");
  }
  value *= kPow10[missing];
  return negative ? -value : value;
}

std::string FormatScaledDecimal(int64_t value, int scale) {
  bool negative = value < 0;
  // Work in unsigned to format INT64_MIN correctly.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, scale + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

std::string FormatYuanGrouped(Money money) {
  std::string plain = FormatScaledDecimal(money.fen, 2);
  size_t start = plain[0] == '-' ? 1 : 0;
  size_t point = plain.find('.');
  std::string out = plain.substr(0, start);
  for (size_t i = start; i < point; ++i) {
    out += plain[i];
    size_t remaining = point - i - 1;
    if (remaining > 0 && remaining % 3 == 0) out += ',';
  }
  out += plain.substr(point);
  return out;
}

Result<int64_t> ParseInteger(std::string_view text) {
  auto value = ParseScaledDecimal(text, 0);
  if (!value.ok() || text.find('.') != std::string_view::npos) {
    return InvalidArgument("not an integer: '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace fincrm
