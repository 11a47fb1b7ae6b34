// What to train: rung's own section (model, dataset, static hyperparameters, device, ASHA
// and median-stopping options, output directory), and the parts of SageMaker's
// TrainingJobDefinition that mean something outside SageMaker: its StaticHyperParameters
// (and its TuningObjective, when the tuning config names no objective).
#include <utility>

#include "job_parts.hpp"

namespace rung::config_detail {
namespace {

const std::vector<std::string> kModels = {"mlp", "resnet20", "analytic", "lcbench"};

// The data set kinds read from files (rung/train/image_data.hpp).
bool is_image_kind(const std::string& kind) { return kind == "cifar10" || kind == "fashion_mnist"; }

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
  r.check_keys(
      f, {"kind", "path", "train_subset", "test_subset", "samples", "features", "informative",
          "class_separation", "clusters_per_class", "label_noise", "validation_fraction", "seed"});
  if (auto v = r.one_of(r.child(f, "kind"), {"synthetic", "cifar10", "fashion_mnist"})) {
    ds.kind = *v;
  }
  const Field path = r.child(f, "path");
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
                             "where); only StaticHyperParameters is used");
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
                         "median_stopping", "output_dir", "journal"});
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
  // The models and the data they learn from must fit together.
  const bool image_data = is_image_kind(t.dataset.kind);
  if (t.model == "resnet20" && !image_data) {
    r.add(r.child(section, "dataset"),
          "model resnet20 learns from images; use dataset kind "
          "cifar10 or fashion_mnist with a path");
  } else if (t.model != "resnet20" && image_data) {
    r.add(r.child(section, "model"), "\"" + t.model + "\" cannot learn from " + t.dataset.kind +
                                         " images; use model resnet20");
  }
  if (auto v = r.one_of(r.child(section, "journal"), {"durable", "buffered"})) {
    d.job.is_journal_durable = *v == "durable";
  }
  read_asha(r, r.child(section, "asha"), d);
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

}  // namespace rung::config_detail
