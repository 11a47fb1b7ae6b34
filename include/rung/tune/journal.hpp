// The journal: an append-only log of every assignment, report and decision, one JSON object
// per line (rung/tune/journal_event.hpp), written to disk (fdatasync) by commit() before the
// coordinator acts on the events: the events that arrive together share one sync (group
// commit). It is the run's source of truth; results files are derived from it.
// Each line carries its length and CRC-32 (rung/tune/journal_record.hpp), so a record cut
// short by a crash is recognised and never trusted.
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
  // Continues the journal at `path` (a resumed run): cuts it to its first `keep_bytes` bytes
  // (the verified records; a torn last record goes) and appends after them.
  [[nodiscard]] static Journal continue_at(const std::string& path, long long keep_bytes,
                                           bool is_durable = true);
  ~Journal() noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;

  // Appends one event (a JSON object without the trailing newline), framed with its length
  // and checksum. It is durable after the next commit(). Throws Error when the write fails.
  void append(const std::string& json_line);
  // Makes every appended event durable (durable journal: flushed and fdatasync'ed once for
  // all of them; buffered journal: nothing). Throws Error when that fails: the coordinator
  // must not act unrecorded.
  void commit();
  // Writes buffered lines to the operating system. Throws Error when that fails.
  void flush();
  [[nodiscard]] long long syncs() const noexcept { return syncs_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] long long records() const noexcept { return records_; }

 private:
  Journal(std::string path, bool is_durable, std::FILE* file);

  std::string path_;
  std::FILE* file_ = nullptr;
  long long records_ = 0;
  long long syncs_ = 0;
  bool has_unsynced_ = false;
  bool is_durable_ = true;
};

}  // namespace rung
