// The TorchScript trainer's hyperparameters and factory, without torch: what the trainer
// factory (and anyone choosing defaults) needs. The trainer type lives in torchscript.hpp.
//
// rung.model torchscript trains the user's own module, saved with torch.jit.save
// (rung.torchscript.module), on rung's loop: a fresh copy of the module per trial, with its
// weights as saved (rung does not re-initialise them), the loss rung.torchscript.loss
// (cross_entropy or mse), an optimizer and learning-rate schedule from the trial's
// hyperparameters, and the data of an HDF5 file (dataset.kind hdf5) or an image data set
// (cifar10, fashion_mnist).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rung/config/hyperparameters.hpp"
#include "rung/config/job_config.hpp"
#include "rung/train/lr_schedule.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

inline constexpr const char* kTorchScriptModelName = "torchscript";

enum class OptimizerKind { Sgd, Adam, AdamW };

// Hyperparameters (tuned or static; a name missing from a trial's takes the default here;
// names the trainer does not read, such as a static "epochs", are ignored).
struct TorchScriptOptions {
  OptimizerKind optimizer = OptimizerKind::Sgd;  // "optimizer": sgd, adam or adamw
  // "learning_rate" (> 0), the schedule's peak (default 0.01 for sgd, 0.001 for adam and
  // adamw); "lr_schedule" (default constant here) and "warmup_epochs" as for ResNet-20.
  LrScheduleOptions schedule{0.01, LrSchedule::Constant, 0.0};
  double momentum = 0.0;  // "momentum": sgd's, in [0, 1) (ignored by adam and adamw)
  // "weight_decay" (>= 0): coupled L2 for sgd and adam, decoupled for adamw; PyTorch's
  // defaults: 0 for sgd and adam, 0.01 for adamw.
  double weight_decay = 0.0;
  std::int64_t batch_size = 32;         // "batch_size" (>= 1)
  std::int64_t eval_batch_size = 1000;  // "eval_batch_size" (>= 1)

  // Throws InputError naming the hyperparameter, its value and the rule.
  [[nodiscard]] static TorchScriptOptions from(const HyperParameters& hp);
};

[[nodiscard]] const char* to_string(OptimizerKind kind);

// The trainer for `spec` (model torchscript): loads spec.torchscript.module (relative paths
// start in the working directory) and the data set of spec.dataset (hdf5, cifar10 or
// fashion_mnist; both read once per process and shared), on spec.device, with
// spec.threads_per_worker intra-op threads. `max_epochs`: the schedule's horizon (the job's
// MaxResource). Throws InputError for a missing or unreadable module, bad data, targets that
// do not fit the loss, unusable hyperparameters or an unavailable device.
[[nodiscard]] std::unique_ptr<Trainer> make_torchscript_trainer(const TrainingSpec& spec,
                                                                const HyperParameters& hp,
                                                                std::uint64_t seed, int max_epochs);

// Loads and checks what every trial of `job` (model torchscript) needs on `device`: the module,
// the data set (both then stay loaded for the process's trials) and the module's output
// against the targets and loss, with the default hyperparameters. For worker start-up, so
// that a bad module or data file stops the run (exit 2) instead of failing every trial.
// Throws InputError.
void check_torchscript_job(const JobConfig& job, const std::string& device);

}  // namespace rung
