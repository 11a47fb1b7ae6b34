// The `rung` subcommands. Each returns the process exit code (kExitOk, kExitBadInput,
// kExitRuntime) and prints its own errors; main() only dispatches.
#pragma once

#include <string>
#include <vector>

namespace rung::cli {

int validate_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int simulate_command(const std::vector<std::string>& args);
int status_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
// `rung --version`: version, commit, the libraries built with, the data folders searched.
int version_command();

}  // namespace rung::cli
