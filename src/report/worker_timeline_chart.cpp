// What each worker did over the job's wall time (a Gantt chart), and its busy share.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chart_support.hpp"
#include "rung/report/charts.hpp"

namespace rung::report {
namespace {

using detail::empty_message;
using detail::find_trial;
using detail::kWide;
using detail::with_commas;

// The workers drawn, one row each (the first max_timeline_rows), and where each row is.
struct TimelineRows {
  std::vector<int> workers;
  std::map<int, std::size_t> index;  // worker -> row
  double height = 18;                // of one row
  double top = 0;                    // of the first row

  [[nodiscard]] bool has(int worker) const { return index.count(worker) != 0; }
  // The top of a worker's bar.
  [[nodiscard]] double bar_y(int worker) const {
    return top + height * static_cast<double>(index.at(worker)) + 1;
  }
  // Rows are labelled one in four when there are many.
  [[nodiscard]] bool is_labelled(std::size_t row) const {
    return workers.size() <= 24 || row % 4 == 0;
  }
};

// The time axis, each row's idle background, its rank label and its busy share.
void draw_timeline_axes(SvgWriter& svg, const PlotFrame& f, const Scale& x,
                        const TimelineRows& rows, const std::vector<WorkerUtilization>& util) {
  svg.begin_group("axes");
  svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
  for (double v : x.ticks(8)) {
    svg.line(x(v), f.y0(), x(v), f.y1(), "grid");
    svg.text(x(v), f.y0() + 16, format_number(v), "tick-label", "middle");
  }
  svg.text((f.x0() + f.x1()) / 2, f.height - 6, "seconds since start", "axis-title", "middle");
  svg.text(f.width - 4, f.y1() - 6, "busy", "tick-label", "end");
  for (std::size_t r = 0; r < rows.workers.size(); ++r) {
    const double ry = f.y1() + rows.height * static_cast<double>(r);
    svg.rect(f.x0(), ry + 1, f.x1() - f.x0(), rows.height - 2, "idle");
    if (!rows.is_labelled(r)) continue;
    svg.text(f.x0() - 6, ry + rows.height * 0.75, "rank " + std::to_string(rows.workers[r]),
             "tick-label", "end");
    for (const WorkerUtilization& u : util) {
      if (u.worker != rows.workers[r]) continue;
      svg.text(f.width - 4, ry + rows.height * 0.75,
               format_number(std::round(u.busy_fraction * 1000) / 10) + "%", "tick-label util",
               "end");
    }
  }
  svg.end_group();
}

void draw_timeline_legend(SvgWriter& svg, const PlotFrame& f, bool has_recompute) {
  double lx = f.x0() + 4;
  std::vector<std::string> kinds = {"train", "validate", "checkpoint"};
  if (has_recompute) kinds.emplace_back("recompute");
  for (const std::string& kind : kinds) {
    svg.rect(lx, 8, 10, 10, "legend k-" + kind);
    svg.text(lx + 14, 17, kind, "legend-label");
    lx += 96;
  }
  svg.rect(lx, 8, 10, 10, "legend idle");
  svg.text(lx + 14, 17, "idle", "legend-label");
}

// Each span its own rectangle, with a tooltip. Returns the rectangles drawn.
std::size_t draw_each_span(SvgWriter& svg, const RunHistory& h, const Scale& x,
                           const TimelineRows& rows) {
  std::size_t rects = 0;
  for (const WorkerSpan& s : h.spans) {
    if (!rows.has(s.worker)) continue;
    const TrialHistory* t = find_trial(h, s.trial);
    const std::string tip = std::string(to_string(s.kind)) + " " + (t ? t->name : "?") + ", " +
                            format_number(s.begin_t) + "-" + format_number(s.end_t) + " s";
    svg.rect(x(s.begin_t), rows.bar_y(s.worker), std::max(x(s.end_t) - x(s.begin_t), 0.5),
             rows.height - 2, std::string("mark span k-") + to_string(s.kind), tip);
    ++rects;
  }
  return rects;
}

// Each row cut into one-pixel columns holding the time of each kind; a run of columns with
// the same dominant kind and busy share becomes one rectangle (its opacity shows the share),
// so the chart's size is bounded by its pixels, not by the number of epochs. Returns the
// rectangles drawn.
std::size_t draw_span_columns(SvgWriter& svg, const RunHistory& h, const PlotFrame& f,
                              const TimelineRows& rows) {
  const std::size_t columns = static_cast<std::size_t>(std::ceil(f.x1() - f.x0()));
  const double column_s = std::max(h.elapsed_s, 1e-3) / static_cast<double>(columns);
  std::map<int, std::vector<std::array<double, 4>>> time;  // worker -> column -> kind -> s
  for (int w : rows.workers) time[w].assign(columns, {0.0, 0.0, 0.0, 0.0});
  for (const WorkerSpan& s : h.spans) {
    auto it = time.find(s.worker);
    if (it == time.end()) continue;
    const std::size_t k = static_cast<std::size_t>(s.kind);
    std::size_t col = static_cast<std::size_t>(std::max(0.0, s.begin_t / column_s));
    for (; col < columns; ++col) {
      const double c0 = column_s * static_cast<double>(col), c1 = c0 + column_s;
      if (c0 >= s.end_t) break;
      it->second[col][k] += std::min(c1, s.end_t) - std::max(c0, s.begin_t);
    }
  }
  std::size_t rects = 0;
  for (auto& [worker, cols] : time) {
    // Key of a column: dominant kind and busy share in quarters (0 = under 1/8: idle).
    const auto key = [&](std::size_t column) {
      const auto& v = cols[column];
      const std::size_t kind =
          static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
      const int level = static_cast<int>(std::lround(4 * (v[0] + v[1] + v[2] + v[3]) / column_s));
      return std::make_pair(kind, std::min(level, 4));
    };
    std::size_t col = 0;
    while (col < columns) {
      const auto k = key(col);
      std::size_t e = col + 1;
      while (e < columns && key(e) == k) ++e;
      if (k.second > 0) {
        svg.rect(f.x0() + static_cast<double>(col), rows.bar_y(worker),
                 static_cast<double>(e - col), rows.height - 2,
                 std::string("mark span k-") + to_string(static_cast<SpanKind>(k.first)) + " b" +
                     std::to_string(k.second));
        ++rects;
      }
      col = e;
    }
  }
  return rects;
}

std::string timeline_note(const RunHistory& h, bool is_exact, std::size_t rects, std::size_t rows,
                          std::size_t workers) {
  std::string note =
      "Each row is one worker rank: training, validation and checkpoint writing from the "
      "journal's times and reported durations; the rest is idle (waiting for work or for "
      "rank 0). The right column is the share of the job's wall time the worker was busy.";
  if (!is_exact) {
    note += " Aggregated: " + with_commas(h.spans.size()) + " spans drawn as " +
            with_commas(rects) +
            " rectangles, one-pixel columns coloured by their main "
            "activity, fainter where the worker was busy for less of the column.";
  }
  if (rows < workers) {
    note += " Showing the first " + std::to_string(rows) + " of " + std::to_string(workers) +
            " workers; the utilization table covers all.";
  }
  if (!h.segment_marks.empty()) {
    note +=
        " Red dashed lines mark where the run was suspended or resumed; recompute is an "
        "epoch trained again because the interruption lost it.";
  }
  if (h.has_clipped_spans) {
    note +=
        " Some reported durations were longer than the wall time between the worker's "
        "events (instant or simulated trainers report their curve's epoch time) and were "
        "clipped to it.";
  }
  return note;
}

}  // namespace

std::vector<WorkerUtilization> worker_utilization(const RunHistory& h) {
  std::map<int, WorkerUtilization> by_worker;
  for (int w : h.worker_ids) by_worker[w].worker = w;
  for (const WorkerSpan& s : h.spans) {
    WorkerUtilization& u = by_worker[s.worker];
    u.worker = s.worker;
    const double d = s.end_t - s.begin_t;
    if (s.kind == SpanKind::Train) u.train_s += d;
    if (s.kind == SpanKind::Validate) u.validate_s += d;
    if (s.kind == SpanKind::Checkpoint) u.checkpoint_s += d;
    if (s.kind == SpanKind::Recompute) u.recompute_s += d;
  }
  std::vector<WorkerUtilization> out;
  for (auto& [w, u] : by_worker) {
    const double busy = u.train_s + u.validate_s + u.checkpoint_s + u.recompute_s;
    u.busy_fraction = h.elapsed_s > 0 ? busy / h.elapsed_s : 0.0;
    out.push_back(u);
  }
  return out;
}

double overall_utilization(const std::vector<WorkerUtilization>& workers) {
  if (workers.empty()) return 0.0;
  double sum = 0;
  for (const WorkerUtilization& u : workers) sum += u.busy_fraction;
  return sum / static_cast<double>(workers.size());
}

Chart worker_timeline_chart(const RunHistory& h, const ChartLimits& limits) {
  Chart c;
  c.id = "worker-timeline";
  c.title = "Worker timeline";
  const std::vector<WorkerUtilization> util = worker_utilization(h);
  TimelineRows rows;
  for (const WorkerUtilization& u : util) {
    if (rows.workers.size() < limits.max_timeline_rows) rows.workers.push_back(u.worker);
  }
  for (std::size_t r = 0; r < rows.workers.size(); ++r) rows.index[rows.workers[r]] = r;
  rows.height = rows.workers.size() > 24 ? 9 : 18;
  PlotFrame f;
  f.width = kWide;
  f.left = 70;
  f.right = 56;
  f.top = 30;
  f.bottom = 40;
  f.height = f.top + f.bottom +
             rows.height * static_cast<double>(std::max<std::size_t>(1, rows.workers.size()));
  rows.top = f.y1();
  SvgWriter svg(f.width, f.height, c.id, c.title);
  const Scale x = Scale::linear(0, std::max(h.elapsed_s, 1e-3), f.x0(), f.x1());
  draw_timeline_axes(svg, f, x, rows, util);
  draw_timeline_legend(svg, f, h.epochs_recomputed > 0);
  for (const SegmentMark& m : h.segment_marks) {
    svg.line(x(m.t), f.y1() - 4, x(m.t), f.y0(), "mark segment");
  }
  // Up to kExactSpans spans are drawn one by one; beyond that, by the pixel column.
  constexpr std::size_t kExactSpans = 3000;
  const bool is_exact = h.spans.size() <= kExactSpans;
  const std::size_t rects =
      is_exact ? draw_each_span(svg, h, x, rows) : draw_span_columns(svg, h, f, rows);
  if (h.spans.empty()) empty_message(svg, f, "no worker activity yet");
  c.svg = svg.finish();
  c.note = timeline_note(h, is_exact, rects, rows.workers.size(), util.size());
  return c;
}

}  // namespace rung::report
