#include "rung/config/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "rung/config/error.hpp"

namespace rung {
namespace {

namespace fs = std::filesystem;

// fsync of a file, or of a directory (best effort: some file systems cannot open one).
void sync_path(const fs::path& path, bool is_directory) {
  const int fd = ::open(path.c_str(), (is_directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (is_directory) return;
    throw Error("cannot open " + path.string() + " to flush it: " + std::strerror(errno));
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && !is_directory) {
    throw Error("cannot flush " + path.string() + " to disk: " + std::strerror(err));
  }
}

}  // namespace

AtomicFile::AtomicFile(fs::path target)
    : target_(std::move(target)),
      temp_(target_.string() + ".tmp." + std::to_string(::getpid())) {}

AtomicFile::~AtomicFile() noexcept {
  if (is_committed_) return;
  std::error_code ec;
  fs::remove(temp_, ec);
}

void AtomicFile::commit() {
  sync_path(temp_, false);
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) {
    throw Error("cannot rename " + temp_.string() + " to " + target_.string() + ": " +
                ec.message());
  }
  is_committed_ = true;
  const fs::path parent = target_.parent_path();
  sync_path(parent.empty() ? fs::path(".") : parent, true);  // makes the rename durable
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      throw Error("cannot write " + file.temp_path().string() + ": " + std::strerror(errno));
    }
  }
  file.commit();
}

}  // namespace rung
