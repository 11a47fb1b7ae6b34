#include "rung/report/svg_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rung::report {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text; keep tab and newline.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf");
  if (v == 0.0) return "0";
  std::string s = fmt::format("{:.4g}", v);
  // "1e+06" -> "1e6", "1e-05" -> "1e-5"
  const std::size_t e = s.find('e');
  if (e != std::string::npos) {
    std::string mantissa = s.substr(0, e);
    std::string exponent = s.substr(e + 1);
    const bool is_negative = !exponent.empty() && exponent[0] == '-';
    if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.erase(0, 1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    s = mantissa + "e" + (is_negative ? "-" : "") + exponent;
  }
  return s;
}

std::string format_coord(double v) {
  if (!std::isfinite(v)) v = 0.0;  // never write NaN into an attribute
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

Scale::Scale(double lo, double hi, double from, double to, bool is_log)
    : lo_(lo), hi_(hi), from_(from), to_(to), is_log_(is_log) {}

Scale Scale::linear(double lo, double hi, double range_from, double range_to) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return Scale(lo, hi, range_from, range_to, false);
}

Scale Scale::log(double lo, double hi, double range_from, double range_to) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo <= 0.0 || hi <= 0.0) {
    lo = 1.0;
    hi = 10.0;
  }
  if (lo > hi) std::swap(lo, hi);
  if (hi / lo < 1.0 + 1e-9) {
    lo /= 2.0;
    hi *= 2.0;
  }
  return Scale(lo, hi, range_from, range_to, true);
}

double Scale::operator()(double v) const noexcept {
  double f = 0.0;
  if (is_log_) {
    f = v > 0.0 ? (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_)) : 0.0;
  } else {
    f = (v - lo_) / (hi_ - lo_);
  }
  if (!std::isfinite(f)) f = 0.0;
  return from_ + f * (to_ - from_);
}

std::vector<double> Scale::ticks(int target) const {
  std::vector<double> out;
  target = std::max(2, target);
  if (is_log_) {
    const int e0 = static_cast<int>(std::floor(std::log10(lo_) + 1e-9));
    const int e1 = static_cast<int>(std::ceil(std::log10(hi_) - 1e-9));
    const int decades = e1 - e0;
    const int step = std::max(1, decades / target + (decades % target != 0 ? 1 : 0));
    for (int e = e0; e <= e1; e += step) {
      for (double m : {1.0, 2.0, 5.0}) {
        if (m != 1.0 && (decades >= 3 || step > 1)) continue;
        const double v = m * std::pow(10.0, e);
        if (v >= lo_ * (1 - 1e-9) && v <= hi_ * (1 + 1e-9)) out.push_back(v);
      }
    }
    if (out.size() < 2) {  // within one decade: fall back to the ends
      out = {lo_, hi_};
    }
    return out;
  }
  const double span = hi_ - lo_;
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (span / step <= target) break;
  }
  const double first = std::ceil(lo_ / step - 1e-9) * step;
  for (double v = first; v <= hi_ + step * 1e-9; v += step) {
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    if (out.size() > 50) break;
  }
  return out;
}

SvgWriter::SvgWriter(double width, double height, std::string_view chart, std::string_view label)
    : width_(width), height_(height) {
  out_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"";
  out_ += xml_escape(chart);
  out_ += "\" width=\"" + format_coord(width) + "\" height=\"" + format_coord(height) +
          "\" viewBox=\"0 0 " + format_coord(width) + ' ' + format_coord(height) +
          "\" role=\"img\" aria-label=\"" + xml_escape(label) + "\">";
  out_ += "<title>" + xml_escape(label) + "</title>";
}

void SvgWriter::close_with_tooltip(std::string_view element, std::string_view tooltip) {
  if (tooltip.empty()) {
    out_ += "/>";
  } else {
    out_ += "><title>";
    out_ += xml_escape(tooltip);
    out_ += "</title></";
    out_ += element;
    out_ += '>';
  }
}

SvgWriter& SvgWriter::rect(double x, double y, double w, double h, std::string_view cls,
                           std::string_view tooltip) {
  out_ += "<rect class=\"" + xml_escape(cls) + "\" x=\"" + format_coord(x) + "\" y=\"" +
          format_coord(y) + "\" width=\"" + format_coord(std::max(0.0, w)) + "\" height=\"" +
          format_coord(std::max(0.0, h)) + '"';
  close_with_tooltip("rect", tooltip);
  return *this;
}

SvgWriter& SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view cls) {
  out_ += "<line class=\"" + xml_escape(cls) + "\" x1=\"" + format_coord(x1) + "\" y1=\"" +
          format_coord(y1) + "\" x2=\"" + format_coord(x2) + "\" y2=\"" + format_coord(y2) + "\"/>";
  return *this;
}

SvgWriter& SvgWriter::circle(double cx, double cy, double r, std::string_view cls,
                             std::string_view tooltip) {
  out_ += "<circle class=\"" + xml_escape(cls) + "\" cx=\"" + format_coord(cx) + "\" cy=\"" +
          format_coord(cy) + "\" r=\"" + format_coord(r) + '"';
  close_with_tooltip("circle", tooltip);
  return *this;
}

SvgWriter& SvgWriter::triangle(double x, double y, double size, std::string_view cls,
                               std::string_view tooltip) {
  const double h = size * 0.866;
  out_ += "<polygon class=\"" + xml_escape(cls) + "\" points=\"" + format_coord(x) + ',' +
          format_coord(y - h * 0.66) + ' ' + format_coord(x - size / 2) + ',' +
          format_coord(y + h * 0.34) + ' ' + format_coord(x + size / 2) + ',' +
          format_coord(y + h * 0.34) + '"';
  close_with_tooltip("polygon", tooltip);
  return *this;
}

SvgWriter& SvgWriter::polyline(const std::vector<std::pair<double, double>>& points,
                               std::string_view cls, std::string_view tooltip) {
  return styled_polyline(points, cls, {}, tooltip);
}

SvgWriter& SvgWriter::styled_polyline(const std::vector<std::pair<double, double>>& points,
                                      std::string_view cls, std::string_view stroke,
                                      std::string_view tooltip) {
  out_ += "<polyline class=\"" + xml_escape(cls) + "\" points=\"";
  bool is_first = true;
  for (const auto& [x, y] : points) {
    if (!is_first) out_ += ' ';
    out_ += format_coord(x) + ',' + format_coord(y);
    is_first = false;
  }
  out_ += '"';
  if (!stroke.empty()) out_ += " stroke=\"" + xml_escape(stroke) + '"';
  close_with_tooltip("polyline", tooltip);
  return *this;
}

SvgWriter& SvgWriter::text(double x, double y, std::string_view content, std::string_view cls,
                           std::string_view anchor, double rotate) {
  out_ += "<text class=\"" + xml_escape(cls) + "\" x=\"" + format_coord(x) + "\" y=\"" +
          format_coord(y) + "\" text-anchor=\"" + xml_escape(anchor) + '"';
  if (rotate != 0.0) {
    out_ += " transform=\"rotate(" + format_coord(rotate) + ' ' + format_coord(x) + ' ' +
            format_coord(y) + ")\"";
  }
  out_ += '>' + xml_escape(content) + "</text>";
  return *this;
}

SvgWriter& SvgWriter::begin_group(std::string_view cls) {
  out_ += "<g class=\"" + xml_escape(cls) + "\">";
  ++open_groups_;
  return *this;
}

SvgWriter& SvgWriter::end_group() {
  if (open_groups_ > 0) {
    out_ += "</g>";
    --open_groups_;
  }
  return *this;
}

std::string SvgWriter::finish() {
  while (open_groups_ > 0) end_group();
  out_ += "</svg>";
  return std::move(out_);
}

void draw_axes(SvgWriter& svg, const PlotFrame& f, const Scale& x, const Scale& y,
               std::string_view x_title, std::string_view y_title) {
  svg.begin_group("axes");
  svg.line(f.x0(), f.y0(), f.x1(), f.y0(), "axis");
  svg.line(f.x0(), f.y0(), f.x0(), f.y1(), "axis");
  for (double v : x.ticks(std::max(2, static_cast<int>((f.x1() - f.x0()) / 90)))) {
    const double px = x(v);
    svg.line(px, f.y0(), px, f.y0() + 4, "tick");
    svg.line(px, f.y0(), px, f.y1(), "grid");
    svg.text(px, f.y0() + 16, format_number(v), "tick-label", "middle");
  }
  for (double v : y.ticks(std::max(2, static_cast<int>((f.y0() - f.y1()) / 50)))) {
    const double py = y(v);
    svg.line(f.x0() - 4, py, f.x0(), py, "tick");
    svg.line(f.x0(), py, f.x1(), py, "grid");
    svg.text(f.x0() - 7, py + 4, format_number(v), "tick-label", "end");
  }
  svg.text((f.x0() + f.x1()) / 2, f.height - 6, x_title, "axis-title", "middle");
  svg.text(14, (f.y0() + f.y1()) / 2, y_title, "axis-title", "middle", -90);
  svg.end_group();
}

}  // namespace rung::report
