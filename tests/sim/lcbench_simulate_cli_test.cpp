// `rung simulate` on LCBench end to end: the real binary, with no table anywhere, evaluates
// the shipped surrogate; an unknown task exits 2 naming the valid ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "command_output.hpp"

namespace rung {
namespace {

// Runs `rung simulate ARGS` without $RUNG_LCBENCH_CURVES (which would name a table).
CommandResult simulate(const std::string& args) {
  return run_command(std::string("env -u RUNG_LCBENCH_CURVES '") + RUNG_EXE + "' simulate " + args);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kJob = std::string("'") + RUNG_SOURCE_DIR + "/jobs/lcbench_hyperband.yaml'";

TEST(LcbenchSimulateCli, the_job_file_runs_on_the_shipped_surrogate) {
  const std::filesystem::path out = std::filesystem::path(RUNG_TEST_TMP) / "lcbench_cli";
  std::filesystem::remove_all(out);
  const CommandResult r =
      simulate(kJob + " --workers 8 --curves lcbench:167185 --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "curves lcbench:167185")) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
}

TEST(LcbenchSimulateCli, an_unknown_task_exits_2_listing_the_valid_ids) {
  const CommandResult r = simulate(kJob + " --workers 2 --curves lcbench:12345 --out '" +
                               std::string(RUNG_TEST_TMP) + "/lcbench_cli_bad'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "no task 12345")) << r.output;
  EXPECT_TRUE(has(r.output, "189905")) << r.output;
}

}  // namespace
}  // namespace rung
