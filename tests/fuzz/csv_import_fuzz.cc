// Fuzzes the CSV reader and row decoding/validation of every entity kind.
// Input: first byte picks the kind and the encoding; the rest is the file.
// Besides "no crash, no sanitizer report", it checks a property: every record the
// reader accepts re-encodes with CsvWriter's quoting and reads back identically.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/entity_fields.h"
#include "ingest/csv/csv_reader.h"
#include "ingest/csv/csv_writer.h"
#include "ingest/csv/row_decoder.h"

namespace fincrm {
namespace {

void CheckRoundTrip(const std::vector<std::string_view>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line.push_back(',');
    AppendCsvField(fields[i], line);
  }
  line.push_back('\n');
  // An all-empty single field is a blank line, which readers skip by design.
  if (fields.size() == 1 && fields[0].empty()) return;
  // A UTF-8 BOM at the very start of a file is an encoding mark, not data.
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) return;
  std::vector<std::string> expected(fields.begin(), fields.end());
  auto reader = CsvReader::Create(MemorySource(line), TextEncoding::kUtf8);
  if (!reader.ok()) return;  // e.g. a field starting with a UTF-16 BOM
  CsvRecord again;
  if (!(*reader)->Next(again) || !again.error.ok() || again.fields.size() != expected.size()) {
    std::abort();
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (again.fields[i] != expected[i]) std::abort();
  }
}

template <class T>
void DecodeAll(CsvReader& reader) {
  CsvRecord header;
  if (!reader.Next(header) || !header.error.ok()) return;
  auto decoder = RowDecoder<T>::FromHeader(header.fields);
  reader.set_expected_fields(header.fields.size());
  CsvRecord record;
  int rows = 0;
  while (reader.Next(record) && ++rows < 10000) {
    if (!record.error.ok()) continue;
    if (reader.encoding() == TextEncoding::kUtf8) CheckRoundTrip(record.fields);
    if (!decoder.ok()) continue;
    T row;
    (void)decoder->Decode(record.fields, row);
  }
}

}  // namespace
}  // namespace fincrm

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fincrm;
  if (size < 1) return 0;
  EntityKind kind = kAllEntityKinds[data[0] % std::size(kAllEntityKinds)];
  TextEncoding encoding = (data[0] & 0x80) ? TextEncoding::kGbk : TextEncoding::kAuto;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto reader = CsvReader::Create(MemorySource(std::move(text)), encoding);
  if (!reader.ok()) return 0;
  VisitEntityKind(kind, [&]<class T>() {
    if constexpr (kImportable<T>) DecodeAll<T>(**reader);
  });
  return 0;
}
