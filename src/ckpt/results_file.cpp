#include "rung/ckpt/results_file.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "hdf5_call.hpp"
#include "rung/config/atomic_file.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

constexpr const char* kFormat = "rung-results";
constexpr int kFormatVersion = 1;

hsize_t dim(std::size_t n) { return static_cast<hsize_t>(n); }

void write_strings(H5::Group& group, const std::string& name,
                   const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = dim(values.size());
  H5::DataSpace space(1, &n);
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::DataSet ds = group.createDataSet(name, type, space);
  if (!values.empty()) ds.write(ptrs.data(), type);
}

template <typename T>
void write_numbers(H5::Group& group, const std::string& name, const std::vector<T>& values,
                   const H5::PredType& type) {
  const hsize_t n = dim(values.size());
  H5::DataSpace space(1, &n);
  H5::DataSet ds = group.createDataSet(name, type, space);
  if (!values.empty()) ds.write(values.data(), type);
}

void write_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  H5::Attribute attr = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attr.write(type, value);
}

// What the reader checks its datasets against (hdf5_call.hpp's checked_extent).
struct Source {
  std::string subject;  // "results file <path>"
  std::uintmax_t file_size = 0;
};

std::string read_attribute(const Source& source, const H5::H5Object& obj,
                           const std::string& name) {
  H5::Attribute attr = obj.openAttribute(name);
  // One string: HDF5 would write every element of a larger one into the one value.
  if (attr.getTypeClass() != H5T_STRING || attr.getSpace().getSimpleExtentNpoints() != 1) {
    throw CheckpointError(source.subject + ": attribute " + name + " is not a string");
  }
  std::string value;
  attr.read(attr.getStrType(), value);
  return value;
}

std::vector<std::string> read_strings(const Source& source, const H5::Group& group,
                                      const std::string& name) {
  H5::DataSet ds = group.openDataSet(name);
  const hsize_t n = detail::checked_extent(source.subject, name, ds, source.file_size, 1).elements;
  if (ds.getTypeClass() != H5T_STRING) {
    throw CheckpointError(source.subject + ": " + name + " is not a string dataset");
  }
  std::vector<char*> ptrs(n, nullptr);
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  if (n > 0) ds.read(ptrs.data(), type);
  std::vector<std::string> out;
  out.reserve(n);
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    std::free(p);
  }
  return out;
}

template <typename T>
std::vector<T> read_numbers(const Source& source, const H5::Group& group,
                            const std::string& name, const H5::PredType& type) {
  H5::DataSet ds = group.openDataSet(name);
  const hsize_t n = detail::checked_extent(source.subject, name, ds, source.file_size, 1).elements;
  std::vector<T> out(n);
  if (n > 0) ds.read(out.data(), type);
  return out;
}

}  // namespace

void write_results_h5(const std::string& path, const JobConfig& job, const RunRecord& run) {
  AtomicFile atomic(path);
  const std::string tmp = atomic.temp_path().string();
  try {
    detail::h5_call("results file " + path, "writing", [&] {
      H5::H5File file(tmp, H5F_ACC_TRUNC);
      write_attribute(file, "rung_format", kFormat);
      write_attribute(file, "format_version", std::to_string(kFormatVersion));
      write_attribute(file, "job_name", job.name);
      write_attribute(file, "objective_metric", job.objective.metric_name);
      write_attribute(file, "objective_type", to_string(job.objective.type));
      write_attribute(file, "strategy", to_string(job.strategy));

      const double nan = std::numeric_limits<double>::quiet_NaN();
      std::vector<std::string> names, status;
      std::vector<std::int64_t> epochs, paused, resumed, seeds;
      std::vector<double> objective, start, end;
      for (const Trial& t : run.trials) {
        names.push_back(t.name);
        status.push_back(to_string(t.status));
        epochs.push_back(t.epochs);
        objective.push_back(t.objective ? *t.objective : nan);
        start.push_back(t.start_s);
        end.push_back(t.end_s >= 0 ? t.end_s : nan);
        paused.push_back(t.times_paused);
        resumed.push_back(t.times_resumed);
        seeds.push_back(static_cast<std::int64_t>(t.seed));
      }
      H5::Group trials = file.createGroup("trials");
      write_strings(trials, "name", names);
      write_strings(trials, "status", status);
      write_numbers(trials, "epochs", epochs, H5::PredType::NATIVE_INT64);
      write_numbers(trials, "objective", objective, H5::PredType::NATIVE_DOUBLE);
      write_numbers(trials, "start_s", start, H5::PredType::NATIVE_DOUBLE);
      write_numbers(trials, "end_s", end, H5::PredType::NATIVE_DOUBLE);
      write_numbers(trials, "times_paused", paused, H5::PredType::NATIVE_INT64);
      write_numbers(trials, "times_resumed", resumed, H5::PredType::NATIVE_INT64);
      write_numbers(trials, "seed", seeds, H5::PredType::NATIVE_INT64);

      // Numeric hyperparameters as float64, categorical ones as strings.
      H5::Group hp = trials.createGroup("hyperparameters");
      for (const ParamRange& r : job.space.ranges()) {
        if (r.kind == ParamKind::Categorical) {
          std::vector<std::string> col;
          for (const Trial& t : run.trials) {
            auto it = t.tuned.find(r.name);
            col.push_back(it == t.tuned.end() ? "" : to_string(it->second));
          }
          write_strings(hp, r.name, col);
        } else {
          std::vector<double> col;
          for (const Trial& t : run.trials) {
            auto it = t.tuned.find(r.name);
            col.push_back(it == t.tuned.end() ? nan : get_double(t.tuned, r.name));
          }
          write_numbers(hp, r.name, col, H5::PredType::NATIVE_DOUBLE);
        }
      }

      std::set<std::string> metric_names;
      for (const Trial& t : run.trials)
        for (const EpochRecord& e : t.curve)
          for (const auto& m : e.metrics) metric_names.insert(m.first);
      std::vector<std::int64_t> e_trial, e_epoch, e_worker;
      std::vector<double> e_train, e_eval, e_at;
      std::map<std::string, std::vector<double>> e_metrics;
      for (const Trial& t : run.trials) {
        for (const EpochRecord& e : t.curve) {
          e_trial.push_back(t.id);
          e_epoch.push_back(e.epoch);
          e_worker.push_back(e.worker);
          e_train.push_back(e.train_time_s);
          e_eval.push_back(e.eval_time_s);
          e_at.push_back(e.reported_at_s);
          for (const auto& m : metric_names) {
            auto it = e.metrics.find(m);
            e_metrics[m].push_back(it == e.metrics.end() ? nan : it->second);
          }
        }
      }
      H5::Group ep = file.createGroup("epochs");
      write_numbers(ep, "trial", e_trial, H5::PredType::NATIVE_INT64);
      write_numbers(ep, "epoch", e_epoch, H5::PredType::NATIVE_INT64);
      write_numbers(ep, "worker", e_worker, H5::PredType::NATIVE_INT64);
      write_numbers(ep, "train_s", e_train, H5::PredType::NATIVE_DOUBLE);
      write_numbers(ep, "eval_s", e_eval, H5::PredType::NATIVE_DOUBLE);
      write_numbers(ep, "reported_at_s", e_at, H5::PredType::NATIVE_DOUBLE);
      H5::Group metrics = ep.createGroup("metrics");
      for (const auto& m : metric_names) {
        write_numbers(metrics, m, e_metrics[m], H5::PredType::NATIVE_DOUBLE);
      }
    });  // the file is closed here, before the rename
  } catch (const CheckpointError& e) {
    // h5_call's CheckpointError means bad input (exit 2); a results file that cannot be
    // written is a runtime failure (exit 1). AtomicFile removes tmp.
    throw Error(e.what());
  }
  atomic.commit();
}

ResultsTable read_results_h5(const std::string& path) {
  if (!std::filesystem::exists(path)) throw CheckpointError("results file " + path + " does not exist");
  ResultsTable out;
  std::error_code ec;
  const Source source{"results file " + path, std::filesystem::file_size(path, ec)};
  detail::h5_call(source.subject, "reading", [&] {
    H5::H5File file(path, H5F_ACC_RDONLY);
    if (!file.attrExists("rung_format") || read_attribute(source, file, "rung_format") != kFormat) {
      throw CheckpointError(path + " is not a rung results file (no rung_format attribute)");
    }
    out.job_name = read_attribute(source, file, "job_name");
    out.objective_metric = read_attribute(source, file, "objective_metric");
    H5::Group trials = file.openGroup("trials");
    out.trial_names = read_strings(source, trials, "name");
    out.trial_status = read_strings(source, trials, "status");
    out.trial_epochs =
        read_numbers<std::int64_t>(source, trials, "epochs", H5::PredType::NATIVE_INT64);
    out.trial_objective =
        read_numbers<double>(source, trials, "objective", H5::PredType::NATIVE_DOUBLE);
    H5::Group hp = trials.openGroup("hyperparameters");
    for (hsize_t i = 0; i < hp.getNumObjs(); ++i) {
      const std::string name = hp.getObjnameByIdx(i);
      H5::DataSet ds = hp.openDataSet(name);
      std::vector<std::string> col;
      if (ds.getTypeClass() == H5T_STRING) {
        col = read_strings(source, hp, name);
      } else {
        for (double v : read_numbers<double>(source, hp, name, H5::PredType::NATIVE_DOUBLE)) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          col.emplace_back(buf);
        }
      }
      out.hyperparameters[name] = col;
    }
    H5::Group ep = file.openGroup("epochs");
    out.epoch_trial = read_numbers<std::int64_t>(source, ep, "trial", H5::PredType::NATIVE_INT64);
    out.epoch_number = read_numbers<std::int64_t>(source, ep, "epoch", H5::PredType::NATIVE_INT64);
    out.epoch_train_s = read_numbers<double>(source, ep, "train_s", H5::PredType::NATIVE_DOUBLE);
    out.epoch_eval_s = read_numbers<double>(source, ep, "eval_s", H5::PredType::NATIVE_DOUBLE);
    H5::Group metrics = ep.openGroup("metrics");
    for (hsize_t i = 0; i < metrics.getNumObjs(); ++i) {
      const std::string name = metrics.getObjnameByIdx(i);
      out.epoch_metrics[name] =
          read_numbers<double>(source, metrics, name, H5::PredType::NATIVE_DOUBLE);
    }
  });
  return out;
}

}  // namespace rung
