#include "rung/report/html_report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

#include "xml_check.hpp"

namespace rung::report {
namespace {

// A journal of `n` trials on `workers` workers, each trial 3 epochs of 1 s, as text: the
// history then comes from the real reader, not from hand-filled structs.
std::string journal(int n, int workers, const std::string& hostile_name = "") {
  std::ostringstream j;
  j << R"({"t":0,"event":"job_start","job":"big","strategy":"Random","scheduler":"fifo","searcher":"random","workers":)"
    << workers << R"(,"parallelism":)" << workers << R"(,"max_trials":)" << n
    << R"(,"min_resource":3,"max_resource":3,"rungs":[],"objective":"validation:accuracy","objective_type":"Maximize"})"
    << '\n';
  double t = 0;
  for (int i = 0; i < n; ++i) {
    const int w = 1 + i % workers;
    const double lr = std::pow(10.0, -4 + 3.0 * (i % 97) / 96.0);
    const std::string name =
        (i == 0 && !hostile_name.empty()) ? hostile_name : "trial-" + std::to_string(i);
    j << R"({"t":)" << t << R"(,"event":"start","trial":)" << i << R"(,"name":")" << name
      << R"(","worker":)" << w << R"(,"until":3,"hyperparameters":{"learning_rate":)" << lr
      << R"(,"optimizer":")" << (i % 3 == 0 ? "adam" : "sgd") << R"("}})" << '\n';
    for (int e = 1; e <= 3; ++e) {
      const double acc = 0.5 + 0.4 * (1 - std::fabs(std::log10(lr) + 2) / 2) - 0.1 / e;
      j << R"({"t":)" << t + e << R"(,"event":"report","trial":)" << i << R"(,"epoch":)" << e
        << R"(,"worker":)" << w << R"(,"metrics":{"validation:accuracy":)"
        << (i % 50 == 7 ? std::string("null") : std::to_string(acc))
        << R"(},"train_s":0.8,"eval_s":0.2,"decision":")" << (e == 3 ? "Complete" : "Continue")
        << R"("})" << '\n';
    }
    const bool failed = i % 50 == 7;
    j << R"({"t":)" << t + 3 << R"(,"event":"release","trial":)" << i << R"(,"worker":)" << w
      << R"(,"epoch":3,"outcome":")" << (failed ? "failed" : "completed")
      << R"(","checkpoint_s":0,"message":"loss is NaN"})" << '\n';
    if (w == workers) t += 3;
  }
  j << R"({"t":)" << t + 1 << R"(,"event":"job_end","reason":"MaxNumberOfTrainingJobsReached"})"
    << '\n';
  return j.str();
}

ReportInputs inputs_from(const std::string& text) {
  ReportInputs in;
  std::istringstream s(text);
  in.history = replay_history(s, "journal");
  in.source = "out/test";
  in.job_text = "HyperParameterTuningJobName: big <&>\n";
  return in;
}

TEST(HtmlReport, small_run_is_well_formed_with_every_chart_drawn) {
  const std::string html = render_html_report(inputs_from(journal(12, 3)));
  EXPECT_EQ(testing::xml_problem(html), "");
  const auto counts = testing::marks_per_chart(html);
  for (const char* chart : {"best-vs-time", "best-vs-epochs", "learning-curves", "rung-occupancy",
                            "hp-0", "hp-1", "parallel-coordinates", "worker-timeline"}) {
    ASSERT_EQ(counts.count(chart), 1u) << chart;
    EXPECT_GT(counts.at(chart), 0) << chart;
  }
  EXPECT_EQ(html.find("sampling-banner"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, nothing to run
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no links out
  EXPECT_NE(html.find("big &lt;&amp;&gt;"), std::string::npos);              // job.yaml escaped
}

TEST(HtmlReport, hostile_trial_names_are_escaped) {
  const std::string html =
      render_html_report(inputs_from(journal(4, 2, R"(<img src=x onerror=alert(1)>\" & ')")));
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(testing::xml_problem(html), "");
}

TEST(HtmlReport, large_run_is_sampled_and_says_so) {
  ChartLimits limits;
  const std::string html = render_html_report(inputs_from(journal(3000, 16)), limits);
  EXPECT_EQ(testing::xml_problem(html), "");
  EXPECT_NE(html.find("sampling-banner"), std::string::npos);
  EXPECT_NE(html.find("Sampled: 300 of 3,000 trials"), std::string::npos);
  const auto counts = testing::marks_per_chart(html);
  // 300 curves + 3 percentile lines + failure crosses of the drawn failed trials.
  EXPECT_LE(counts.at("learning-curves"), 300 + 3 + 2 * 300);
  EXPECT_LE(counts.at("parallel-coordinates"), 400);
}

TEST(Charts, sample_keeps_the_best_and_is_bounded) {
  std::istringstream s(journal(1000, 4));
  const RunHistory h = replay_history(s, "journal");
  const std::vector<std::size_t> picked = sample_trials(h, 90, true);
  EXPECT_EQ(picked.size(), 90u);
  EXPECT_EQ(std::set<std::size_t>(picked.begin(), picked.end()).size(), 90u);
  const TrialHistory* best = h.best_trial();
  bool has_best = false;
  for (std::size_t i : picked) {
    EXPECT_TRUE(h.trials[i].objective) << "a trial without objective was picked";
    has_best = has_best || &h.trials[i] == best;
  }
  EXPECT_TRUE(has_best);
  EXPECT_EQ(sample_trials(h, 5000, false).size(), h.trials.size());
}

TEST(Charts, timeline_merges_spans_below_a_pixel) {
  std::istringstream s(journal(6000, 4));
  const RunHistory h = replay_history(s, "journal");
  const Chart c = worker_timeline_chart(h, ChartLimits{});
  const auto counts = testing::marks_per_chart(c.svg);
  // 4 rows of about 630 pixels, 3 kinds: far fewer rectangles than the 36,000 spans.
  EXPECT_LT(counts.at("worker-timeline"), 4 * 700 * 3);
  EXPECT_NE(c.note.find("Aggregated"), std::string::npos);
}

TEST(Charts, utilization_is_busy_time_over_wall_time) {
  std::istringstream s(journal(8, 2));
  const RunHistory h = replay_history(s, "journal");
  const std::vector<WorkerUtilization> u = worker_utilization(h);
  ASSERT_EQ(u.size(), 2u);
  // Each worker trains 4 trials x 3 epochs x 1 s back to back over 12 s, then 1 s idle.
  EXPECT_NEAR(u[0].train_s, 4 * 3 * 0.8, 1e-9);
  EXPECT_NEAR(u[0].validate_s, 4 * 3 * 0.2, 1e-9);
  EXPECT_NEAR(u[0].busy_fraction, 12.0 / 13.0, 1e-9);
  EXPECT_NEAR(overall_utilization(u), 12.0 / 13.0, 1e-9);
}

TEST(Charts, log_scaled_range_gets_a_log_axis) {
  std::istringstream s(journal(20, 2));
  const RunHistory h = replay_history(s, "journal");
  ParamRange lr;
  lr.name = "learning_rate";
  lr.kind = ParamKind::Continuous;
  lr.min_value = 1e-4;
  lr.max_value = 0.1;
  lr.scaling = ScalingType::Logarithmic;
  const std::vector<Chart> charts = hyperparameter_charts(h, {lr}, ChartLimits{});
  ASSERT_EQ(charts.size(), 1u);  // optimizer is not a range here: not tuned, not drawn
  EXPECT_NE(charts[0].svg.find("learning_rate (log scale)"), std::string::npos);
  EXPECT_NE(charts[0].svg.find(">0.001</text>"), std::string::npos);
  lr.scaling = ScalingType::Linear;
  const std::vector<Chart> linear = hyperparameter_charts(h, {lr}, ChartLimits{});
  EXPECT_EQ(linear[0].svg.find("(log scale)"), std::string::npos);
}

}  // namespace
}  // namespace rung::report
