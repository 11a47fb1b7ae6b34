#include "rung/tune/journal_record.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>

#include "rung/config/error.hpp"

namespace rung {
namespace {

constexpr std::string_view kLenKey = ",\"len\":";
constexpr std::string_view kCrcKey = ",\"crc\":\"";

std::string hex8(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) noexcept {
  // zlib's length is a uInt: a journal record is far below 4 GiB, but feed it in pieces.
  uLong c = ::crc32(0L, Z_NULL, 0);
  while (!bytes.empty()) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1U << 30));
    c = ::crc32(c, reinterpret_cast<const Bytef*>(bytes.data()), n);
    bytes.remove_prefix(n);
  }
  return static_cast<std::uint32_t>(c);
}

std::string frame_record(std::string_view json) {
  // The body must be an object with at least one key, so that `,"len":` extends it validly.
  if (json.size() < 3 || json.front() != '{' || json.back() != '}' ||
      json.find('\n') != std::string_view::npos) {
    throw Error("journal event is not a one-line, non-empty JSON object: " + std::string(json));
  }
  const std::string_view body = json.substr(0, json.size() - 1);
  std::string line(body);
  line += kLenKey;
  line += std::to_string(body.size());
  line += kCrcKey;
  line += hex8(crc32(body));
  line += "\"}\n";
  return line;
}

RecordCheck verify_record(std::string_view line) {
  RecordCheck check;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  // The framing keys are the record's last: a `,"len":` inside a value comes earlier.
  const std::size_t len_at = line.rfind(kLenKey);
  if (len_at == std::string_view::npos) {
    check.problem = "no length and checksum (not a complete journal record)";
    return check;
  }
  std::size_t pos = len_at + kLenKey.size();
  std::size_t length = 0;
  const std::size_t digits_at = pos;
  while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && pos - digits_at < 12) {
    length = length * 10 + static_cast<std::size_t>(line[pos] - '0');
    ++pos;
  }
  const bool has_tail = pos > digits_at && line.substr(pos, kCrcKey.size()) == kCrcKey &&
                        line.size() == pos + kCrcKey.size() + 8 + 2 &&
                        line.substr(line.size() - 2) == "\"}";
  if (!has_tail) {
    check.problem = "malformed length/checksum keys (a record cut short?)";
    return check;
  }
  if (length != len_at) {
    check.problem = "length mismatch (record says " + std::to_string(length) + " bytes, body has " +
                    std::to_string(len_at) + ")";
    return check;
  }
  const std::string_view body = line.substr(0, len_at);
  const std::string stored(line.substr(pos + kCrcKey.size(), 8));
  const std::string actual = hex8(crc32(body));
  if (stored != actual) {
    check.problem = "checksum mismatch (record says " + stored + ", body has " + actual + ")";
    return check;
  }
  check.is_valid = true;
  check.event.assign(body);
  check.event += '}';
  return check;
}

}  // namespace rung
