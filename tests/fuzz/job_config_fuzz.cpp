// Job files (YAML, and JSON through the same YAML path) as `rung validate` reads them:
// parse_job_text is load_job_file without the file read. A bad file must be a ConfigError
// (every issue with its field path, line and column where known) or an InputError.
// A good file must also keep normalized_yaml.cpp's promise: the YAML `rung validate` prints
// reads back to the same job, so printing it again gives the same text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  rung::fuzz::expect_rung_errors("job file", [&] {
    const rung::JobConfig job = rung::parse_job_text(text, "fuzz.yaml");
    const std::string normalized = rung::to_normalized_yaml(job);
    try {
      (void)rung::require_runnable(job);
    } catch (const rung::ConfigError&) {
    }
    rung::JobConfig again;
    try {
      again = rung::parse_job_text(normalized, "fuzz.yaml");  // the header names the source
    } catch (const rung::Error& e) {
      rung::fuzz::fail("job file", std::string("`rung validate` printed a job it refuses: ") +
                                       e.what() + "\n--- printed:\n" + normalized);
    }
    const std::string twice = rung::to_normalized_yaml(again);
    if (twice != normalized) {
      rung::fuzz::fail("job file", "the printed job reads back differently\n--- first:\n" +
                                       normalized + "--- second:\n" + twice);
    }
  });
  return 0;
}
