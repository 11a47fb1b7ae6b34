// `rung export DIR --format csv|json [--out FILE]`: a finished run's trials and per-epoch
// metrics from DIR/results.h5, for tools that read neither HDF5 nor the journal.
// CSV is two tables: with --out PREFIX they go to PREFIX_trials.csv and PREFIX_epochs.csv
// (a trailing ".csv" on PREFIX is dropped); to stdout, the trials table, a blank line, then the
// epochs table. JSON is one object {"trials": [...], "epochs": [...]}, to FILE or stdout.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "command_line.hpp"
#include "commands.hpp"
#include "run_support.hpp"
#include "rung/ckpt/results_file.hpp"
#include "rung/config/atomic_file.hpp"
#include "rung/config/error.hpp"
#include "rung/tune/hyperparameter_json.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExportUsage = "rung export DIR --format csv|json [--out FILE]";

enum class ExportFormat { Csv, Json };

struct ExportOptions {
  std::string dir;
  std::string out;
  std::optional<ExportFormat> format;
};

// nullopt when --help printed the help.
std::optional<ExportOptions> parse_export_args(const std::vector<std::string>& args) {
  ExportOptions o;
  std::string format;
  CLI::App app{"A finished run's trials and per-epoch metrics from DIR/results.h5 as CSV or "
               "JSON.",
               "rung export"};
  app.add_option("DIR", o.dir, "the run's output directory")->type_name("");
  CLI::Option* format_flag =
      app.add_option("--format", format, "required: csv or json")->type_name("csv|json");
  app.add_option("--out", o.out,
                 "JSON: the file; CSV: PREFIX for PREFIX_trials.csv and PREFIX_epochs.csv "
                 "(default stdout)")
      ->type_name("FILE");
  if (!parse_command_line(app, args, kExportUsage)) return std::nullopt;
  if (format_flag->count() > 0) {
    if (format == "csv") {
      o.format = ExportFormat::Csv;
    } else if (format == "json") {
      o.format = ExportFormat::Json;
    } else {
      throw InputError("--format is '" + format + "'; use csv or json");
    }
  }
  if (o.dir.empty()) throw InputError(std::string("missing DIR; usage: ") + kExportUsage);
  if (!o.format) {
    throw InputError(std::string("--format csv|json is required; usage: ") + kExportUsage);
  }
  return o;
}

// Shortest text that reads back to the same double; empty for NaN (no value).
std::string number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

void write_trials_csv(std::ostream& out, const ResultsTable& r) {
  out << "name,status";
  for (const auto& [name, values] : r.hyperparameters) out << ',' << csv_field(name);
  out << ",epochs,objective\n";
  for (std::size_t i = 0; i < r.trial_names.size(); ++i) {
    out << csv_field(r.trial_names[i]) << ',' << csv_field(r.trial_status[i]);
    for (const auto& [name, values] : r.hyperparameters) out << ',' << csv_field(values[i]);
    out << ',' << r.trial_epochs[i] << ',' << number(r.trial_objective[i]) << '\n';
  }
}

void write_epochs_csv(std::ostream& out, const ResultsTable& r) {
  out << "trial,epoch";
  for (const auto& [metric, values] : r.epoch_metrics) out << ',' << csv_field(metric);
  out << '\n';
  for (std::size_t row = 0; row < r.epoch_trial.size(); ++row) {
    const auto trial = static_cast<std::size_t>(r.epoch_trial[row]);
    out << csv_field(trial < r.trial_names.size() ? r.trial_names[trial] : std::to_string(trial))
        << ',' << r.epoch_number[row];
    for (const auto& [metric, values] : r.epoch_metrics) out << ',' << number(values[row]);
    out << '\n';
  }
}

std::string to_json(const ResultsTable& r) {
  using Json = nlohmann::ordered_json;
  Json trials = Json::array();
  for (std::size_t i = 0; i < r.trial_names.size(); ++i) {
    // As text, like SageMaker's TunedHyperParameters: a categorical "64" stays a string.
    Json hp = Json::object();
    for (const auto& [name, values] : r.hyperparameters) hp[name] = values[i];
    trials.push_back({{"name", r.trial_names[i]},
                      {"status", r.trial_status[i]},
                      {"hyperparameters", std::move(hp)},
                      {"epochs", r.trial_epochs[i]},
                      {"objective", r.trial_objective[i]}});  // NaN is written as null
  }
  Json epochs = Json::array();
  for (std::size_t row = 0; row < r.epoch_trial.size(); ++row) {
    const auto trial = static_cast<std::size_t>(r.epoch_trial[row]);
    Json metrics = Json::object();
    for (const auto& [metric, values] : r.epoch_metrics) metrics[metric] = values[row];
    epochs.push_back({{"trial", trial < r.trial_names.size() ? r.trial_names[trial] : ""},
                      {"epoch", r.epoch_number[row]},
                      {"metrics", std::move(metrics)}});
  }
  Json out = {{"job", r.job_name},
              {"objective_metric", r.objective_metric},
              {"trials", std::move(trials)},
              {"epochs", std::move(epochs)}};
  return out.dump() + '\n';
}

void write_file(const std::string& path, const std::string& content) {
  write_file_atomically(path, content);
}

}  // namespace

int export_command(const std::vector<std::string>& args) {
  try {
    const std::optional<ExportOptions> parsed = parse_export_args(args);
    if (!parsed) return kExitOk;  // --help
    const ExportOptions& o = *parsed;
    const fs::path results = fs::path(o.dir) / "results.h5";
    std::error_code ec;
    if (!fs::is_regular_file(results, ec)) {
      throw InputError("no results file at " + results.string() +
                       " (results.h5 is written when a run ends; for a running job use rung status)");
    }
    const ResultsTable table = read_results_h5(results.string());
    if (*o.format == ExportFormat::Json) {
      const std::string json = to_json(table);
      if (o.out.empty()) {
        std::cout << json;
      } else {
        write_file(o.out, json);
      }
      return kExitOk;
    }
    std::ostringstream trials;
    std::ostringstream epochs;
    write_trials_csv(trials, table);
    write_epochs_csv(epochs, table);
    if (o.out.empty()) {
      std::cout << trials.str() << '\n' << epochs.str();
      return kExitOk;
    }
    std::string prefix = o.out;
    if (prefix.size() > 4 && prefix.compare(prefix.size() - 4, 4, ".csv") == 0) {
      prefix.resize(prefix.size() - 4);
    }
    write_file(prefix + "_trials.csv", trials.str());
    write_file(prefix + "_epochs.csv", epochs.str());
    return kExitOk;
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
