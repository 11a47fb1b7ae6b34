// Metrics from a training program's output lines, as SageMaker finds them: one regex per
// metric (MetricDefinitions), the value in its one capture group. A line that matches the
// objective's regex ends an epoch's report, which carries every metric matched since the
// previous one. A definition named "epoch" gives the epoch number instead of a metric.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "rung/config/job_config.hpp"

namespace rung {

// One epoch's report: its metrics, the epoch number when the program prints one, and what was
// wrong with a value the regex found but that is not a number (empty when nothing was).
struct MetricReport {
  std::map<std::string, double> metrics;
  std::optional<int> epoch;
  std::string problem;
};

class MetricLines {
 public:
  // Throws InputError for a regex that does not compile (config checks this first).
  MetricLines(const std::vector<MetricDefinition>& definitions, std::string objective);

  // Reads one line (without its newline). Returns the report it completes, if it matches the
  // objective's regex. Lines are matched as printed and, when they hold tabs, as SageMaker's
  // CloudWatch logs show them, with each tab written "#011" (the built-in algorithms' regexes
  // expect that form).
  [[nodiscard]] std::optional<MetricReport> feed(const std::string& line);

 private:
  struct Definition {
    std::string name;
    std::regex regex;
  };
  std::vector<Definition> definitions_;
  std::string objective_;
  MetricReport pending_;
};

}  // namespace rung
