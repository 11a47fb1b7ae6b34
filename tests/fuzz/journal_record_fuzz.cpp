// One journal record (rung/tune/journal_record.hpp) and one event (journal_event.hpp):
// verify_record on the raw line, then parse_event, strictly (resume) and leniently (status,
// report), on the line itself so that the fuzzer need not forge CRCs to reach the parser.
// Errors must be rung::Error; an event that parses must survive to_json and parse again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "rung/tune/journal_event.hpp"
#include "rung/tune/journal_record.hpp"

namespace {

void parse_and_round_trip(std::string_view json, rung::EventParse mode) {
  const rung::JournalEvent event = rung::parse_event(json, mode);
  const std::string written = rung::to_json(event);
  // What rung writes, every reader takes back: strictly, and to the same text.
  rung::JournalEvent again;
  try {
    again = rung::parse_event(written, rung::EventParse::Strict);
  } catch (const rung::Error& e) {
    if (std::holds_alternative<rung::UnknownEvent>(event)) return;  // a kind-less "unknown"
    rung::fuzz::fail("journal event", std::string("rung's own line is refused: ") + e.what() +
                                          "\n" + written);
  }
  if (rung::to_json(again) != written) {
    rung::fuzz::fail("journal event", "does not round-trip:\n" + written + "\n" +
                                          rung::to_json(again));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const rung::RecordCheck check = rung::verify_record(line);
  if (check.is_valid != check.problem.empty()) {
    rung::fuzz::fail("journal record", "is_valid and problem disagree");
  }
  const std::string_view json = check.is_valid ? std::string_view(check.event) : line;
  rung::fuzz::expect_rung_errors("journal event (strict)",
                                 [&] { parse_and_round_trip(json, rung::EventParse::Strict); },
                                 "journal event");
  rung::fuzz::expect_rung_errors("journal event (lenient)",
                                 [&] { parse_and_round_trip(json, rung::EventParse::Lenient); },
                                 "journal event");
  // Framing whatever was read: frame_record refuses what is not a one-line object.
  rung::fuzz::expect_rung_errors("frame_record", [&] {
    const std::string framed = rung::frame_record(json);
    const rung::RecordCheck back = rung::verify_record(framed);
    if (!back.is_valid || back.event != json) {
      rung::fuzz::fail("journal record", "a framed record does not verify: " + back.problem);
    }
  });
  return 0;
}
