#include "rung/sim/lcbench_surrogate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>

#include "rung/ckpt/weight_file.hpp"
#include "rung/config/data_files.hpp"
#include "rung/config/error.hpp"
#include "rung/sim/dense_layer.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

// One elementwise step of the graph's input scaling or output transforms (graph.json's
// input_scaling / output_transforms: the chains of Add, Sub, Mul, Div, Log, Exp and Cast nodes
// between a column's Gather and its Unsqueeze). Applied in float32, as the graph does.
enum class StepOp { Add, Sub, Mul, Div, Log, Exp };

struct Step {
  StepOp op = StepOp::Add;
  float operand = 0.0f;
};

using Steps = std::vector<Step>;

float apply(const Steps& steps, float x) {
  for (const Step& s : steps) {
    switch (s.op) {
      case StepOp::Add:
        x = x + s.operand;
        break;
      case StepOp::Sub:
        x = x - s.operand;
        break;
      case StepOp::Mul:
        x = x * s.operand;
        break;
      case StepOp::Div:
        x = x / s.operand;
        break;
      case StepOp::Log:
        x = std::log(x);
        break;
      case StepOp::Exp:
        x = std::exp(x);
        break;
    }
  }
  return x;
}

// Inference-mode BatchNormalization folded into y = x * scale + shift per column, with
// scale = gamma / sqrt(var + eps) and shift = beta - mean * scale.
struct Norm {
  std::vector<float> scale;
  std::vector<float> shift;
};

// h += project(a * relu(b)), [a, b] = expand(norm(h)): graph nodes 91-110 for block 0.
struct Block {
  Norm norm;
  DenseLayer expand;
  DenseLayer project;
};

// One of the data folder's JSON files, with the name used in every message.
struct JsonFile {
  fs::path path;
  nlohmann::json root;
};

JsonFile load_json(const fs::path& folder, const char* name) {
  JsonFile j{folder / name, {}};
  std::error_code ec;
  if (!fs::is_regular_file(j.path, ec)) {
    throw InputError("LCBench surrogate: " + j.path.string() + " does not exist");
  }
  std::ifstream in(j.path);
  if (!in) throw InputError("LCBench surrogate: " + j.path.string() + " cannot be opened");
  try {
    j.root = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    // e.what() gives the line and column of the fault.
    throw InputError("LCBench surrogate: " + j.path.string() + " is not valid JSON: " + e.what());
  }
  return j;
}

[[noreturn]] void malformed(const JsonFile& j, const std::string& what) {
  throw InputError("LCBench surrogate: " + j.path.string() + ": " + what);
}

// parent[key], or null where parent is not an object or lacks the key: nlohmann's const
// operator[] does not check, and a missing entry must be reported, not read.
const nlohmann::json& member(const nlohmann::json& parent, const std::string& key) {
  static const nlohmann::json kNone;
  if (!parent.is_object()) return kNone;
  const auto it = parent.find(key);
  return it == parent.end() ? kNone : *it;
}

// parent[index], or null where parent is not an array that long.
const nlohmann::json& element(const nlohmann::json& parent, std::size_t index) {
  static const nlohmann::json kNone;
  return parent.is_array() && index < parent.size() ? parent[index] : kNone;
}

const nlohmann::json& need(const JsonFile& j, const nlohmann::json& parent, const std::string& key,
                           const std::string& where) {
  if (!parent.is_object() || !parent.contains(key)) {
    malformed(j, where + " has no \"" + key + "\"");
  }
  return parent[key];
}

// need(), and the entry must be a list; `at` names it in the message.
const nlohmann::json& need_list(const JsonFile& j, const nlohmann::json& parent,
                                const std::string& key, const std::string& where,
                                const std::string& at) {
  const nlohmann::json& n = need(j, parent, key, where);
  if (!n.is_array()) malformed(j, at + " is not a list");
  return n;
}

// The value of n as T, which must be its JSON type: no number is read from a string, and no
// whole number from a fraction or, for an unsigned T, from a negative number.
template <class T>
T scalar(const JsonFile& j, const nlohmann::json& n, const std::string& where) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!n.is_string()) malformed(j, where + " is not a string");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!n.is_number()) malformed(j, where + " is not a number");
  } else {
    static_assert(std::is_integral_v<T>);
    // Read at full width and checked against T's range, as get<T>() would wrap silently.
    using Limits = std::numeric_limits<T>;
    bool fits = false;
    if (n.is_number_unsigned()) {
      fits = n.get<std::uint64_t>() <= static_cast<std::uint64_t>(Limits::max());
    } else if constexpr (std::is_signed_v<T>) {
      if (n.is_number_integer()) {
        const auto v = n.get<std::int64_t>();
        fits = v >= static_cast<std::int64_t>(Limits::min()) &&
               v <= static_cast<std::int64_t>(Limits::max());
      }
    }
    if (!fits && std::is_unsigned_v<T>) malformed(j, where + " is not a whole number >= 0");
    if (!fits) {
      malformed(j, where + " is not a whole number in " + std::to_string(Limits::min()) + ".." +
                       std::to_string(Limits::max()));
    }
  }
  return n.get<T>();
}

// graph.json's input_scaling or output_transforms: one entry per column, each
// {"column", "name", "steps": [[op, operand?], ...]}, checked against the column names.
std::vector<Steps> read_steps(const JsonFile& j, const char* key,
                              const std::vector<std::string>& columns) {
  const nlohmann::json& list = need(j, j.root, key, "the file");
  if (!list.is_array() || list.size() != columns.size()) {
    malformed(j, std::string(key) + " must list " + std::to_string(columns.size()) + " columns");
  }
  static const std::map<std::string, StepOp> kOps = {{"Add", StepOp::Add}, {"Sub", StepOp::Sub},
                                                     {"Mul", StepOp::Mul}, {"Div", StepOp::Div},
                                                     {"Log", StepOp::Log}, {"Exp", StepOp::Exp}};
  std::vector<Steps> out(columns.size());
  std::vector<bool> is_seen(columns.size(), false);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    const auto column =
        scalar<std::size_t>(j, need(j, list[i], "column", where), where + ".column");
    const auto name = scalar<std::string>(j, need(j, list[i], "name", where), where + ".name");
    if (column >= columns.size() || columns[column] != name || is_seen[column]) {
      malformed(j, where + " is column " + std::to_string(column) + " \"" + name +
                       "\", which is not a column of the graph or is listed twice");
    }
    is_seen[column] = true;
    const nlohmann::json& steps = need_list(j, list[i], "steps", where, where + ".steps");
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const std::string at = where + ".steps[" + std::to_string(k) + "]";
      const auto op = kOps.find(scalar<std::string>(j, element(steps[k], 0), at + "[0]"));
      if (op == kOps.end()) malformed(j, at + "[0] is not one of Add, Sub, Mul, Div, Log, Exp");
      Step s;
      s.op = op->second;
      if (s.op != StepOp::Log && s.op != StepOp::Exp) {
        // The graph's constants are float32; their printed doubles convert back exactly.
        s.operand = static_cast<float>(scalar<double>(j, element(steps[k], 1), at + "[1]"));
      }
      out[column].push_back(s);
    }
  }
  return out;
}

std::vector<std::string> string_list(const JsonFile& j, const nlohmann::json& n,
                                     const std::string& where) {
  if (!n.is_array()) malformed(j, where + " is not a list");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    out.push_back(scalar<std::string>(j, n[i], where + "[" + std::to_string(i) + "]"));
  }
  return out;
}

// The weights by ONNX initializer name (graph.json's "initializers" maps each to its
// dataset in surrogate.h5), with their shapes checked where they are used.
class Weights {
 public:
  Weights(const JsonFile& graph, const fs::path& file)
      : graph_(graph), file_(file.string()), arrays_(read_weight_file(file_)) {
    const nlohmann::json& list =
        need_list(graph, graph.root, "initializers", "the file", "initializers");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "initializers[" + std::to_string(i) + "]";
      datasets_[scalar<std::string>(graph, need(graph, list[i], "name", where), where + ".name")] =
          scalar<std::string>(graph, need(graph, list[i], "h5_dataset", where),
                              where + ".h5_dataset");
    }
  }

  [[nodiscard]] bool has(const std::string& onnx_name) const {
    return datasets_.count(onnx_name) > 0;
  }

  // An ONNX initializer of shape [rows, cols]; a size < 0 is not checked.
  [[nodiscard]] const WeightArray& matrix(const std::string& onnx_name, long rows,
                                          long cols) const {
    const WeightArray& a = find(onnx_name);
    if (a.shape.size() != 2 || (rows >= 0 && a.shape[0] != static_cast<std::uint64_t>(rows)) ||
        (cols >= 0 && a.shape[1] != static_cast<std::uint64_t>(cols))) {
      wrong_shape(onnx_name, a, "[" + dim_text(rows) + ", " + dim_text(cols) + "]");
    }
    return a;
  }

  // An ONNX initializer of shape [size].
  [[nodiscard]] const std::vector<float>& vector(const std::string& onnx_name, long size) const {
    const WeightArray& a = find(onnx_name);
    if (a.shape.size() != 1 || a.shape[0] != static_cast<std::uint64_t>(size)) {
      wrong_shape(onnx_name, a, "[" + std::to_string(size) + "]");
    }
    return a.values;
  }

  // PyTorch's Linear (ONNX Gemm, transB = 1): weight outputs x `in`, bias outputs.
  [[nodiscard]] DenseLayer linear(const std::string& prefix, long in, long out = -1) const {
    const WeightArray& w = matrix(prefix + ".weight", out, in);
    const auto outputs = static_cast<long>(w.shape[0]);
    const std::vector<float>& b = vector(prefix + ".bias", outputs);
    return DenseLayer(w.values.data(), b.data(), static_cast<int>(in), static_cast<int>(outputs));
  }

  [[nodiscard]] Norm norm(const std::string& prefix, long size, float epsilon) const {
    const auto& gamma = vector(prefix + ".weight", size);
    const auto& beta = vector(prefix + ".bias", size);
    const auto& mean = vector(prefix + ".running_mean", size);
    const auto& var = vector(prefix + ".running_var", size);
    Norm n;
    for (std::size_t i = 0; i < gamma.size(); ++i) {
      n.scale.push_back(gamma[i] / std::sqrt(var[i] + epsilon));
      n.shift.push_back(beta[i] - mean[i] * n.scale.back());
    }
    return n;
  }

 private:
  static std::string dim_text(long d) { return d < 0 ? "n" : std::to_string(d); }

  [[noreturn]] void wrong_shape(const std::string& onnx_name, const WeightArray& a,
                                const std::string& expected) const {
    std::string shape = "[";
    for (std::size_t i = 0; i < a.shape.size(); ++i) {
      shape += (i ? ", " : "") + std::to_string(a.shape[i]);
    }
    throw InputError("LCBench surrogate: " + file_ + ": " + onnx_name + " has shape " + shape +
                     "], expected " + expected);
  }

  const WeightArray& find(const std::string& onnx_name) const {
    const auto d = datasets_.find(onnx_name);
    if (d == datasets_.end()) {
      throw InputError("LCBench surrogate: " + graph_.path.string() + ": initializers has no " +
                       onnx_name);
    }
    const auto a = arrays_.find(d->second);
    if (a == arrays_.end()) {
      throw InputError("LCBench surrogate: " + file_ + " has no dataset " + d->second + " (" +
                       onnx_name + ")");
    }
    return a->second;
  }

  const JsonFile& graph_;
  std::string file_;
  std::map<std::string, WeightArray> arrays_;
  std::map<std::string, std::string> datasets_;  // ONNX name -> dataset
};

// The epsilon attribute of the BatchNormalization node whose scale is `weight_name`.
float batch_norm_epsilon(const JsonFile& graph, const std::string& weight_name) {
  const nlohmann::json& nodes = need_list(graph, graph.root, "nodes", "the file", "nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (member(nodes[i], "op_type") != "BatchNormalization") continue;
    if (element(member(nodes[i], "inputs"), 1) != weight_name) continue;
    const std::string where = "nodes[" + std::to_string(i) + "]";
    const nlohmann::json& epsilon =
        member(member(member(nodes[i], "attributes"), "epsilon"), "value");
    return static_cast<float>(scalar<double>(graph, epsilon, where + ".attributes.epsilon.value"));
  }
  malformed(graph, "no BatchNormalization node normalizes with " + weight_name);
}

// rows x width of x, row stride `stride`: x * scale + shift, column by column, into y.
void normalize(const float* x, int rows, int stride, const Norm& n, float* y) {
  const std::size_t width = n.scale.size();
  for (int r = 0; r < rows; ++r) {
    const float* in = x + static_cast<std::size_t>(r) * static_cast<std::size_t>(stride);
    float* out = y + static_cast<std::size_t>(r) * static_cast<std::size_t>(stride);
    for (std::size_t c = 0; c < width; ++c) out[c] = in[c] * n.scale[c] + n.shift[c];
  }
}

}  // namespace

struct LcbenchSurrogate::Network {
  std::vector<float> embedding;  // task code -> row of embedding_width values
  int embedding_rows = 0;
  int embedding_width = 0;
  std::vector<Steps> input_steps;
  DenseLayer first;
  std::vector<Block> blocks;
  Norm last_norm;
  DenseLayer head;
  std::vector<Steps> output_steps;
  SimdPath path = SimdPath::Portable;
};

LcbenchSurrogate::LcbenchSurrogate(const fs::path& folder, SimdPath path)
    : net_(std::make_unique<Network>()) {
  if (!can_run(path)) {
    throw InputError(std::string("LCBench surrogate: this CPU cannot run the ") + to_string(path) +
                     " path");
  }
  const JsonFile graph = load_json(folder, "graph.json");
  const JsonFile encoding = load_json(folder, "encoding.json");
  const JsonFile space = load_json(folder, "config_space.json");

  // Inputs and outputs as the graph names them; rung depends on the input order.
  const nlohmann::json& inputs = need(graph, graph.root, "inputs", "the file");
  const nlohmann::json& outputs = need(graph, graph.root, "outputs", "the file");
  if (!inputs.is_array() || inputs.size() != 2 || !outputs.is_array() || outputs.size() != 1) {
    malformed(graph, "expected the inputs x_cat and x_cont and one output");
  }
  const std::vector<std::string> columns =
      string_list(graph, need(graph, inputs[1], "columns", "inputs[1]"), "inputs[1].columns");
  std::vector<std::string> expected = {"epoch"};
  expected.insert(expected.end(), kLcbenchHyperparameters.begin(), kLcbenchHyperparameters.end());
  if (columns != expected) {
    std::string want;
    for (const auto& c : expected) want += (want.empty() ? "" : ", ") + c;
    malformed(graph, "inputs[1].columns must be " + want);
  }
  output_names_ =
      string_list(graph, need(graph, outputs[0], "columns", "outputs[0]"), "outputs[0].columns");
  net_->input_steps = read_steps(graph, "input_scaling", columns);
  net_->output_steps = read_steps(graph, "output_transforms", output_names_);

  // The layers, sized from the weights: embedding rows x width, then width + 8 inputs.
  const Weights w(graph, folder / "surrogate.h5");
  const WeightArray& embedding = w.matrix("embds_fct.0.weight", -1, -1);
  net_->embedding = embedding.values;
  net_->embedding_rows = static_cast<int>(embedding.shape[0]);
  net_->embedding_width = static_cast<int>(embedding.shape[1]);
  net_->first = w.linear("first_layer", net_->embedding_width + static_cast<long>(columns.size()));
  const long hidden = net_->first.outputs();
  for (int k = 0; w.has("layers." + std::to_string(k) + ".norm.weight"); ++k) {
    const std::string p = "layers." + std::to_string(k);
    Block b;
    b.norm = w.norm(p + ".norm", hidden, batch_norm_epsilon(graph, p + ".norm.weight"));
    b.expand = w.linear(p + ".linear0", hidden);
    if (b.expand.outputs() % 2 != 0) {
      malformed(graph, p + ".linear0 has an odd number of outputs; its gate splits them in half");
    }
    b.project = w.linear(p + ".linear1", b.expand.outputs() / 2, hidden);
    net_->blocks.push_back(std::move(b));
  }
  net_->last_norm =
      w.norm("last_normalization", hidden, batch_norm_epsilon(graph, "last_normalization.weight"));
  net_->head = w.linear("head", hidden, static_cast<long>(output_names_.size()));
  net_->path = path;

  // Tasks: the search space's choices, each with its code in the embedding.
  const nlohmann::json& hps =
      need_list(space, space.root, "hyperparameters", "the file", "hyperparameters");
  const nlohmann::json& codes = need(encoding, encoding.root, "OpenML_task_id", "the file");
  if (!codes.is_object()) malformed(encoding, "OpenML_task_id is not an object of task codes");
  std::array<bool, 7> found{};
  for (std::size_t i = 0; i < hps.size(); ++i) {
    const std::string where = "hyperparameters[" + std::to_string(i) + "]";
    const auto name =
        scalar<std::string>(space, need(space, hps[i], "name", where), where + ".name");
    if (name == "OpenML_task_id") {
      task_ids_ = string_list(space, need(space, hps[i], "choices", where), where + ".choices");
      continue;
    }
    const auto it = std::find(kLcbenchHyperparameters.begin(), kLcbenchHyperparameters.end(), name);
    if (it == kLcbenchHyperparameters.end()) continue;  // the epoch
    const auto k = static_cast<std::size_t>(it - kLcbenchHyperparameters.begin());
    defaults_[k] = scalar<double>(space, need(space, hps[i], "default", where), where + ".default");
    lower_[k] = scalar<double>(space, need(space, hps[i], "lower", where), where + ".lower");
    upper_[k] = scalar<double>(space, need(space, hps[i], "upper", where), where + ".upper");
    found[k] = true;
  }
  for (std::size_t k = 0; k < found.size(); ++k) {
    if (!found[k]) malformed(space, std::string("no hyperparameter ") + kLcbenchHyperparameters[k]);
  }
  if (task_ids_.empty()) malformed(space, "no OpenML_task_id choices");
  for (const std::string& task : task_ids_) {
    const auto code = codes.find(task);
    if (code == codes.end()) malformed(encoding, "OpenML_task_id has no code for task " + task);
    const int c = scalar<int>(encoding, *code, "OpenML_task_id." + task);
    if (c < 0 || c >= net_->embedding_rows) {
      malformed(encoding, "task " + task + " has code " + std::to_string(c) + ", outside the " +
                              std::to_string(net_->embedding_rows) + " embedding rows");
    }
    task_codes_[task] = c;
  }
}

LcbenchSurrogate::~LcbenchSurrogate() = default;

std::shared_ptr<const LcbenchSurrogate> LcbenchSurrogate::shipped() {
  static std::mutex mutex;
  static std::shared_ptr<const LcbenchSurrogate> model;
  const std::lock_guard<std::mutex> lock(mutex);
  if (!model) {
    const fs::path weights = require_data_file("lcbench/surrogate.h5",
                                               "the LCBench surrogate (curves lcbench:<task id>)");
    model = std::make_shared<const LcbenchSurrogate>(weights.parent_path());
  }
  return model;
}

const std::vector<std::string>& LcbenchSurrogate::task_ids() const noexcept { return task_ids_; }

SimdPath LcbenchSurrogate::simd_path() const noexcept { return net_->path; }

int LcbenchSurrogate::task_code(const std::string& task_id) const {
  const auto it = task_codes_.find(task_id);
  if (it != task_codes_.end()) return it->second;
  std::string valid;
  for (const std::string& t : task_ids_) valid += (valid.empty() ? "" : ", ") + t;
  throw InputError("LCBench has no task " + task_id + "; its OpenML task ids are " + valid);
}

const std::vector<std::string>& LcbenchSurrogate::output_names() const noexcept {
  return output_names_;
}

const std::array<double, 7>& LcbenchSurrogate::defaults() const noexcept { return defaults_; }
const std::array<double, 7>& LcbenchSurrogate::lower_bounds() const noexcept { return lower_; }
const std::array<double, 7>& LcbenchSurrogate::upper_bounds() const noexcept { return upper_; }

void LcbenchSurrogate::predict(int task_code, const float* x_cont, int rows, float* out) const {
  const Network& n = *net_;
  if (task_code < 0 || task_code >= n.embedding_rows) {
    throw InputError("LCBench surrogate: task code " + std::to_string(task_code) +
                     " is outside 0.." + std::to_string(n.embedding_rows - 1));
  }
  if (rows <= 0) return;
  const auto row_count = static_cast<std::size_t>(rows);
  const auto width = static_cast<int>(n.input_steps.size());
  const int embedded = n.embedding_width;
  // h0 = [embedding of the task, scaled inputs] (graph nodes 0-89).
  const int in_stride = embedded + width;
  std::vector<float> x(row_count * static_cast<std::size_t>(in_stride));
  const float* task_row = n.embedding.data() + static_cast<std::size_t>(task_code) * embedded;
  for (std::size_t r = 0; r < row_count; ++r) {
    float* row = x.data() + r * static_cast<std::size_t>(in_stride);
    std::copy(task_row, task_row + embedded, row);
    for (int c = 0; c < width; ++c) {
      row[embedded + c] =
          apply(n.input_steps[static_cast<std::size_t>(c)],
                x_cont[r * static_cast<std::size_t>(width) + static_cast<std::size_t>(c)]);
    }
  }
  // Every activation is rows x its layer's padded width, row-major.
  const int hidden = n.first.padded_outputs();
  std::vector<float> h(row_count * static_cast<std::size_t>(hidden));
  std::vector<float> normed(h.size());
  std::vector<float> update(h.size());
  n.first.apply(x.data(), in_stride, rows, h.data(), hidden, n.path);
  std::vector<float> z;
  for (const Block& b : n.blocks) {
    normalize(h.data(), rows, hidden, b.norm, normed.data());
    const int expanded = b.expand.padded_outputs();
    z.resize(row_count * static_cast<std::size_t>(expanded));
    b.expand.apply(normed.data(), hidden, rows, z.data(), expanded, n.path);
    // The first half gated by the ReLU of the second (the graph's Slice, Relu, Mul nodes),
    // in place over the first half.
    const int half = b.expand.outputs() / 2;
    for (std::size_t r = 0; r < row_count; ++r) {
      float* row = z.data() + r * static_cast<std::size_t>(expanded);
      for (int c = 0; c < half; ++c) row[c] = row[c] * std::max(row[half + c], 0.0f);
    }
    b.project.apply(z.data(), expanded, rows, update.data(), hidden, n.path);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = h[i] + update[i];
  }
  normalize(h.data(), rows, hidden, n.last_norm, normed.data());
  for (float& v : normed) v = std::max(v, 0.0f);
  const int outs = n.head.outputs();
  std::vector<float> y(row_count * static_cast<std::size_t>(n.head.padded_outputs()));
  n.head.apply(normed.data(), hidden, rows, y.data(), n.head.padded_outputs(), n.path);
  for (std::size_t r = 0; r < row_count; ++r) {
    for (int c = 0; c < outs; ++c) {
      const float logit =
          y[r * static_cast<std::size_t>(n.head.padded_outputs()) + static_cast<std::size_t>(c)];
      const float s = 1.0f / (1.0f + std::exp(-logit));
      out[r * static_cast<std::size_t>(outs) + static_cast<std::size_t>(c)] =
          apply(n.output_steps[static_cast<std::size_t>(c)], s);
    }
  }
}

std::vector<float> LcbenchSurrogate::predict_curve(int task_code,
                                                   const LcbenchConfig& config) const {
  constexpr std::size_t kWidth = 1 + kLcbenchHyperparameters.size();
  std::vector<float> x(kLcbenchEpochs * kWidth);
  for (int e = 1; e <= kLcbenchEpochs; ++e) {
    float* row = x.data() + static_cast<std::size_t>(e - 1) * kWidth;
    row[0] = static_cast<float>(e);
    std::copy(config.begin(), config.end(), row + 1);
  }
  std::vector<float> out(kLcbenchEpochs * output_names_.size());
  predict(task_code, x.data(), kLcbenchEpochs, out.data());
  return out;
}

}  // namespace rung
