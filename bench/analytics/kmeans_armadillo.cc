// k-means with Armadillo's gmm_diag-based kmeans (Debian libarmadillo, OpenMP), the
// library candidate against which FinCRM's own k-means was chosen. Reads the points
// and starting centres written by kmeans_bench, runs the same number of iterations
// from them (keep_existing), and prints its best time of three and inertia.
//   kmeans_armadillo N D K ITERATIONS DIR
#include <armadillo>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: kmeans_armadillo N D K ITERATIONS DIR\n");
    return 2;
  }
  const arma::uword n = std::strtoull(argv[1], nullptr, 10), d = std::strtoull(argv[2], nullptr, 10);
  const arma::uword k = std::strtoull(argv[3], nullptr, 10), iterations = std::strtoull(argv[4], nullptr, 10);
  const std::string dir = argv[5];
  // Row-major n × d on disk is column-major d × n in memory: one point per column.
  arma::fmat data(d, n), start(d, k);
  auto read = [](const std::string& path, float* out, size_t count) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file || std::fread(out, sizeof(float), count, file) != count) std::exit(1);
    std::fclose(file);
  };
  read(dir + "/points.f32", data.memptr(), n * d);
  read(dir + "/centers.f32", start.memptr(), k * d);
  double best = 1e100;
  arma::fmat means;
  for (int run = 0; run < 3; ++run) {
    means = start;
    auto t0 = std::chrono::steady_clock::now();
    if (!arma::kmeans(means, data, k, arma::keep_existing, iterations, false)) return 1;
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  double inertia = 0;
  for (arma::uword i = 0; i < n; ++i) {
    double nearest = 1e300;
    for (arma::uword c = 0; c < k; ++c) {
      double dist = 0;
      for (arma::uword j = 0; j < d; ++j) {
        double diff = static_cast<double>(data(j, i)) - means(j, c);
        dist += diff * diff;
      }
      nearest = std::min(nearest, dist);
    }
    inertia += nearest;
  }
  std::printf("armadillo %.4f %.6e\n", best, inertia);
  return 0;
}
