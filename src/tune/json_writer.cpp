#include "rung/tune/json_writer.hpp"

#include <cmath>
#include <cstdio>

namespace rung {

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void JsonWriter::separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(const std::string& k) {
  separate();
  out_ += '"' + json_escape(k) + "\":";
  return *this;
}
JsonWriter& JsonWriter::value(const std::string& v) {
  separate();
  out_ += '"' + json_escape(v) + '"';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(double v) {
  if (!std::isfinite(v)) return null();
  separate();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out_ += buf;
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(long long v) {
  separate();
  out_ += std::to_string(v);
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(const ParamValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return value(static_cast<long long>(*i));
  if (const auto* d = std::get_if<double>(&v)) return value(*d);
  return value(std::get<std::string>(v));
}
JsonWriter& JsonWriter::hyperparameters_as_strings(const HyperParameters& hp) {
  begin_object();
  for (const auto& [name, v] : hp) key(name).value(to_string(v));
  return end_object();
}
JsonWriter& JsonWriter::hyperparameters_typed(const HyperParameters& hp) {
  begin_object();
  for (const auto& [name, v] : hp) key(name).value(v);
  return end_object();
}

}  // namespace rung
