// The coordinator's console formats, shared by its translation units (an internal header:
// the journal and the outputs keep full precision, the console stays short).
#pragma once

#include <fmt/format.h>

#include <string>

#include "rung/config/job_config.hpp"

namespace rung {

// Short values for the console (the outputs keep full precision).
inline std::string short_value(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{:.4g}", *d);
  return to_string(v);
}

inline std::string format_hp(const HyperParameters& hp) {
  std::string out;
  for (const auto& [name, v] : hp) {
    if (!out.empty()) out += ' ';
    out += name + '=' + short_value(v);
  }
  return out;
}

inline std::string format_time(double s) { return fmt::format("[{:8.1f}s]", s); }

inline std::string format_metric(double v) { return fmt::format("{:.4f}", v); }

}  // namespace rung
