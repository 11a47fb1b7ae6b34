// Test helper: a strict well-formedness check of an XML (or XHTML-style HTML) document, and a
// count of the drawn marks in each chart of a report page. Used by the report's unit tests
// and by report_html_check, which checks real reports and Chromium's DOM dumps.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace rung::report::testing {

// Empty when `doc` is well-formed (one root, every tag closed in order, attributes quoted,
// only the five predefined entities or numeric references); else what is wrong and where.
inline std::string xml_problem(const std::string& doc) {
  std::vector<std::string> open;
  std::size_t i = 0;
  int roots = 0;
  const auto at = [&](std::size_t p) { return " at byte " + std::to_string(p); };
  while (i < doc.size()) {
    if (doc[i] == '&') {
      const std::size_t semi = doc.find(';', i);
      if (semi == std::string::npos || semi - i > 10) return "bare '&'" + at(i);
      const std::string ent = doc.substr(i + 1, semi - i - 1);
      if (ent != "amp" && ent != "lt" && ent != "gt" && ent != "quot" && ent != "apos" &&
          (ent.empty() || ent[0] != '#')) {
        return "unknown entity &" + ent + ";" + at(i);
      }
      i = semi + 1;
      continue;
    }
    if (doc[i] != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) {
        return "text outside the root element" + at(i);
      }
      ++i;
      continue;
    }
    if (doc.compare(i, 4, "<!--") == 0) {
      const std::size_t end = doc.find("-->", i);
      if (end == std::string::npos) return "unterminated comment" + at(i);
      i = end + 3;
      continue;
    }
    if (doc.compare(i, 2, "<!") == 0 || doc.compare(i, 2, "<?") == 0) {
      const std::size_t end = doc.find('>', i);
      if (end == std::string::npos) return "unterminated declaration" + at(i);
      i = end + 1;
      continue;
    }
    const bool is_close = doc.compare(i, 2, "</") == 0;
    std::size_t p = i + (is_close ? 2 : 1);
    const std::size_t name_start = p;
    while (p < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[p])) || doc[p] == '-' ||
                              doc[p] == ':' || doc[p] == '_')) {
      ++p;
    }
    const std::string name = doc.substr(name_start, p - name_start);
    if (name.empty()) return "'<' without a tag name" + at(i);
    // Attributes: name="value" or name='value', separated by whitespace.
    bool is_self_closing = false;
    while (true) {
      while (p < doc.size() && std::isspace(static_cast<unsigned char>(doc[p]))) ++p;
      if (p >= doc.size()) return "unterminated tag <" + name + at(i);
      if (doc[p] == '>') break;
      if (doc.compare(p, 2, "/>") == 0 && !is_close) {
        is_self_closing = true;
        ++p;
        break;
      }
      if (is_close) return "attributes in a closing tag </" + name + at(p);
      const std::size_t attr = p;
      while (p < doc.size() && doc[p] != '=' && doc[p] != '>' &&
             !std::isspace(static_cast<unsigned char>(doc[p]))) {
        ++p;
      }
      if (p >= doc.size() || doc[p] != '=' || p == attr)
        return "attribute without a value in <" + name + at(attr);
      ++p;
      if (p >= doc.size() || (doc[p] != '"' && doc[p] != '\''))
        return "unquoted attribute in <" + name + at(p);
      const char quote = doc[p];
      const std::size_t end = doc.find(quote, p + 1);
      if (end == std::string::npos) return "unterminated attribute in <" + name + at(p);
      const std::string value = doc.substr(p + 1, end - p - 1);
      if (value.find('<') != std::string::npos) return "'<' in an attribute of <" + name + at(p);
      p = end + 1;
    }
    if (is_close) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">") +
               at(i);
      }
      open.pop_back();
    } else if (!is_self_closing) {
      if (open.empty()) ++roots;
      open.push_back(name);
    } else if (open.empty()) {
      ++roots;
    }
    // <style> holds CSS text with no markup: skip to its end tag.
    i = p + 1;
    if (!is_close && !is_self_closing && name == "style") {
      const std::size_t end = doc.find("</style>", i);
      if (end == std::string::npos) return "unterminated <style>" + at(i);
      i = end;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return {};
}

// For each <svg ... data-chart="NAME"> ... </svg>: how many elements with class "mark ..."
// it holds. Works on rung's output and on a browser's DOM serialization alike.
inline std::map<std::string, long long> marks_per_chart(const std::string& doc) {
  std::map<std::string, long long> counts;
  std::size_t pos = 0;
  while ((pos = doc.find("<svg", pos)) != std::string::npos) {
    const std::size_t tag_end = doc.find('>', pos);
    const std::size_t end = doc.find("</svg>", pos);
    if (tag_end == std::string::npos || end == std::string::npos) break;
    const std::string tag = doc.substr(pos, tag_end - pos);
    const std::size_t a = tag.find("data-chart=\"");
    if (a != std::string::npos) {
      const std::size_t b = tag.find('"', a + 12);
      const std::string name = tag.substr(a + 12, b - a - 12);
      long long n = 0;
      for (std::size_t m = doc.find("class=\"mark", tag_end); m != std::string::npos && m < end;
           m = doc.find("class=\"mark", m + 1)) {
        ++n;
      }
      counts[name] += n;
    }
    pos = end + 6;
  }
  return counts;
}

}  // namespace rung::report::testing
