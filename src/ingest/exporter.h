// Writes every row of one entity kind to a CSV file (the importer's format, so an
// export re-imports unchanged) or, when the path ends in .xlsx, to an Excel workbook
// (a new sheet every 1,048,575 rows, Excel's limit). Streams in constant memory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/entity_fields.h"
#include "ingest/csv/text_encoding.h"
#include "storage/store.h"

namespace fincrm {

struct ExportOptions {
  TextEncoding encoding = TextEncoding::kUtf8;  // CSV only; kAuto means UTF-8
  bool chinese_headers = false;
  bool utf8_bom = false;  // lets Excel open UTF-8 CSV correctly
};

// Returns the number of rows written. Unavailable when the file cannot be written.
Result<int64_t> ExportEntities(Store& store, EntityKind kind, const std::string& path,
                               const ExportOptions& options);

// Any table: `produce` calls `emit` once per row (cells in header order) and returns
// its own failure, if any. CSV, or Excel when `path` ends in .xlsx (sheets named
// after `name`, split at Excel's row limit).
using EmitRow = std::function<void(const std::vector<std::string>& cells)>;
Result<int64_t> ExportTable(const std::string& path, const std::string& name, const std::vector<std::string>& header,
                            const std::function<Status(const EmitRow& emit)>& produce, const ExportOptions& options);

}  // namespace fincrm
