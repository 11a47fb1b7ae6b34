#include "rung/tune/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rung/config/error.hpp"

namespace rung {

Journal::Journal(const std::string& path, bool is_durable) : path_(path), is_durable_(is_durable) {
  // O_EXCL: an existing journal belongs to another run and is never overwritten.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InputError("cannot create journal " + path + ": " + std::strerror(errno));
  }
  file_ = ::fdopen(fd, "a");
  if (file_ == nullptr) {
    ::close(fd);
    throw Error("cannot open journal " + path + ": " + std::strerror(errno));
  }
}

Journal::~Journal() noexcept {
  if (file_ != nullptr) std::fclose(file_);
}

void Journal::append(const std::string& json_line) {
  if (std::fputs(json_line.c_str(), file_) < 0 || std::fputc('\n', file_) == EOF ||
      (is_durable_ && (std::fflush(file_) != 0 || ::fdatasync(::fileno(file_)) != 0))) {
    throw Error("cannot write journal " + path_ + ": " + std::strerror(errno));
  }
  ++records_;
}

void Journal::flush() {
  if (std::fflush(file_) != 0) {
    throw Error("cannot write journal " + path_ + ": " + std::strerror(errno));
  }
}

}  // namespace rung
