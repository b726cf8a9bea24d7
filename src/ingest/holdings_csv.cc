#include "ingest/holdings_csv.h"

#include <array>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/field_value.h"
#include "core/validation.h"

namespace fincrm {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

enum Column { kCustomer, kMarket, kSymbol, kQuantity, kCost, kAsOf, kColumns };
struct ColumnName {
  std::string_view english, chinese;
  bool required;
};
constexpr std::array<ColumnName, kColumns> kNames = {{{"customer_id", "客户号", true},
                                                      {"market", "市场", true},
                                                      {"symbol", "证券代码", true},
                                                      {"quantity", "持仓数量", true},
                                                      {"cost", "持仓成本", false},
                                                      {"as_of", "日期", true}}};

}  // namespace

Result<HoldingsFile> ReadHoldingsCsv(std::unique_ptr<ByteSource> source, const std::string& source_name) {
  auto reader = CsvReader::Create(std::move(source), TextEncoding::kAuto);
  if (!reader.ok()) return InvalidArgument(source_name + ": " + reader.status().message(), "file");
  auto at = [&](int64_t line, std::string_view field, const std::string& message) {
    return InvalidArgument(source_name + " line " + std::to_string(line) + ", " + std::string(field) + ": " + message,
                           std::string(field));
  };
  CsvRecord record;
  if (!(*reader)->Next(record)) {
    return InvalidArgument(source_name + ": the file is empty (expected a header: customer_id,market,symbol,quantity,cost,as_of)",
                           "header");
  }
  if (!record.error.ok()) return at(record.line, "header", record.error.message());
  std::array<std::optional<size_t>, kColumns> position;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    std::string_view name = Trim(record.fields[i]);
    bool known = false;
    for (int c = 0; c < kColumns; ++c) {
      if (name != kNames[c].english && name != kNames[c].chinese) continue;
      if (position[c]) return at(record.line, "header", "column '" + std::string(name) + "' appears twice");
      position[c] = i;
      known = true;
    }
    if (!known) return at(record.line, "header", "unknown column '" + std::string(name) + "'");
  }
  for (int c = 0; c < kColumns; ++c) {
    if (kNames[c].required && !position[c]) return at(record.line, "header", "no column " + std::string(kNames[c].english));
  }
  size_t width = record.fields.size();
  (*reader)->set_expected_fields(width);
  HoldingsFile file;
  std::set<std::tuple<std::string, int32_t, int, std::string>> seen;
  std::optional<Status> first_error;
  int64_t bad_lines = 0;
  auto fail = [&](Status status) {
    if (!first_error) first_error = std::move(status);
    ++bad_lines;
  };
  while ((*reader)->Next(record)) {
    if (!record.error.ok()) {
      fail(at(record.line, "record", record.error.message()));
      continue;
    }
    if (record.fields.size() != width) {
      fail(at(record.line, "record", "expected " + std::to_string(width) + " fields, got " + std::to_string(record.fields.size())));
      continue;
    }
    auto cell = [&](Column c) { return position[c] ? Trim(record.fields[*position[c]]) : std::string_view(); };
    Holding h;
    Status parsed = [&]() -> Status {
      h.customer_id = std::string(cell(kCustomer));
      if (Status s = ParseFieldValue(cell(kMarket), h.market); !s.ok()) return InvalidArgument(s.message(), "market");
      h.symbol = std::string(cell(kSymbol));
      if (Status s = ParseFieldValue(cell(kQuantity), h.quantity); !s.ok()) return InvalidArgument(s.message(), "quantity");
      if (!cell(kCost).empty()) {
        if (Status s = ParseFieldValue(cell(kCost), h.cost); !s.ok()) return InvalidArgument(s.message(), "cost");
      }
      if (Status s = ParseFieldValue(cell(kAsOf), h.as_of); !s.ok()) return InvalidArgument(s.message(), "as_of");
      FINCRM_RETURN_IF_ERROR(Validate(h));
      if (!seen.emplace(h.customer_id, h.as_of.days, static_cast<int>(h.market), h.symbol).second) {
        return InvalidArgument("the customer's " + h.symbol + " on " + FormatDate(h.as_of) + " is listed twice", "symbol");
      }
      return Status::Ok();
    }();
    if (!parsed.ok()) {
      fail(at(record.line, parsed.field(), parsed.message()));
      continue;
    }
    file.rows.push_back(std::move(h));
    file.lines.push_back(record.line);
  }
  if (first_error) {
    return InvalidArgument(first_error->message() + (bad_lines > 1 ? " (and " + std::to_string(bad_lines - 1) + " more lines with defects)" : "") +
                               "; nothing was stored",
                           first_error->field());
  }
  return file;
}

Result<HoldingsImportSummary> ImportHoldingsCsv(Store& store, HoldingStore& holdings, const std::string& path) {
  auto source = OpenFileSource(path);
  if (!source.ok()) return source.status();
  auto file = ReadHoldingsCsv(std::move(*source), path);
  if (!file.ok()) return file.status();
  std::unordered_map<std::string, bool> known;
  for (size_t i = 0; i < file->rows.size(); ++i) {
    const Holding& h = file->rows[i];
    auto [entry, fresh] = known.emplace(h.customer_id, false);
    if (fresh) {
      auto customer = store.GetCustomer(h.customer_id);
      if (!customer.ok() && customer.status().code() != StatusCode::kNotFound) return customer.status();
      entry->second = customer.ok();
    }
    if (!entry->second) {
      return InvalidArgument(path + " line " + std::to_string(file->lines[i]) + ", customer_id: unknown customer '" +
                                 h.customer_id + "'; nothing was stored",
                             "customer_id");
    }
  }
  HoldingsImportSummary summary;
  auto stored = holdings.PutSnapshots(file->rows);
  if (!stored.ok()) return stored.status();
  summary.stored = *stored;
  auto positions = holdings.RebuildPositions();
  if (!positions.ok()) return positions.status();
  summary.positions = *positions;
  return summary;
}

}  // namespace fincrm
