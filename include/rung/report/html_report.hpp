// The whole report page: one self-contained HTML file (inline CSS, inline SVG, no script,
// no network) built from a run's history, its job.yaml and the charts in charts.hpp. The page
// is also well-formed XML, so tests (and users' tools) can parse it back.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "rung/config/job_config.hpp"
#include "rung/report/charts.hpp"
#include "rung/report/run_history.hpp"

namespace rung::report {

struct ReportInputs {
  RunHistory history;
  std::optional<JobConfig> job;  // DIR/job.yaml as rung reads it, when present and valid
  std::string job_text;          // DIR/job.yaml verbatim ("" when absent)
  std::string job_problem;       // why job.yaml could not be used, when it could not
  std::string source;            // the run directory, for the page's header
  // Trial name -> the link (relative to the page) to its program's output, for the trials of
  // a command job (DIR/trials/<name>/output.log): trial names in the tables link to it.
  std::map<std::string, std::string> output_links;
};

[[nodiscard]] std::string render_html_report(const ReportInputs& inputs,
                                             const ChartLimits& limits = {});

}  // namespace rung::report
