// The coordinator's console formats, shared by its translation units (an internal header:
// the journal and the outputs keep full precision, the console stays short).
#pragma once
#include <cstdio>
#include <string>

#include "rung/config/job_config.hpp"

namespace rung {

// Short values for the console (the outputs keep full precision).
inline std::string short_value(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", *d);
    return buf;
  }
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

inline std::string format_time(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%8.1fs]", s);
  return buf;
}

inline std::string format_metric(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace rung
