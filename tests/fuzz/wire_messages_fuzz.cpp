// Wire messages as the MPI transport receives them (rung/comm/messages.hpp): the first byte
// of the input says which direction's decoder reads the rest. Bad bytes must be an MpiError;
// a message that decodes must hold only values its enums name, and encode back to bytes that
// decode to the same message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rung/comm/messages.hpp"

namespace {

void check_enums(const rung::ToWorker& msg) {
  if (const auto* d = std::get_if<rung::DecisionMsg>(&msg);
      d != nullptr && d->verdict > rung::Verdict::Complete) {
    rung::fuzz::fail("wire message", "decoded a verdict no decision has: " +
                                         std::to_string(static_cast<int>(d->verdict)));
  }
}

void check_enums(const rung::FromWorkerBody& msg) {
  if (const auto* r = std::get_if<rung::TrialReleased>(&msg);
      r != nullptr && r->outcome > rung::TrialOutcome::Failed) {
    rung::fuzz::fail("wire message", "decoded an outcome no release has: " +
                                         std::to_string(static_cast<int>(r->outcome)));
  }
}

template <class Decode>
void round_trip(const std::string& bytes, Decode decode) {
  const auto message = decode(bytes);
  check_enums(message);
  const std::string encoded = rung::encode(message);
  const std::string again = rung::encode(decode(encoded));
  if (again != encoded) rung::fuzz::fail("wire message", "does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  rung::fuzz::expect_rung_errors("wire message", [&] {
    if (data[0] & 1) {
      round_trip(bytes, [](const std::string& b) { return rung::decode_from_worker(b); });
    } else {
      round_trip(bytes, [](const std::string& b) { return rung::decode_to_worker(b); });
    }
  }, "malformed message");
  return 0;
}
