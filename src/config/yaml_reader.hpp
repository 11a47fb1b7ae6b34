// Reading a yaml-cpp document with paths: every value read knows its field path
// ("HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs") and its line and
// column, and every problem becomes one ConfigIssue in a shared list, so that a job file's
// problems are all reported together. Private to src/config (only it includes yaml-cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rung/config/error.hpp"

namespace rung::config_detail {

// A node and where it is. A missing field has an undefined node and its parent's mark.
struct Field {
  YAML::Node node{YAML::NodeType::Undefined};
  std::string path;
  YAML::Mark mark = YAML::Mark::null_mark();

  Field() = default;
  Field(YAML::Node node_in, std::string path_in, YAML::Mark mark_in)
      : node(std::move(node_in)), path(std::move(path_in)), mark(mark_in) {}
  Field(const Field&) = default;

  [[nodiscard]] bool present() const { return node.IsDefined() && !node.IsNull(); }

  // YAML::Node's operator= does not rebind: it makes the node this one refers to share the
  // right-hand side's data, which corrupts whatever else refers to it (and can crash on an
  // undefined node). A Field is a value, so assigning one rebinds its node instead.
  Field& operator=(const Field& other) {
    if (this != &other) {
      node.~Node();
      ::new (static_cast<void*>(&node)) YAML::Node(other.node);
      path = other.path;
      mark = other.mark;
    }
    return *this;
  }
};

// "a.b" from "a" and "b"; "b" from "" and "b".
[[nodiscard]] std::string join_path(const std::string& parent, const std::string& key);

// The closest of `known` to `key` when it is close enough to be a likely typo (edit distance
// ignoring case, '_' and '-'), else "".
[[nodiscard]] std::string closest_name(const std::string& key,
                                       const std::vector<std::string>& known);

// How a value reads in a message: "0.1" for a scalar, {a: 1, b: 2} for a mapping, shortened.
[[nodiscard]] std::string describe(const YAML::Node& node);

class Reader {
 public:
  void add(const std::string& path, std::string message, const YAML::Mark& mark);
  void add(const Field& at, std::string message) { add(at.path, std::move(message), at.mark); }
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }
  [[nodiscard]] std::size_t issue_count() const noexcept { return issues_.size(); }

  // The value of `key` in a mapping (absent: an undefined node with the mapping's mark).
  [[nodiscard]] Field child(const Field& map, const std::string& key) const;
  // The mapping's entries in file order: (key text, value field).
  [[nodiscard]] std::vector<std::pair<std::string, Field>> entries(const Field& map) const;
  // The elements of a sequence; a null value is an empty list. Adds an issue (and returns
  // nothing) when the value is not a sequence.
  [[nodiscard]] std::vector<Field> items(const Field& list, const std::string& what);

  // Adds an issue when a present value is not a mapping; returns whether it is one.
  bool expect_map(const Field& f, const std::string& what);
  // Adds an issue for every key of a mapping not in `known`, with a "did you mean" hint.
  void check_keys(const Field& map, const std::vector<std::string>& known);

  // Scalars. Each returns nothing, with an issue added, when the value is present but not
  // of the kind; and nothing, silently, when absent (see require()).
  std::optional<std::string> text(const Field& f);
  // A number written plainly (0.1) or as a string holding one ("0.1", as SageMaker does).
  std::optional<double> number(const Field& f);
  std::optional<std::int64_t> integer(const Field& f);
  // An integer in [lo, hi]; out of it: "\"0\" must be >= 1; <fix>".
  std::optional<std::int64_t> integer_in(const Field& f, std::int64_t lo, std::int64_t hi,
                                         const std::string& fix);
  // A number in [lo, hi]; out of it: "\"-1\" must be in [0, 86400] (<fix>)".
  std::optional<double> number_in(const Field& f, double lo, double hi, const std::string& fix);
  // One of `allowed` (exact spelling); suggests the closest on a near miss.
  std::optional<std::string> one_of(const Field& f, const std::vector<std::string>& allowed);

  // Adds "is missing" (with the fix) when the field is absent; returns whether present.
  bool require(const Field& f, const std::string& fix);

 private:
  std::vector<ConfigIssue> issues_;
};

}  // namespace rung::config_detail
