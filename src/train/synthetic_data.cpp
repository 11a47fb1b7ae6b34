// The synthetic binary-classification data set (see synthetic_data.hpp for the recipe) and the
// per-process cache of generated data sets. No torch here.
#include "rung/train/synthetic_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>

#include "rung/config/error.hpp"

namespace rung {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Random numbers from mt19937_64 through transforms written here: the standard library's
// distributions differ between implementations, and a seed must mean the same data set on
// every machine.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
  }

  // Standard normal (Box-Muller, both values used).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = kTwoPi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  template <class T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[static_cast<std::size_t>(below(i))]);
    }
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

[[noreturn]] void bad_spec(const std::string& field, const std::string& value,
                           const std::string& rule) {
  throw InputError("rung.dataset." + field + ": " + value + " " + rule);
}

std::string format_real(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void validate(const DatasetSpec& spec) {
  if (spec.kind != "synthetic") {
    bad_spec("kind", "\"" + spec.kind + "\"", "is not a known data set kind (known: synthetic)");
  }
  if (spec.samples < 10) {
    bad_spec("samples", std::to_string(spec.samples),
             "is too small; a data set needs at least 10 samples to split and train on");
  }
  if (spec.features < 1) bad_spec("features", std::to_string(spec.features), "must be >= 1");
  if (spec.informative < 1 || spec.informative > spec.features) {
    bad_spec("informative", std::to_string(spec.informative),
             "must be between 1 and features (" + std::to_string(spec.features) + ")");
  }
  if (!(spec.class_separation > 0.0) || !std::isfinite(spec.class_separation)) {
    bad_spec("class_separation", format_real(spec.class_separation), "must be > 0");
  }
  if (spec.clusters_per_class < 1) {
    bad_spec("clusters_per_class", std::to_string(spec.clusters_per_class), "must be >= 1");
  }
  if (!(spec.label_noise >= 0.0 && spec.label_noise < 0.5)) {
    bad_spec("label_noise", format_real(spec.label_noise),
             "must be in [0, 0.5) (0.5 leaves no signal)");
  }
  if (!(spec.validation_fraction > 0.0 && spec.validation_fraction < 1.0)) {
    bad_spec("validation_fraction", format_real(spec.validation_fraction),
             "must be strictly between 0 and 1");
  }
}

// 2c distinct hypercube vertices in k dimensions, as +-1 vectors.
std::vector<std::vector<double>> pick_vertices(Random& rng, int k, int count) {
  std::set<std::vector<double>> seen;
  std::vector<std::vector<double>> vertices;
  while (static_cast<int>(vertices.size()) < count) {
    std::vector<double> v(static_cast<std::size_t>(k));
    for (auto& x : v) x = (rng.bits() >> 63) != 0 ? 1.0 : -1.0;
    if (seen.insert(v).second) vertices.push_back(std::move(v));
  }
  return vertices;
}

// The samples before shuffling, n x d row-major: a class's clusters are Gaussians in the k
// informative columns [0, k), each mixed by its own random matrix and moved to its own
// hypercube vertex; columns [k, d) are noise. Cluster c's samples have label c % 2.
void draw_samples(Random& rng, const DatasetSpec& spec, std::vector<double>& x,
                  std::vector<int>& y) {
  const int k = spec.informative;
  const int d = spec.features;
  const std::size_t n = static_cast<std::size_t>(spec.samples);
  // With few informative features there are fewer clusters than asked (the default 3 with
  // k = 1 or 2); the job file refuses an explicit value above the cap.
  const auto per_class =
      static_cast<int>(std::min<std::int64_t>(spec.clusters_per_class, max_clusters_per_class(k)));
  const int clusters = 2 * per_class;

  const auto vertices = pick_vertices(rng, k, clusters);
  std::vector<std::vector<double>> mixing(static_cast<std::size_t>(clusters));
  for (auto& a : mixing) {
    a.resize(static_cast<std::size_t>(k * k));
    for (auto& v : a) v = 2.0 * rng.uniform() - 1.0;
  }

  x.assign(n * static_cast<std::size_t>(d), 0.0);
  y.assign(n, 0);
  std::vector<double> z(static_cast<std::size_t>(k));
  std::size_t row = 0;
  for (int c = 0; c < clusters; ++c) {
    const std::size_t count =
        n / static_cast<std::size_t>(clusters) +
        (static_cast<std::size_t>(c) < n % static_cast<std::size_t>(clusters) ? 1 : 0);
    const auto& a = mixing[static_cast<std::size_t>(c)];
    const auto& centroid = vertices[static_cast<std::size_t>(c)];
    for (std::size_t i = 0; i < count; ++i, ++row) {
      double* out = &x[row * static_cast<std::size_t>(d)];
      for (auto& v : z) v = rng.normal();
      for (int j = 0; j < k; ++j) {
        double sum = 0.0;
        for (int m = 0; m < k; ++m) sum += z[static_cast<std::size_t>(m)] * a[m * k + j];
        out[j] = sum + spec.class_separation * centroid[static_cast<std::size_t>(j)];
      }
      y[row] = c % 2;
    }
  }
  for (row = 0; row < n; ++row) {
    for (int j = k; j < d; ++j) x[row * static_cast<std::size_t>(d) + j] = rng.normal();
  }
}

// Each column's mean and standard deviation over the training rows (order[0, n_train)), for
// standardizing with the training split's statistics; a constant column's scale is 1.
struct ColumnStats {
  std::vector<double> mean;
  std::vector<double> scale;
};

ColumnStats training_stats(const std::vector<double>& x, int d,
                           const std::vector<std::size_t>& order, std::size_t n_train) {
  ColumnStats stats{std::vector<double>(static_cast<std::size_t>(d), 0.0),
                    std::vector<double>(static_cast<std::size_t>(d), 0.0)};
  for (std::size_t i = 0; i < n_train; ++i) {
    for (int j = 0; j < d; ++j) stats.mean[static_cast<std::size_t>(j)] += x[order[i] * d + j];
  }
  for (auto& m : stats.mean) m /= static_cast<double>(n_train);
  for (std::size_t i = 0; i < n_train; ++i) {
    for (int j = 0; j < d; ++j) {
      const double delta = x[order[i] * d + j] - stats.mean[static_cast<std::size_t>(j)];
      stats.scale[static_cast<std::size_t>(j)] += delta * delta;
    }
  }
  for (auto& s : stats.scale) {
    s = std::sqrt(s / static_cast<double>(n_train));
    if (!(s > 0.0)) s = 1.0;
  }
  return stats;
}

}  // namespace

std::string describe(const DatasetSpec& spec) {
  std::ostringstream out;
  out << spec.kind << " path=" << spec.path << " samples=" << spec.samples
      << " features=" << spec.features << " informative=" << spec.informative
      << " class_separation=" << format_real(spec.class_separation)
      << " label_noise=" << format_real(spec.label_noise)
      << " validation_fraction=" << format_real(spec.validation_fraction) << " seed=" << spec.seed;
  // Only when not the default, so the descriptions stored in older checkpoints still match.
  if (spec.clusters_per_class != DatasetSpec{}.clusters_per_class) {
    out << " clusters_per_class=" << spec.clusters_per_class;
  }
  return out.str();
}

TabularDataset make_synthetic_dataset(const DatasetSpec& spec) {
  validate(spec);
  Random rng(spec.seed);
  const int d = spec.features;
  const std::size_t n = static_cast<std::size_t>(spec.samples);
  std::vector<double> x;
  std::vector<int> y;
  draw_samples(rng, spec, x, y);

  std::vector<int> columns(static_cast<std::size_t>(d));
  for (int j = 0; j < d; ++j) columns[static_cast<std::size_t>(j)] = j;
  rng.shuffle(columns);

  // Flip exactly round(label_noise * n) labels, chosen without replacement.
  const auto flips =
      static_cast<std::size_t>(std::llround(spec.label_noise * static_cast<double>(n)));
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  rng.shuffle(order);
  for (std::size_t i = 0; i < flips; ++i) y[order[i]] = 1 - y[order[i]];

  rng.shuffle(order);  // the sample order of the data set
  auto n_val =
      static_cast<std::size_t>(std::llround(spec.validation_fraction * static_cast<double>(n)));
  n_val = std::clamp<std::size_t>(n_val, 1, n - 1);
  const std::size_t n_train = n - n_val;
  const ColumnStats stats = training_stats(x, d, order, n_train);

  TabularDataset data;
  data.features = d;
  auto emit = [&](std::size_t begin, std::size_t end, std::vector<float>& xs,
                  std::vector<float>& ys) {
    xs.reserve((end - begin) * static_cast<std::size_t>(d));
    ys.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t src = order[i];
      for (int j = 0; j < d; ++j) {
        const int from = columns[static_cast<std::size_t>(j)];
        const double v = (x[src * d + from] - stats.mean[static_cast<std::size_t>(from)]) /
                         stats.scale[static_cast<std::size_t>(from)];
        xs.push_back(static_cast<float>(v));
      }
      ys.push_back(static_cast<float>(y[src]));
    }
  };
  emit(0, n_train, data.x_train, data.y_train);
  emit(n_train, n, data.x_validation, data.y_validation);
  return data;
}

std::shared_ptr<const TabularDataset> shared_dataset(const DatasetSpec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TabularDataset>> cache;
  const std::string key = describe(spec);
  // Generation happens under the lock: trials that start together wait for one generation
  // instead of each running their own.
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    it = cache.emplace(key, std::make_shared<const TabularDataset>(make_synthetic_dataset(spec)))
             .first;
  }
  return it->second;
}

void write_csv(const TabularDataset& data, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw InputError("cannot write the data set to " + path);
  out << "split,label";
  for (int j = 0; j < data.features; ++j) out << ",x" << j;
  out << '\n';
  char buf[32];
  auto rows = [&](const char* split, const std::vector<float>& xs, const std::vector<float>& ys) {
    for (std::size_t i = 0; i < ys.size(); ++i) {
      out << split << ',' << (ys[i] > 0.5f ? 1 : 0);
      for (int j = 0; j < data.features; ++j) {
        std::snprintf(buf, sizeof buf, ",%.9g", static_cast<double>(xs[i * data.features + j]));
        out << buf;
      }
      out << '\n';
    }
  };
  rows("train", data.x_train, data.y_train);
  rows("validation", data.x_validation, data.y_validation);
  out.flush();
  if (!out) throw InputError("cannot write the data set to " + path);
}

}  // namespace rung
