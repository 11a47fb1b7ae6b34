// The ResNet-20 trainer's hyperparameters, learning-rate schedule and factory, without torch:
// what the trainer factory (and anyone choosing defaults) needs. The model and trainer types
// live in resnet.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rung/config/hyperparameters.hpp"
#include "rung/train/image_data.hpp"
#include "rung/train/lr_schedule.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

inline constexpr const char* kResNet20ModelName = "resnet20";

enum class Autocast { Off, BFloat16 };

// Hyperparameters (tuned or static; a name missing from a trial's takes the default here).
struct ResNetOptions {
  std::int64_t batch_size = 128;  // "batch_size"
  double learning_rate = 0.1;     // "learning_rate": the peak of the schedule
  double momentum = 0.9;          // "momentum": SGD's, in [0, 1); Nesterov off
  double weight_decay = 5e-4;     // "weight_decay": SGD's (coupled) L2 term, on every parameter
  // "lr_schedule": cosine (default: from learning_rate down to 0 at MaxResource epochs),
  // step (x0.1 at 50% and 75% of MaxResource, as He et al.) or constant.
  LrSchedule schedule = LrSchedule::Cosine;
  double warmup_epochs = 0.0;           // "warmup_epochs": linear ramp from 0 over this many epochs
  bool channels_last = false;           // "channels_last": true/false (or 1/0)
  Autocast autocast = Autocast::Off;    // "autocast": off or bf16
  std::int64_t eval_batch_size = 1000;  // "eval_batch_size"

  // Throws InputError naming the hyperparameter, its value and the rule.
  [[nodiscard]] static ResNetOptions from(const HyperParameters& hp);
};

// The learning rate of optimizer step `step` of epoch `epoch`: rung/train/lr_schedule.hpp's
// schedule with this trainer's learning_rate, lr_schedule and warmup_epochs.
[[nodiscard]] double scheduled_learning_rate(const ResNetOptions& options, int epoch,
                                             std::int64_t step, std::int64_t steps_per_epoch,
                                             int max_epochs);

// The ResNet-20 trainer on `data`. `dataset_description` (describe_image_dataset) is stored in
// checkpoints, which refuse to load on another data set. `device`: cpu, cuda, cuda:N or auto.
// `threads` > 0 sets torch's intra-op threads before every epoch. `max_epochs`: the
// schedule's horizon (the job's MaxResource). Throws InputError for unusable
// hyperparameters or an unavailable device.
[[nodiscard]] std::unique_ptr<Trainer> make_resnet20_trainer(
    std::shared_ptr<const ImageDataset> data, std::string dataset_description,
    const HyperParameters& hp, std::uint64_t seed, const std::string& device, int threads,
    int max_epochs);

}  // namespace rung
