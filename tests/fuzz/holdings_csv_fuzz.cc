// Fuzzes the holdings snapshot's import. Besides "no crash, no sanitizer report": a
// file is accepted whole or refused with the file, line and field named, and every
// accepted row is valid (identifiers, quantity and cost not negative, unique per day).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <tuple>

#include "core/validation.h"
#include "ingest/holdings_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fincrm;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto file = ReadHoldingsCsv(MemorySource(text), "fuzz.csv");
  if (!file.ok()) {
    if (file.status().message().rfind("fuzz.csv", 0) != 0 || file.status().field().empty()) std::abort();
    return 0;
  }
  if (file->rows.size() != file->lines.size()) std::abort();
  std::set<std::tuple<std::string, int32_t, int, std::string>> seen;
  for (const Holding& h : file->rows) {
    if (!ValidateIdentifier(h.customer_id, "customer_id").ok() || !ValidateIdentifier(h.symbol, "symbol").ok()) std::abort();
    if (h.quantity < 0 || h.cost.fen < 0) std::abort();
    if (!seen.emplace(h.customer_id, h.as_of.days, static_cast<int>(h.market), h.symbol).second) std::abort();
  }
  return 0;
}
