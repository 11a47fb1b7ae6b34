#include "rung/config/hyperparameters.hpp"

#include <gtest/gtest.h>

#include "rung/config/error.hpp"

namespace rung {
namespace {

TEST(ParamValue, text_is_read_as_int_then_real_then_string) {
  EXPECT_EQ(parse_param_value("10"), ParamValue(std::int64_t{10}));
  EXPECT_EQ(parse_param_value("-3"), ParamValue(std::int64_t{-3}));
  EXPECT_EQ(parse_param_value("0.5"), ParamValue(0.5));
  EXPECT_EQ(parse_param_value("1e-3"), ParamValue(1e-3));
  EXPECT_EQ(parse_param_value("10.0"), ParamValue(10.0));
  EXPECT_EQ(parse_param_value("relu"), ParamValue(std::string("relu")));
  EXPECT_EQ(parse_param_value("nan"), ParamValue(std::string("nan")));
  EXPECT_EQ(parse_param_value(""), ParamValue(std::string()));
  EXPECT_EQ(parse_param_value(" 5"), ParamValue(std::string(" 5")));
}

TEST(ParamValue, to_string_round_trips_value_and_kind) {
  for (const ParamValue& v :
       {ParamValue(std::int64_t{42}), ParamValue(1.0), ParamValue(0.1), ParamValue(1e-6),
        ParamValue(123456.789), ParamValue(1.0 / 3.0), ParamValue(std::string("tanh"))}) {
    EXPECT_EQ(parse_param_value(to_string(v)), v) << to_string(v);
  }
  EXPECT_EQ(to_string(ParamValue(0.1)), "0.1");
  EXPECT_EQ(to_string(ParamValue(2.0)), "2.0");
  EXPECT_EQ(to_string(ParamValue(std::int64_t{2})), "2");
}

TEST(HyperParameters, typed_lookups_convert_or_name_the_problem) {
  const HyperParameters hp = {
      {"units", std::int64_t{64}},  {"lr", 0.01},  {"epochs", std::string("9")},
      {"act", std::string("relu")}, {"half", 2.5}, {"whole", 3.0}};
  EXPECT_EQ(get_int(hp, "units"), 64);
  EXPECT_DOUBLE_EQ(get_double(hp, "units"), 64.0);
  EXPECT_DOUBLE_EQ(get_double(hp, "lr"), 0.01);
  EXPECT_EQ(get_int(hp, "epochs"), 9);
  EXPECT_EQ(get_int(hp, "whole"), 3);
  EXPECT_EQ(get_string(hp, "act"), "relu");
  EXPECT_EQ(get_string(hp, "units"), "64");
  EXPECT_EQ(get_int_or(hp, "missing", 7), 7);
  EXPECT_DOUBLE_EQ(get_double_or(hp, "missing", 0.5), 0.5);
  EXPECT_THROW((void)get_int(hp, "half"), InputError);
  EXPECT_THROW((void)get_double(hp, "act"), InputError);
  EXPECT_THROW((void)get_int_or(hp, "act", 1), InputError);
  try {
    (void)get_int(hp, "missing");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("\"missing\""), std::string::npos);
  }
}

TEST(ConfigIssue, prints_path_message_and_position) {
  EXPECT_EQ((ConfigIssue{"A.B", "bad", 3, 7}).to_string(), "A.B: bad (line 3, column 7)");
  EXPECT_EQ((ConfigIssue{"A.B", "bad"}).to_string(), "A.B: bad");
  const ConfigError e({ConfigIssue{"A", "one"}, ConfigIssue{"B", "two", 2, 1}});
  EXPECT_EQ(e.issues().size(), 2U);
  EXPECT_STREQ(e.what(), "A: one\nB: two (line 2, column 1)");
}

}  // namespace
}  // namespace rung
