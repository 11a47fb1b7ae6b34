#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace rung::config_detail {
namespace {

constexpr std::size_t kMaxShown = 60;  // characters of a value shown in a message

std::string normalized_name(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::optional<double> parse_number(const std::string& raw) {
  // Surrounding blanks are forgiven (" 0.1" in a JSON string), nothing else.
  const auto first = raw.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  const std::string s = raw.substr(first, raw.find_last_not_of(" \t") - first + 1);
  for (char c : s) {
    const bool ok = std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' ||
                    c == 'E' || c == '+' || c == '-';
    if (!ok) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

const char* kind_name(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  return "the value";
}

}  // namespace

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string closest_name(const std::string& key, const std::vector<std::string>& known) {
  const std::string k = normalized_name(key);
  const std::size_t allowed = std::max<std::size_t>(2, k.size() / 4);
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& name : known) {
    const std::string n = normalized_name(name);
    const std::size_t d = edit_distance(k, n);
    std::size_t common = 0;
    while (common < k.size() && common < n.size() && k[common] == n[common]) ++common;
    // A typo, a prefix ("Log" for "Logarithmic") or a different ending ("promote" for
    // "promotion") all count as close.
    const bool is_close = d <= allowed || (k.size() >= 3 && common == k.size()) ||
                          (common >= 4 && common + 2 >= k.size());
    if (is_close && d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  std::string text;
  if (node.IsScalar()) {
    text = "\"" + node.Scalar() + "\"";
  } else {
    YAML::Emitter out;
    out << YAML::Flow << node;
    text = out.c_str();
  }
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
  return text;
}

void Reader::add(const std::string& path, std::string message, const YAML::Mark& mark) {
  ConfigIssue issue{path, std::move(message)};
  if (!mark.is_null()) {
    issue.line = mark.line + 1;
    issue.column = mark.column + 1;
  }
  issues_.push_back(std::move(issue));
}

Field Reader::child(const Field& map, const std::string& key) const {
  if (map.node.IsMap()) {
    for (const auto& kv : map.node) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) {
        // A null value has no useful position of its own; point at its key.
        const YAML::Mark mark = kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark();
        return Field{kv.second, join_path(map.path, key), mark};
      }
    }
  }
  return Field{YAML::Node(YAML::NodeType::Undefined), join_path(map.path, key), map.mark};
}

std::vector<std::pair<std::string, Field>> Reader::entries(const Field& map) const {
  std::vector<std::pair<std::string, Field>> out;
  if (!map.node.IsMap()) return out;
  for (const auto& kv : map.node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : describe(kv.first);
    const YAML::Mark mark = kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark();
    out.emplace_back(key, Field{kv.second, join_path(map.path, key), mark});
  }
  return out;
}

std::vector<Field> Reader::items(const Field& list, const std::string& what) {
  std::vector<Field> out;
  if (!list.present()) return out;
  if (!list.node.IsSequence()) {
    add(list, "expected a list of " + what + ", got " + kind_name(list.node) + " " +
                  describe(list.node) + "; write it as a list ([...] or lines starting with '- ')");
    return out;
  }
  std::size_t i = 0;
  for (const auto& element : list.node) {
    const YAML::Mark mark = element.IsNull() ? list.mark : element.Mark();
    out.push_back(Field{element, list.path + "[" + std::to_string(i++) + "]", mark});
  }
  return out;
}

bool Reader::expect_map(const Field& f, const std::string& what) {
  if (!f.present()) return false;
  if (f.node.IsMap()) return true;
  add(f, "expected " + what + " (a mapping of key: value), got " + kind_name(f.node) + " " +
             describe(f.node));
  return false;
}

void Reader::check_keys(const Field& map, const std::vector<std::string>& known) {
  if (!map.node.IsMap()) return;
  std::set<std::string> seen;
  for (const auto& kv : map.node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : describe(kv.first);
    const std::string path = join_path(map.path, key);
    if (!seen.insert(key).second) {
      add(path, "is given twice; keep one", kv.first.Mark());
      continue;
    }
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string hint = closest_name(key, known);
    add(path,
        hint.empty() ? "unknown key \"" + key + "\"; known keys here: " + join(known)
                     : "unknown key \"" + key + "\"; did you mean \"" + hint + "\"?",
        kv.first.Mark());
  }
}

std::optional<std::string> Reader::text(const Field& f) {
  if (!f.present()) return std::nullopt;
  if (!f.node.IsScalar()) {
    add(f, "expected text, got " + std::string(kind_name(f.node)) + " " + describe(f.node));
    return std::nullopt;
  }
  return f.node.Scalar();
}

std::optional<double> Reader::number(const Field& f) {
  if (!f.present()) return std::nullopt;
  if (!f.node.IsScalar()) {
    add(f, "expected a number, got " + std::string(kind_name(f.node)) + " " + describe(f.node));
    return std::nullopt;
  }
  const auto v = parse_number(f.node.Scalar());
  if (!v) add(f, describe(f.node) + " is not a number; write a number such as 0.01 or \"0.01\"");
  return v;
}

std::optional<std::int64_t> Reader::integer(const Field& f) {
  if (!f.present()) return std::nullopt;
  if (!f.node.IsScalar()) {
    add(f, "expected an integer, got " + std::string(kind_name(f.node)) + " " + describe(f.node));
    return std::nullopt;
  }
  const auto v = parse_number(f.node.Scalar());
  if (!v || *v != std::floor(*v)) {
    add(f, describe(f.node) + " is not an integer; write a whole number such as 10");
    return std::nullopt;
  }
  if (std::fabs(*v) > 9007199254740992.0) {  // 2^53: beyond it doubles skip integers
    add(f, describe(f.node) + " is too large; write a whole number below 2^53");
    return std::nullopt;
  }
  // Read integers exactly where the text allows it (strtod is exact only up to 2^53).
  errno = 0;
  char* end = nullptr;
  const std::string& s = f.node.Scalar();
  const long long exact = std::strtoll(s.c_str(), &end, 10);
  if (errno == 0 && end == s.c_str() + s.size()) return static_cast<std::int64_t>(exact);
  return static_cast<std::int64_t>(*v);
}

std::optional<std::int64_t> Reader::integer_in(const Field& f, std::int64_t lo, std::int64_t hi,
                                               const std::string& fix) {
  const auto v = integer(f);
  if (!v) return std::nullopt;
  if (*v < lo) {
    add(f, describe(f.node) + " must be >= " + std::to_string(lo) + "; " + fix);
    return std::nullopt;
  }
  if (*v > hi) {
    add(f, describe(f.node) + " must be <= " + std::to_string(hi) + "; " + fix);
    return std::nullopt;
  }
  return v;
}

std::optional<double> Reader::number_in(const Field& f, double lo, double hi,
                                        const std::string& fix) {
  const auto v = number(f);
  if (!v) return std::nullopt;
  if (*v >= lo && *v <= hi) return v;
  add(f, describe(f.node) + " must be in [" + fmt::format("{:g}", lo) + ", " +
             fmt::format("{:g}", hi) + "] (" + fix + ")");
  return std::nullopt;
}

std::optional<std::string> Reader::one_of(const Field& f, const std::vector<std::string>& allowed) {
  auto v = text(f);
  if (!v) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
  const std::string hint = closest_name(*v, allowed);
  add(f, describe(f.node) + " is not one of " + join(allowed) +
             (hint.empty() ? std::string() : "; did you mean \"" + hint + "\"?"));
  return std::nullopt;
}

bool Reader::require(const Field& f, const std::string& fix) {
  if (f.present()) return true;
  add(f, "is missing; " + fix);
  return false;
}

}  // namespace rung::config_detail
