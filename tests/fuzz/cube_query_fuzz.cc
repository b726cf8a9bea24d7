// Fuzzes the OLAP cube: the query text (measures, by, where, from, to, top — six
// fields separated by newlines) parsed and run over a small fact table
// (fuzz_fact_fixture.h). Besides "no crash, no sanitizer report": a failed query must
// say what is wrong and where, and a result must have one key per dimension and one
// value per measure in every row, within top.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/cube.h"
#include "core/validation.h"
#include "fuzz/fuzz_fact_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fincrm;
  static const std::unique_ptr<fuzz::Fixture> fixture = fuzz::Build();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() < 5) {
    size_t newline = input.find('\n');
    parts.push_back(input.substr(0, newline));
    if (newline == std::string_view::npos) {
      input = {};
      break;
    }
    input.remove_prefix(newline + 1);
  }
  parts.resize(5);
  int top = 0;
  for (char c : input.substr(0, 6)) {
    if (c >= '0' && c <= '9') top = top * 10 + (c - '0');
  }
  if (!input.empty() && input[0] == '-') top = -top;
  auto query = ParseCubeQuery(parts[0], parts[1], parts[2], parts[3], parts[4], top);
  if (!query.ok()) {
    if (query.status().message().empty() || query.status().field().empty()) std::abort();
    return 0;
  }
  // The API adds the caller's scope as a filter that may name a unit without facts.
  if (size % 3 == 0) query->filters.push_back({CubeDimension::kBroker, false, {"S3"}, true});
  auto result = RunCube(fixture->facts, fixture->context, *query);
  if (!result.ok()) {
    if (result.status().message().empty() || result.status().field().empty()) std::abort();
    return 0;
  }
  if (result->dimensions.size() != query->by.size() || result->measures.size() != query->measures.size()) std::abort();
  if (query->top > 0 && result->rows.size() > static_cast<size_t>(query->top)) std::abort();
  for (const CubeResult::Row& row : result->rows) {
    if (row.keys.size() != query->by.size() || row.values.size() != query->measures.size()) std::abort();
    for (int64_t value : row.values) {
      if (value < 0) std::abort();  // every measure sums non-negative facts
    }
  }
  return 0;
}
