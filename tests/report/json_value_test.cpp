#include "rung/report/json_value.hpp"

#include <gtest/gtest.h>

namespace rung::report {
namespace {

TEST(JsonValue, parses_a_journal_line_with_nested_objects) {
  const auto v = parse_json(
      R"({"t":1.5,"event":"report","trial":3,"metrics":{"validation:accuracy":0.91,"loss":null},)"
      R"("ok":true,"rungs":[1,3,9],"name":"a\"b\u00e9\n"})");
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->number_or("t", 0), 1.5);
  EXPECT_EQ(v->text_or("event", ""), "report");
  EXPECT_EQ(v->integer_or("trial", -1), 3);
  EXPECT_DOUBLE_EQ(v->find("metrics")->number_or("validation:accuracy", 0), 0.91);
  EXPECT_TRUE(v->find("metrics")->find("loss")->is_null());
  EXPECT_EQ(v->find("rungs")->items().size(), 3u);
  EXPECT_EQ(v->text_or("name", ""), "a\"b\xc3\xa9\n");
  EXPECT_EQ(v->find("absent"), nullptr);
  EXPECT_EQ(v->integer_or("event", 7), 7);  // wrong kind: the fallback
}

TEST(JsonValue, rejects_truncated_and_trailing_text) {
  std::string error;
  EXPECT_FALSE(parse_json(R"({"t":1,"event":"rep)", &error));
  EXPECT_NE(error.find("unterminated"), std::string::npos) << error;
  EXPECT_FALSE(parse_json(R"({"t":1} x)"));
  EXPECT_FALSE(parse_json(R"({"t":})"));
  EXPECT_FALSE(parse_json(R"({"t":1,})"));
  EXPECT_FALSE(parse_json("[1,2"));
  EXPECT_FALSE(parse_json("{'t':1}"));
}

TEST(JsonValue, numbers_in_json_forms) {
  EXPECT_DOUBLE_EQ(parse_json("-1.25e-3")->number(), -1.25e-3);
  EXPECT_DOUBLE_EQ(parse_json("0")->number(), 0);
  EXPECT_FALSE(parse_json("1."));
  EXPECT_FALSE(parse_json("NaN"));
}

TEST(JsonValue, deep_nesting_is_refused_not_a_crash) {
  const std::string deep(10000, '[');
  EXPECT_FALSE(parse_json(deep));
}

}  // namespace
}  // namespace rung::report
