// The kernels vectorize over outputs, never over k: each output's sum stays one chain of
// fused multiply-adds in k order, which is what makes the paths agree bit for bit. The
// x86 kernels are compiled for their instruction set with GCC/Clang's target attribute
// (internal linkage, intrinsics only), so the rest of rung stays baseline x86-64 and a CPU
// without them never executes them.
#include "rung/sim/dense_layer.hpp"

#include <cmath>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define RUNG_X86_KERNELS 1
#include <immintrin.h>
#endif

namespace rung {
namespace {

struct Product {
  const float* x;
  int x_stride;
  int rows;
  const float* w;  // inputs x n, row-major
  const float* b;  // n
  int inputs;
  int n;  // padded outputs, a multiple of DenseLayer::kPad
  float* y;
  int y_stride;
};

void portable(const Product& p) {
  for (int r = 0; r < p.rows; ++r) {
    float* y = p.y + static_cast<long>(r) * p.y_stride;
    const float* x = p.x + static_cast<long>(r) * p.x_stride;
    for (int m = 0; m < p.n; ++m) y[m] = 0.0f;
    for (int k = 0; k < p.inputs; ++k) {
      const float* w = p.w + static_cast<long>(k) * p.n;
      for (int m = 0; m < p.n; ++m) y[m] = std::fma(x[k], w[m], y[m]);
    }
    for (int m = 0; m < p.n; ++m) y[m] = y[m] + p.b[m];
  }
}

#ifdef RUNG_X86_KERNELS

// R rows x 16 outputs starting at (r0, m0): 2R accumulators in ymm registers.
template <int R>
__attribute__((target("avx2,fma"))) void avx2_tile(const Product& p, int r0, int m0) {
  __m256 acc[R][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const float* x = p.x + static_cast<long>(r0) * p.x_stride;
  for (int k = 0; k < p.inputs; ++k) {
    const float* w = p.w + static_cast<long>(k) * p.n + m0;
    const __m256 w0 = _mm256_loadu_ps(w);
    const __m256 w1 = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 xr = _mm256_broadcast_ss(x + static_cast<long>(r) * p.x_stride + k);
      acc[r][0] = _mm256_fmadd_ps(xr, w0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(xr, w1, acc[r][1]);
    }
  }
  const __m256 b0 = _mm256_loadu_ps(p.b + m0);
  const __m256 b1 = _mm256_loadu_ps(p.b + m0 + 8);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    float* y = p.y + static_cast<long>(r0 + r) * p.y_stride + m0;
    _mm256_storeu_ps(y, _mm256_add_ps(acc[r][0], b0));
    _mm256_storeu_ps(y + 8, _mm256_add_ps(acc[r][1], b1));
  }
}

__attribute__((target("avx2,fma"))) void avx2(const Product& p) {
  constexpr int kRows = 6;  // 12 accumulators + 2 weights + 1 broadcast of 16 registers
  for (int m0 = 0; m0 < p.n; m0 += 16) {
    int r0 = 0;
    for (; r0 + kRows <= p.rows; r0 += kRows) avx2_tile<kRows>(p, r0, m0);
    switch (p.rows - r0) {
      case 5:
        avx2_tile<5>(p, r0, m0);
        break;
      case 4:
        avx2_tile<4>(p, r0, m0);
        break;
      case 3:
        avx2_tile<3>(p, r0, m0);
        break;
      case 2:
        avx2_tile<2>(p, r0, m0);
        break;
      case 1:
        avx2_tile<1>(p, r0, m0);
        break;
      default:
        break;
    }
  }
}

// R rows x 32 outputs starting at (r0, m0): 2R accumulators in zmm registers.
template <int R>
__attribute__((target("avx512f"))) void avx512_tile(const Product& p, int r0, int m0) {
  __m512 acc[R][2];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  const float* x = p.x + static_cast<long>(r0) * p.x_stride;
  for (int k = 0; k < p.inputs; ++k) {
    const float* w = p.w + static_cast<long>(k) * p.n + m0;
    const __m512 w0 = _mm512_loadu_ps(w);
    const __m512 w1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 xr = _mm512_set1_ps(x[static_cast<long>(r) * p.x_stride + k]);
      acc[r][0] = _mm512_fmadd_ps(xr, w0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(xr, w1, acc[r][1]);
    }
  }
  const __m512 b0 = _mm512_loadu_ps(p.b + m0);
  const __m512 b1 = _mm512_loadu_ps(p.b + m0 + 16);
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    float* y = p.y + static_cast<long>(r0 + r) * p.y_stride + m0;
    _mm512_storeu_ps(y, _mm512_add_ps(acc[r][0], b0));
    _mm512_storeu_ps(y + 16, _mm512_add_ps(acc[r][1], b1));
  }
}

__attribute__((target("avx512f"))) void avx512(const Product& p) {
  constexpr int kRows = 12;  // 24 accumulators + 2 weights + 1 broadcast of 32 registers
  for (int m0 = 0; m0 < p.n; m0 += 32) {
    int r0 = 0;
    for (; r0 + kRows <= p.rows; r0 += kRows) avx512_tile<kRows>(p, r0, m0);
    switch (p.rows - r0) {
      case 11:
        avx512_tile<11>(p, r0, m0);
        break;
      case 10:
        avx512_tile<10>(p, r0, m0);
        break;
      case 9:
        avx512_tile<9>(p, r0, m0);
        break;
      case 8:
        avx512_tile<8>(p, r0, m0);
        break;
      case 7:
        avx512_tile<7>(p, r0, m0);
        break;
      case 6:
        avx512_tile<6>(p, r0, m0);
        break;
      case 5:
        avx512_tile<5>(p, r0, m0);
        break;
      case 4:
        avx512_tile<4>(p, r0, m0);
        break;
      case 3:
        avx512_tile<3>(p, r0, m0);
        break;
      case 2:
        avx512_tile<2>(p, r0, m0);
        break;
      case 1:
        avx512_tile<1>(p, r0, m0);
        break;
      default:
        break;
    }
  }
}

#endif  // RUNG_X86_KERNELS

}  // namespace

const char* to_string(SimdPath path) {
  switch (path) {
    case SimdPath::Portable:
      return "portable";
    case SimdPath::Avx2:
      return "avx2";
    case SimdPath::Avx512:
      return "avx512";
  }
  return "portable";
}

bool can_run(SimdPath path) {
#ifdef RUNG_X86_KERNELS
  // GCC and Clang check the OS's register saving (XGETBV) too.
  switch (path) {
    case SimdPath::Portable:
      return true;
    case SimdPath::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SimdPath::Avx512:
      return __builtin_cpu_supports("avx512f");
  }
  return false;
#else
  return path == SimdPath::Portable;
#endif
}

SimdPath fastest_simd_path() {
  static const SimdPath best = can_run(SimdPath::Avx512) ? SimdPath::Avx512
                               : can_run(SimdPath::Avx2) ? SimdPath::Avx2
                                                         : SimdPath::Portable;
  return best;
}

DenseLayer::DenseLayer(const float* weight, const float* bias, int inputs, int outputs)
    : inputs_(inputs),
      outputs_(outputs),
      padded_((outputs + kPad - 1) / kPad * kPad),
      packed_(static_cast<std::size_t>(inputs) * static_cast<std::size_t>(padded_), 0.0f),
      bias_(static_cast<std::size_t>(padded_), 0.0f) {
  for (int m = 0; m < outputs; ++m) {
    for (int k = 0; k < inputs; ++k) {
      packed_[static_cast<std::size_t>(k) * static_cast<std::size_t>(padded_) +
              static_cast<std::size_t>(m)] =
          weight[static_cast<std::size_t>(m) * static_cast<std::size_t>(inputs) +
                 static_cast<std::size_t>(k)];
    }
    bias_[static_cast<std::size_t>(m)] = bias[m];
  }
}

void DenseLayer::apply(const float* x, int x_stride, int rows, float* y, int y_stride,
                       SimdPath path) const {
  const Product p{x, x_stride, rows, packed_.data(), bias_.data(), inputs_, padded_, y, y_stride};
  switch (path) {
#ifdef RUNG_X86_KERNELS
    case SimdPath::Avx512:
      avx512(p);
      return;
    case SimdPath::Avx2:
      avx2(p);
      return;
#endif
    default:
      portable(p);
      return;
  }
}

}  // namespace rung
