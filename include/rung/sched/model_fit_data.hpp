// What a searcher's Gaussian process is fitted on: scores with their bad tail clipped, and,
// where there are more than a fit can afford, a subset that keeps where the search is going.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace rung {

// Scores far below the others (a diverged run's loss) would dominate the standardization and
// flatten the differences that matter: every score below median - mads * 1.4826 MAD (MAD
// scaled to a standard deviation) becomes that bound. Only the bad tail moves, so the ranking
// of the good scores is untouched. Nothing happens with mads <= 0, fewer than 3 scores, or
// when half the scores or more are equal (MAD 0).
[[nodiscard]] std::vector<double> clip_low_outliers(std::vector<double> y, double mads);

// At most `cap` indexes of `y` (cap >= 2), sorted: all while there are no more than cap;
// else the best cap / 4 (where the search is heading, so where the length scales matter) and
// a uniform draw of the rest.
[[nodiscard]] std::vector<std::size_t> fit_subset(const std::vector<double>& y, std::size_t cap,
                                                  std::mt19937_64& rng);

}  // namespace rung
