// Where the sim tests find the team's LCBench tables (curves.h5), which rung does not ship:
// $RUNG_DATA_MIRROR/lcbench (CI points it at ../shared/data for its fresh clone), else the
// shared data folder beside the checkout. Empty where there is none (those tests skip).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

inline std::string lcbench_curves_path() {
  namespace fs = std::filesystem;
  if (const char* mirror = std::getenv("RUNG_DATA_MIRROR"); mirror != nullptr && *mirror != '\0') {
    const fs::path p = fs::path(mirror) / "lcbench/curves.h5";
    if (fs::exists(p)) return p.string();
  }
  for (const fs::path& p : {fs::path(RUNG_SOURCE_DIR) / "shared/data/lcbench/curves.h5",
                            fs::path(RUNG_SOURCE_DIR) / "../shared/data/lcbench/curves.h5"}) {
    if (fs::exists(p)) return p.string();
  }
  return {};
}
