#include "rung/config/search_space.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace rung {
namespace {

ParamRange integer(const std::string& name, double lo, double hi,
                   ScalingType s = ScalingType::Linear) {
  ParamRange r;
  r.name = name;
  r.kind = ParamKind::Integer;
  r.min_value = lo;
  r.max_value = hi;
  r.scaling = s;
  return r;
}

ParamRange continuous(const std::string& name, double lo, double hi,
                      ScalingType s = ScalingType::Linear) {
  ParamRange r = integer(name, lo, hi, s);
  r.kind = ParamKind::Continuous;
  return r;
}

ParamRange categorical(const std::string& name, std::vector<std::string> values) {
  ParamRange r;
  r.name = name;
  r.kind = ParamKind::Categorical;
  r.values = std::move(values);
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<double> draws(const SearchSpace& space, const std::string& name, int n,
                          std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(get_double(space.sample(rng), name));
  return out;
}

TEST(ParamRange, auto_resolves_to_log_from_two_orders_of_magnitude) {
  EXPECT_EQ(continuous("a", 1e-4, 0.1, ScalingType::Auto).effective_scaling(),
            ScalingType::Logarithmic);
  EXPECT_EQ(continuous("a", 1, 100, ScalingType::Auto).effective_scaling(),
            ScalingType::Logarithmic);
  EXPECT_EQ(continuous("a", 1, 99, ScalingType::Auto).effective_scaling(), ScalingType::Linear);
  EXPECT_EQ(continuous("a", 0, 1000, ScalingType::Auto).effective_scaling(), ScalingType::Linear);
  EXPECT_EQ(continuous("a", -1, 1000, ScalingType::Auto).effective_scaling(), ScalingType::Linear);
  EXPECT_EQ(integer("a", 10, 1000, ScalingType::Auto).effective_scaling(),
            ScalingType::Logarithmic);
  EXPECT_EQ(integer("a", 10, 200, ScalingType::Auto).effective_scaling(), ScalingType::Linear);
  EXPECT_EQ(categorical("a", {"x"}).effective_scaling(), ScalingType::Linear);
}

TEST(ParamRange, explicit_scaling_is_kept) {
  EXPECT_EQ(continuous("a", 1, 2, ScalingType::Logarithmic).effective_scaling(),
            ScalingType::Logarithmic);
  EXPECT_EQ(continuous("a", 1e-4, 1, ScalingType::Linear).effective_scaling(), ScalingType::Linear);
  EXPECT_EQ(continuous("a", 0, 0.9, ScalingType::ReverseLogarithmic).effective_scaling(),
            ScalingType::ReverseLogarithmic);
}

TEST(SearchSpace, linear_integers_round_trip_exactly_at_cell_centres) {
  SearchSpace space({integer("k", -3, 7)});
  for (std::int64_t k = -3; k <= 7; ++k) {
    const auto u = space.encode({{"k", k}});
    ASSERT_EQ(u.size(), 1U);
    EXPECT_DOUBLE_EQ(u[0], (static_cast<double>(k + 3) + 0.5) / 11.0);
    EXPECT_EQ(std::get<std::int64_t>(space.decode(u).at("k")), k);
  }
}

TEST(SearchSpace, log_integers_round_trip_exactly) {
  for (const auto& [lo, hi] :
       std::vector<std::pair<double, double>>{{1, 1000}, {10, 1000}, {1, 1}, {7, 8}, {1, 1e12}}) {
    SearchSpace space({integer("k", lo, hi, ScalingType::Logarithmic)});
    std::vector<std::int64_t> ks;
    if (hi - lo <= 2000) {
      for (auto k = static_cast<std::int64_t>(lo); k <= static_cast<std::int64_t>(hi); ++k) {
        ks.push_back(k);
      }
    } else {
      for (double k = lo; k <= hi; k = std::floor(k * 1.7) + 1) ks.push_back(std::int64_t(k));
      ks.push_back(static_cast<std::int64_t>(hi));
    }
    double previous = -1.0;
    for (const auto k : ks) {
      const auto u = space.encode({{"k", k}});
      EXPECT_GE(u[0], 0.0);
      EXPECT_LT(u[0], 1.0);
      EXPECT_GT(u[0], previous) << "encoding must grow with k";
      previous = u[0];
      EXPECT_EQ(std::get<std::int64_t>(space.decode(u).at("k")), k) << "range " << lo << ".." << hi;
    }
  }
}

TEST(SearchSpace, auto_integers_use_log_cells) {
  SearchSpace log_space({integer("k", 10, 1000, ScalingType::Logarithmic)});
  SearchSpace auto_space({integer("k", 10, 1000, ScalingType::Auto)});
  EXPECT_EQ(log_space.encode({{"k", std::int64_t{100}}}),
            auto_space.encode({{"k", std::int64_t{100}}}));
}

TEST(SearchSpace, categoricals_round_trip_to_slot_centres) {
  SearchSpace space({categorical("act", {"relu", "tanh", "gelu", "32"})});
  const std::vector<std::string> values = {"relu", "tanh", "gelu", "32"};
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto u = space.encode({{"act", values[i]}});
    EXPECT_DOUBLE_EQ(u[0], (static_cast<double>(i) + 0.5) / 4.0);
    EXPECT_EQ(std::get<std::string>(space.decode(u).at("act")), values[i]);
  }
  // A value read back as a number still finds its slot by its text.
  EXPECT_DOUBLE_EQ(space.encode({{"act", std::int64_t{32}}})[0], 3.5 / 4.0);
}

TEST(SearchSpace, continuous_values_round_trip_for_every_scaling) {
  const std::vector<ParamRange> ranges = {
      continuous("lin", -5, 17), continuous("log", 1e-6, 2, ScalingType::Logarithmic),
      continuous("auto", 1e-4, 0.1, ScalingType::Auto),
      continuous("rev", 0.0, 0.999, ScalingType::ReverseLogarithmic),
      continuous("rev2", 0.9, 0.99999, ScalingType::ReverseLogarithmic)};
  for (const auto& r : ranges) {
    SearchSpace space({r});
    for (int i = 0; i <= 100; ++i) {
      // Points spread over the range, bounds included.
      const double u0 = i / 100.0;
      const double x = r.min_value + u0 * (r.max_value - r.min_value);
      const auto u = space.encode({{r.name, x}});
      EXPECT_GE(u[0], 0.0);
      EXPECT_LT(u[0], 1.0);
      const double back = std::get<double>(space.decode(u).at(r.name));
      EXPECT_NEAR(back, x, 1e-12 * std::max(1.0, std::fabs(x))) << r.name << " at " << x;
    }
  }
}

TEST(SearchSpace, encode_maps_scaled_midpoints_to_one_half) {
  SearchSpace space({continuous("lin", 0, 10), continuous("log", 1e-4, 1, ScalingType::Logarithmic),
                     continuous("rev", 0, 0.99, ScalingType::ReverseLogarithmic)});
  const double rev_mid = 1.0 - std::sqrt(1.0 - 0.99);  // -log(1-x) halfway: 1 - sqrt(0.01)
  const auto u = space.encode({{"lin", 5.0}, {"log", 1e-2}, {"rev", rev_mid}});
  EXPECT_NEAR(u[0], 0.5, 1e-12);
  EXPECT_NEAR(u[1], 0.5, 1e-12);
  EXPECT_NEAR(u[2], 0.5, 1e-12);
}

TEST(SearchSpace, decode_clamps_outside_the_unit_interval) {
  SearchSpace space({integer("k", 1, 5), continuous("x", 1e-3, 1, ScalingType::Logarithmic),
                     categorical("c", {"a", "b"})});
  const auto low = space.decode({-0.5, -1.0, -3.0});
  EXPECT_EQ(std::get<std::int64_t>(low.at("k")), 1);
  EXPECT_DOUBLE_EQ(std::get<double>(low.at("x")), 1e-3);
  EXPECT_EQ(std::get<std::string>(low.at("c")), "a");
  const auto high = space.decode({1.0, 7.0, 1.0});
  EXPECT_EQ(std::get<std::int64_t>(high.at("k")), 5);
  EXPECT_NEAR(std::get<double>(high.at("x")), 1.0, 1e-12);
  EXPECT_EQ(std::get<std::string>(high.at("c")), "b");
  const auto nan = space.decode({std::nan(""), std::nan(""), std::nan("")});
  EXPECT_EQ(std::get<std::int64_t>(nan.at("k")), 1);
  EXPECT_THROW((void)space.decode({0.5}), std::invalid_argument);
}

TEST(SearchSpace, samples_stay_inside_their_ranges_with_the_right_types) {
  SearchSpace space({integer("units", 10, 1000, ScalingType::Logarithmic),
                     integer("batch", 10, 200), continuous("lr", 1e-4, 0.1, ScalingType::Auto),
                     continuous("mom", 0.5, 0.999, ScalingType::ReverseLogarithmic),
                     categorical("act", {"relu", "tanh"})});
  std::mt19937_64 rng(123);
  for (int i = 0; i < 5000; ++i) {
    const auto hp = space.sample(rng);
    ASSERT_TRUE(space.contains(hp));
    const auto units = std::get<std::int64_t>(hp.at("units"));
    EXPECT_GE(units, 10);
    EXPECT_LE(units, 1000);
    const double lr = std::get<double>(hp.at("lr"));
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 0.1);
    const double mom = std::get<double>(hp.at("mom"));
    EXPECT_GE(mom, 0.5);
    EXPECT_LT(mom, 0.999 + 1e-15);
    const auto& act = std::get<std::string>(hp.at("act"));
    EXPECT_TRUE(act == "relu" || act == "tanh");
  }
}

TEST(SearchSpace, log_sampling_median_is_near_the_geometric_mean) {
  SearchSpace space({continuous("lr", 1e-4, 1, ScalingType::Logarithmic)});
  const double m = median(draws(space, "lr", 20001));
  EXPECT_NEAR(std::log10(m), -2.0, 0.05);  // sqrt(1e-4 * 1) = 1e-2
  SearchSpace linear({continuous("lr", 1e-4, 1, ScalingType::Linear)});
  EXPECT_NEAR(median(draws(linear, "lr", 20001)), 0.5, 0.02);
}

TEST(SearchSpace, reverse_log_sampling_crowds_towards_one) {
  SearchSpace space({continuous("beta", 0, 0.999, ScalingType::ReverseLogarithmic)});
  const auto xs = draws(space, "beta", 20001);
  // Uniform in t = -log(1 - x) over [0, log 1000]: the median is 1 - 1000^-1/2 = 0.968.
  EXPECT_NEAR(median(xs), 1.0 - 1.0 / std::sqrt(1000.0), 0.005);
  const auto above = std::count_if(xs.begin(), xs.end(), [](double x) { return x >= 0.99; });
  // P(x >= 0.99) = (log 1000 - log 100) / log 1000 = 1/3.
  EXPECT_NEAR(static_cast<double>(above) / static_cast<double>(xs.size()), 1.0 / 3.0, 0.02);
}

TEST(SearchSpace, linear_integer_sampling_gives_each_value_equal_mass) {
  SearchSpace space({integer("k", 0, 3)});
  std::mt19937_64 rng(5);
  std::map<std::int64_t, int> counts;
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++counts[std::get<std::int64_t>(space.sample(rng).at("k"))];
  ASSERT_EQ(counts.size(), 4U);
  for (const auto& [k, c] : counts) EXPECT_NEAR(c / double(n), 0.25, 0.01) << k;
}

TEST(SearchSpace, log_integer_sampling_gives_each_value_its_log_cell_mass) {
  SearchSpace space({integer("k", 1, 1000, ScalingType::Logarithmic)});
  std::mt19937_64 rng(9);
  const int n = 40000;
  int ones = 0;
  int twos = 0;
  for (int i = 0; i < n; ++i) {
    const auto k = std::get<std::int64_t>(space.sample(rng).at("k"));
    ones += k == 1;
    twos += k == 2;
  }
  const double total = std::log(1000.5 / 0.5);
  EXPECT_NEAR(ones / double(n), std::log(1.5 / 0.5) / total, 0.01);
  EXPECT_NEAR(twos / double(n), std::log(2.5 / 1.5) / total, 0.01);
}

TEST(SearchSpace, same_seed_gives_the_same_sequence) {
  SearchSpace space({integer("units", 10, 1000, ScalingType::Logarithmic),
                     continuous("lr", 1e-4, 0.1, ScalingType::Logarithmic),
                     categorical("act", {"relu", "tanh", "gelu"})});
  std::mt19937_64 a(42);
  std::mt19937_64 b(42);
  std::mt19937_64 c(43);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = space.sample(a);
    EXPECT_EQ(x, space.sample(b));
    any_difference = any_difference || x != space.sample(c);
  }
  EXPECT_TRUE(any_difference);
}

TEST(SearchSpace, one_draw_per_range_in_range_order) {
  SearchSpace space({continuous("x", 0, 1), continuous("y", 0, 1)});
  std::mt19937_64 rng(7);
  std::mt19937_64 raw(7);
  const auto hp = space.sample(rng);
  EXPECT_DOUBLE_EQ(std::get<double>(hp.at("x")), static_cast<double>(raw() >> 11) * 0x1.0p-53);
  EXPECT_DOUBLE_EQ(std::get<double>(hp.at("y")), static_cast<double>(raw() >> 11) * 0x1.0p-53);
}

TEST(SearchSpace, contains_checks_presence_bounds_and_categories) {
  SearchSpace space({integer("k", 1, 5), continuous("x", 0, 1), categorical("c", {"a", "b"})});
  const HyperParameters good = {
      {"k", std::int64_t{3}}, {"x", 0.5}, {"c", std::string("a")}, {"epochs", std::int64_t{9}}};
  EXPECT_TRUE(space.contains(good));
  auto bad = good;
  bad["k"] = std::int64_t{6};
  EXPECT_FALSE(space.contains(bad));
  bad = good;
  bad["k"] = 2.5;
  EXPECT_FALSE(space.contains(bad));
  bad = good;
  bad["x"] = 1.5;
  EXPECT_FALSE(space.contains(bad));
  bad = good;
  bad["c"] = std::string("z");
  EXPECT_FALSE(space.contains(bad));
  bad = good;
  bad.erase("x");
  EXPECT_FALSE(space.contains(bad));
}

TEST(SearchSpace, encode_rejects_missing_or_outside_values) {
  SearchSpace space({integer("k", 1, 5), categorical("c", {"a"})});
  EXPECT_THROW((void)space.encode({{"c", std::string("a")}}), InputError);
  EXPECT_THROW((void)space.encode({{"k", std::int64_t{9}}, {"c", std::string("a")}}), InputError);
  EXPECT_THROW((void)space.encode({{"k", std::int64_t{1}}, {"c", std::string("b")}}), InputError);
}

std::string issues_text(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += i.to_string() + "\n";
  return out;
}

TEST(RangeIssues, logarithmic_needs_a_positive_lower_bound) {
  const auto issues = range_issues(continuous("lr", 0, 1, ScalingType::Logarithmic), "R[1]");
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues[0].path, "R[1].MinValue");
  EXPECT_EQ(issues[0].message,
            "\"0\" must be > 0 for Logarithmic scaling; use Linear or a positive lower bound");
  EXPECT_EQ(range_issues(integer("k", 0, 10, ScalingType::Logarithmic), "R").size(), 1U);
  EXPECT_TRUE(range_issues(integer("k", 1, 10, ScalingType::Logarithmic), "R").empty());
}

TEST(RangeIssues, reverse_logarithmic_is_continuous_only_within_zero_one) {
  auto issues = range_issues(integer("k", 0, 0, ScalingType::ReverseLogarithmic), "R");
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues[0].path, "R.ScalingType");
  issues = range_issues(continuous("b", -0.1, 1.0, ScalingType::ReverseLogarithmic), "R");
  ASSERT_EQ(issues.size(), 2U) << issues_text(issues);
  EXPECT_EQ(issues[0].path, "R.MinValue");
  EXPECT_EQ(issues[1].path, "R.MaxValue");
  EXPECT_TRUE(
      range_issues(continuous("b", 0.0, 0.999, ScalingType::ReverseLogarithmic), "R").empty());
}

TEST(RangeIssues, bounds_must_be_ordered_and_integers_integral) {
  EXPECT_EQ(range_issues(integer("k", 5, 4), "R").at(0).path, "R.MinValue");
  EXPECT_TRUE(range_issues(integer("k", 5, 5), "R").empty());  // one value is allowed
  EXPECT_EQ(range_issues(continuous("x", 1, 1), "R").size(), 1U);
  EXPECT_EQ(range_issues(continuous("x", 2, 1), "R").size(), 1U);
  const auto issues = range_issues(integer("k", 1.5, 4), "R");
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_NE(issues[0].message.find("not an integer"), std::string::npos);
  EXPECT_EQ(range_issues(categorical("c", {}), "R").size(), 1U);
  EXPECT_EQ(range_issues(categorical("c", {"a", "a"}), "R").at(0).path, "R.Values[1]");
}

TEST(SearchSpace, constructor_rejects_duplicate_names_and_bad_ranges) {
  EXPECT_THROW(SearchSpace({integer("a", 1, 2), continuous("a", 0, 1)}), ConfigError);
  EXPECT_THROW(SearchSpace({continuous("a", 0, 1, ScalingType::Logarithmic)}), ConfigError);
  EXPECT_NO_THROW(SearchSpace({integer("a", 1, 2), continuous("b", 0, 1)}));
  SearchSpace space({integer("a", 1, 2), continuous("b", 0, 1)});
  ASSERT_NE(space.find("b"), nullptr);
  EXPECT_EQ(space.find("b")->kind, ParamKind::Continuous);
  EXPECT_EQ(space.find("zz"), nullptr);
}

TEST(SearchSpace, grid_enumerates_every_combination_last_range_fastest) {
  const SearchSpace space({categorical("a", {"x", "y"}), categorical("b", {"1", "2", "3"})});
  ASSERT_EQ(space.grid_size(), 6U);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"x", "1"}, {"x", "2"}, {"x", "3"}, {"y", "1"}, {"y", "2"}, {"y", "3"}};
  for (std::uint64_t i = 0; i < 6; ++i) {
    const HyperParameters hp = space.grid_point(i);
    EXPECT_EQ(get_string(hp, "a"), expected[i].first) << i;
    EXPECT_EQ(get_string(hp, "b"), expected[i].second) << i;
    EXPECT_TRUE(space.contains(hp));
  }
  EXPECT_THROW((void)space.grid_point(6), std::out_of_range);
}

TEST(SearchSpace, grid_size_is_zero_without_a_finite_grid) {
  EXPECT_EQ(SearchSpace().grid_size(), 0U);
  EXPECT_EQ(SearchSpace({categorical("a", {"x"}), integer("n", 1, 3)}).grid_size(), 0U);
  EXPECT_EQ(SearchSpace({categorical("a", {"x"})}).grid_size(), 1U);
}

TEST(SearchSpace, grid_size_saturates) {
  std::vector<ParamRange> ranges;
  std::vector<std::string> values;
  for (int i = 0; i < 30; ++i) values.push_back(std::to_string(i));
  for (int i = 0; i < 30; ++i) ranges.push_back(categorical("c" + std::to_string(i), values));
  EXPECT_EQ(SearchSpace(ranges).grid_size(), UINT64_MAX);
}

}  // namespace
}  // namespace rung
