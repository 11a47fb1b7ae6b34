// The surrogate's matrix products: every instruction-set path this CPU runs gives the portable
// path's bits, and all of them the product itself up to float32 rounding.
#include "rung/sim/dense_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace rung {
namespace {

struct Case {
  int rows, inputs, outputs;
};

std::vector<float> random_values(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

TEST(DenseLayer, every_path_gives_the_portable_paths_bits_and_the_product) {
  std::mt19937 rng(7);
  // Row counts around the tiles (6 for AVX2, 12 for AVX-512), outputs around the padding.
  for (const Case c : {Case{1, 1, 1}, Case{5, 7, 6}, Case{13, 32, 33}, Case{52, 128, 910},
                       Case{52, 455, 128}, Case{25, 3, 64}}) {
    const auto w = random_values(static_cast<std::size_t>(c.outputs * c.inputs), rng);
    const auto b = random_values(static_cast<std::size_t>(c.outputs), rng);
    const int x_stride = c.inputs + 3;  // strides wider than the data are allowed
    const auto x = random_values(static_cast<std::size_t>(c.rows * x_stride), rng);
    const DenseLayer layer(w.data(), b.data(), c.inputs, c.outputs);
    ASSERT_EQ(layer.padded_outputs() % DenseLayer::kPad, 0);
    const int y_stride = layer.padded_outputs();
    std::vector<float> reference(static_cast<std::size_t>(c.rows * y_stride), -1.0f);
    layer.apply(x.data(), x_stride, c.rows, reference.data(), y_stride, SimdPath::Portable);
    for (int r = 0; r < c.rows; ++r) {
      for (int m = 0; m < y_stride; ++m) {
        const float got = reference[static_cast<std::size_t>(r * y_stride + m)];
        if (m >= c.outputs) {
          EXPECT_EQ(got, 0.0f) << "padded column " << m;
          continue;
        }
        double exact = b[static_cast<std::size_t>(m)];
        double size = std::abs(exact);
        for (int k = 0; k < c.inputs; ++k) {
          const double term = static_cast<double>(x[static_cast<std::size_t>(r * x_stride + k)]) *
                              w[static_cast<std::size_t>(m * c.inputs + k)];
          exact += term;
          size += std::abs(term);
        }
        EXPECT_NEAR(got, exact, 1e-5 * size) << "row " << r << ", output " << m;
      }
    }
    for (SimdPath path : {SimdPath::Avx2, SimdPath::Avx512}) {
      if (!can_run(path)) continue;
      std::vector<float> y(reference.size(), -1.0f);
      layer.apply(x.data(), x_stride, c.rows, y.data(), y_stride, path);
      EXPECT_EQ(y, reference) << to_string(path) << ", " << c.rows << " x " << c.inputs << " -> "
                              << c.outputs;
    }
  }
}

TEST(DenseLayer, the_fastest_path_is_one_this_cpu_runs) {
  EXPECT_TRUE(can_run(SimdPath::Portable));
  EXPECT_TRUE(can_run(fastest_simd_path()));
}

}  // namespace
}  // namespace rung
