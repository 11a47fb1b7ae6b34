// What to train: rung's own section (model, dataset, static hyperparameters, device, ASHA
// and median-stopping options, output directory), and the parts of SageMaker's
// TrainingJobDefinition that mean something outside SageMaker: its StaticHyperParameters
// (and its TuningObjective, when the tuning config names no objective).
#include <algorithm>
#include <regex>
#include <utility>

#include "job_parts.hpp"

namespace rung::config_detail {
namespace {

const std::vector<std::string> kModels = {"mlp",         "resnet20", "command",
                                          "torchscript", "analytic", "lcbench"};

// The rung-section fields that only the command model reads.
const std::vector<std::string> kCommandFields = {"command", "workdir", "metric_definitions",
                                                 "command_grace_s", "epoch_timeout_s"};

// The data set kinds read from files (rung/train/image_data.hpp).
bool is_image_kind(const std::string& kind) { return kind == "cifar10" || kind == "fashion_mnist"; }

// Splits a command line into words as a POSIX shell would (blanks separate words; '...'
// keeps everything; "..." keeps all but \ \" \$ \` escapes; \ outside quotes escapes the
// next character), without running a shell: no variables, globs or redirections.
// Returns the problem (an unclosed quote, a trailing backslash) in `problem`.
std::vector<std::string> split_command_line(const std::string& text, std::string& problem) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      const auto end = text.find('\'', i + 1);
      if (end == std::string::npos) {
        problem = "has an unclosed ' quote";
        return {};
      }
      word += text.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() &&
            std::string("\\\"$`").find(text[j + 1]) != std::string::npos) {
          ++j;
        }
        word += text[j];
      }
      if (j >= text.size()) {
        problem = "has an unclosed \" quote";
        return {};
      }
      in_word = true;
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) {
        problem = "ends with a lone backslash";
        return {};
      }
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

void read_command(Reader& r, const Field& f, CommandSpec& c) {
  if (!f.present()) return;
  if (f.node.IsScalar()) {
    std::string problem;
    c.argv = split_command_line(f.node.Scalar(), problem);
    if (!problem.empty()) r.add(f, describe(f.node) + " " + problem + "; close it or use a list");
  } else if (f.node.IsSequence()) {
    for (const Field& word : r.items(f, "words")) {
      if (!word.node.IsScalar()) {
        r.add(word, "expected one word (text), got " + describe(word.node));
      } else {
        c.argv.push_back(word.node.Scalar());
      }
    }
  } else {
    r.add(f, "expected the program and its arguments as a list ([python3, train.py]) or one "
             "line of text, got " + describe(f.node));
    return;
  }
  if (c.argv.empty() || c.argv.front().empty()) {
    r.add(f, "names no program; use e.g. [python3, train.py]");
    c.argv.clear();
  }
}

// std::regex compiles by recursion, a few frames per term and per nested group, so a long or
// deeply nested pattern overflows the stack instead of throwing regex_error (found by
// tests/fuzz). A metric's regex finds one number in a line; these limits leave room for any.
constexpr std::size_t kMaxRegexChars = 1000;
constexpr int kMaxRegexNesting = 32;

// The deepest nesting of groups in an ECMAScript regex (escapes and bracket classes skipped).
int group_nesting(const std::string& regex) {
  int depth = 0;
  int deepest = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ')' && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// SageMaker's MetricDefinitions: [{Name, Regex}], each regex with exactly one capture group.
std::vector<MetricDefinition> read_metric_definitions(Reader& r, const Field& list) {
  std::vector<MetricDefinition> out;
  for (const Field& item : r.items(list, "metric definitions ({Name, Regex})")) {
    if (!r.expect_map(item, "a metric definition ({Name: ..., Regex: ...})")) {
      if (!item.present()) r.add(item, "is empty; give {Name: ..., Regex: ...}");
      continue;
    }
    r.check_keys(item, {"Name", "Regex"});
    const Field name = r.child(item, "Name");
    const Field regex = r.child(item, "Regex");
    const bool has_name = r.require(name, "name the metric, e.g. validation:accuracy");
    const bool has_regex =
        r.require(regex, "give the regex that finds its value, e.g. \"val_acc=([0-9.]+)\"");
    if (!has_name || !has_regex) continue;
    MetricDefinition m;
    if (auto v = r.text(name)) m.name = *v;
    if (auto v = r.text(regex)) m.regex = *v;
    if (m.name.empty() || m.regex.empty()) {
      if (m.name.empty()) r.add(name, "must not be empty");
      if (m.regex.empty()) r.add(regex, "must not be empty");
      continue;
    }
    // A bad regex is an issue (the job is refused), but its name still counts as defined,
    // so the objective check does not report a second, misleading problem.
    if (m.regex.size() > kMaxRegexChars || group_nesting(m.regex) > kMaxRegexNesting) {
      r.add(regex, "is " + std::to_string(m.regex.size()) + " characters with groups nested " +
                       std::to_string(group_nesting(m.regex)) + " deep; a metric regex may " +
                       "have at most " + std::to_string(kMaxRegexChars) + " characters and " +
                       std::to_string(kMaxRegexNesting) + " levels of groups");
      out.push_back(m);
      continue;
    }
    try {
      const std::regex compiled(m.regex, std::regex::ECMAScript);
      if (compiled.mark_count() != 1) {
        r.add(regex, "\"" + m.regex + "\" has " + std::to_string(compiled.mark_count()) +
                         " capture groups; it needs exactly one, around the value (write other "
                         "groups as (?:...))");
      }
    } catch (const std::regex_error& e) {
      r.add(regex, "\"" + m.regex + "\" is not a valid regex (ECMAScript syntax, as C++'s "
                   "std::regex reads it; Python's (?P<name>...) is not part of it): " +
                       e.what());
    }
    for (const auto& earlier : out) {
      if (earlier.name == m.name) r.add(name, "\"" + m.name + "\" is defined twice; keep one");
    }
    out.push_back(m);
  }
  return out;
}

// Static hyperparameters: text or numbers, each read as int64, double or string.
void read_static_map(Reader& r, const Field& map, JobDraft& d, const std::string& origin) {
  if (!r.expect_map(map, "static hyperparameters")) return;
  for (auto& [name, value] : r.entries(map)) {
    if (!value.present() || !value.node.IsScalar()) {
      r.add(value, "expected a value (text or a number), got " + describe(value.node));
      continue;
    }
    if (const std::string problem = hyperparameter_name_problem(name); !problem.empty()) {
      r.add(value, "the name " + problem);
      continue;
    }
    if (utf8_length(value.node.Scalar()) > kMaxStaticValueLength) {
      r.add(value, "is " + std::to_string(utf8_length(value.node.Scalar())) +
                       " characters long; SageMaker allows at most 2500 for a static "
                       "hyperparameter");
      continue;
    }
    ParamValue parsed = parse_param_value(value.node.Scalar());
    auto& statics = d.job.training.static_hyperparameters;
    const auto it = statics.find(name);
    if (it != statics.end() && it->second != parsed) {
      d.job.warnings.push_back(value.path + ": " + to_string(parsed) + " replaces " +
                               to_string(it->second) + " from " + d.static_fields[name].path +
                               " (" + origin + " wins)");
    }
    statics[name] = std::move(parsed);
    d.static_fields[name] = value;
  }
}

void read_dataset(Reader& r, const Field& f, DatasetSpec& ds) {
  if (!r.expect_map(f, "dataset")) return;
  r.check_keys(f, {"kind", "path", "train_subset", "test_subset", "samples", "features",
                   "informative", "class_separation", "clusters_per_class", "label_noise",
                   "validation_fraction", "seed", "x_train", "y_train", "x_val", "y_val"});
  if (auto v = r.one_of(r.child(f, "kind"), {"synthetic", "cifar10", "fashion_mnist", "hdf5"})) {
    ds.kind = *v;
  }
  const Field path = r.child(f, "path");
  if (ds.kind == "hdf5") {
    // One HDF5 file holding the inputs and targets of both splits (checked when a worker
    // opens it, before any training).
    if (r.require(path, "name the HDF5 file that holds the data set")) {
      if (auto v = r.text(path)) {
        if (v->empty()) {
          r.add(path, "must not be empty; name the HDF5 file");
        } else {
          ds.path = *v;
        }
      }
    }
    for (auto [key, target] : {std::pair{"x_train", &ds.x_train}, std::pair{"y_train", &ds.y_train},
                               std::pair{"x_val", &ds.x_val}, std::pair{"y_val", &ds.y_val}}) {
      const Field name = r.child(f, key);
      if (auto v = r.text(name)) {
        if (v->empty()) {
          r.add(name, "must not be empty; name a dataset in the file (default " + *target + ")");
        } else {
          *target = *v;
        }
      }
    }
    for (const char* key : {"samples", "features", "informative", "class_separation",
                            "clusters_per_class", "label_noise", "validation_fraction", "seed"}) {
      const Field synthetic_only = r.child(f, key);
      if (synthetic_only.present()) {
        r.add(synthetic_only, "is only for kind synthetic; hdf5 reads its data from path "
                              "(remove " + std::string(key) + ")");
      }
    }
  }
  for (const char* key : {"x_train", "y_train", "x_val", "y_val"}) {
    const Field hdf5_only = r.child(f, key);
    if (hdf5_only.present() && ds.kind != "hdf5") {
      r.add(hdf5_only, "is only for kind hdf5 (the name of a dataset in its file); remove it");
    }
  }
  if (ds.kind == "hdf5") {
    for (const char* key : {"train_subset", "test_subset"}) {
      if (auto v = r.integer_in(r.child(f, key), 0, INT64_MAX,
                                "use 0 for all samples or N >= 1 for the first N")) {
        (std::string(key) == "train_subset" ? ds.train_subset : ds.test_subset) = *v;
      }
    }
    return;
  }
  if (is_image_kind(ds.kind)) {
    // Files on disk: the directory and how much of it to use. The files themselves are
    // checked when a worker loads them, before any training (validate runs anywhere).
    if (r.require(path, "name the directory that holds the " + ds.kind + " files")) {
      if (auto v = r.text(path)) {
        if (v->empty()) {
          r.add(path, "must not be empty; name the directory of the " + ds.kind + " files");
        } else {
          ds.path = *v;
        }
      }
    }
    for (const char* key : {"train_subset", "test_subset"}) {
      if (auto v = r.integer_in(r.child(f, key), 0, INT64_MAX,
                                "use 0 for all images or N >= 1 for the first N")) {
        (std::string(key) == "train_subset" ? ds.train_subset : ds.test_subset) = *v;
      }
    }
    for (const char* key : {"samples", "features", "informative", "class_separation",
                            "clusters_per_class", "label_noise", "validation_fraction", "seed"}) {
      const Field synthetic_only = r.child(f, key);
      if (synthetic_only.present()) {
        r.add(synthetic_only, "is only for kind synthetic; " + ds.kind +
                                  " reads its images from path (remove " + key + ")");
      }
    }
    return;
  }
  if (path.present()) {
    r.add(path,
          "is only for file-based data sets; remove it (kind synthetic generates its "
          "data from seed)");
  }
  for (const char* key : {"train_subset", "test_subset"}) {
    const Field image_only = r.child(f, key);
    if (image_only.present()) {
      r.add(image_only, std::string("is only for image data sets (kind cifar10 or "
                                    "fashion_mnist); remove it for kind synthetic"));
    }
  }
  if (auto v = r.integer_in(r.child(f, "samples"), 10, kIntMax,
                            "a data set needs at least 10 samples to split and train on")) {
    ds.samples = static_cast<int>(*v);
  }
  const Field features = r.child(f, "features");
  if (auto v = r.integer_in(features, 1, kIntMax, "samples need at least one feature")) {
    ds.features = static_cast<int>(*v);
  }
  const Field informative = r.child(f, "informative");
  if (auto v = r.integer_in(informative, 1, kIntMax,
                            "at least one feature must carry the label's signal")) {
    if (*v > ds.features) {
      r.add(informative, describe(informative.node) + " must be <= features (" +
                             std::to_string(ds.features) +
                             "); lower informative or raise features");
    } else {
      ds.informative = static_cast<int>(*v);
    }
  }
  const Field separation = r.child(f, "class_separation");
  if (auto v = r.number(separation)) {
    if (*v > 0.0) {
      ds.class_separation = *v;
    } else {
      r.add(separation, describe(separation.node) +
                            " must be > 0; use e.g. 1.0 (larger is "
                            "easier)");
    }
  }
  const Field clusters = r.child(f, "clusters_per_class");
  if (auto v = r.integer_in(clusters, 1, kIntMax, "each class needs at least one cluster")) {
    const std::int64_t most = max_clusters_per_class(ds.informative);
    if (*v > most) {
      r.add(clusters, describe(clusters.node) +
                          " must be <= 2^(informative - 1) = " + std::to_string(most) +
                          " (each cluster sits on its own hypercube vertex); lower it or raise "
                          "informative");
    } else {
      ds.clusters_per_class = static_cast<int>(*v);
    }
  }
  const Field noise = r.child(f, "label_noise");
  if (auto v = r.number(noise)) {
    if (*v >= 0.0 && *v < 0.5) {
      ds.label_noise = *v;
    } else {
      r.add(noise, describe(noise.node) +
                       " must be in [0, 0.5) (the fraction of flipped "
                       "labels; 0.5 leaves no signal); use e.g. 0.02");
    }
  }
  const Field fraction = r.child(f, "validation_fraction");
  if (auto v = r.number(fraction)) {
    if (*v > 0.0 && *v < 1.0) {
      ds.validation_fraction = *v;
    } else {
      r.add(fraction, describe(fraction.node) +
                          " must be in (0, 1) (the share of samples "
                          "held out); use e.g. 0.2");
    }
  }
  if (auto v =
          r.integer_in(r.child(f, "seed"), 0, INT64_MAX, "use a non-negative integer such as 7")) {
    ds.seed = static_cast<std::uint64_t>(*v);
  }
}

void read_asha(Reader& r, const Field& f, JobDraft& d) {
  if (!r.expect_map(f, "asha")) return;
  d.asha = f;
  AshaOptions& asha = d.job.asha;
  r.check_keys(f, {"reduction_factor", "type", "few_entries", "brackets"});
  if (auto v = r.integer_in(r.child(f, "reduction_factor"), 2, kIntMax,
                            "each rung keeps 1/reduction_factor of its trials; use e.g. 3")) {
    asha.reduction_factor = static_cast<int>(*v);
  }
  if (auto v = r.one_of(r.child(f, "type"), {"promotion", "stopping"})) {
    asha.type = *v == "promotion" ? AshaType::Promotion : AshaType::Stopping;
  }
  const Field few = r.child(f, "few_entries");
  if (auto v = r.one_of(few, {"floor", "ceil"})) {
    asha.few_entries = *v == "floor" ? FewEntriesRule::Floor : FewEntriesRule::Ceil;
    d.has_few_entries = true;
  }
  // hyperband (or 0): all of Hyperband's brackets, as SageMaker runs; n >= 1: the first n,
  // 1 being the single-bracket ASHA of Li et al. Checked against MinResource, MaxResource
  // and reduction_factor once those are known (resolve_resources).
  const Field brackets = r.child(f, "brackets");
  if (!brackets.present()) return;
  const std::string fix =
      "use hyperband (all brackets, SageMaker's Hyperband) or a number of brackets >= 1 (1 = "
      "single-bracket ASHA)";
  const std::string text = brackets.node.IsScalar() ? brackets.node.Scalar() : std::string();
  if (text == "hyperband") {
    asha.brackets = 0;
  } else if (brackets.node.IsScalar() &&
             (text.empty() || text.find_first_not_of("+-0123456789") != std::string::npos)) {
    r.add(brackets, describe(brackets.node) + " is neither hyperband nor a whole number; " + fix);
  } else if (auto v = r.integer_in(brackets, 0, kIntMax, fix)) {
    asha.brackets = static_cast<int>(*v);
    d.brackets = brackets;
  }
}

void read_median_stopping(Reader& r, const Field& f, JobDraft& d) {
  if (!r.expect_map(f, "median_stopping")) return;
  d.median_stopping = f;
  r.check_keys(f, {"grace_epochs", "min_trials"});
  MedianStoppingOptions& m = d.job.median_stopping;
  if (auto v = r.integer_in(r.child(f, "grace_epochs"), 1, kIntMax,
                            "a trial trains at least one epoch before it can be judged")) {
    m.grace_epochs = static_cast<int>(*v);
  }
  if (auto v = r.integer_in(r.child(f, "min_trials"), 1, kIntMax,
                            "the median needs results from at least one other trial; use e.g. "
                            "3")) {
    m.min_trials = static_cast<int>(*v);
  }
}

}  // namespace

void read_training_definition(Reader& r, const Field& definition, JobDraft& d) {
  if (!r.expect_map(definition, "TrainingJobDefinition")) return;
  std::vector<std::string> ignored;
  for (auto& [key, value] : r.entries(definition)) {
    if (key == "StaticHyperParameters") {
      read_static_map(r, value, d, "TrainingJobDefinition");
    } else if (key == "AlgorithmSpecification" && value.node.IsMap() &&
               r.child(value, "MetricDefinitions").node.IsDefined()) {
      // Its MetricDefinitions tell the command model where its metrics are (resolve_command);
      // the rest (TrainingImage, TrainingInputMode, ...) means nothing outside SageMaker.
      d.definition_metrics = r.child(value, "MetricDefinitions");
      for (auto& [inner, unused] : r.entries(value)) {
        if (inner != "MetricDefinitions") ignored.push_back("AlgorithmSpecification." + inner);
      }
    } else if (key == "TuningObjective") {
      if (!d.objective_from_definition) {
        d.job.warnings.push_back(value.path +
                                 ": ignored; the objective is the tuning config's "
                                 "HyperParameterTuningJobObjective");
      }
    } else {
      ignored.push_back(key);
    }
  }
  if (!ignored.empty()) {
    std::string names;
    for (const auto& k : ignored) names += (names.empty() ? "" : ", ") + k;
    d.job.warnings.push_back(definition.path + ": " + names +
                             (ignored.size() == 1 ? " is a SageMaker training-job setting"
                                                  : " are SageMaker training-job settings") +
                             " that rung ignores (the rung: section says what to train and "
                             "where); only StaticHyperParameters " +
                             (d.definition_metrics.present()
                                  ? "and AlgorithmSpecification.MetricDefinitions (for model "
                                    "command) are used"
                                  : "is used"));
  }
}

void read_rung_section(Reader& r, const Field& section, JobDraft& d) {
  d.rung_section = section;
  if (!section.present()) {
    r.add(section, "is empty; give at least model: mlp");
    return;
  }
  if (!r.expect_map(section, "the rung section")) return;
  d.job.has_training = true;
  TrainingSpec& t = d.job.training;
  r.check_keys(section, {"model", "curves", "dataset", "static_hyperparameters", "device",
                         "threads_per_worker", "workers_per_gpu", "checkpoint_every", "asha",
                         "searcher", "median_stopping", "output_dir", "journal", "command",
                         "workdir", "metric_definitions", "command_grace_s", "epoch_timeout_s",
                         "torchscript", "worker_timeout_s", "worker_memory_mb"});
  const Field model = r.child(section, "model");
  if (r.require(model, "name the model to train (model: mlp)")) {
    if (auto v = r.one_of(model, kModels)) t.model = *v;
  }
  const Field curves = r.child(section, "curves");
  if (auto v = r.text(curves)) {
    if (*v == "analytic" || (v->rfind("lcbench:", 0) == 0 && v->size() > 8) ||
        (v->rfind("results:", 0) == 0 && v->size() > 8)) {
      t.curves = *v;
    } else {
      r.add(curves, "\"" + *v +
                        "\" is not a curve source; use analytic, lcbench:<task id> or "
                        "results:<path to a run's results.h5>");
    }
  }
  read_dataset(r, r.child(section, "dataset"), t.dataset);
  read_static_map(r, r.child(section, "static_hyperparameters"), d, "rung");
  const Field device = r.child(section, "device");
  if (device.node.IsScalar() && (device.node.Scalar() == "gpu" || device.node.Scalar() == "GPU")) {
    r.add(device, describe(device.node) + " is not one of cpu, cuda, auto; use cuda for GPUs");
  } else if (auto v = r.one_of(device, {"cpu", "cuda", "auto"})) {
    t.device = *v;
  }
  if (auto v = r.integer_in(r.child(section, "threads_per_worker"), 1, 4096,
                            "each worker needs at least one thread")) {
    t.threads_per_worker = static_cast<int>(*v);
  }
  if (auto v = r.integer_in(r.child(section, "checkpoint_every"), 0, kIntMax,
                            "epochs between a running trial's checkpoints; 0 checkpoints only "
                            "when a trial pauses")) {
    t.checkpoint_every = static_cast<int>(*v);
  }
  if (auto v = r.integer_in(r.child(section, "workers_per_gpu"), 1, 64,
                            "the worker ranks that may share one GPU; 1 gives each its own")) {
    t.workers_per_gpu = static_cast<int>(*v);
  }
  if (auto v = r.number_in(r.child(section, "worker_timeout_s"), 1.0, 86400.0,
                           "seconds a worker rank may stay silent before it is given up; use "
                           "e.g. 300")) {
    t.worker_timeout_s = *v;
  }
  const Field memory = r.child(section, "worker_memory_mb");
  if (auto v = r.integer_in(memory, 0, std::int64_t{1} << 30,
                            "MiB of address space per worker rank; 0 for no limit")) {
    t.worker_memory_mb = *v;
    // CUDA reserves far more address space than it uses: RLIMIT_AS would stop it starting.
    if (*v > 0 && t.device != "cpu") {
      r.add(memory, "limits only CPU workers (CUDA maps more address space than it uses); "
                    "with device " + t.device + ", limit memory with Slurm's --mem instead");
    }
  }
  read_command(r, r.child(section, "command"), t.command);
  const Field workdir = r.child(section, "workdir");
  if (auto v = r.text(workdir)) {
    if (v->empty()) {
      r.add(workdir, "must not be empty; remove it to run the program where rung run starts");
    } else {
      t.command.workdir = *v;
    }
  }
  d.rung_metrics = r.child(section, "metric_definitions");
  if (auto v = r.number_in(r.child(section, "command_grace_s"), 0.0, 86400.0,
                           "seconds between SIGTERM and SIGKILL; use e.g. 30")) {
    t.command.grace_s = *v;
  }
  const Field timeout = r.child(section, "epoch_timeout_s");
  if (auto v = r.number(timeout)) {
    if (*v > 0.0) {
      t.command.epoch_timeout_s = *v;
    } else {
      r.add(timeout, describe(timeout.node) + " must be > 0 (seconds one epoch may take); "
                                              "remove it for no limit");
    }
  }
  const Field torchscript = r.child(section, "torchscript");
  if (r.expect_map(torchscript, "the torchscript section (module, loss)")) {
    r.check_keys(torchscript, {"module", "loss"});
    const Field module = r.child(torchscript, "module");
    if (r.require(module, "name the file saved with torch.jit.save, e.g. model.pt")) {
      if (auto v = r.text(module)) {
        if (v->empty()) {
          r.add(module, "must not be empty; name the file saved with torch.jit.save");
        } else {
          t.torchscript.module = *v;
        }
      }
    }
    if (auto v = r.one_of(r.child(torchscript, "loss"), {"cross_entropy", "mse"})) {
      t.torchscript.loss = *v;
    }
  }
  if (t.model == "torchscript" && t.torchscript.module.empty() && !torchscript.present()) {
    r.add(torchscript, "is missing; model torchscript needs torchscript: {module: model.pt}");
  } else if (t.model != "torchscript" && torchscript.present()) {
    r.add(torchscript, "is only for model torchscript; remove it");
  }
  // The models and the data they learn from must fit together.
  const bool image_data = is_image_kind(t.dataset.kind);
  const bool hdf5_data = t.dataset.kind == "hdf5";
  if (t.model == "resnet20" && !image_data) {
    r.add(r.child(section, "dataset"),
          "model resnet20 learns from images; use dataset kind "
          "cifar10 or fashion_mnist with a path");
  } else if (t.model == "torchscript" && !image_data && !hdf5_data) {
    r.add(r.child(section, "dataset"),
          "model torchscript learns from files; use dataset kind hdf5 (with path and the "
          "datasets x_train, y_train, x_val, y_val) or cifar10 or fashion_mnist");
  } else if (t.model != "resnet20" && t.model != "torchscript" && (image_data || hdf5_data)) {
    r.add(r.child(section, "model"), "\"" + t.model + "\" cannot learn from " + t.dataset.kind +
                                         (hdf5_data ? " files" : " images") +
                                         "; use model torchscript" +
                                         (hdf5_data ? std::string() : " or resnet20"));
  }
  if (auto v = r.one_of(r.child(section, "journal"), {"durable", "buffered"})) {
    d.job.is_journal_durable = *v == "durable";
  }
  read_asha(r, r.child(section, "asha"), d);
  const Field searcher = r.child(section, "searcher");
  if (auto v = r.one_of(searcher, {"random", "mobster", "hypertune"})) {
    d.job.searcher = *v == "random"    ? HyperbandSearcher::Random
                     : *v == "mobster" ? HyperbandSearcher::Mobster
                                       : HyperbandSearcher::HyperTune;
    d.searcher = searcher;
  }
  read_median_stopping(r, r.child(section, "median_stopping"), d);
  const Field out = r.child(section, "output_dir");
  if (auto v = r.text(out)) {
    if (v->empty()) {
      r.add(out, "must not be empty; remove it to use out/<job name>");
    } else {
      d.job.output_dir = *v;
      d.has_output_dir = true;
    }
  }
}

void resolve_command(Reader& r, JobDraft& d) {
  TrainingSpec& t = d.job.training;
  if (!d.job.has_training || t.model != "command") {
    for (const auto& key : kCommandFields) {
      const Field f = d.rung_section.present() ? r.child(d.rung_section, key) : Field();
      if (f.present()) {
        r.add(f, "is only for model command (your own training program); remove it or set "
                 "model: command");
      }
    }
    return;
  }
  const Field every = r.child(d.rung_section, "checkpoint_every");
  if (every.present() && t.checkpoint_every > 0) {
    r.add(every, "is for the built-in models; a command program keeps its own checkpoints in "
                 "RUNG_CHECKPOINT_DIR (save after every epoch's report); remove it");
  }
  const Field command = r.child(d.rung_section, "command");
  if (!command.present()) {
    r.add(command, "is missing; model command needs the program to run, e.g. command: "
                   "[python3, train.py]");
  }
  Field metrics = d.rung_metrics.present() ? d.rung_metrics : d.definition_metrics;
  if (d.rung_metrics.present() && d.definition_metrics.present()) {
    d.job.warnings.push_back(d.rung_metrics.path + ": used; " + d.definition_metrics.path +
                             " is ignored (rung's section wins)");
  }
  if (!metrics.present()) {
    r.add(d.rung_section.path.empty() ? "rung.metric_definitions"
                                      : join_path(d.rung_section.path, "metric_definitions"),
          "is missing; model command finds its metrics in the program's output with "
          "[{Name: validation:accuracy, Regex: \"val_acc=([0-9.]+)\"}] (or SageMaker's "
          "TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions)",
          d.rung_section.mark);
    return;
  }
  t.command.metric_definitions = read_metric_definitions(r, metrics);
  bool has_objective = false;
  std::string names;
  for (const auto& m : t.command.metric_definitions) {
    has_objective = has_objective || m.name == d.job.objective.metric_name;
    if (m.name != "epoch") names += (names.empty() ? "" : ", ") + m.name;
  }
  if (d.job.objective.metric_name == "epoch") {
    r.add(d.objective_metric.present() ? d.objective_metric : metrics,
          "\"epoch\" numbers the epochs; it cannot be the objective");
  } else if (!has_objective && !t.command.metric_definitions.empty()) {
    r.add(d.objective_metric.present() ? d.objective_metric : metrics,
          "the objective \"" + d.job.objective.metric_name +
              "\" is not among the metric definitions (" + metrics.path + ": " +
              (names.empty() ? std::string("none") : names) +
              "); add a definition for it or name one of those");
  }
}

}  // namespace rung::config_detail
