// YAHPO Gym's surrogate model of LCBench (Pfisterer et al., AutoML 2022), evaluated in C++:
// for one of LCBench's 34 OpenML tasks, any configuration of its 7 hyperparameters and an
// epoch 1..52, it predicts cumulative training time, validation accuracy, balanced accuracy
// and cross-entropy, and test balanced accuracy and cross-entropy. Every number is a
// prediction of a neural network fitted on LCBench's logged runs, not a measured run; results
// built on it should say so and cite YAHPO Gym (data/lcbench/README.md). The simulator's
// lcbench:<task> curves (rung/sim/lcbench_surrogate_curves.hpp) are built on it.
//
// The network is the ONNX graph of data/lcbench/graph.json, computed in float32 like the
// graph: a task embedding and the 8 scaled inputs, a linear layer, 3 residual blocks
// (inference batch norm, linear, gated ReLU, linear), batch norm, ReLU, a linear head, a
// sigmoid, and one transform per output column. The weights come from surrogate.h5; the input
// scaling and output transforms are read from graph.json's summaries of its nodes. The sums
// are float32 like ONNX Runtime's but in another order, so predictions differ from ONNX
// Runtime's by float32 rounding (data/lcbench/README.md gives the measured differences).
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rung/sim/dense_layer.hpp"

namespace rung {

// LCBench's hyperparameters, in the order the surrogate takes them (after the epoch).
inline constexpr std::array<const char*, 7> kLcbenchHyperparameters = {
    "batch_size", "learning_rate", "momentum",   "weight_decay",
    "num_layers", "max_units",     "max_dropout"};
inline constexpr int kLcbenchEpochs = 52;  // the fidelity: epochs 1..52

// One configuration's raw hyperparameter values, in kLcbenchHyperparameters order, in the
// float32 the surrogate receives.
using LcbenchConfig = std::array<float, kLcbenchHyperparameters.size()>;

class LcbenchSurrogate {
 public:
  // Reads surrogate.h5, graph.json, encoding.json and config_space.json from `folder`.
  // Throws CheckpointError for unreadable weights and InputError for a missing or malformed
  // JSON file or weights that do not fit the graph, naming the file and what is wrong.
  // `path`: the matrix products' instructions (every path gives the same numbers; tests and
  // benchmarks choose one); it must be one can_run() accepts.
  explicit LcbenchSurrogate(const std::filesystem::path& folder,
                            SimdPath path = fastest_simd_path());
  ~LcbenchSurrogate();
  LcbenchSurrogate(const LcbenchSurrogate&) = delete;
  LcbenchSurrogate& operator=(const LcbenchSurrogate&) = delete;

  // The copy rung ships (lcbench/ along the data search path, rung/config/data_files.hpp),
  // loaded on first use and shared. Throws InputError naming the folders searched.
  [[nodiscard]] static std::shared_ptr<const LcbenchSurrogate> shipped();

  // The 34 OpenML task ids of the search space (config_space.json), in its order.
  [[nodiscard]] const std::vector<std::string>& task_ids() const noexcept;
  // The surrogate's code of a task (encoding.json). Throws InputError listing the valid ids.
  [[nodiscard]] int task_code(const std::string& task_id) const;
  // The output columns, in the graph's order and units: time (cumulative seconds),
  // val_accuracy (percent), val_cross_entropy (nats), val_balanced_accuracy (fraction),
  // test_cross_entropy (nats), test_balanced_accuracy (fraction).
  [[nodiscard]] const std::vector<std::string>& output_names() const noexcept;
  // config_space.json's default and bounds of each hyperparameter (kLcbenchHyperparameters
  // order). The space is wider than the data the surrogate was fitted on (num_layers 5,
  // momentum above 0.982, weight_decay below 4.9e-5, batch_size 512): values there, and
  // anywhere else, are evaluated all the same; outside the fitted range that is extrapolation.
  [[nodiscard]] const std::array<double, 7>& defaults() const noexcept;
  [[nodiscard]] const std::array<double, 7>& lower_bounds() const noexcept;
  [[nodiscard]] const std::array<double, 7>& upper_bounds() const noexcept;

  // `rows` predictions for one task: x_cont is rows x 8 raw values, row-major (epoch, then
  // kLcbenchHyperparameters), as the graph's x_cont; out gets rows x output_names().size(),
  // row-major, in the graph's units. One batch: the cost is a few matrix products.
  void predict(int task_code, const float* x_cont, int rows, float* out) const;
  // Epochs 1..kLcbenchEpochs of one configuration, as one batch: kLcbenchEpochs x outputs,
  // row-major, row e-1 for epoch e.
  [[nodiscard]] std::vector<float> predict_curve(int task_code, const LcbenchConfig& config) const;
  [[nodiscard]] SimdPath simd_path() const noexcept;

 private:
  struct Network;
  std::unique_ptr<Network> net_;
  std::vector<std::string> task_ids_;
  std::map<std::string, int> task_codes_;
  std::vector<std::string> output_names_;
  std::array<double, 7> defaults_{};
  std::array<double, 7> lower_{};
  std::array<double, 7> upper_{};
};

}  // namespace rung
