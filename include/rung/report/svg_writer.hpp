// The report's drawing layer: an SVG writer that escapes every text and attribute it is
// given, axis scales (linear and logarithmic) with readable ticks, and a plot frame that
// draws axes, ticks and labels. The charts in charts.hpp draw with it; nothing else does.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rung::report {

// Escapes &, <, >, " and ' so any text (a trial or hyperparameter name from a job file) is
// safe inside an element or a quoted attribute.
[[nodiscard]] std::string xml_escape(std::string_view text);

// A number for a label: up to 4 significant digits, no trailing zeros ("0.001", "12.5",
// "1e+06" stays short as "1e6").
[[nodiscard]] std::string format_number(double v);

// A coordinate: one decimal, no trailing ".0" (keeps 10,000-trial files small).
[[nodiscard]] std::string format_coord(double v);

// Maps a data interval onto a pixel interval, linearly or in log10 space. A log scale needs
// a positive domain; values <= 0 map to the range's start.
class Scale {
 public:
  // An empty or degenerate domain (lo == hi, or non-finite) is widened so the scale stays
  // usable: a single value sits in the middle.
  [[nodiscard]] static Scale linear(double lo, double hi, double range_from, double range_to);
  [[nodiscard]] static Scale log(double lo, double hi, double range_from, double range_to);

  [[nodiscard]] double operator()(double v) const noexcept;
  [[nodiscard]] bool is_log() const noexcept { return is_log_; }
  [[nodiscard]] double lo() const noexcept { return lo_; }
  [[nodiscard]] double hi() const noexcept { return hi_; }
  // Tick values inside the domain: 1, 2 or 5 times a power of ten for linear scales (about
  // `target` of them); powers of ten for log scales (with 2 and 5 in between when the domain
  // spans fewer than three decades).
  [[nodiscard]] std::vector<double> ticks(int target = 5) const;

 private:
  Scale(double lo, double hi, double from, double to, bool is_log);
  double lo_ = 0.0, hi_ = 1.0, from_ = 0.0, to_ = 1.0;
  bool is_log_ = false;
};

// Accumulates one <svg> element. Every data mark carries class "mark <kind>", which the
// Chromium test counts per chart.
class SvgWriter {
 public:
  // `chart` names the chart (data-chart attribute, used by tests); `label` is its
  // accessible title.
  SvgWriter(double width, double height, std::string_view chart, std::string_view label);

  SvgWriter& rect(double x, double y, double w, double h, std::string_view cls,
                  std::string_view tooltip = {});
  SvgWriter& line(double x1, double y1, double x2, double y2, std::string_view cls);
  SvgWriter& circle(double cx, double cy, double r, std::string_view cls,
                    std::string_view tooltip = {});
  // A marker shaped as a small triangle pointing up, centred at (x, y).
  SvgWriter& triangle(double x, double y, double size, std::string_view cls,
                      std::string_view tooltip = {});
  SvgWriter& polyline(const std::vector<std::pair<double, double>>& points, std::string_view cls,
                      std::string_view tooltip = {});
  // anchor: "start", "middle" or "end". rotate: degrees about (x, y).
  SvgWriter& text(double x, double y, std::string_view content, std::string_view cls,
                  std::string_view anchor = "start", double rotate = 0.0);
  // Inline style attribute for one element's colour (data-driven colour scales).
  SvgWriter& styled_polyline(const std::vector<std::pair<double, double>>& points,
                             std::string_view cls, std::string_view stroke,
                             std::string_view tooltip = {});
  SvgWriter& begin_group(std::string_view cls);
  SvgWriter& end_group();

  [[nodiscard]] double width() const noexcept { return width_; }
  [[nodiscard]] double height() const noexcept { return height_; }
  // Closes the element and returns it; the writer is spent afterwards.
  [[nodiscard]] std::string finish();

 private:
  void close_with_tooltip(std::string_view element, std::string_view tooltip);
  std::string out_;
  double width_ = 0.0;
  double height_ = 0.0;
  int open_groups_ = 0;
};

// The plotting area of a chart and its two scales; draw() writes the frame, ticks, tick
// labels and axis titles.
struct PlotFrame {
  double left = 64, top = 16, right = 16, bottom = 44;  // margins, pixels
  double width = 640, height = 300;                     // the whole svg
  [[nodiscard]] double x0() const noexcept { return left; }
  [[nodiscard]] double x1() const noexcept { return width - right; }
  [[nodiscard]] double y0() const noexcept { return height - bottom; }  // the bottom edge
  [[nodiscard]] double y1() const noexcept { return top; }
};

void draw_axes(SvgWriter& svg, const PlotFrame& frame, const Scale& x, const Scale& y,
               std::string_view x_title, std::string_view y_title);

}  // namespace rung::report
