#include "command_line.hpp"

#include <algorithm>
#include <iostream>

#include "rung/config/error.hpp"

namespace rung::cli {

bool parse_command_line(CLI::App& app, std::vector<std::string> args, const std::string& usage) {
  // rung names the first stray argument itself (CLI11 would list them all without saying
  // which are flags), so CLI11 keeps them in remaining().
  app.allow_extras();
  // Scripts repeat a flag to override an earlier one; CLI11 would refuse the second.
  for (CLI::Option* option : app.get_options()) {
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments from the back
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help() << std::flush;
    return false;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All) << std::flush;
    return false;
  } catch (const CLI::ParseError& e) {
    throw InputError(std::string(e.what()) + "; usage: " + usage);
  }
  for (const std::string& extra : app.remaining()) {
    const bool is_flag = extra.size() > 1 && extra[0] == '-';
    throw InputError((is_flag ? "unknown flag '" : "unexpected argument '") + extra +
                     "'; usage: " + usage);
  }
  return true;
}

}  // namespace rung::cli
