// make_trainer: the model name in the job file -> a trainer. No torch here; each model's
// trainer is built behind its own torch-free factory.
#include <string>

#include "rung/config/error.hpp"
#include "rung/train/curve_trainer.hpp"
#include "rung/train/image_data.hpp"
#include "rung/train/mlp_trainer.hpp"
#include "rung/train/resnet_trainer.hpp"
#include "rung/train/synthetic_data.hpp"
#include "rung/train/torchscript_trainer.hpp"
#include "rung/train/trainer.hpp"

namespace rung {

std::unique_ptr<Trainer> make_trainer(const TrainingSpec& spec, const HyperParameters& hp,
                                      std::uint64_t seed) {
  if (spec.model == kMlpModelName) {
    // The data set is generated once per process and shared by every trial's trainer.
    return make_mlp_trainer(shared_dataset(spec.dataset), describe(spec.dataset), hp, seed,
                            spec.device, spec.threads_per_worker);
  }
  if (spec.model == kResNet20ModelName) {
    throw InputError(
        "rung.model: resnet20's learning-rate schedule runs over MaxResource "
        "epochs; build it with make_trainer(job, hp, seed)");
  }
  if (spec.model == kTorchScriptModelName) {
    throw InputError(
        "rung.model: torchscript's learning-rate schedule runs over MaxResource epochs; build "
        "it with make_trainer(job, hp, seed)");
  }
  if (is_curve_model(spec.model)) {
    throw InputError("rung.model: \"" + spec.model +
                     "\" replays a curve source over the job's search space; build it with "
                     "make_trainer(job, hp, seed)");
  }
  throw InputError("rung.model: \"" + spec.model +
                   "\" is not a known model (known models: " + kMlpModelName + ", " +
                   kResNet20ModelName + ", " + kTorchScriptModelName + ", analytic, lcbench)");
}

std::unique_ptr<Trainer> make_trainer(const JobConfig& job, const HyperParameters& hp,
                                      std::uint64_t seed) {
  if (is_curve_model(job.training.model)) {
    return std::make_unique<CurveTrainer>(shared_curves(job), hp);
  }
  if (job.training.model == kResNet20ModelName) {
    // The images are read once per process and shared by every trial's trainer.
    const TrainingSpec& spec = job.training;
    return make_resnet20_trainer(shared_image_dataset(spec.dataset),
                                 describe_image_dataset(spec.dataset), hp, seed, spec.device,
                                 spec.threads_per_worker, job.max_resource);
  }
  if (job.training.model == kTorchScriptModelName) {
    // The module file and the data set are read once per process; each trial loads its own
    // copy of the module.
    return make_torchscript_trainer(job.training, hp, seed, job.max_resource);
  }
  return make_trainer(job.training, hp, seed);
}

}  // namespace rung
