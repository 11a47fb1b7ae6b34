#include "rung/report/svg_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "xml_check.hpp"

namespace rung::report {
namespace {

TEST(SvgWriter, escapes_names_in_text_and_attributes) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  SvgWriter svg(100, 50, "chart\"<x>", "label & <title>");
  svg.text(1, 2, "trial <script>alert(1)</script> & co", "t");
  svg.circle(3, 4, 2, "mark point", "lr=\"0.1\" <b>");
  const std::string out = svg.finish();
  EXPECT_EQ(out.find("<script>"), std::string::npos);
  EXPECT_NE(out.find("trial &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos);
  EXPECT_NE(out.find("data-chart=\"chart&quot;&lt;x&gt;\""), std::string::npos);
  EXPECT_EQ(testing::xml_problem(out), "") << out;
}

TEST(SvgWriter, never_writes_nan_into_coordinates) {
  SvgWriter svg(10, 10, "c", "c");
  svg.line(NAN, 1, INFINITY, 2, "mark");
  svg.polyline({{NAN, 1.0}, {2.0, -INFINITY}}, "mark");
  const std::string out = svg.finish();
  EXPECT_EQ(out.find("nan"), std::string::npos);
  EXPECT_EQ(out.find("inf"), std::string::npos);
}

TEST(SvgWriter, groups_are_closed_and_marks_counted) {
  SvgWriter svg(10, 10, "c", "c");
  svg.begin_group("g").rect(0, 0, 1, 1, "mark bar").circle(1, 1, 1, "mark point");
  const std::string out = svg.finish();  // closes the open group
  EXPECT_EQ(testing::xml_problem(out), "");
  EXPECT_EQ(testing::marks_per_chart(out).at("c"), 2);
}

TEST(Scale, linear_maps_ends_and_middle) {
  const Scale s = Scale::linear(0, 10, 100, 200);
  EXPECT_DOUBLE_EQ(s(0), 100);
  EXPECT_DOUBLE_EQ(s(5), 150);
  EXPECT_DOUBLE_EQ(s(10), 200);
  const Scale inverted = Scale::linear(0, 1, 300, 20);  // y axes grow upwards
  EXPECT_DOUBLE_EQ(inverted(1), 20);
}

TEST(Scale, linear_ticks_are_round_numbers_inside_the_domain) {
  const Scale s = Scale::linear(0.03, 0.97, 0, 100);
  const std::vector<double> ticks = s.ticks(5);
  ASSERT_GE(ticks.size(), 3u);
  for (double t : ticks) {
    EXPECT_GE(t, 0.03);
    EXPECT_LE(t, 0.97);
    const double scaled = t * 10;  // steps of 0.1 or 0.2
    EXPECT_NEAR(scaled, std::round(scaled), 1e-9) << t;
  }
}

TEST(Scale, degenerate_domain_is_widened_not_divided_by_zero) {
  const Scale s = Scale::linear(0.5, 0.5, 0, 100);
  EXPECT_DOUBLE_EQ(s(0.5), 50);
  EXPECT_LT(s.lo(), 0.5);
  EXPECT_GT(s.hi(), 0.5);
}

TEST(Scale, log_maps_decades_evenly_and_ticks_powers_of_ten) {
  const Scale s = Scale::log(1e-4, 1e-1, 0, 300);
  EXPECT_TRUE(s.is_log());
  EXPECT_NEAR(s(1e-4), 0, 1e-9);
  EXPECT_NEAR(s(1e-3), 100, 1e-9);
  EXPECT_NEAR(s(1e-2), 200, 1e-9);
  EXPECT_NEAR(s(1e-1), 300, 1e-9);
  const std::vector<double> ticks = s.ticks(5);
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_DOUBLE_EQ(ticks[0], 1e-4);
  EXPECT_DOUBLE_EQ(ticks[3], 1e-1);
  // Fewer than three decades: 2 and 5 in between.
  const std::vector<double> fine = Scale::log(1, 50, 0, 1).ticks(5);
  EXPECT_EQ(fine, (std::vector<double>{1, 2, 5, 10, 20, 50}));
}

TEST(Scale, log_of_non_positive_values_maps_to_the_start) {
  const Scale s = Scale::log(1, 100, 10, 20);
  EXPECT_DOUBLE_EQ(s(0), 10);
  EXPECT_DOUBLE_EQ(s(-5), 10);
}

TEST(Format, numbers_are_short) {
  EXPECT_EQ(format_number(0.001), "0.001");
  EXPECT_EQ(format_number(12.5), "12.5");
  EXPECT_EQ(format_number(1e6), "1e6");
  EXPECT_EQ(format_number(1e-5), "1e-5");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_coord(12.0), "12");
  EXPECT_EQ(format_coord(12.34), "12.3");
  EXPECT_EQ(format_coord(-0.01), "0");
}

TEST(Axes, draw_tick_labels_on_both_axes) {
  PlotFrame f;
  SvgWriter svg(f.width, f.height, "c", "c");
  draw_axes(svg, f, Scale::log(1e-3, 1, f.x0(), f.x1()), Scale::linear(0, 1, f.y0(), f.y1()),
            "learning_rate <log>", "accuracy");
  const std::string out = svg.finish();
  EXPECT_NE(out.find(">0.001</text>"), std::string::npos);
  EXPECT_NE(out.find(">0.01</text>"), std::string::npos);
  EXPECT_NE(out.find(">1</text>"), std::string::npos);
  EXPECT_NE(out.find("learning_rate &lt;log&gt;"), std::string::npos);
  EXPECT_EQ(testing::xml_problem(out), "");
}

}  // namespace
}  // namespace rung::report
