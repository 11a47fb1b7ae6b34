// Draws from a std::mt19937_64's raw bits, for the searchers and the GP fit. The standard
// distributions differ between standard libraries; raw bits keep a seed's proposals the same
// everywhere (and a journal replayable on another machine).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>

namespace rung {

// Uniform in [0, 1).
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Standard normal (Box-Muller).
inline double normal01(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586477 * u2);
}

// An index in [0, n), n >= 1.
inline std::size_t index_below(std::mt19937_64& rng, std::size_t n) {
  return std::min(static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)), n - 1);
}

}  // namespace rung
