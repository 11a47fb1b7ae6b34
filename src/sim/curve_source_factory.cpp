#include "rung/sim/curve_source_factory.hpp"

#include <cstdlib>

#include "rung/config/error.hpp"
#include "rung/sim/analytic_curves.hpp"
#include "rung/sim/lcbench_curves.hpp"
#include "rung/sim/lcbench_surrogate_curves.hpp"
#include "rung/sim/results_curves.hpp"

namespace rung {

std::unique_ptr<CurveSource> make_curve_source(const std::string& spec, const JobConfig& job,
                                               const std::string& curves_file) {
  if (spec == "analytic") {
    AnalyticCurveOptions o;
    o.max_epochs = job.max_resource;
    o.metric = job.objective.metric_name;
    return std::make_unique<AnalyticCurves>(job.space, o);
  }
  if (spec.rfind("lcbench:", 0) == 0 && spec.size() > 8) {
    // A table only when one is named; otherwise the surrogate itself, for any of its tasks.
    if (!curves_file.empty()) {
      return std::make_unique<LcbenchCurves>(read_curve_table(curves_file, spec.substr(8)),
                                             job.space);
    }
    return std::make_unique<LcbenchSurrogateCurves>(LcbenchSurrogate::shipped(), spec.substr(8),
                                                    job.space,
                                                    job.training.static_hyperparameters);
  }
  if (spec.rfind("results:", 0) == 0 && spec.size() > 8) {
    return make_results_curves(spec.substr(8), job.space);
  }
  throw InputError("--curves " + spec +
                   ": not a curve source (analytic, lcbench:<task id>, results:<results.h5>)");
}

std::string default_curve_spec(const JobConfig& job) {
  if (!job.training.curves.empty()) return job.training.curves;
  return job.training.model == "lcbench" ? "lcbench:189905" : "analytic";
}

std::string default_lcbench_curves_file() {
  const char* env = std::getenv("RUNG_LCBENCH_CURVES");
  return env != nullptr ? env : "";
}

}  // namespace rung
