#include "rung/config/error.hpp"

#include <utility>

namespace rung {
namespace {

std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string text;
  for (const auto& issue : issues) {
    if (!text.empty()) text += '\n';
    text += issue.to_string();
  }
  return text.empty() ? std::string("invalid job file") : text;
}

}  // namespace

std::string ConfigIssue::to_string() const {
  std::string text = path.empty() ? message : path + ": " + message;
  if (line > 0) {
    text += " (line " + std::to_string(line);
    if (column > 0) text += ", column " + std::to_string(column);
    text += ')';
  }
  return text;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error(join_issues(issues)), issues_(std::move(issues)) {}

ConfigError::ConfigError(std::string path, std::string message)
    : ConfigError(std::vector<ConfigIssue>{ConfigIssue{std::move(path), std::move(message)}}) {}

}  // namespace rung
