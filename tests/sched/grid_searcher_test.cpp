#include "rung/sched/grid_searcher.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rung/config/error.hpp"

namespace rung {
namespace {

ParamRange categorical(const std::string& name, std::vector<std::string> values) {
  return ParamRange{name, ParamKind::Categorical, 0, 1, ScalingType::Auto, std::move(values)};
}

HyperParameters hp(std::initializer_list<std::pair<const std::string, std::string>> values) {
  HyperParameters out;
  for (const auto& [k, v] : values) out[k] = v;
  return out;
}

TEST(GridSearcher, enumerates_every_combination_once_first_range_slowest_then_ends) {
  GridSearcher g(SearchSpace(
      {categorical("opt", {"sgd", "adam"}), categorical("act", {"relu", "tanh", "gelu"})}));
  EXPECT_EQ(g.size(), 6u);
  const std::vector<HyperParameters> expected = {
      hp({{"opt", "sgd"}, {"act", "relu"}}),  hp({{"opt", "sgd"}, {"act", "tanh"}}),
      hp({{"opt", "sgd"}, {"act", "gelu"}}),  hp({{"opt", "adam"}, {"act", "relu"}}),
      hp({{"opt", "adam"}, {"act", "tanh"}}), hp({{"opt", "adam"}, {"act", "gelu"}}),
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto x = g.suggest(static_cast<TrialId>(i));
    ASSERT_TRUE(x.has_value()) << i;
    EXPECT_EQ(*x, expected[i]) << i;
  }
  EXPECT_EQ(g.proposed(), 6u);
  for (TrialId t = 6; t < 10; ++t) EXPECT_EQ(g.suggest(t), std::nullopt);
}

TEST(GridSearcher, keeps_the_values_in_the_order_written_not_sorted) {
  GridSearcher g(SearchSpace({categorical("b", {"z", "a", "m"}), categorical("a", {"2", "1"})}));
  std::vector<std::string> seen;
  while (const auto x = g.suggest(0)) {
    seen.push_back(std::get<std::string>(x->at("b")) + std::get<std::string>(x->at("a")));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"z2", "z1", "a2", "a1", "m2", "m1"}));
}

TEST(GridSearcher, enumerates_a_three_range_grid_without_repeats) {
  GridSearcher g(SearchSpace({categorical("x", {"1", "2", "3"}), categorical("y", {"a"}),
                              categorical("z", {"p", "q", "r", "s"})}));
  EXPECT_EQ(g.size(), 12u);
  std::set<HyperParameters> seen;
  std::vector<HyperParameters> order;
  while (const auto x = g.suggest(0)) {
    EXPECT_TRUE(seen.insert(*x).second) << "repeated";
    order.push_back(*x);
  }
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(order.front(), hp({{"x", "1"}, {"y", "a"}, {"z", "p"}}));
  EXPECT_EQ(order[4], hp({{"x", "2"}, {"y", "a"}, {"z", "p"}}));
  EXPECT_EQ(order.back(), hp({{"x", "3"}, {"y", "a"}, {"z", "s"}}));
}

TEST(GridSearcher, does_not_retry_failed_or_stopped_trials) {
  GridSearcher g(SearchSpace({categorical("x", {"1", "2", "3"})}));
  const auto a = g.suggest(0);
  g.observe(0, 1, 0.5);
  g.on_trial_end(0, TrialEnd::Failed);
  const auto b = g.suggest(1);
  g.on_trial_end(1, TrialEnd::Stopped);
  const auto c = g.suggest(2);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(std::set<HyperParameters>({*a, *b, *c}).size(), 3u);
  EXPECT_EQ(g.suggest(3), std::nullopt);
}

TEST(GridSearcher, refuses_a_non_categorical_range_naming_it) {
  try {
    GridSearcher g(SearchSpace(
        {categorical("act", {"relu"}),
         ParamRange{"lr", ParamKind::Continuous, 1e-4, 1e-1, ScalingType::Logarithmic, {}}}));
    ADD_FAILURE() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "HyperParameterTuningJobConfig.ParameterRanges");
    EXPECT_NE(e.issues()[0].message.find("\"lr\""), std::string::npos);
    EXPECT_NE(e.issues()[0].message.find("categorical ranges only"), std::string::npos);
  }
}

TEST(GridSearcher, refuses_an_empty_space) {
  EXPECT_THROW(GridSearcher(SearchSpace{}), ConfigError);
}

TEST(GridSearcher, is_named_grid) {
  EXPECT_EQ(GridSearcher(SearchSpace({categorical("x", {"1"})})).name(), "Grid");
}

}  // namespace
}  // namespace rung
