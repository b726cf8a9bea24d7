// Customer segmentation (客户群体分析): k-means on standardised behaviour features
// of live customers, k chosen by silhouette on a sample (or given), and a profile
// and generated label per cluster ("active short-term trader, mobile").
#pragma once

#include <string>
#include <vector>

#include "analytics/customer_metrics.h"
#include "analytics/kmeans.h"

namespace fincrm {

struct ClusterProfile {
  int cluster = 0;
  int64_t size = 0;
  std::string label;
  std::vector<double> means;                    // raw feature means, per SegmentFeatureNames()
  std::vector<std::pair<std::string, double>> distinguishing;  // z-score of the mean, largest |z| first
};

struct Segmentation {
  int k = 0;
  std::vector<std::pair<int, double>> silhouettes;  // k tried -> silhouette
  std::vector<int16_t> cluster;                     // per customer, -1 for absent
  std::vector<ClusterProfile> profiles;
  double inertia = 0;
};

const std::vector<std::string>& SegmentFeatureNames();

// k = 0 chooses k in [3, 8] by silhouette on a sample of up to 2,000 customers.
Segmentation SegmentCustomers(const FactTables& facts, const std::vector<CustomerMetrics>& metrics,
                              const std::vector<bool>& present, Date as_of, int k = 0, uint64_t seed = 7);

}  // namespace fincrm
