// What every fuzz target shares: the rule a reader is held to, and a scratch file for the
// readers that take a path (HDF5). A reader of outside bytes answers bad bytes with one of
// rung's errors (rung/config/error.hpp) whose message names the file and the place; any
// other exception, a crash, a sanitizer report, a hang or a memory blow-up is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rung::fuzz {

// Aborts, printing `what` and `detail`, so that libFuzzer records the input as a crash.
[[noreturn]] void fail(const std::string& what, const std::string& detail);

// Runs `read`, which must either return or throw a rung::Error. Any other exception aborts
// (with its type and message). An accepted error's message must contain every string of
// `must_name` that is not empty (the file, the record: where the reader's contract says so).
template <class F>
void expect_rung_errors(const char* reader, F&& read, std::string_view must_name = {},
                        std::string_view must_name_too = {});

// A path under a scratch directory ($RUNG_FUZZ_SCRATCH, else /dev/shm, else $TMPDIR), one
// per process, that write_scratch() fills with the input's bytes for readers that open files.
[[nodiscard]] const std::string& scratch_path(const char* suffix);
void write_scratch(const std::string& path, const std::uint8_t* data, std::size_t size);

// Checked in expect_rung_errors (defined in fuzz_support.cpp so that targets need not
// include error.hpp's users). Returns normally when `e` is a rung error naming what it must.
void check_rung_error(const char* reader, const std::exception& e, std::string_view must_name,
                      std::string_view must_name_too);

template <class F>
void expect_rung_errors(const char* reader, F&& read, std::string_view must_name,
                        std::string_view must_name_too) {
  try {
    read();
  } catch (const std::exception& e) {
    check_rung_error(reader, e, must_name, must_name_too);
  } catch (...) {
    fail(reader, "threw something that is not a std::exception");
  }
}

}  // namespace rung::fuzz
