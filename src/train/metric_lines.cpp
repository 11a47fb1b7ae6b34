#include "rung/train/metric_lines.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "rung/config/error.hpp"

namespace rung {
namespace {

// Lines longer than this are matched on their first part only: a progress bar redrawn with
// '\r' can make one "line" megabytes long, and std::regex is recursive.
constexpr std::size_t kMatchedPrefix = 4096;

std::string with_tabs_escaped(const std::string& line) {
  std::string out;
  for (const char c : line) {
    if (c == '\t') {
      out += "#011";
    } else {
      out += c;
    }
  }
  return out;
}

// The whole capture as a number (strtod's forms, nan and inf included), or nothing.
std::optional<double> parse_number(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  const char* begin = text.c_str() + first;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(begin, &end);
  if (end == begin) return std::nullopt;
  while (*end == ' ' || *end == '\t') ++end;
  if (*end != '\0') return std::nullopt;
  return value;
}

}  // namespace

MetricLines::MetricLines(const std::vector<MetricDefinition>& definitions, std::string objective)
    : objective_(std::move(objective)) {
  for (const auto& d : definitions) {
    try {
      definitions_.push_back({d.name, std::regex(d.regex, std::regex::ECMAScript)});
    } catch (const std::regex_error& e) {
      throw InputError("metric definition " + d.name + ": \"" + d.regex +
                       "\" is not a valid regex: " + e.what());
    }
  }
}

std::optional<MetricReport> MetricLines::feed(const std::string& line) {
  const std::string text = line.size() > kMatchedPrefix ? line.substr(0, kMatchedPrefix) : line;
  const bool has_tab = text.find('\t') != std::string::npos;
  const std::string escaped = has_tab ? with_tabs_escaped(text) : std::string();
  bool ends_report = false;
  for (const Definition& d : definitions_) {
    std::smatch match;
    if (!std::regex_search(text, match, d.regex) &&
        !(has_tab && std::regex_search(escaped, match, d.regex))) {
      continue;
    }
    const std::string captured = match.size() > 1 ? match[1].str() : match[0].str();
    const std::optional<double> value = parse_number(captured);
    if (!value) {
      if (pending_.problem.empty()) {
        pending_.problem = d.name + " \"" + captured + "\" is not a number (line: " +
                           text.substr(0, 200) + ")";
      }
    } else if (d.name == "epoch") {
      if (*value >= 1 && *value <= 1e9 && std::floor(*value) == *value) {
        pending_.epoch = static_cast<int>(*value);
      } else if (pending_.problem.empty()) {
        pending_.problem = "epoch \"" + captured + "\" is not a whole number >= 1";
      }
    } else {
      pending_.metrics[d.name] = *value;
    }
    ends_report = ends_report || d.name == objective_;
  }
  if (!ends_report) return std::nullopt;
  MetricReport done = std::move(pending_);
  pending_ = MetricReport{};
  return done;
}

}  // namespace rung
