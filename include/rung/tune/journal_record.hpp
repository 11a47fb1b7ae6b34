// One journal record on disk: an event's JSON object with its own length and checksum as its
// last two keys, `{...event fields...,"len":L,"crc":"hhhhhhhh"}` and a newline. The body B is
// every byte before `,"len":`; L is B's length in bytes and crc the CRC-32 (IEEE, as zlib) of
// B in lowercase hex. The line stays plain JSON for jq and pandas; rung's readers use the two
// keys to tell a complete record from one cut short by a crash, or damaged later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rung {

// CRC-32 with the IEEE 802.3 polynomial: zlib's crc32().
[[nodiscard]] std::uint32_t crc32(std::string_view bytes) noexcept;

// The record line (newline included) for an event object `json` ("{...}" with at least one
// key). Throws Error when `json` is not such an object.
[[nodiscard]] std::string frame_record(std::string_view json);

// What verify_record found. On success `event` is the event object as it was framed (body
// plus the closing brace, the two framing keys left out).
struct RecordCheck {
  bool is_valid = false;
  std::string problem;  // why not, e.g. "checksum mismatch (record says 1a2b3c4d, body has ...)"
  std::string event;
};

// Checks one line (with or without its trailing newline) against its length and checksum.
[[nodiscard]] RecordCheck verify_record(std::string_view line);

}  // namespace rung
