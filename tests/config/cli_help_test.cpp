// The command line itself, end to end on the real binary: every subcommand's --help lists its
// flags and exits 0, and a flag a subcommand does not know exits 2 naming that flag.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_output.hpp"

namespace rung {
namespace {

CommandResult rung(const std::string& arguments) {
  return run_command(std::string("'") + RUNG_EXE + "' " + arguments);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct CommandFlags {
  const char* command;
  std::vector<const char*> flags;  // each must appear in the command's --help
};

const std::vector<CommandFlags>& commands() {
  static const std::vector<CommandFlags> all = {
      {"run", {"JOB", "--out", "--resume", "--deadline", "--seed", "--workers"}},
      {"simulate",
       {"JOB", "--workers", "--curves", "--curves-file", "--seeds", "--out",
        "--charge-decision-time", "--verbose"}},
      {"status", {"DIR", "--watch"}},
      {"export", {"DIR", "--format", "--out"}},
      {"report", {"DIR", "--html"}},
      {"validate", {"JOB_FILE"}},
  };
  return all;
}

TEST(CliHelp, every_command_prints_its_flags_and_exits_0) {
  for (const CommandFlags& c : commands()) {
    for (const char* help : {"--help", "-h"}) {
      const CommandResult r = rung(std::string(c.command) + ' ' + help);
      EXPECT_EQ(r.exit_code, 0) << c.command << ' ' << help << ":\n" << r.output;
      EXPECT_TRUE(has(r.output, std::string("rung ") + c.command)) << r.output;
      for (const char* flag : c.flags) {
        EXPECT_TRUE(has(r.output, flag)) << c.command << " --help lacks " << flag << ":\n"
                                         << r.output;
      }
    }
  }
}

TEST(CliHelp, an_unknown_flag_exits_2_naming_it) {
  for (const CommandFlags& c : commands()) {
    const CommandResult r = rung(std::string(c.command) + " some-file --no-such-flag");
    EXPECT_EQ(r.exit_code, 2) << c.command << ":\n" << r.output;
    EXPECT_TRUE(has(r.output, "unknown flag '--no-such-flag'")) << c.command << ":\n" << r.output;
  }
}

TEST(CliHelp, a_flag_without_its_value_exits_2_naming_it) {
  const CommandResult r = rung("run job.yaml --out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--out")) << r.output;
  EXPECT_TRUE(has(r.output, "usage: rung run JOB")) << r.output;
}

TEST(CliHelp, values_are_checked_by_rungs_own_rules) {
  CommandResult r = rung("run job.yaml --seed=x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--seed: \"x\" is not a non-negative integer below 2^64")) << r.output;
  r = rung("simulate job.yaml --workers 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--workers 0: must be a positive integer")) << r.output;
  r = rung("run job.yaml --deadline soon");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "--deadline soon: must be a time in Unix seconds")) << r.output;
}

TEST(CliHelp, the_overview_exits_0_when_asked_for_and_2_without_a_command) {
  for (const char* help : {"--help", "-h", "help"}) {
    const CommandResult r = rung(help);
    EXPECT_EQ(r.exit_code, 0) << help << ":\n" << r.output;
    EXPECT_TRUE(has(r.output, "exit codes:")) << r.output;
  }
  const CommandResult bare = rung("");
  EXPECT_EQ(bare.exit_code, 2) << bare.output;
  EXPECT_TRUE(has(bare.output, "usage: rung <command>")) << bare.output;
}

}  // namespace
}  // namespace rung
