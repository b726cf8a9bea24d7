#include "ingest/exporter.h"

#include <xlsxwriter.h>

#include "ingest/csv/csv_writer.h"
#include "ingest/csv/row_encoder.h"
#include "ingest/csv/spreadsheet_text.h"

namespace fincrm {
namespace {

constexpr int64_t kExcelDataRowsPerSheet = 1048575;  // plus the header row

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         EqualsIgnoreAsciiCase(std::string_view(text).substr(text.size() - suffix.size()), suffix);
}

Result<int64_t> ExportCsv(const std::string& path, const std::vector<std::string>& header,
                          const std::function<Status(const EmitRow&)>& produce, const ExportOptions& options) {
  TextEncoding encoding =
      options.encoding == TextEncoding::kAuto ? TextEncoding::kUtf8 : options.encoding;
  auto writer_or = CsvWriter::Open(path, encoding, options.utf8_bom);
  if (!writer_or.ok()) return writer_or.status();
  CsvWriter& writer = **writer_or;
  for (const std::string& cell : header) writer.Field(cell);
  writer.EndRow();
  int64_t rows = 0;
  Status produced = produce([&](const std::vector<std::string>& cells) {
    for (const std::string& cell : cells) writer.Field(cell);
    writer.EndRow();
    ++rows;
  });
  Status closed = writer.Close();
  FINCRM_RETURN_IF_ERROR(produced);
  FINCRM_RETURN_IF_ERROR(closed);
  return rows;
}

Result<int64_t> ExportXlsx(const std::string& path, const std::string& name, const std::vector<std::string>& header,
                           const std::function<Status(const EmitRow&)>& produce) {
  lxw_workbook_options workbook_options = {};
  workbook_options.constant_memory = LXW_TRUE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &workbook_options);
  if (!workbook) return Unavailable("cannot create " + path);
  lxw_worksheet* sheet = nullptr;
  int64_t rows = 0, row_in_sheet = 0;
  int sheet_number = 0;
  auto new_sheet = [&] {
    std::string sheet_name = name + (sheet_number ? "_" + std::to_string(sheet_number + 1) : "");
    ++sheet_number;
    sheet = workbook_add_worksheet(workbook, sheet_name.c_str());
    for (size_t c = 0; c < header.size(); ++c) {
      worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), header[c].c_str(), nullptr);
    }
    row_in_sheet = 0;
  };
  new_sheet();
  std::string neutralised;
  Status produced = produce([&](const std::vector<std::string>& cells) {
    if (row_in_sheet == kExcelDataRowsPerSheet) new_sheet();
    ++row_in_sheet;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;
      // Written as text, not as a formula, but a user who edits the cell and presses
      // Enter would run it: neutralised as in CSV.
      // The view is the whole of cells[c] or of `neutralised`, so it ends in a NUL.
      const char* text = NeutraliseFormula(cells[c], neutralised).data();
      worksheet_write_string(sheet, static_cast<lxw_row_t>(row_in_sheet), static_cast<lxw_col_t>(c), text, nullptr);
    }
    ++rows;
  });
  lxw_error closed = workbook_close(workbook);
  FINCRM_RETURN_IF_ERROR(produced);
  if (closed != LXW_NO_ERROR) {
    return Unavailable("writing " + path + " failed: " + lxw_strerror(closed));
  }
  return rows;
}

}  // namespace

Result<int64_t> ExportTable(const std::string& path, const std::string& name, const std::vector<std::string>& header,
                            const std::function<Status(const EmitRow& emit)>& produce, const ExportOptions& options) {
  return EndsWith(path, ".xlsx") ? ExportXlsx(path, name, header, produce) : ExportCsv(path, header, produce, options);
}

Result<int64_t> ExportEntities(Store& store, EntityKind kind, const std::string& path,
                               const ExportOptions& options) {
  return VisitEntityKind(kind, [&]<class T>() {
    return ExportTable(path, std::string(EntityInfo<T>::kName), HeaderRow<T>(options.chinese_headers),
                       [&](const EmitRow& emit) {
                         return store.ForEach(std::function<bool(const T&)>([&](const T& row) {
                           emit(EncodeRow(row));
                           return true;
                         }));
                       },
                       options);
  });
}

}  // namespace fincrm
