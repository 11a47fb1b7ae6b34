#include "rung/config/hyperparameters.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "rung/config/error.hpp"

namespace rung {
namespace {

bool parse_int64(const std::string& text, std::int64_t& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

// Finite numbers only: "nan" and "inf" stay strings (a categorical value, not a real).
bool parse_finite_double(const std::string& text, double& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  // strtod also reads hex floats and "infinity"; a hyperparameter is decimal text.
  for (char c : text) {
    const bool ok = std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' ||
                    c == 'E' || c == '+' || c == '-';
    if (!ok) return false;
  }
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno == ERANGE || end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string text = buf;
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

const ParamValue& find(const HyperParameters& hp, const std::string& name) {
  const auto it = hp.find(name);
  if (it == hp.end()) throw InputError("hyperparameter \"" + name + "\" is not set");
  return it->second;
}

double to_double(const std::string& name, const ParamValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  const auto& text = std::get<std::string>(value);
  double v = 0.0;
  if (!parse_finite_double(text, v)) {
    throw InputError("hyperparameter \"" + name + "\" is \"" + text + "\", not a number");
  }
  return v;
}

std::int64_t to_int(const std::string& name, const ParamValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  std::int64_t parsed = 0;
  if (const auto* s = std::get_if<std::string>(&value); s && parse_int64(*s, parsed)) {
    return parsed;
  }
  const double v = to_double(name, value);
  // Integral reals (10.0, "1e3") are fine; 2^63 and beyond are not representable.
  if (v != std::floor(v) || std::fabs(v) >= 9.2e18) {
    throw InputError("hyperparameter \"" + name + "\" is " + to_string(value) + ", not an integer");
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::string to_string(const ParamValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return format_double(*d);
  return std::get<std::string>(value);
}

ParamValue parse_param_value(const std::string& text) {
  std::int64_t i = 0;
  if (parse_int64(text, i)) return i;
  double d = 0.0;
  if (parse_finite_double(text, d)) return d;
  return text;
}

double get_double(const HyperParameters& hp, const std::string& name) {
  return to_double(name, find(hp, name));
}

std::int64_t get_int(const HyperParameters& hp, const std::string& name) {
  return to_int(name, find(hp, name));
}

std::string get_string(const HyperParameters& hp, const std::string& name) {
  return to_string(find(hp, name));
}

double get_double_or(const HyperParameters& hp, const std::string& name, double fallback) {
  const auto it = hp.find(name);
  return it == hp.end() ? fallback : to_double(name, it->second);
}

std::int64_t get_int_or(const HyperParameters& hp, const std::string& name, std::int64_t fallback) {
  const auto it = hp.find(name);
  return it == hp.end() ? fallback : to_int(name, it->second);
}

}  // namespace rung
