// Checks a run that was killed or suspended and resumed (RUNG_RESUMED_OUT) against an
// uninterrupted run of the same job and seed (RUNG_REFERENCE_OUT): the same trials, with the
// same hyperparameters, statuses, epochs, per-epoch metrics and final objective; and the
// resumed run's journal whole, with every epoch reported once. Run by kill_resume_case.sh
// and suspend_resume_case.sh.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "rung/ckpt/results_file.hpp"
#include "rung/tune/journal_reader.hpp"

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class Resumed : public ::testing::Test {
 protected:
  void SetUp() override {
    reference_dir_ = env("RUNG_REFERENCE_OUT");
    resumed_dir_ = env("RUNG_RESUMED_OUT");
    ASSERT_FALSE(reference_dir_.empty() || resumed_dir_.empty())
        << "run through kill_resume_case.sh (RUNG_REFERENCE_OUT / RUNG_RESUMED_OUT unset)";
    reference_ = rung::read_results_h5(reference_dir_ + "/results.h5");
    resumed_ = rung::read_results_h5(resumed_dir_ + "/results.h5");
  }
  std::string reference_dir_, resumed_dir_;
  rung::ResultsTable reference_, resumed_;
};

bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

TEST_F(Resumed, has_the_same_trials_hyperparameters_statuses_epochs_and_objectives) {
  ASSERT_EQ(resumed_.trial_names, reference_.trial_names);
  EXPECT_EQ(resumed_.trial_status, reference_.trial_status);
  EXPECT_EQ(resumed_.trial_epochs, reference_.trial_epochs);
  EXPECT_EQ(resumed_.hyperparameters, reference_.hyperparameters);
  for (std::size_t i = 0; i < reference_.trial_names.size(); ++i) {
    EXPECT_TRUE(same_value(resumed_.trial_objective[i], reference_.trial_objective[i]))
        << reference_.trial_names[i] << ": " << resumed_.trial_objective[i] << " resumed, "
        << reference_.trial_objective[i] << " uninterrupted";
  }
}

TEST_F(Resumed, has_the_same_metrics_at_every_epoch) {
  // (trial, epoch) -> row, so that the comparison does not depend on reporting order.
  const auto rows = [](const rung::ResultsTable& r) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> out;
    for (std::size_t i = 0; i < r.epoch_trial.size(); ++i) {
      const bool is_new =
          out.emplace(std::make_pair(r.epoch_trial[i], r.epoch_number[i]), i).second;
      EXPECT_TRUE(is_new) << "trial " << r.epoch_trial[i] << " epoch " << r.epoch_number[i]
                          << " appears twice";
    }
    return out;
  };
  const auto ref_rows = rows(reference_);
  const auto res_rows = rows(resumed_);
  ASSERT_EQ(res_rows.size(), ref_rows.size());
  for (const auto& [metric, ref_values] : reference_.epoch_metrics) {
    ASSERT_TRUE(resumed_.epoch_metrics.count(metric)) << metric;
    const std::vector<double>& res_values = resumed_.epoch_metrics.at(metric);
    for (const auto& [key, ref_row] : ref_rows) {
      const auto it = res_rows.find(key);
      ASSERT_NE(it, res_rows.end()) << "trial " << key.first << " epoch " << key.second;
      EXPECT_TRUE(same_value(res_values[it->second], ref_values[ref_row]))
          << metric << " of trial " << key.first << " epoch " << key.second << ": "
          << res_values[it->second] << " resumed, " << ref_values[ref_row] << " uninterrupted";
    }
  }
}

TEST_F(Resumed, journal_is_whole_ended_and_reports_each_epoch_once) {
  const rung::JournalRecords records = rung::read_journal_records(resumed_dir_ + "/journal");
  EXPECT_FALSE(records.has_bad_tail) << records.tail_problem;
  std::map<long, int> last_epoch;
  int resumes = 0;
  int recomputed = 0;
  bool has_ended = false;
  for (const std::string& json : records.events) {
    const YAML::Node e = YAML::Load(json);
    const std::string event = e["event"].as<std::string>();
    if (event == "report") {
      const long trial = e["trial"].as<long>();
      const int epoch = e["epoch"].as<int>();
      EXPECT_EQ(epoch, last_epoch[trial] + 1)
          << "trial " << trial << " reported epoch " << epoch << " after " << last_epoch[trial];
      last_epoch[trial] = epoch;
    }
    resumes += event == "resume";
    recomputed += event == "recomputed";
    has_ended = has_ended || event == "job_end";
    if (event == "recomputed") {
      EXPECT_TRUE(e["matches"].as<bool>()) << json;
    }
  }
  EXPECT_TRUE(has_ended);
  EXPECT_GE(resumes, 1) << "the run was never resumed";
  // A suspension checkpoints every running trial at an epoch boundary: nothing is retrained.
  if (!env("RUNG_EXPECT_NOTHING_RECOMPUTED").empty()) {
    EXPECT_EQ(recomputed, 0);
  }
  std::printf("resumed run: %d resume(s), %d epoch(s) trained again, %zu journal records\n",
              resumes, recomputed, records.events.size());
}

}  // namespace
