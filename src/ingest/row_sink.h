// Where generated or converted rows go: a Store (in large transactions) or a folder
// of CSV files in the importer's format. Single-threaded.
#pragma once

#include <memory>
#include <string>

#include "core/entity_fields.h"
#include "storage/store.h"

namespace fincrm {

class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual Status Put(const Branch& row) = 0;
  virtual Status Put(const Staff& row) = 0;
  virtual Status Put(const Product& row) = 0;
  virtual Status Put(const Customer& row) = 0;
  virtual Status Put(const HouseholdMember& row) = 0;
  virtual Status Put(const Account& row) = 0;
  virtual Status Put(const AssetSnapshot& row) = 0;
  virtual Status Put(const Trade& row) = 0;
  virtual Status Put(const Interaction& row) = 0;
  // Commits or flushes everything; the sink is unusable afterwards.
  virtual Status Finish() = 0;
};

// Writes through StoreWriter transactions of `rows_per_commit` rows. A row the store
// rejects fails the sink (generated data must be valid).
std::unique_ptr<RowSink> StoreSink(Store& store, int64_t rows_per_commit = 500000);

// Writes DIR/branches.csv, DIR/customers.csv, ... (created on first use of a kind).
Result<std::unique_ptr<RowSink>> CsvFolderSink(const std::string& directory);

}  // namespace fincrm
