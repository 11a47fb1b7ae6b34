#include "deadline.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "rung/config/error.hpp"

namespace rung::cli {
namespace {

std::optional<double> parse_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double parse_deadline(const std::string& value) {
  const bool is_relative = !value.empty() && value[0] == '+';
  const std::optional<double> v = parse_number(is_relative ? value.substr(1) : value);
  if (!v || *v <= 0) {
    throw InputError("--deadline " + value +
                     ": must be a time in Unix seconds (date +%s) or +SECONDS from now");
  }
  const double deadline = is_relative ? unix_now_s() + *v : *v;
  if (deadline <= unix_now_s()) {
    throw InputError("--deadline " + value + ": that time has passed already");
  }
  return deadline;
}

std::optional<double> segment_deadline(std::optional<double> flag) {
  if (flag) return flag;
  const char* end = std::getenv("SLURM_JOB_END_TIME");
  if (end == nullptr || *end == '\0') return std::nullopt;
  const std::optional<double> v = parse_number(end);
  if (!v) {
    throw InputError(std::string("SLURM_JOB_END_TIME ") + end + ": not a time in Unix seconds");
  }
  return *v - kSlurmEndMargin_s;
}

}  // namespace rung::cli
