#include "rung/tune/journal_record.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rung/config/error.hpp"

namespace rung {
namespace {

TEST(JournalRecord, crc32_matches_the_ieee_check_value) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926U);  // the standard CRC-32 check value
  EXPECT_EQ(crc32(""), 0U);
}

TEST(JournalRecord, frame_appends_length_and_checksum_of_the_body_and_stays_json) {
  const std::string line = frame_record(R"({"t":1,"event":"x"})");
  const std::string body = R"({"t":1,"event":"x")";
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", crc32(body));
  EXPECT_EQ(line, body + ",\"len\":" + std::to_string(body.size()) + ",\"crc\":\"" + crc + "\"}\n");
  const RecordCheck check = verify_record(line);
  ASSERT_TRUE(check.is_valid) << check.problem;
  EXPECT_EQ(check.event, R"({"t":1,"event":"x"})");
}

TEST(JournalRecord, a_len_key_inside_the_event_does_not_confuse_verification) {
  const std::string event = R"({"t":1,"event":"report","metrics":{"len":3,"crc":"zz"}})";
  const RecordCheck check = verify_record(frame_record(event));
  ASSERT_TRUE(check.is_valid) << check.problem;
  EXPECT_EQ(check.event, event);
}

TEST(JournalRecord, every_cut_and_every_flipped_byte_is_detected) {
  const std::string line = frame_record(R"({"t":0.25,"event":"start","trial":3,"name":"j-004"})");
  for (std::size_t cut = 0; cut + 1 < line.size(); ++cut) {
    EXPECT_FALSE(verify_record(line.substr(0, cut)).is_valid) << "cut at " << cut;
  }
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    std::string damaged = line;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x04);
    EXPECT_FALSE(verify_record(damaged).is_valid) << "flipped byte " << i << ": " << damaged;
  }
}

TEST(JournalRecord, problems_say_what_is_wrong) {
  EXPECT_NE(verify_record(R"({"t":1})").problem.find("no length"), std::string::npos);
  std::string wrong_len = frame_record(R"({"t":1})");
  wrong_len.replace(wrong_len.find("\"len\":") + 6, 1, "9");
  EXPECT_NE(verify_record(wrong_len).problem.find("length mismatch"), std::string::npos);
}

TEST(JournalRecord, frame_refuses_what_is_not_a_one_line_object) {
  EXPECT_THROW((void)frame_record("{}"), Error);
  EXPECT_THROW((void)frame_record("[1]"), Error);
  EXPECT_THROW((void)frame_record("{\"a\":\n1}"), Error);
}

}  // namespace
}  // namespace rung
