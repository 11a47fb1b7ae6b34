// A trial's hyperparameters: name -> value, where a value is an integer, a real or a
// categorical string. Used by searchers, the coordinator, the wire format and trainers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace rung {

using ParamValue = std::variant<std::int64_t, double, std::string>;
using HyperParameters = std::map<std::string, ParamValue>;

// SageMaker passes every hyperparameter as a string; so do rung's outputs. A real prints in
// its shortest round-trip form and always looks like a real ("1.0", "0.001", "1e-06"), so
// parse_param_value(to_string(v)) gives back v, kind included.
[[nodiscard]] std::string to_string(const ParamValue& value);

// A hyperparameter given as text (a SageMaker static hyperparameter, a job-file value):
// int64 when the text is an integer ("10", "-3"), else double when it is a finite number
// ("0.5", "1e-3", "10.0"), else the string itself.
[[nodiscard]] ParamValue parse_param_value(const std::string& text);

// Typed lookups for trainers. Throw InputError naming the hyperparameter when it is absent
// or of a kind that cannot be converted (a categorical string is parsed as a number).
[[nodiscard]] double get_double(const HyperParameters& hp, const std::string& name);
[[nodiscard]] std::int64_t get_int(const HyperParameters& hp, const std::string& name);
[[nodiscard]] std::string get_string(const HyperParameters& hp, const std::string& name);
[[nodiscard]] double get_double_or(const HyperParameters& hp, const std::string& name,
                                   double fallback);
[[nodiscard]] std::int64_t get_int_or(const HyperParameters& hp, const std::string& name,
                                      std::int64_t fallback);

}  // namespace rung
