#include "fuzz_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <typeinfo>

#include "rung/config/error.hpp"

namespace rung::fuzz {

void fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "\nrung fuzz: %s: %s\n", what.c_str(), detail.c_str());
  std::fflush(stderr);
  std::abort();
}

void check_rung_error(const char* reader, const std::exception& e, std::string_view must_name,
                      std::string_view must_name_too) {
  if (dynamic_cast<const Error*>(&e) == nullptr) {
    fail(reader, std::string("threw ") + typeid(e).name() + " (not a rung::Error): " + e.what());
  }
  const std::string_view message = e.what();
  for (const std::string_view name : {must_name, must_name_too}) {
    if (!name.empty() && message.find(name) == std::string_view::npos) {
      fail(reader, "error message does not name \"" + std::string(name) + "\": " +
                       std::string(message));
    }
  }
}

const std::string& scratch_path(const char* suffix) {
  static std::map<std::string, std::string> paths;
  auto it = paths.find(suffix);
  if (it == paths.end()) {
    // run_fuzzer.sh gives each run its own directory, removed at its end, so that the files
    // of processes killed by a crash do not pile up.
    const char* scratch = std::getenv("RUNG_FUZZ_SCRATCH");
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = scratch != nullptr ? scratch
                            : access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                            : tmp != nullptr               ? tmp
                                                           : "/tmp";
    if (paths.empty()) {
      // Removed at a normal exit; after a crash the file stays (its name has the pid).
      std::atexit([] {
        for (const auto& [s, p] : paths) std::remove(p.c_str());
      });
    }
    it = paths.emplace(suffix, dir + "/rung-fuzz-" + std::to_string(getpid()) + suffix).first;
  }
  return it->second;
}

void write_scratch(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) fail("scratch file", "cannot write " + path);
}

}  // namespace rung::fuzz
