#include "rung/tune/hyperparameter_json.hpp"

namespace rung {

nlohmann::ordered_json hyperparameters_json(const HyperParameters& hp, bool as_strings) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : hp) {
    if (as_strings) {
      j[name] = to_string(value);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      j[name] = *i;
    } else if (const auto* d = std::get_if<double>(&value)) {
      j[name] = *d;  // a non-finite real is written as null
    } else {
      j[name] = std::get<std::string>(value);
    }
  }
  return j;
}

}  // namespace rung
