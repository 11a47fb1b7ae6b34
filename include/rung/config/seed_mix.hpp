// The one seed mixer: SplitMix64's finaliser, which turns related inputs (a job seed plus a
// trial id, a seed xor a tag) into unrelated 64-bit values. Every derived seed and every
// stable hash of rung goes through it, so streams never collide by accident.
#pragma once

#include <cstdint>

namespace rung {

// The golden-ratio increment SplitMix64 steps its state by.
inline constexpr std::uint64_t kSeedStep = 0x9E3779B97F4A7C15ULL;

[[nodiscard]] constexpr std::uint64_t mix_seed(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace rung
