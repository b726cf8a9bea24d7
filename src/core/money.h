// Money and other fixed-point quantities.
//
// Amounts are int64 fen (0.01 yuan) and never touch floating point: parsing reads
// decimal text digit by digit and rejects anything that would round. Prices are
// int64 li (0.001 yuan) because funds and bonds are quoted to three decimals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fincrm {

struct Money {
  int64_t fen = 0;
  friend auto operator<=>(const Money&, const Money&) = default;
};

struct PriceLi {
  int64_t li = 0;
  friend auto operator<=>(const PriceLi&, const PriceLi&) = default;
};

// Parses decimal text with at most `scale` fraction digits into an integer scaled by
// 10^scale ("12.3" at scale 2 -> 1230). Accepts a leading sign and thousands
// separators ("1,234.50"). Fails with InvalidArgument on other characters, on more
// fraction digits than the scale (no silent rounding) and on int64 overflow.
Result<int64_t> ParseScaledDecimal(std::string_view text, int scale);

// Formats a scaled integer as decimal text with exactly `scale` fraction digits.
std::string FormatScaledDecimal(int64_t value, int scale);

inline Result<Money> ParseYuan(std::string_view text) {
  auto fen = ParseScaledDecimal(text, 2);
  if (!fen.ok()) return fen.status();
  return Money{*fen};
}
inline std::string FormatYuan(Money money) { return FormatScaledDecimal(money.fen, 2); }

// "1,234,567.89" — for people, not for files.
std::string FormatYuanGrouped(Money money);

// Parses a plain integer (quantities, durations). Fails on anything but digits and sign.
Result<int64_t> ParseInteger(std::string_view text);

}  // namespace fincrm
