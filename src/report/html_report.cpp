#include "rung/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "rung/report/svg_writer.hpp"

namespace rung::report {
namespace {

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 28px}
header h1{margin:0 0 4px 0;font-size:22px}
header p{margin:0;color:#c9cfdb;font-size:14px}
main{padding:12px 28px 40px 28px;max-width:1600px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:12px 18px;margin:14px 0}
h2{font-size:17px;margin:4px 0 10px 0}
.row{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0}
.row>figure{width:min-content}
figcaption{font-size:12.5px;color:#4a5366;max-width:760px;margin-top:4px}
.banner{background:#fff6dd;border:1px solid #f0d58a;padding:8px 12px;border-radius:4px;font-size:14px}
table{border-collapse:collapse;font-size:13.5px}
td,th{border-bottom:1px solid #e6e8ee;padding:3px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f0f2f6;padding:10px;overflow:auto;font-size:12.5px;max-height:420px}
svg.chart{background:#fff;font-size:11px;display:block}
.axis{stroke:#555;stroke-width:1}
.tick{stroke:#555}

line.grid{stroke:#eceef2;stroke-width:1}
.tick-label{fill:#444;font-size:10.5px}
.axis-title{fill:#222;font-size:12px}
.legend-label{fill:#333;font-size:11px}
.empty{fill:#999;font-size:14px}
.bar-label{fill:#333;font-size:10.5px}
.s-completed{stroke:#2a9d3f;fill:#2a9d3f}
.s-stopped{stroke:#e08a1e;fill:#e08a1e}
.s-failed{stroke:#d62728;fill:#d62728}
.s-paused{stroke:#8c8c8c;fill:#8c8c8c}
.s-running{stroke:#1f77b4;fill:#1f77b4}
polyline.curve{fill:none;stroke-width:1.2;stroke-opacity:.75}
polyline.band{fill:none;stroke:#555;stroke-width:1.5;stroke-dasharray:4 3}
polyline.band.median{stroke-dasharray:none;stroke-width:2}
polyline.incumbent{fill:none;stroke:#1f4fb4;stroke-width:2}
circle.improvement{fill:#1f4fb4}
circle.pause{fill:#fff;stroke:#333;stroke-width:1.2}
polygon.promote{fill:#7b2fbf}
line.failure{stroke:#d62728;stroke-width:2}
circle.point{fill-opacity:.6;stroke:none}
circle.point.best{fill-opacity:1;stroke:#000;stroke-width:1.5}
polyline.pc-line{fill:none;stroke-width:1;stroke-opacity:.7}
polyline.pc-line.best{stroke-width:3;stroke-opacity:1}
rect.idle{fill:#eef0f3}
.k-train{fill:#3b7dd8}
.k-validate{fill:#f2b134}
.k-checkpoint{fill:#9b4dca}
.k-recompute{fill:#e15759}
line.segment{stroke:#d62728;stroke-width:1.2;stroke-dasharray:5 3}
rect.restart{fill:#fff;stroke:#d62728;stroke-width:1.5}
.b1{opacity:.3}.b2{opacity:.5}.b3{opacity:.75}.b4{opacity:1}
.g0{fill:#3b7dd8}.g1{fill:#2a9d3f}.g2{fill:#e08a1e}.g3{fill:#9b4dca}.g4{fill:#d62728}.g5{fill:#17becf}
)";

std::string esc(const std::string& s) { return xml_escape(s); }

std::string seconds(double s) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(s < 100 ? 2 : 0);
  out << s << " s";
  if (s >= 3600) {
    out.precision(1);
    out << " (" << s / 3600 << " h)";
  } else if (s >= 120) {
    out.precision(1);
    out << " (" << s / 60 << " min)";
  }
  return out.str();
}

std::string percent(double f) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << 100 * f << '%';
  return out.str();
}

void row(std::ostringstream& out, const std::string& key, const std::string& value) {
  out << "<tr><th>" << esc(key) << "</th><td>" << esc(value) << "</td></tr>\n";
}

void figure(std::ostringstream& out, const Chart& c) {
  out << "<figure id=\"" << esc(c.id) << "\">" << c.svg << "<figcaption>" << esc(c.note)
      << "</figcaption></figure>\n";
}

bool is_sampled_note(const std::string& note) {
  return note.find("Sampled:") != std::string::npos ||
         note.find("Aggregated:") != std::string::npos ||
         note.find("Showing the first") != std::string::npos;
}

void summary_section(std::ostringstream& out, const ReportInputs& in) {
  const RunHistory& h = in.history;
  out << "<section id=\"summary\"><h2>Summary</h2><div class=\"row\"><table>\n";
  row(out, "job", h.job_name);
  row(out, "strategy",
      h.strategy + " (scheduler " + h.scheduler + ", searcher " + h.searcher + ")");
  row(out, "objective",
      std::string(h.is_minimize ? "Minimize " : "Maximize ") + h.objective_metric);
  std::string state = h.has_ended ? "ended" : (h.is_stopping ? "stopping" : "running (or killed)");
  if (!h.has_ended && !h.segment_marks.empty() && h.segment_marks.back().kind == "suspend") {
    state = "suspended (resume it with the same rung run command and --out)";
  }
  if (!h.end_reason.empty()) state += ": " + h.end_reason;
  row(out, "state / completion reason", state);
  row(out, "elapsed", seconds(h.elapsed_s));
  std::string counts;
  for (FinalState s : {FinalState::Completed, FinalState::Stopped, FinalState::Failed,
                       FinalState::Paused, FinalState::Running}) {
    counts += (counts.empty() ? "" : ", ") + std::to_string(h.count(s)) + " " + to_string(s);
  }
  row(out, "trials", std::to_string(h.trials.size()) + " started: " + counts);
  row(out, "epochs trained",
      std::to_string(h.epochs_reported) +
          (h.elapsed_s > 0
               ? " (" + format_number(static_cast<double>(h.epochs_reported) / h.elapsed_s) +
                     " per second)"
               : ""));
  const std::vector<WorkerUtilization> util = worker_utilization(h);
  row(out, "workers",
      std::to_string(h.workers) + " (parallelism " + std::to_string(h.parallelism) + "), busy " +
          percent(overall_utilization(util)) + " of their time");
  if (!h.segment_marks.empty()) {
    long long suspends = 0, resumes = 0;
    for (const SegmentMark& m : h.segment_marks) {
      suspends += m.kind == "suspend" ? 1 : 0;
      resumes += m.kind == "resume" ? 1 : 0;
    }
    row(out, "interruptions",
        "suspended " + std::to_string(suspends) + " time(s), resumed " + std::to_string(resumes) +
            " time(s); " + std::to_string(h.epochs_recomputed) + " epochs recomputed");
  }
  std::string limits = "MaxNumberOfTrainingJobs " + std::to_string(h.max_trials) +
                       ", MaxParallelTrainingJobs " +
                       std::to_string(in.job ? in.job->max_parallel : h.parallelism);
  if (in.job && in.job->max_runtime_s) {
    limits += ", MaxRuntimeInSeconds " + format_number(*in.job->max_runtime_s);
  }
  limits += ", epochs " + std::to_string(h.min_resource) + ".." + std::to_string(h.max_resource);
  row(out, "limits", limits);
  if (!h.rungs.empty()) {
    std::string rungs;
    for (long long r : h.rungs) rungs += (rungs.empty() ? "" : ", ") + std::to_string(r);
    row(out, "rungs (epochs)", rungs);
  }
  row(out, "seed", std::to_string(h.seed));
  out << "</table>\n";
  out << "<table id=\"best-trial\">\n";
  if (const TrialHistory* best = h.best_trial()) {
    row(out, "best trial", best->name);
    row(out, h.objective_metric,
        format_number(*best->objective) + " at epoch " + std::to_string(best->epochs));
    row(out, "status", to_string(best->state));
    for (const auto& [name, v] : best->hyperparameters) row(out, name, v.text);
  } else {
    row(out, "best trial", "none yet (no trial reported the objective)");
  }
  out << "</table></div></section>\n";
}

// The trial's name, linked to its program's output when there is one (command jobs).
std::string trial_cell(const TrialHistory& t, const std::map<std::string, std::string>& links) {
  const auto link = links.find(t.name);
  if (link == links.end()) return esc(t.name);
  return "<a href=\"" + esc(link->second) + "\" title=\"the program's output\">" + esc(t.name) +
         "</a>";
}

void top_trials_section(std::ostringstream& out, const RunHistory& h,
                        const std::map<std::string, std::string>& links) {
  std::vector<const TrialHistory*> ranked;
  for (const TrialHistory& t : h.trials) {
    if (t.objective && t.state != FinalState::Failed) ranked.push_back(&t);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](const TrialHistory* a, const TrialHistory* b) {
    const double av = h.sign() * *a->objective, bv = h.sign() * *b->objective;
    return av != bv ? av > bv : a->epochs > b->epochs;
  });
  out << "<section id=\"top-trials\"><h2>Top trials</h2><table><tr><th>rank</th><th>trial</th>"
         "<th>status</th><th>epochs</th><th>"
      << esc(h.objective_metric) << "</th><th>hyperparameters</th></tr>\n";
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
    const TrialHistory& t = *ranked[i];
    std::string hp;
    for (const auto& [name, v] : t.hyperparameters)
      hp += (hp.empty() ? "" : ", ") + name + "=" + v.text;
    out << "<tr><td class=\"num\">" << i + 1 << "</td><td>" << trial_cell(t, links) << "</td><td>"
        << to_string(t.state) << "</td><td class=\"num\">" << t.epochs << "</td><td class=\"num\">"
        << esc(format_number(*t.objective)) << "</td><td>" << esc(hp) << "</td></tr>\n";
  }
  out << "</table>";
  std::vector<const TrialHistory*> failed;
  for (const TrialHistory& t : h.trials) {
    if (t.state == FinalState::Failed) failed.push_back(&t);
  }
  if (!failed.empty()) {
    out << "<h2>Failed trials (" << failed.size()
        << ")</h2><table><tr><th>trial</th><th>epoch</th>"
           "<th>reason</th><th>hyperparameters</th></tr>\n";
    for (std::size_t i = 0; i < failed.size() && i < 20; ++i) {
      const TrialHistory& t = *failed[i];
      std::string hp;
      for (const auto& [name, v] : t.hyperparameters)
        hp += (hp.empty() ? "" : ", ") + name + "=" + v.text;
      out << "<tr><td>" << trial_cell(t, links) << "</td><td class=\"num\">" << t.epochs << "</td><td>"
          << esc(t.message) << "</td><td>" << esc(hp) << "</td></tr>\n";
    }
    out << "</table>";
    if (failed.size() > 20) out << "<p>(the first 20 of " << failed.size() << ")</p>";
  }
  out << "</section>\n";
}

void utilization_section(std::ostringstream& out, const RunHistory& h) {
  const std::vector<WorkerUtilization> util = worker_utilization(h);
  out << "<table id=\"utilization\"><tr><th>worker rank</th><th>train</th><th>validate</th>"
         "<th>checkpoint</th><th>recompute</th><th>busy</th></tr>\n";
  double train = 0, validate = 0, checkpoint = 0, recompute = 0;
  for (std::size_t i = 0; i < util.size(); ++i) {
    const WorkerUtilization& u = util[i];
    train += u.train_s;
    validate += u.validate_s;
    checkpoint += u.checkpoint_s;
    recompute += u.recompute_s;
    if (i >= 32) continue;
    out << "<tr><td class=\"num\">" << u.worker << "</td><td class=\"num\">"
        << esc(seconds(u.train_s)) << "</td><td class=\"num\">" << esc(seconds(u.validate_s))
        << "</td><td class=\"num\">" << esc(seconds(u.checkpoint_s)) << "</td><td class=\"num\">"
        << esc(seconds(u.recompute_s)) << "</td><td class=\"num\">" << percent(u.busy_fraction)
        << "</td></tr>\n";
  }
  if (util.size() > 32) {
    std::vector<double> f;
    for (const WorkerUtilization& u : util) f.push_back(u.busy_fraction);
    std::sort(f.begin(), f.end());
    out << "<tr><td colspan=\"6\">... " << util.size() - 32 << " more workers; busy min "
        << percent(f.front()) << ", median " << percent(f[f.size() / 2]) << ", max "
        << percent(f.back()) << "</td></tr>\n";
  }
  out << "<tr><th>all " << util.size() << "</th><th class=\"num\">" << esc(seconds(train))
      << "</th><th class=\"num\">" << esc(seconds(validate)) << "</th><th class=\"num\">"
      << esc(seconds(checkpoint)) << "</th><th class=\"num\">" << esc(seconds(recompute))
      << "</th><th class=\"num\">" << percent(overall_utilization(util)) << "</th></tr></table>\n";
}

}  // namespace

std::string render_html_report(const ReportInputs& in, const ChartLimits& limits) {
  const RunHistory& h = in.history;
  const std::vector<ParamRange> ranges =
      in.job ? in.job->space.ranges() : std::vector<ParamRange>{};
  std::vector<Chart> charts;
  charts.push_back(best_over_time_chart(h));
  charts.push_back(best_over_epochs_chart(h));
  charts.push_back(learning_curves_chart(h, limits));
  charts.push_back(rung_occupancy_chart(h));
  std::vector<Chart> hp = hyperparameter_charts(h, ranges, limits);
  Chart parallel = parallel_coordinates_chart(h, ranges, limits);
  Chart timeline = worker_timeline_chart(h, limits);
  bool is_reduced = is_sampled_note(parallel.note) || is_sampled_note(timeline.note);
  for (const Chart& c : charts) is_reduced = is_reduced || is_sampled_note(c.note);
  for (const Chart& c : hp) is_reduced = is_reduced || is_sampled_note(c.note);

  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
         "<meta name=\"generator\" content=\"rung report\"/><title>rung report: "
      << esc(h.job_name) << "</title><style>" << kStyle << "</style></head>\n<body>\n";
  out << "<header><h1>" << esc(h.job_name.empty() ? "(no job_start event)" : h.job_name)
      << "</h1><p>" << esc(h.strategy) << " tuning of " << esc(h.objective_metric) << " ("
      << (h.is_minimize ? "minimize" : "maximize") << "): " << h.trials.size() << " trials, "
      << h.epochs_reported << " epochs, " << esc(seconds(h.elapsed_s)) << ", "
      << esc(h.has_ended ? "ended: " + h.end_reason : "not ended") << ". From " << esc(in.source)
      << ".</p></header>\n<main>\n";
  if (is_reduced) {
    out << "<p class=\"banner\" id=\"sampling-banner\">This run is large: some charts draw a "
           "sample of the trials or merge nearby spans so the page stays quick to open. Each "
           "chart's caption says what it drew; tables and counts cover every trial.</p>\n";
  }
  if (h.has_truncated_tail) {
    out << "<p class=\"banner\">The journal's last line was incomplete (a write in progress or a "
           "killed job) and was skipped.</p>\n";
  }
  summary_section(out, in);
  out << "<section id=\"progress\"><h2>Progress</h2><div class=\"row\">";
  figure(out, charts[0]);
  figure(out, charts[1]);
  out << "</div></section>\n";
  out << "<section id=\"curves\"><h2>Learning curves</h2>";
  figure(out, charts[2]);
  out << "</section>\n<section id=\"rungs\"><h2>Rungs and brackets</h2>";
  figure(out, charts[3]);
  out << "</section>\n<section id=\"hyperparameters\"><h2>Hyperparameters against the "
         "objective</h2>"
         "<div class=\"row\">";
  for (const Chart& c : hp) figure(out, c);
  if (hp.empty()) out << "<p>No tuned hyperparameters in the journal.</p>";
  out << "</div>";
  figure(out, parallel);
  out << "</section>\n<section id=\"workers\"><h2>Workers</h2>";
  figure(out, timeline);
  utilization_section(out, h);
  out << "</section>\n";
  top_trials_section(out, h, in.output_links);
  out << "<section id=\"job\"><h2>Job configuration</h2>";
  if (!in.job_problem.empty()) out << "<p>" << esc(in.job_problem) << "</p>";
  if (!in.job_text.empty()) {
    out << "<pre>" << esc(in.job_text) << "</pre>";
  } else {
    out << "<p>No job.yaml in the run directory.</p>";
  }
  out << "</section>\n</main></body></html>\n";
  return out.str();
}

}  // namespace rung::report
