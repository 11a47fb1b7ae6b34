#include "rung/sim/analytic_curves.hpp"

#include <cmath>
#include <cstring>
#include <utility>

#include "rung/config/seed_mix.hpp"

namespace rung {
namespace {

std::uint64_t mix(std::uint64_t z) { return mix_seed(z + kSeedStep); }

double unit_of(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

std::uint64_t hash_text(const std::string& s, std::uint64_t seed) {
  std::uint64_t h = mix(seed);
  for (char c : s) h = mix(h ^ static_cast<unsigned char>(c));
  return h;
}

}  // namespace

AnalyticCurves::AnalyticCurves(SearchSpace space, AnalyticCurveOptions options)
    : space_(std::move(space)), options_(std::move(options)) {
  // The optimum's coordinates: fixed per range name and seed, away from the cube's edges.
  for (const ParamRange& r : space_.ranges()) {
    optimum_.push_back(0.2 + 0.6 * unit_of(hash_text(r.name, options_.seed)));
  }
}

double AnalyticCurves::noiseless(const std::vector<double>& u, int epoch) const {
  const std::size_t d = u.size();
  double dist2 = 0.0;
  for (std::size_t i = 0; i < d; ++i) dist2 += (u[i] - optimum_[i]) * (u[i] - optimum_[i]);
  const double quality = std::exp(-6.0 * dist2 / static_cast<double>(d == 0 ? 1 : d));
  const double asymptote = 0.55 + 0.4 * quality;  // a(u): 0.95 at the optimum
  const double start = 0.1;
  // c(u): the learning speed depends on the last coordinate only, so configurations that
  // learn fast lead early without being best at the end.
  const double speed = 0.04 + 0.3 * (d == 0 ? 0.5 : u[d - 1]);
  return asymptote - (asymptote - start) * std::exp(-speed * epoch);
}

std::map<std::string, double> AnalyticCurves::metrics_at(const HyperParameters& hp,
                                                         int epoch) const {
  const std::vector<double> u = space_.encode(hp);
  std::uint64_t h = mix(options_.seed ^ 0x5bd1e995ULL);
  for (double x : u) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof bits);
    h = mix(h ^ bits);
  }
  h = mix(h ^ static_cast<std::uint64_t>(epoch));
  const double value = noiseless(u, epoch) + options_.noise * (2.0 * unit_of(h) - 1.0);
  return {{options_.metric, value}, {"validation:loss", 1.0 - value}};
}

double AnalyticCurves::epoch_seconds(const HyperParameters& hp, int /*epoch*/) const {
  // Like batch size and width: the first coordinate makes epochs up to 3x longer.
  const std::vector<double> u = space_.encode(hp);
  return options_.base_epoch_s * (1.0 + 2.0 * (u.empty() ? 0.5 : u[0]));
}

double AnalyticCurves::final_value(const HyperParameters& hp) const {
  return noiseless(space_.encode(hp), options_.max_epochs);
}

double AnalyticCurves::best_final_value() const {
  return noiseless(optimum_, options_.max_epochs);
}

HyperParameters AnalyticCurves::best_hyperparameters() const { return space_.decode(optimum_); }

}  // namespace rung
