// The matrix product of a dense (fully connected) layer, y = x W^T + b in float32: the LCBench
// surrogate's cost (rung/sim/lcbench_surrogate.hpp). Every output is summed in one order on
// every CPU: 0, then + x_k * w_k for k = 0, 1, ..., each step one fused multiply-add, then
// + b. The AVX-512 and AVX2 paths (chosen at run time, so one binary runs anywhere) only do
// many outputs at once, so they and the portable path give bit-identical results, and a
// simulation repeats exactly on another machine.
#pragma once

#include <vector>

namespace rung {

enum class SimdPath { Portable, Avx2, Avx512 };

[[nodiscard]] const char* to_string(SimdPath path);
// Whether this CPU (and its OS) runs `path`; Portable always.
[[nodiscard]] bool can_run(SimdPath path);
// The fastest path this CPU runs: AVX-512F, else AVX2 with FMA, else portable (std::fma per
// multiply-add: exact but slow where the CPU lacks FMA).
[[nodiscard]] SimdPath fastest_simd_path();

class DenseLayer {
 public:
  // Outputs are padded to a multiple of this; padded columns have zero weights and bias.
  static constexpr int kPad = 32;

  DenseLayer() = default;
  // `weight` is outputs x inputs, row-major (PyTorch's Linear, ONNX Gemm with transB = 1);
  // `bias` has `outputs` values. Both are copied.
  DenseLayer(const float* weight, const float* bias, int inputs, int outputs);

  // y[r][m] = sum_k x[r][k] w[m][k] + b[m] for rows r < rows and m < padded_outputs() (the
  // padded columns get 0). x and y are row-major with row strides x_stride >= inputs() and
  // y_stride >= padded_outputs(). `path` must be one can_run() accepts.
  void apply(const float* x, int x_stride, int rows, float* y, int y_stride, SimdPath path) const;

  [[nodiscard]] int inputs() const noexcept { return inputs_; }
  [[nodiscard]] int outputs() const noexcept { return outputs_; }
  [[nodiscard]] int padded_outputs() const noexcept { return padded_; }

 private:
  int inputs_ = 0;
  int outputs_ = 0;
  int padded_ = 0;
  std::vector<float> packed_;  // W^T, inputs x padded_, row-major: each k's outputs side by side
  std::vector<float> bias_;    // padded_
};

}  // namespace rung
