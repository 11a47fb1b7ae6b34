#include "rung/tune/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rung/config/error.hpp"
#include "rung/tune/journal_record.hpp"

namespace rung {
namespace {

std::FILE* open_stream(int fd, const std::string& path) {
  std::FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) {
    const int err = errno;
    ::close(fd);
    throw Error("cannot open journal " + path + ": " + std::strerror(err));
  }
  return file;
}

}  // namespace

Journal::Journal(const std::string& path, bool is_durable) : path_(path), is_durable_(is_durable) {
  // O_EXCL: an existing journal belongs to another run and is never overwritten.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InputError("cannot create journal " + path + ": " + std::strerror(errno));
  }
  file_ = open_stream(fd, path);
}

Journal::Journal(std::string path, bool is_durable, std::FILE* file)
    : path_(std::move(path)), file_(file), is_durable_(is_durable) {}

Journal Journal::continue_at(const std::string& path, long long keep_bytes, bool is_durable) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open journal " + path + ": " + std::strerror(errno));
  // The cut is made durable before anything is appended after it.
  if (::ftruncate(fd, static_cast<off_t>(keep_bytes)) != 0 || ::fdatasync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error("cannot cut journal " + path +
                " to its last complete record: " + std::strerror(err));
  }
  return Journal(path, is_durable, open_stream(fd, path));
}

Journal::Journal(Journal&& other) noexcept
    : path_(std::move(other.path_)),
      file_(other.file_),
      records_(other.records_),
      syncs_(other.syncs_),
      has_unsynced_(other.has_unsynced_),
      is_durable_(other.is_durable_) {
  other.file_ = nullptr;
}

Journal::~Journal() noexcept {
  if (file_ != nullptr) std::fclose(file_);
}

void Journal::append(const std::string& json_line) {
  const std::string record = frame_record(json_line);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) {
    throw Error("cannot write journal " + path_ + ": " + std::strerror(errno));
  }
  ++records_;
  has_unsynced_ = true;
}

void Journal::commit() {
  if (!is_durable_ || !has_unsynced_) return;
  if (std::fflush(file_) != 0 || ::fdatasync(::fileno(file_)) != 0) {
    throw Error("cannot write journal " + path_ + ": " + std::strerror(errno));
  }
  has_unsynced_ = false;
  ++syncs_;
}

void Journal::flush() {
  if (std::fflush(file_) != 0) {
    throw Error("cannot write journal " + path_ + ": " + std::strerror(errno));
  }
}

}  // namespace rung
