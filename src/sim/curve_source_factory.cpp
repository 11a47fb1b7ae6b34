#include "rung/sim/curve_source_factory.hpp"

#include "rung/config/error.hpp"
#include "rung/sim/analytic_curves.hpp"
#include "rung/sim/lcbench_curves.hpp"

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
    if (curves_file.empty()) {
      throw InputError("--curves " + spec +
                       " needs the LCBench table: pass --curves-file PATH/curves.h5 or set "
                       "RUNG_LCBENCH_CURVES");
    }
    return std::make_unique<LcbenchCurves>(read_curve_table(curves_file, spec.substr(8)),
                                           job.space);
  }
  throw InputError("--curves " + spec + ": not a curve source (analytic, lcbench:<task id>)");
}

}  // namespace rung
