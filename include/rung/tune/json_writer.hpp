// A minimal streaming JSON writer for rung's outputs (journal lines, summary.json). Keys and
// strings are escaped; non-finite numbers become null (JSON has no NaN).
#pragma once

#include <string>

#include "rung/config/hyperparameters.hpp"

namespace rung {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);
  JsonWriter& value(const std::string& v);
  JsonWriter& value(const char* v) { return value(std::string(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(long long v);
  JsonWriter& value(int v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(long v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(unsigned long v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  JsonWriter& value(const ParamValue& v);
  // An object of name -> value, SageMaker style: every value as a string.
  JsonWriter& hyperparameters_as_strings(const HyperParameters& hp);
  // name -> typed value (journal: exact round trip).
  JsonWriter& hyperparameters_typed(const HyperParameters& hp);
  [[nodiscard]] const std::string& str() const noexcept { return out_; }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

[[nodiscard]] std::string json_escape(const std::string& s);

}  // namespace rung
