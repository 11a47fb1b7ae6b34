#include "rung/sched/gaussian_process.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#if RUNG_HAVE_NLOPT
#include <nlopt.hpp>
#endif
#include <stdexcept>
#include <string>
#include <utility>

#include "random_draws.hpp"

namespace rung {
namespace {

using Eigen::ArrayXd;
using Eigen::ArrayXXd;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using RowMajorMap =
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

const double kSqrt5 = std::sqrt(5.0);
// Fantasies are noise-free observations (up to this jitter, relative to the signal
// variance): the variance at a pending point drops to about 0 whatever noise the model has
// fitted, so that a noisy model does not propose the same point twice.
constexpr double kFantasyNoise = 1e-6;
const double kLog2Pi = std::log(2.0 * 3.14159265358979323846);

// Squared distances between the rows of a (na x d) and of b (nb x d): na x nb. Through one
// matrix product, clamped at 0 against cancellation.
ArrayXXd squared_distances(const MatrixXd& a, const MatrixXd& b) {
  MatrixXd r2 = -2.0 * a * b.transpose();
  r2.colwise() += a.rowwise().squaredNorm();
  r2.rowwise() += b.rowwise().squaredNorm().transpose();
  return r2.array().max(0.0);
}

// Matérn-5/2 with rho = sqrt(5) r: s2 (1 + rho + rho^2 / 3) exp(-rho).
ArrayXXd matern52(const ArrayXXd& r2, double signal_variance) {
  const ArrayXXd rho = kSqrt5 * r2.sqrt();
  return signal_variance * (1.0 + rho + rho.square() / 3.0) * (-rho).exp();
}

struct Standardized {
  VectorXd z;
  double mean = 0.0;
  double sd = 1.0;
};

Standardized standardize(const VectorXd& y) {
  Standardized s;
  const auto n = static_cast<double>(y.size());
  if (y.size() > 0) s.mean = y.mean();
  if (y.size() > 1) {
    const double var = (y.array() - s.mean).square().sum() / n;
    const double sd = std::sqrt(var);
    // Equal targets: nothing to scale; keep the unit so that the model stays well defined.
    if (sd > 1e-12 * std::max(1.0, std::fabs(s.mean))) s.sd = sd;
  }
  s.z = (y.array() - s.mean) / s.sd;
  return s;
}

void check_points(const std::vector<double>& points, std::size_t dims, const char* what) {
  if (dims == 0 ? !points.empty() : points.size() % dims != 0) {
    throw std::invalid_argument(
        std::string("GaussianProcess: ") + what + " holds " + std::to_string(points.size()) +
        " numbers, not a multiple of the dimension " + std::to_string(dims));
  }
}

}  // namespace

struct GaussianProcess::State {
  std::size_t d = 0;
  GpHyperparameters hp;
  ArrayXd inv_l;        // 1 / length scales
  double noise = 1e-3;  // noise variance plus any jitter the factorization needed
  MatrixXd xs;          // capacity x d: scaled points, observations then pending
  MatrixXd chol;        // capacity x capacity: lower factor of K + noise I over n + p points
  VectorXd y;           // raw targets
  VectorXd alpha;       // (K + noise I)^-1 z over the observations
  Standardized stdz;
  std::size_t n = 0;  // observations
  std::size_t p = 0;  // pending points (rows n .. n+p-1)

  void reserve(std::size_t rows) {
    const auto have = static_cast<std::size_t>(xs.rows());
    if (have >= rows) return;
    const auto cap = static_cast<Eigen::Index>(std::max({rows, 2 * have, std::size_t{16}}));
    xs.conservativeResize(cap, static_cast<Eigen::Index>(d));
    chol.conservativeResize(cap, cap);
  }

  [[nodiscard]] Eigen::Index rows() const { return static_cast<Eigen::Index>(n + p); }

  // Appends the scaled point x as row n + p of the factor: one forward substitution.
  void extend_factor(const Eigen::Ref<const VectorXd>& x_scaled) {
    reserve(n + p + 1);
    const Eigen::Index m = rows();
    xs.row(m) = x_scaled.transpose();
    VectorXd k(m);
    if (m > 0) {
      const ArrayXXd r2 =
          (xs.topRows(m).rowwise() - x_scaled.transpose()).rowwise().squaredNorm().array();
      k = matern52(r2, hp.signal_variance).matrix();
      chol.topLeftCorner(m, m).triangularView<Eigen::Lower>().solveInPlace(k);
      chol.row(m).head(m) = k.transpose();
    }
    const double d2 = hp.signal_variance + noise - k.squaredNorm();
    chol(m, m) = std::sqrt(std::max(d2, 1e-12 * hp.signal_variance));
  }

  void update_alpha() {
    stdz = standardize(y);
    const auto m = static_cast<Eigen::Index>(n);
    alpha = stdz.z;
    if (m == 0) return;
    const auto l = chol.topLeftCorner(m, m).triangularView<Eigen::Lower>();
    l.solveInPlace(alpha);
    l.transpose().solveInPlace(alpha);
  }
};

GaussianProcess::GaussianProcess(std::size_t dims) : state_(std::make_unique<State>()) {
  state_->d = dims;
  state_->hp.lengthscales.assign(dims, 0.5);
  state_->inv_l = ArrayXd::Constant(static_cast<Eigen::Index>(dims), 2.0);
  state_->noise = state_->hp.noise_variance;
  state_->xs.resize(0, static_cast<Eigen::Index>(dims));
}

GaussianProcess::~GaussianProcess() = default;
GaussianProcess::GaussianProcess(GaussianProcess&&) noexcept = default;
GaussianProcess& GaussianProcess::operator=(GaussianProcess&&) noexcept = default;

std::size_t GaussianProcess::dims() const noexcept { return state_->d; }
std::size_t GaussianProcess::size() const noexcept { return state_->n; }
const GpHyperparameters& GaussianProcess::hyperparameters() const noexcept { return state_->hp; }

void GaussianProcess::reset(const GpHyperparameters& hp, const std::vector<double>& points,
                            const std::vector<double>& targets) {
  State& s = *state_;
  check_points(points, s.d, "points");
  if (hp.lengthscales.size() != s.d) {
    throw std::invalid_argument(
        "GaussianProcess::reset: " + std::to_string(hp.lengthscales.size()) +
        " length scales for " + std::to_string(s.d) + " dimensions");
  }
  const std::size_t n = s.d == 0 ? targets.size() : points.size() / s.d;
  if (targets.size() != n) {
    throw std::invalid_argument("GaussianProcess::reset: " + std::to_string(n) + " points but " +
                                std::to_string(targets.size()) + " targets");
  }
  s.hp = hp;
  s.inv_l =
      Eigen::Map<const ArrayXd>(hp.lengthscales.data(), static_cast<Eigen::Index>(s.d)).inverse();
  s.n = n;
  s.p = 0;
  s.y = Eigen::Map<const VectorXd>(targets.data(), static_cast<Eigen::Index>(n));
  s.reserve(n);
  const auto m = static_cast<Eigen::Index>(n);
  if (m > 0 && s.d > 0) {
    s.xs.topRows(m) = RowMajorMap(points.data(), m, static_cast<Eigen::Index>(s.d)) *
                      s.inv_l.matrix().asDiagonal();
  } else if (m > 0) {
    s.xs.topRows(m).setZero();
  }
  const MatrixXd x = s.xs.topRows(m);
  MatrixXd k = matern52(squared_distances(x, x), hp.signal_variance).matrix();
  // The noise term keeps K positive definite in exact arithmetic; duplicated points and a
  // tiny noise can still defeat it in floating point, so add jitter until it factors.
  double jitter = 0.0;
  for (int attempt = 0;; ++attempt) {
    s.noise = hp.noise_variance + jitter;
    MatrixXd kn = k;
    kn.diagonal().array() += s.noise;
    Eigen::LLT<MatrixXd> llt(kn);
    if (llt.info() == Eigen::Success) {
      s.chol.topLeftCorner(m, m) = llt.matrixL();
      break;
    }
    if (attempt >= 8)
      throw std::runtime_error("GaussianProcess: kernel matrix not positive definite");
    jitter = jitter == 0.0 ? 1e-10 * hp.signal_variance : 10.0 * jitter;
  }
  s.update_alpha();
}

void GaussianProcess::add(const std::vector<double>& point, double target) {
  State& s = *state_;
  if (point.size() != s.d) {
    throw std::invalid_argument("GaussianProcess::add: a point with " +
                                std::to_string(point.size()) + " coordinates for " +
                                std::to_string(s.d) + " dimensions");
  }
  s.p = 0;
  const VectorXd xs =
      Eigen::Map<const ArrayXd>(point.data(), static_cast<Eigen::Index>(s.d)) * s.inv_l;
  s.extend_factor(xs);
  ++s.n;
  s.y.conservativeResize(static_cast<Eigen::Index>(s.n));
  s.y(static_cast<Eigen::Index>(s.n - 1)) = target;
  s.update_alpha();
}

void GaussianProcess::set_targets(const std::vector<double>& targets) {
  State& s = *state_;
  if (targets.size() != s.n) {
    throw std::invalid_argument("GaussianProcess::set_targets: " + std::to_string(targets.size()) +
                                " targets for " + std::to_string(s.n) + " points");
  }
  s.y = Eigen::Map<const VectorXd>(targets.data(), static_cast<Eigen::Index>(s.n));
  s.update_alpha();
}

void GaussianProcess::set_pending(const std::vector<double>& points) {
  State& s = *state_;
  check_points(points, s.d, "pending points");
  s.p = 0;
  const std::size_t count = s.d == 0 ? 0 : points.size() / s.d;
  if (count == 0) return;
  // One block of rows for all of them: [L 0; B^T C] with B = L^-1 K(obs, pending) and
  // C C^T = K(pending, pending) + noise I - B^T B.
  s.reserve(s.n + count);
  const auto n = static_cast<Eigen::Index>(s.n);
  const auto p = static_cast<Eigen::Index>(count);
  const MatrixXd xp =
      RowMajorMap(points.data(), p, static_cast<Eigen::Index>(s.d)) * s.inv_l.matrix().asDiagonal();
  s.xs.middleRows(n, p) = xp;
  MatrixXd b = matern52(squared_distances(s.xs.topRows(n), xp), s.hp.signal_variance).matrix();
  s.chol.topLeftCorner(n, n).triangularView<Eigen::Lower>().solveInPlace(b);
  MatrixXd kpp = matern52(squared_distances(xp, xp), s.hp.signal_variance).matrix();
  kpp.noalias() -= b.transpose() * b;
  double jitter = 0.0;
  for (int attempt = 0;; ++attempt) {
    MatrixXd kn = kpp;
    kn.diagonal().array() += kFantasyNoise * s.hp.signal_variance + jitter;
    Eigen::LLT<MatrixXd> llt(kn);
    if (llt.info() == Eigen::Success) {
      s.chol.block(n, n, p, p) = llt.matrixL();
      break;
    }
    // Pending points on top of each other or of observations: the exact Schur complement
    // is still positive definite (the noise term), rounding is not; a little jitter is.
    if (attempt >= 8) return;  // leave the pending points out rather than fail a proposal
    jitter = jitter == 0.0 ? 1e-10 * s.hp.signal_variance : 10.0 * jitter;
  }
  s.chol.block(n, 0, p, n) = b.transpose();
  s.p = count;
}

void GaussianProcess::predict(const std::vector<double>& points, std::vector<double>& mean,
                              std::vector<double>& variance) const {
  const State& s = *state_;
  check_points(points, s.d, "points");
  const auto m = static_cast<Eigen::Index>(s.d == 0 ? 0 : points.size() / s.d);
  mean.assign(static_cast<std::size_t>(m), s.stdz.mean);
  variance.assign(static_cast<std::size_t>(m), s.hp.signal_variance * s.stdz.sd * s.stdz.sd);
  const Eigen::Index rows = s.rows();
  if (m == 0 || rows == 0) return;
  const MatrixXd c =
      RowMajorMap(points.data(), m, static_cast<Eigen::Index>(s.d)) * s.inv_l.matrix().asDiagonal();
  // rows x m: the kernel between every stored point and every query.
  MatrixXd k = matern52(squared_distances(s.xs.topRows(rows), c), s.hp.signal_variance).matrix();
  const auto n = static_cast<Eigen::Index>(s.n);
  Eigen::Map<VectorXd> mu(mean.data(), m);
  if (n > 0) {
    mu = (k.topRows(n).transpose() * s.alpha).array() * s.stdz.sd + s.stdz.mean;
  }
  s.chol.topLeftCorner(rows, rows).triangularView<Eigen::Lower>().solveInPlace(k);
  Eigen::Map<VectorXd> var(variance.data(), m);
  var =
      ((s.hp.signal_variance - k.colwise().squaredNorm().array()).max(0.0) * s.stdz.sd * s.stdz.sd)
          .matrix()
          .transpose();
}

GpPrediction GaussianProcess::predict(const std::vector<double>& point,
                                      std::vector<double>* mean_gradient,
                                      std::vector<double>* variance_gradient) const {
  const State& s = *state_;
  if (point.size() != s.d) {
    throw std::invalid_argument("GaussianProcess::predict: a point with " +
                                std::to_string(point.size()) + " coordinates for " +
                                std::to_string(s.d) + " dimensions");
  }
  const double sd = s.stdz.sd;
  GpPrediction out{s.stdz.mean, s.hp.signal_variance * sd * sd};
  if (mean_gradient) mean_gradient->assign(s.d, 0.0);
  if (variance_gradient) variance_gradient->assign(s.d, 0.0);
  const Eigen::Index rows = s.rows();
  if (rows == 0) return out;
  const auto dd = static_cast<Eigen::Index>(s.d);
  const VectorXd x = Eigen::Map<const ArrayXd>(point.data(), dd) * s.inv_l;
  // diff(i, j) = stored_i[j] - x[j], in scaled units.
  const MatrixXd diff = s.xs.topRows(rows).rowwise() - x.transpose();
  const ArrayXd rho = kSqrt5 * diff.rowwise().squaredNorm().array().sqrt();
  const ArrayXd e = (-rho).exp();
  VectorXd k = (s.hp.signal_variance * (1.0 + rho + rho.square() / 3.0) * e).matrix();
  const auto n = static_cast<Eigen::Index>(s.n);
  const auto l = s.chol.topLeftCorner(rows, rows).triangularView<Eigen::Lower>();
  if (n > 0) out.mean = k.head(n).dot(s.alpha) * sd + s.stdz.mean;
  l.solveInPlace(k);  // now v = L^-1 k
  out.variance = std::max(s.hp.signal_variance - k.squaredNorm(), 0.0) * sd * sd;
  if (!mean_gradient && !variance_gradient) return out;
  // d k_i / d x_j = (5/3) s2 (1 + rho_i) exp(-rho_i) diff(i, j) / lengthscale_j.
  const VectorXd w = ((5.0 / 3.0) * s.hp.signal_variance * (1.0 + rho) * e).matrix();
  if (mean_gradient && n > 0) {
    const ArrayXd g =
        (diff.topRows(n).transpose() * w.head(n).cwiseProduct(s.alpha)).array() * s.inv_l * sd;
    std::copy(g.data(), g.data() + dd, mean_gradient->begin());
  }
  if (variance_gradient) {
    l.transpose().solveInPlace(k);  // u = L^-T v = (K + noise I)^-1 k
    const ArrayXd g = -2.0 * (diff.transpose() * w.cwiseProduct(k)).array() * s.inv_l * sd * sd;
    std::copy(g.data(), g.data() + dd, variance_gradient->begin());
  }
  return out;
}

std::vector<double> GaussianProcess::sample_joint(const std::vector<double>& points,
                                                  std::size_t samples,
                                                  std::mt19937_64& rng) const {
  const State& s = *state_;
  check_points(points, s.d, "points");
  const auto m = static_cast<Eigen::Index>(s.d == 0 ? 0 : points.size() / s.d);
  std::vector<double> out(static_cast<std::size_t>(m) * samples);
  if (m == 0 || samples == 0) return out;
  const MatrixXd c =
      RowMajorMap(points.data(), m, static_cast<Eigen::Index>(s.d)) * s.inv_l.matrix().asDiagonal();
  VectorXd mean = VectorXd::Constant(m, 0.0);
  MatrixXd cov = matern52(squared_distances(c, c), s.hp.signal_variance).matrix();
  const Eigen::Index rows = s.rows();
  if (rows > 0) {
    MatrixXd k = matern52(squared_distances(s.xs.topRows(rows), c), s.hp.signal_variance).matrix();
    const auto n = static_cast<Eigen::Index>(s.n);
    if (n > 0) mean = k.topRows(n).transpose() * s.alpha;
    s.chol.topLeftCorner(rows, rows).triangularView<Eigen::Lower>().solveInPlace(k);
    cov.noalias() -= k.transpose() * k;
  }
  MatrixXd factor;
  double jitter = 1e-9 * s.hp.signal_variance;
  for (int attempt = 0;; ++attempt) {
    MatrixXd kn = cov;
    kn.diagonal().array() += jitter;
    Eigen::LLT<MatrixXd> llt(kn);
    if (llt.info() == Eigen::Success) {
      factor = llt.matrixL();
      break;
    }
    if (attempt >= 8) {  // hopeless: independent draws from the marginals
      factor = cov.diagonal().cwiseMax(0.0).cwiseSqrt().asDiagonal();
      break;
    }
    jitter *= 10.0;
  }
  MatrixXd z(m, static_cast<Eigen::Index>(samples));
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    for (Eigen::Index i = 0; i < m; ++i) z(i, j) = normal01(rng);
  }
  const MatrixXd draws = ((factor * z).colwise() + mean) * s.stdz.sd;
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      out[static_cast<std::size_t>(i) * samples + static_cast<std::size_t>(j)] =
          draws(i, j) + s.stdz.mean;
    }
  }
  return out;
}

double GaussianProcess::correlation(const double* a, const double* b) const {
  const State& s = *state_;
  double r2 = 0.0;
  for (std::size_t j = 0; j < s.d; ++j) {
    const double t = (a[j] - b[j]) * s.inv_l(static_cast<Eigen::Index>(j));
    r2 += t * t;
  }
  const double rho = kSqrt5 * std::sqrt(r2);
  return (1.0 + rho + rho * rho / 3.0) * std::exp(-rho);
}

std::vector<double> GaussianProcess::mean_at_observations() const {
  const State& s = *state_;
  std::vector<double> out(s.n);
  for (std::size_t i = 0; i < s.n; ++i) {
    const auto ii = static_cast<Eigen::Index>(i);
    // (K_f + noise I) alpha = z, so the latent mean K_f alpha at the data is z - noise alpha.
    out[i] = (s.stdz.z(ii) - s.noise * s.alpha(ii)) * s.stdz.sd + s.stdz.mean;
  }
  return out;
}

double gp_log_marginal_likelihood(const std::vector<double>& points,
                                  const std::vector<double>& targets,
                                  const std::vector<double>& log_params,
                                  std::vector<double>* gradient) {
  if (log_params.size() < 2) {
    throw std::invalid_argument("gp_log_marginal_likelihood: needs d + 2 log parameters");
  }
  const std::size_t d = log_params.size() - 2;
  check_points(points, d, "points");
  const auto n = static_cast<Eigen::Index>(targets.size());
  if (d > 0 && static_cast<Eigen::Index>(points.size() / d) != n) {
    throw std::invalid_argument("gp_log_marginal_likelihood: points and targets differ in number");
  }
  const auto dd = static_cast<Eigen::Index>(d);
  const ArrayXd inv_l = (-Eigen::Map<const ArrayXd>(log_params.data(), dd)).exp();
  const double s2 = std::exp(log_params[d]);
  const double noise = std::exp(log_params[d + 1]);
  const Standardized stdz = standardize(Eigen::Map<const VectorXd>(targets.data(), n));

  MatrixXd xs(n, dd);
  if (n > 0 && d > 0) xs = RowMajorMap(points.data(), n, dd) * inv_l.matrix().asDiagonal();
  const ArrayXXd r2 = squared_distances(xs, xs);
  const ArrayXXd rho = kSqrt5 * r2.sqrt();
  const ArrayXXd e = (-rho).exp();
  const MatrixXd kf = (s2 * (1.0 + rho + rho.square() / 3.0) * e).matrix();
  MatrixXd k = kf;
  k.diagonal().array() += noise;
  const Eigen::LLT<MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) {
    if (gradient) gradient->assign(log_params.size(), 0.0);
    return -std::numeric_limits<double>::infinity();
  }
  const VectorXd alpha = llt.solve(stdz.z);
  const double log_det_half = llt.matrixLLT().diagonal().array().log().sum();
  const double lml =
      -0.5 * stdz.z.dot(alpha) - log_det_half - 0.5 * static_cast<double>(n) * kLog2Pi;
  if (!gradient) return lml;

  // d lml / d theta = 0.5 tr(W dK/dtheta) with W = alpha alpha^T - K^-1.
  MatrixXd w = -llt.solve(MatrixXd::Identity(n, n));
  w.noalias() += alpha * alpha.transpose();
  gradient->assign(log_params.size(), 0.0);
  (*gradient)[d] = 0.5 * (w.array() * kf.array()).sum();
  (*gradient)[d + 1] = 0.5 * noise * w.trace();
  // dK_ij / d log l_j = (5/3) s2 (1 + rho) exp(-rho) (xs_i - xs_j)^2 (scaled coordinates).
  // With M = W o G (symmetric), sum_ij M_ij (a_i - a_j)^2 = 2 a^2 . M1 - 2 a . M a.
  const MatrixXd m = (w.array() * ((5.0 / 3.0) * s2 * (1.0 + rho) * e)).matrix();
  const VectorXd row_sums = m.rowwise().sum();
  const MatrixXd mx = m * xs;
  for (Eigen::Index j = 0; j < dd; ++j) {
    const double a = xs.col(j).array().square().matrix().dot(row_sums);
    const double b = xs.col(j).dot(mx.col(j));
    (*gradient)[static_cast<std::size_t>(j)] = a - b;
  }
  return lml;
}

namespace {

struct FitContext {
  const std::vector<double>* points = nullptr;
  const std::vector<double>* targets = nullptr;
  std::vector<double> params;  // scratch
  std::vector<double> grad;    // scratch
  std::vector<double> best;
  double best_value = -std::numeric_limits<double>::infinity();
};

// NLopt minimises: the negative log marginal likelihood. Remembers the best point seen, so
// that a run that ends in a roundoff error still counts.
[[maybe_unused]] double negative_lml(unsigned count, const double* x, double* grad, void* data) {
  auto& ctx = *static_cast<FitContext*>(data);
  ctx.params.assign(x, x + count);
  const double lml =
      gp_log_marginal_likelihood(*ctx.points, *ctx.targets, ctx.params, grad ? &ctx.grad : nullptr);
  if (!std::isfinite(lml)) {
    if (grad) std::fill(grad, grad + count, 0.0);
    return 1e100;
  }
  if (grad) {
    for (unsigned i = 0; i < count; ++i) grad[i] = -ctx.grad[i];
  }
  if (lml > ctx.best_value) {
    ctx.best_value = lml;
    ctx.best = ctx.params;
  }
  return -lml;
}

}  // namespace

GpHyperparameters fit_gp_hyperparameters(const std::vector<double>& points,
                                         const std::vector<double>& targets, std::size_t dims,
                                         const GpFitOptions& options, std::mt19937_64& rng,
                                         const GpHyperparameters* warm_start) {
  check_points(points, dims, "points");
  const std::size_t count = dims + 2;
  std::vector<double> lower(count);
  std::vector<double> upper(count);
  for (std::size_t j = 0; j < dims; ++j) {
    lower[j] = std::log(options.min_lengthscale);
    upper[j] = std::log(options.max_lengthscale);
  }
  lower[dims] = std::log(options.min_signal_variance);
  upper[dims] = std::log(options.max_signal_variance);
  lower[dims + 1] = std::log(options.min_noise_variance);
  upper[dims + 1] = std::log(options.max_noise_variance);
  auto clamped = [&](std::vector<double> x) {
    for (std::size_t j = 0; j < count; ++j) x[j] = std::clamp(x[j], lower[j], upper[j]);
    return x;
  };
  auto to_log = [&](const GpHyperparameters& hp) {
    std::vector<double> x(count);
    for (std::size_t j = 0; j < dims; ++j) x[j] = std::log(hp.lengthscales[j]);
    x[dims] = std::log(hp.signal_variance);
    x[dims + 1] = std::log(hp.noise_variance);
    return clamped(std::move(x));
  };

  std::vector<std::vector<double>> starts;
  const bool has_warm = warm_start && warm_start->lengthscales.size() == dims;
  if (has_warm) starts.push_back(to_log(*warm_start));
  GpHyperparameters fallback;
  fallback.lengthscales.assign(dims, 0.5);
  starts.push_back(to_log(fallback));
  // Random starts where good optima usually lie: length scales from 0.05 to 2 (the cube is
  // 1 wide), signal variance near the standardized 1, small to moderate noise.
#if RUNG_HAVE_NLOPT
  const int random_starts = options.random_starts;
#else
  // No local optimiser: screen more starts instead.
  const int random_starts = 8 * std::max(1, options.random_starts);
#endif
  for (int r = 0; r < random_starts; ++r) {
    std::vector<double> x(count);
    for (std::size_t j = 0; j < dims; ++j) {
      x[j] = std::log(0.05) + uniform01(rng) * (std::log(2.0) - std::log(0.05));
    }
    x[dims] = std::log(0.5) + uniform01(rng) * (std::log(2.0) - std::log(0.5));
    x[dims + 1] = std::log(1e-5) + uniform01(rng) * (std::log(1e-1) - std::log(1e-5));
    starts.push_back(clamped(std::move(x)));
  }

  FitContext ctx;
  ctx.points = &points;
  ctx.targets = &targets;
  if (!targets.empty()) {
    // Screen the starts by likelihood; the warm start always runs.
    std::vector<double> value(starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
      value[i] = gp_log_marginal_likelihood(points, targets, starts[i], nullptr);
      if (!std::isfinite(value[i])) value[i] = -std::numeric_limits<double>::infinity();
      if (value[i] > ctx.best_value) {
        ctx.best_value = value[i];
        ctx.best = starts[i];
      }
    }
#if RUNG_HAVE_NLOPT
    std::vector<std::size_t> order(starts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin() + (has_warm ? 1 : 0), order.end(),
                     [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
    const auto runs =
        std::min(order.size(), static_cast<std::size_t>(std::max(1, options.lbfgs_starts)));
    for (std::size_t r = 0; r < runs; ++r) {
      nlopt::opt opt(nlopt::LD_LBFGS, static_cast<unsigned>(count));
      opt.set_lower_bounds(lower);
      opt.set_upper_bounds(upper);
      opt.set_min_objective(negative_lml, &ctx);
      opt.set_maxeval(std::max(1, options.max_evals));
      opt.set_ftol_rel(1e-7);
      opt.set_xtol_rel(1e-5);
      std::vector<double> x = starts[order[r]];
      double f = 0.0;
      try {
        (void)opt.optimize(x, f);
      } catch (const std::runtime_error&) {
        // Roundoff-limited or a failed line search: the best point seen is kept in ctx.
      }
    }
#endif
  }
  const std::vector<double> best = ctx.best.empty() ? starts.front() : ctx.best;
  GpHyperparameters hp;
  hp.lengthscales.resize(dims);
  for (std::size_t j = 0; j < dims; ++j) hp.lengthscales[j] = std::exp(best[j]);
  hp.signal_variance = std::exp(best[dims]);
  hp.noise_variance = std::exp(best[dims + 1]);
  return hp;
}

}  // namespace rung
