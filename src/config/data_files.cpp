#include "rung/config/data_files.hpp"

#include <cstdlib>
#include <system_error>

#include "rung/config/error.hpp"

#ifndef RUNG_SOURCE_DATA_DIR
#define RUNG_SOURCE_DATA_DIR ""
#endif

namespace rung {

namespace fs = std::filesystem;

std::vector<fs::path> data_search_path() {
  std::vector<fs::path> folders;
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    if (!p.empty() && fs::is_directory(p, ec)) folders.push_back(p.lexically_normal());
  };
  if (const char* env = std::getenv("RUNG_DATA_DIR"); env != nullptr && *env != '\0') add(env);
  // Linux names the running executable here; an installed rung is <prefix>/bin/rung.
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) add(exe.parent_path() / ".." / "share" / "rung" / "data");
  add(RUNG_SOURCE_DATA_DIR);
  return folders;
}

std::optional<fs::path> find_data_file(const std::string& relative) {
  std::error_code ec;
  for (const fs::path& folder : data_search_path()) {
    const fs::path candidate = folder / relative;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

fs::path require_data_file(const std::string& relative, const std::string& what) {
  if (auto found = find_data_file(relative)) return *found;
  std::string searched;
  for (const fs::path& folder : data_search_path()) {
    searched += (searched.empty() ? "" : ", ") + folder.string();
  }
  throw InputError(what + ": data file '" + relative + "' not found (searched: " +
                   (searched.empty() ? std::string("no data folder exists") : searched) +
                   "; set RUNG_DATA_DIR to the folder that holds it)");
}

}  // namespace rung
