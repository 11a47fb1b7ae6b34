// `rung simulate` on LCBench end to end: the real binary, with no table anywhere, evaluates
// the shipped surrogate; an unknown task exits 2 naming the valid ones.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace rung {
namespace {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `rung simulate ARGS` without $RUNG_LCBENCH_CURVES (which would name a table).
RunResult simulate(const std::string& args) {
  const std::string command =
      std::string("env -u RUNG_LCBENCH_CURVES '") + RUNG_EXE + "' simulate " + args + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kJob = std::string("'") + RUNG_SOURCE_DIR + "/jobs/lcbench_hyperband.yaml'";

TEST(LcbenchSimulateCli, the_job_file_runs_on_the_shipped_surrogate) {
  const std::filesystem::path out = std::filesystem::path(RUNG_TEST_TMP) / "lcbench_cli";
  std::filesystem::remove_all(out);
  const RunResult r =
      simulate(kJob + " --workers 8 --curves lcbench:167185 --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "curves lcbench:167185")) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
}

TEST(LcbenchSimulateCli, an_unknown_task_exits_2_listing_the_valid_ids) {
  const RunResult r = simulate(kJob + " --workers 2 --curves lcbench:12345 --out '" +
                               std::string(RUNG_TEST_TMP) + "/lcbench_cli_bad'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "no task 12345")) << r.output;
  EXPECT_TRUE(has(r.output, "189905")) << r.output;
}

}  // namespace
}  // namespace rung
