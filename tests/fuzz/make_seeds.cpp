// Writes the HDF5 seeds of tests/fuzz/corpus/ with rung's own writers, small on purpose
// (libFuzzer mutates small inputs best):
//   make_seeds OUT_DIR
// OUT_DIR/checkpoint/seed.h5 (CheckpointWriter), OUT_DIR/results_h5/seed.h5
// (write_results_h5), OUT_DIR/curve_table/curves.h5 (task 189905 as LCBench lays it out)
// and OUT_DIR/curve_table/weights.h5 (root float32 datasets, as the surrogate's), and the
// regression inputs regress_*.h5 (shapes the readers once trusted).
// The committed seeds came from this program; run it again after a format change.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/ckpt/results_file.hpp"
#include "rung/config/job_config.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* kJob = R"(HyperParameterTuningJobName: seed
HyperParameterTuningJobConfig:
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    ContinuousParameterRanges:
      - {Name: lr, MinValue: "0.001", MaxValue: "0.1", ScalingType: Logarithmic}
    CategoricalParameterRanges:
      - {Name: act, Values: [relu, tanh]}
rung: {model: mlp, static_hyperparameters: {epochs: 2}}
)";

void write_checkpoint(const fs::path& path) {
  rung::CheckpointWriter w(path.string());
  const float weight[6] = {0.5F, -1.0F, 2.0F, 0.25F, 0.0F, 1.5F};
  const double bias[2] = {0.1, -0.2};
  const std::int64_t step[1] = {7};
  const std::uint8_t rng[4] = {1, 2, 3, 4};
  w.put_array("params/fc1.weight", rung::DType::Float32, {2, 3}, weight);
  w.put_array("params/fc1.bias", rung::DType::Float64, {2}, bias);
  w.put_array("optimizer/step", rung::DType::Int64, {}, step);
  w.put_array("rng/cpu", rung::DType::UInt8, {4}, rng);
  w.put_int("epoch", 3);
  w.put_string("hyperparameters/act", "relu");
  w.put_int("hyperparameters/units", 16);
  w.commit();
}

void write_results(const fs::path& path) {
  const rung::JobConfig job = rung::parse_job_text(kJob, "seed.yaml");
  rung::RunRecord run;
  run.job_name = job.name;
  for (int i = 0; i < 2; ++i) {
    rung::Trial t;
    t.id = i;
    t.name = "seed-00" + std::to_string(i + 1);
    t.tuned = {{"lr", 0.01 * (i + 1)}, {"act", std::string(i == 0 ? "relu" : "tanh")}};
    t.status = i == 0 ? rung::TrialStatus::Completed : rung::TrialStatus::Stopped;
    for (int e = 1; e <= 2; ++e) {
      rung::EpochRecord r;
      r.epoch = e;
      r.metrics = {{"validation:accuracy", 0.5 + 0.1 * e}, {"validation:loss", 1.0 / e}};
      r.train_time_s = 0.5;
      r.eval_time_s = 0.1;
      t.curve.push_back(r);
    }
    t.epochs = 2;
    t.objective = 0.7;
    run.trials.push_back(t);
  }
  rung::write_results_h5(path.string(), job, run);
}

void write_matrix(H5::Group& g, const std::string& name, hsize_t rows, hsize_t cols,
                  const std::vector<double>& values) {
  const hsize_t dims[2] = {rows, cols};
  H5::DataSpace space(2, dims);
  g.createDataSet(name, H5::PredType::NATIVE_DOUBLE, space)
      .write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_curves(const fs::path& path) {
  H5::H5File file(path.string(), H5F_ACC_TRUNC);
  H5::Group g = file.createGroup("189905");
  const char* names[2] = {"lr", "units"};
  const hsize_t n = 2;
  H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
  g.createDataSet("config_names", str, H5::DataSpace(1, &n)).write(names, str);
  write_matrix(g, "configs", 2, 2, {0.01, 16, 0.1, 64});
  write_matrix(g, "time", 2, 3, {1, 2, 3, 1.5, 3, 4.5});
  write_matrix(g, "val_accuracy", 2, 3, {50, 60, 70, 40, 45, 50});
}

void write_weights(const fs::path& path) {
  H5::H5File file(path.string(), H5F_ACC_TRUNC);
  const float w[6] = {1, 2, 3, 4, 5, 6};
  const hsize_t dims[2] = {2, 3};
  file.createDataSet("layer0.weight", H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, dims))
      .write(w, H5::PredType::NATIVE_FLOAT);
  const hsize_t n = 2;
  file.createDataSet("layer0.bias", H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, &n))
      .write(w, H5::PredType::NATIVE_FLOAT);
}

// Regression inputs: files whose shapes the readers once trusted (each overflowed a buffer
// before hdf5_call.hpp's checked_extent and the one-string checks).
void write_regressions(const fs::path& out) {
  H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
  const char* four[4] = {"a", "b", "c", "d"};
  {
    // results.h5 whose trials/name is 2 x 2: read as 2 strings, HDF5 wrote 4.
    H5::H5File file((out / "results_h5" / "regress_2d_names.h5").string(), H5F_ACC_TRUNC);
    H5::Attribute a = file.createAttribute("rung_format", str, H5::DataSpace(H5S_SCALAR));
    a.write(str, std::string("rung-results"));
    for (const char* name : {"job_name", "objective_metric"}) {
      file.createAttribute(name, str, H5::DataSpace(H5S_SCALAR)).write(str, std::string("x"));
    }
    H5::Group trials = file.createGroup("trials");
    const hsize_t dims[2] = {2, 2};
    trials.createDataSet("name", str, H5::DataSpace(2, dims)).write(four, str);
  }
  {
    // A curve table whose config_names is 2 x 2 (its extent went into one hsize_t).
    H5::H5File file((out / "curve_table" / "regress_2d_config_names.h5").string(), H5F_ACC_TRUNC);
    H5::Group g = file.createGroup("189905");
    const hsize_t dims[2] = {2, 2};
    g.createDataSet("config_names", str, H5::DataSpace(2, dims)).write(four, str);
  }
  {
    // A checkpoint whose rung_format attribute holds 4 strings (read into one).
    H5::H5File file((out / "checkpoint" / "regress_string_array_attribute.h5").string(),
                    H5F_ACC_TRUNC);
    const hsize_t n = 4;
    file.createAttribute("rung_format", str, H5::DataSpace(1, &n)).write(str, four);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seeds OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* dir : {"checkpoint", "results_h5", "curve_table"}) {
    fs::create_directories(out / dir);
  }
  write_checkpoint(out / "checkpoint" / "seed.h5");
  write_results(out / "results_h5" / "seed.h5");
  write_curves(out / "curve_table" / "curves.h5");
  write_weights(out / "curve_table" / "weights.h5");
  write_regressions(out);
  std::cout << "seeds written under " << out << '\n';
  return 0;
}
