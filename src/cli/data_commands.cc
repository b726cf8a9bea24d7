#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "ingest/csv_importer.h"
#include "ingest/demo_data_generator.h"
#include "ingest/exporter.h"
#include "ingest/holdings_csv.h"
#include "storage/holding_store.h"
#include "storage/open_store.h"

namespace fincrm {
namespace {

Result<EntityKind> KindArgument(const std::string& kind, bool analysis = false) {
  auto parsed = ParseEntityKind(kind, analysis);
  if (parsed) return *parsed;
  std::string choices;
  for (EntityKind k : kAllEntityKinds) {
    if (!choices.empty()) choices += ", ";
    choices += EntityKindName(k);
  }
  return InvalidArgument("unknown kind '" + kind + "', expected one of: " + choices, "KIND");
}

}  // namespace

int Fail(const Status& status) {
  std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
  return kExitFailure;
}

int RunInit(const std::string& db) {
  auto store = OpenStore(db);
  if (!store.ok()) return Fail(store.status());
  auto version = (*store)->SchemaVersion();
  if (!version.ok()) return Fail(version.status());
  std::printf("%s: schema version %d\n", db.c_str(), *version);
  return kExitOk;
}

namespace {

// Holdings are a snapshot, not rows of an entity: the whole file or nothing, then the
// positions are rebuilt.
int RunHoldingsImport(const ImportArgs& args) {
  auto store = OpenStore(args.db);
  if (!store.ok()) return Fail(store.status());
  auto holdings = OpenHoldingStore(args.db);
  if (!holdings.ok()) return Fail(holdings.status());
  auto summary = ImportHoldingsCsv(**store, **holdings, args.file);
  if (!summary.ok()) return Fail(summary.status());
  std::printf("%s: %s holdings of %s customer-days stored; %s positions derived\n", args.file.c_str(),
              GroupThousands(summary->stored.rows).c_str(), GroupThousands(summary->stored.customers).c_str(),
              GroupThousands(summary->positions).c_str());
  return 0;
}

}  // namespace

int RunImport(const ImportArgs& args) {
  if (args.kind == "holdings") return RunHoldingsImport(args);
  auto kind = KindArgument(args.kind);
  if (!kind.ok()) return Fail(kind.status());
  auto encoding = ParseTextEncoding(args.encoding);
  if (!encoding.ok()) return Fail(encoding.status());
  auto store = OpenStore(args.db);
  if (!store.ok()) return Fail(store.status());

  ProgressBar progress("importing " + std::string(EntityKindName(*kind)));
  ImportOptions options;
  options.encoding = *encoding;
  options.rejects_path = args.rejects;
  options.on_progress = [&](const ImportProgress& p) {
    double fraction = p.bytes_total ? static_cast<double>(p.bytes_read) / p.bytes_total : 0;
    progress.Update(fraction, p.rows, "rows");
  };
  auto summary = ImportCsv(**store, *kind, args.file, options);
  progress.Finish();
  if (!summary.ok()) return Fail(summary.status());
  const ImportSummary& s = *summary;
  double rate = s.seconds > 0 ? s.rows_read / s.seconds : 0;
  std::printf("%s: %s rows read (%s), %s stored, %s unchanged, %s rejected in %.2f s (%s rows/s)\n",
              args.file.c_str(), GroupThousands(s.rows_read).c_str(),
              std::string(TextEncodingName(s.encoding)).c_str(),
              GroupThousands(s.rows_stored).c_str(), GroupThousands(s.rows_unchanged).c_str(),
              GroupThousands(s.rows_rejected).c_str(), s.seconds,
              GroupThousands(static_cast<int64_t>(rate)).c_str());
  for (const std::string& column : s.ignored_columns) {
    std::printf("note: column '%s' is not a %s field and was ignored\n", column.c_str(),
                std::string(EntityKindName(*kind)).c_str());
  }
  if (s.rows_rejected > 0) {
    std::printf("rejected rows, with line, field and reason: %s\n", s.rejects_path.c_str());
    return kExitRowsRejected;
  }
  return kExitOk;
}

int RunExport(const ExportArgs& args) {
  auto kind = KindArgument(args.kind, /*analysis=*/true);
  if (!kind.ok()) return Fail(kind.status());
  auto encoding = ParseTextEncoding(args.encoding);
  if (!encoding.ok()) return Fail(encoding.status());
  auto store = OpenStore(args.db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  ExportOptions options{*encoding, args.chinese_headers, args.bom};
  auto rows = ExportEntities(**store, *kind, args.out, options);
  if (!rows.ok()) return Fail(rows.status());
  std::printf("%s: %s %s rows written\n", args.out.c_str(), GroupThousands(*rows).c_str(),
              std::string(EntityKindName(*kind)).c_str());
  return kExitOk;
}

int RunDemoData(const DemoDataArgs& args) {
  DemoDataOptions options;
  options.customers = args.customers;
  options.seed = args.seed;
  options.months = args.months;
  if (!args.end_date.empty()) {
    auto end = ParseDate(args.end_date);
    if (!end.ok()) return Fail(InvalidArgument(end.status().message(), "end-date"));
    options.end_date = *end;
  }
  if (!args.calendar_file.empty()) {
    auto calendar = ReadCalendarFile(args.calendar_file);
    if (!calendar.ok()) return Fail(calendar.status());
    options.calendar = std::move(*calendar);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<RowSink> sink;
  if (!args.csv_dir.empty()) {
    auto folder = CsvFolderSink(args.csv_dir);
    if (!folder.ok()) return Fail(folder.status());
    sink = std::move(*folder);
  } else {
    if (args.db.empty()) return Fail(InvalidArgument("give --db PATH or --csv DIR", "db"));
    auto opened = OpenStore(args.db);
    if (!opened.ok()) return Fail(opened.status());
    store = std::move(*opened);
    auto existing = store->Count(EntityKind::kCustomer);
    if (!existing.ok()) return Fail(existing.status());
    if (*existing > 0) {
      return Fail(FailedPrecondition(args.db + " already holds " + GroupThousands(*existing) +
                                     " customers; generate into a new database"));
    }
    sink = StoreSink(*store);
  }
  ProgressBar progress("generating");
  options.on_progress = [&](int64_t done, int64_t total) {
    progress.Update(static_cast<double>(done) / total, done, "customers");
  };
  auto summary = GenerateDemoData(options, *sink);
  progress.Finish();
  if (!summary.ok()) return Fail(summary.status());
  const DemoDataSummary& s = *summary;
  int64_t rows = s.branches + s.staff + s.products + s.customers + s.households + s.accounts +
                 s.assets + s.trades + s.interactions;
  std::printf(
      "demo brokerage (seed %llu, history to %s): %s branches, %s staff, %s products, %s customers, "
      "%s household links, %s accounts, %s asset snapshots, %s trades, %s interactions\n"
      "%s rows in %.1f s (%s rows/s) into %s\n",
      static_cast<unsigned long long>(args.seed), FormatDate(options.end_date).c_str(),
      GroupThousands(s.branches).c_str(), GroupThousands(s.staff).c_str(),
      GroupThousands(s.products).c_str(), GroupThousands(s.customers).c_str(),
      GroupThousands(s.households).c_str(), GroupThousands(s.accounts).c_str(),
      GroupThousands(s.assets).c_str(), GroupThousands(s.trades).c_str(),
      GroupThousands(s.interactions).c_str(), GroupThousands(rows).c_str(), s.seconds,
      GroupThousands(static_cast<int64_t>(rows / std::max(s.seconds, 1e-9))).c_str(),
      args.csv_dir.empty() ? args.db.c_str() : args.csv_dir.c_str());
  return kExitOk;
}

int RunStats(const std::string& db) {
  if (!std::filesystem::exists(db)) return Fail(Unavailable("no database at " + db));
  auto store = OpenStore(db, {.migrate = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto version = (*store)->SchemaVersion();
  if (!version.ok()) return Fail(version.status());
  std::printf("%s (schema version %d)\n", db.c_str(), *version);
  for (EntityKind kind : kAllEntityKinds) {
    auto count = (*store)->Count(kind);
    if (!count.ok()) return Fail(count.status());
    std::string label(VisitEntityKind(kind, []<class T>() { return EntityInfo<T>::kLabelZh; }));
    std::printf("  %-14s %15s  %s\n", std::string(EntityKindName(kind)).c_str(),
                GroupThousands(*count).c_str(), label.c_str());
  }
  return kExitOk;
}

}  // namespace fincrm
