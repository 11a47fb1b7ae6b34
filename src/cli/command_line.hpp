// Every subcommand parses its arguments with CLI11 through parse_command_line, so -h/--help,
// unknown flags, missing values and stray arguments read the same in all of them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rung::cli {

// Parses `args` (what follows the subcommand's name) into the options bound to `app`.
// Returns false when -h/--help asked for the subcommand's help, which is then printed to
// stdout (exit 0). Throws InputError (exit 2) naming the flag and the rule, followed by
// `usage`, for a flag without its value, an unknown flag or an unexpected argument. A flag
// given twice keeps its last value. Pure: every MPI rank gets the same result from the same
// arguments.
[[nodiscard]] bool parse_command_line(CLI::App& app, std::vector<std::string> args,
                                      const std::string& usage);

}  // namespace rung::cli
