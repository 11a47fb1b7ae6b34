// The journal: an append-only log of every assignment, report and decision, one JSON object
// per line, flushed to the operating system and to disk (fdatasync) before the coordinator
// acts on the event. It is the run's source of truth; results files are derived from it.
#pragma once

#include <cstdio>
#include <string>

namespace rung {

class Journal {
 public:
  // Creates `path` (it must not exist: a journal is never overwritten). is_durable false
  // (the simulator, which replays and can always rerun): lines are buffered, not synced per
  // event; call flush() before reading the file.
  explicit Journal(const std::string& path, bool is_durable = true);
  ~Journal() noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one line (a JSON object without the trailing newline) and makes it durable.
  // Throws Error when the write or flush fails: the coordinator must not act unrecorded.
  void append(const std::string& json_line);
  // Writes buffered lines to the operating system. Throws Error when that fails.
  void flush();
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] long long records() const noexcept { return records_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  long long records_ = 0;
  bool is_durable_ = true;
};

}  // namespace rung
