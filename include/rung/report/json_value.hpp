// A small JSON reader for the report's journal replay: one journal line is one object. It is
// strict (the whole text must be one value) and fast enough for a 10,000-trial journal,
// which is why the report does not go through yaml-cpp line by line.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rung::report {

class JsonValue {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  JsonValue() = default;
  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] bool is_null() const noexcept { return kind_ == Kind::Null; }
  [[nodiscard]] bool is_number() const noexcept { return kind_ == Kind::Number; }
  [[nodiscard]] bool is_string() const noexcept { return kind_ == Kind::String; }
  [[nodiscard]] bool is_object() const noexcept { return kind_ == Kind::Object; }
  [[nodiscard]] bool is_array() const noexcept { return kind_ == Kind::Array; }

  [[nodiscard]] double number() const noexcept { return number_; }
  [[nodiscard]] bool boolean() const noexcept { return boolean_; }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] const std::vector<JsonValue>& items() const noexcept { return items_; }
  [[nodiscard]] const std::vector<std::pair<std::string, JsonValue>>& members() const noexcept {
    return members_;
  }
  // The member named `key` of an object, or nullptr (also for non-objects). The first one
  // wins when a key repeats.
  [[nodiscard]] const JsonValue* find(std::string_view key) const noexcept;

  // Typed member lookups with a fallback when absent or of another kind.
  [[nodiscard]] double number_or(std::string_view key, double fallback) const noexcept;
  [[nodiscard]] long long integer_or(std::string_view key, long long fallback) const noexcept;
  [[nodiscard]] std::string text_or(std::string_view key, const std::string& fallback) const;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::Null;
  bool boolean_ = false;
  double number_ = 0.0;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses `text` as exactly one JSON value (surrounding whitespace allowed). std::nullopt when
// it is not valid JSON; `error`, when given, receives what was wrong and where.
[[nodiscard]] std::optional<JsonValue> parse_json(std::string_view text,
                                                  std::string* error = nullptr);

}  // namespace rung::report
