// A campaign's segment (客户细分): which customers it is for, as a JSON object whose
// members all must hold (an absent member does not restrict):
//
//   {"tier": ["gold", "platinum"], "cluster": [2, 3], "risk_level": ["C3", "C4"],
//    "branch": ["B001"], "broker": ["S0001"], "province": ["广东"], "age_band": ["40-49"],
//    "churn_risk": {"min": 0.5, "max": 1},          the latest live or nightly score
//    "holds": {"symbols": ["600519"], "industries": ["340000"]},   any of them
//    "activity": {"traded_within_days": 90} | {"inactive_days": 180},
//    "assets_yuan": {"min": 500000, "max": 5000000}, the latest snapshot
//    "where": "channel=app;product_type=fund", "from": "2026-01", "to": "2026-10"}
//
// The list members and `where` are the cube's filters (analytics/cube.h), so any
// filter the cube takes narrows a segment too; a trade-grained one (channel, product
// type, market, a month) selects who traded so within from–to. Closed accounts are
// never in a segment. Evaluated over the in-memory facts: a million customers in a few
// milliseconds (bench/campaigns).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/cube.h"
#include "analytics/fact_tables.h"
#include "core/status.h"

namespace fincrm {

struct SegmentDefinition {
  CubeQuery cube;  // the list members and `where` as filters, with from/to
  std::optional<double> churn_min, churn_max;
  std::vector<std::string> holds_symbols;
  std::vector<std::string> holds_industries;  // Shenwan level-1 codes
  int traded_within_days = 0;
  int inactive_days = 0;
  std::optional<int64_t> min_assets_fen, max_assets_fen;
  bool holds() const { return !holds_symbols.empty() || !holds_industries.empty(); }
};

// InvalidArgument naming the member ("segment.tier[1]", "segment.where") for
// malformed JSON, an unknown member, or a value its vocabulary does not have.
Result<SegmentDefinition> ParseSegment(std::string_view json);

// The segment's customers (indexes into the facts, ascending). `holders` are the
// customers who hold what the segment's `holds` names (the caller reads them from the
// positions); `today` anchors the activity windows. InvalidArgument (field
// "segment.branch" …) when a branch, broker or province is not in the data.
Result<std::vector<uint32_t>> EvaluateSegment(const FactTables& facts, const CubeContext& context,
                                              const SegmentDefinition& segment, const std::vector<std::string>& holders,
                                              Date today, int threads = 2);

}  // namespace fincrm
