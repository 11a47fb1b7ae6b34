// Every file rung writes under a final name goes through here: it is written under a
// temporary name beside its target (<name>.tmp.<pid>), flushed to disk, renamed into place,
// and the directory synced, so a reader (or a run after a crash) sees the old file or the
// whole new one, never a part.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace rung {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  // Removes the temporary file when commit() did not run (or failed).
  ~AtomicFile() noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
  // Where to write the content (the caller opens, writes and closes it).
  [[nodiscard]] const std::filesystem::path& temp_path() const noexcept { return temp_; }
  // fsync of the temporary file, rename onto the target, fsync of the directory. Throws
  // Error naming the file and the step on failure (the temporary file is then removed).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool is_committed_ = false;
};

// Writes `content` to `path` through an AtomicFile. Throws Error naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace rung
