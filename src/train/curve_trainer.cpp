#include "rung/train/curve_trainer.hpp"

#include <map>
#include <utility>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"
#include "rung/sim/curve_source_factory.hpp"

namespace rung {

bool is_curve_model(const std::string& model) {
  return model == "analytic" || model == "lcbench";
}

std::shared_ptr<SharedCurves> shared_curves(const JobConfig& job) {
  // Keyed by what the source depends on, so tests that run several jobs in one process get
  // each its own source while the workers of one job share one.
  static std::mutex cache_mutex;
  static std::map<std::string, std::shared_ptr<SharedCurves>> cache;
  const std::string spec = default_curve_spec(job);
  const std::string key = job.name + '\n' + spec + '\n' + job.objective.metric_name + '\n' +
                          std::to_string(job.max_resource) + '\n' + job.source_path;
  const std::lock_guard<std::mutex> lock(cache_mutex);
  auto& slot = cache[key];
  if (!slot) {
    auto curves = std::make_shared<SharedCurves>();
    curves->source = make_curve_source(spec, job, default_lcbench_curves_file());
    if (curves->source->max_epochs() < job.max_resource) {
      throw InputError("MaxResource " + std::to_string(job.max_resource) + " exceeds the " +
                       std::to_string(curves->source->max_epochs()) + " epochs of " +
                       curves->source->name());
    }
    slot = std::move(curves);
  }
  return slot;
}

CurveTrainer::CurveTrainer(std::shared_ptr<SharedCurves> curves, HyperParameters hp)
    : curves_(std::move(curves)), hp_(std::move(hp)), source_name_(curves_->source->name()) {}

EpochResult CurveTrainer::train_epoch() {
  const int next = epoch_ + 1;
  EpochResult result;
  {
    const std::lock_guard<std::mutex> lock(curves_->mutex);
    if (next > curves_->source->max_epochs()) {
      throw TrialError("epoch " + std::to_string(next) + " is past the " +
                       std::to_string(curves_->source->max_epochs()) + " epochs of " +
                       source_name_);
    }
    result.metrics = curves_->source->metrics_at(hp_, next);
    result.train_time_s = curves_->source->epoch_seconds(hp_, next);
  }
  epoch_ = next;
  return result;
}

void CurveTrainer::save_checkpoint(const std::string& path) const {
  CheckpointWriter writer(path);
  writer.put_string("model", "curves:" + source_name_);
  writer.put_int("epoch", epoch_);
  writer.commit();
}

void CurveTrainer::load_checkpoint(const std::string& path) {
  const CheckpointReader reader(path);
  const std::string model = reader.get_string("model");
  if (model != "curves:" + source_name_) {
    throw CheckpointError("checkpoint " + path + " is for model \"" + model +
                          "\", not the curve source " + source_name_);
  }
  const std::int64_t epoch = reader.get_int("epoch");
  if (epoch < 0 || epoch > curves_->source->max_epochs()) {
    throw CheckpointError("checkpoint " + path + " holds epoch " + std::to_string(epoch) +
                          ", outside 0.." + std::to_string(curves_->source->max_epochs()));
  }
  epoch_ = static_cast<int>(epoch);
}

}  // namespace rung
