// Whole journals, as `rung status` (replay_journal: framed records, CRC-checked) and
// `rung report` (report::replay_history: lines parsed leniently) read them. The first byte
// chooses how the rest becomes a journal: as is (odd), or with each line framed with its
// true length and CRC (even) so that the fuzzer reaches the replay behind the checksums.
// A damaged journal must be an InputError naming the file and the line; a torn last record
// is no error at all.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "rung/config/error.hpp"
#include "rung/report/run_history.hpp"
#include "rung/tune/journal_reader.hpp"
#include "rung/tune/journal_record.hpp"

namespace {

constexpr const char* kSource = "fuzz/journal.jsonl";

// Frames every line that frame_record takes; keeps the others (and a last line without its
// newline) as they are.
std::string frame_lines(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      out += text;
      break;
    }
    const std::string_view line = text.substr(0, newline);
    try {
      out += rung::frame_record(line);
    } catch (const rung::Error&) {
      out += line;
      out += '\n';
    }
    text.remove_prefix(newline + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string journal = (data[0] & 1) ? std::string(rest) : frame_lines(rest);
  rung::fuzz::expect_rung_errors("journal (rung status)", [&] {
    std::istringstream in(journal);
    const rung::JournalSnapshot snapshot = rung::replay_journal(in, kSource);
    (void)snapshot.count(rung::JournalTrialState::Running);
  }, kSource, " line ");
  rung::fuzz::expect_rung_errors("journal (rung report)", [&] {
    std::istringstream in(journal);
    const rung::report::RunHistory history = rung::report::replay_history(in, kSource);
    (void)history;
  }, kSource, " line ");
  return 0;
}
