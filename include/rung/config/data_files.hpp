// Where rung finds the data files it ships (data/ in the source tree, share/rung/data when
// installed): the LCBench surrogate and anything else a job may name without a path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rung {

// The folders searched, in order: $RUNG_DATA_DIR (set by the user), then
// <directory of the running rung>/../share/rung/data (an installed rung), then the source
// tree's data/ this rung was built from (a build-tree rung). Folders that do not exist are
// left out.
[[nodiscard]] std::vector<std::filesystem::path> data_search_path();

// The first `relative` (e.g. "lcbench/surrogate.h5") found along data_search_path(), or
// nullopt.
[[nodiscard]] std::optional<std::filesystem::path> find_data_file(const std::string& relative);

// find_data_file, or InputError naming `relative`, `what` it is for and every folder searched.
[[nodiscard]] std::filesystem::path require_data_file(const std::string& relative,
                                                      const std::string& what);

}  // namespace rung
