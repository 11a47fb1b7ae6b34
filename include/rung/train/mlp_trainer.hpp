// The 3-layer MLP trainer's hyperparameters and factory, without torch: what the trainer
// factory (and anyone choosing defaults) needs. The model and trainer types live in mlp.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rung/config/hyperparameters.hpp"
#include "rung/train/synthetic_data.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

inline constexpr const char* kMlpModelName = "mlp";

// The tuned hyperparameters of the AWS seed experiment; a name missing from a trial's
// hyperparameters takes the default here. Other names (the static "epochs", ...) are not the
// trainer's concern and are ignored.
struct MlpOptions {
  std::int64_t units = 64;      // "units": width of both hidden layers (typically 10..1000)
  double learning_rate = 1e-3;  // "learning_rate": Adam's step size
  // "l2": L2 regularisation, applied as Adam's (coupled) weight_decay: every step adds
  // l2 * w to the gradient of every parameter (weights and biases), the gradient of
  // (l2 / 2) * ||w||^2. It is not in the reported losses. Typically 1e-6..2.
  double l2 = 0.0;
  std::int64_t batch_size = 32;  // "batch_size"

  // Throws InputError naming the hyperparameter when a value cannot be used (units or
  // batch_size < 1, learning_rate <= 0, l2 < 0, non-numbers).
  [[nodiscard]] static MlpOptions from(const HyperParameters& hp);
};

// The MLP trainer on `data`. `dataset_description` (describe(spec)) is stored in checkpoints,
// which refuse to load on another data set. `device`: "cpu", "cuda", "cuda:N" or "auto".
// `threads` > 0 sets torch's intra-op threads before every epoch (a per-thread setting).
// Throws InputError for unusable hyperparameters or an unavailable device.
[[nodiscard]] std::unique_ptr<Trainer> make_mlp_trainer(std::shared_ptr<const TabularDataset> data,
                                                        std::string dataset_description,
                                                        const HyperParameters& hp,
                                                        std::uint64_t seed,
                                                        const std::string& device = "cpu",
                                                        int threads = 1);

}  // namespace rung
