// report_html_check FILE [--dom]: checks a report page. Without --dom, FILE is rung's own
// output and must be well-formed XML; with --dom it is Chromium's --dump-dom serialization.
// Either way every chart must be present and draw at least one mark. Prints the counts.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "xml_check.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: report_html_check FILE [--dom]\n";
    return 2;
  }
  const bool is_dom = argc > 2 && std::string(argv[2]) == "--dom";
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << argv[1] << '\n';
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  int failures = 0;
  if (!is_dom) {
    const std::string problem = rung::report::testing::xml_problem(doc);
    if (!problem.empty()) {
      std::cerr << argv[1] << " is not well-formed: " << problem << '\n';
      ++failures;
    }
  }
  const auto counts = rung::report::testing::marks_per_chart(doc);
  bool has_hyperparameter = false;
  for (const auto& [chart, n] : counts) {
    std::cout << chart << ": " << n << " marks\n";
    if (chart.rfind("hp-", 0) == 0) has_hyperparameter = true;
    if (n == 0) {
      std::cerr << "chart " << chart << " draws nothing\n";
      ++failures;
    }
  }
  for (const char* required : {"best-vs-time", "best-vs-epochs", "learning-curves",
                               "rung-occupancy", "parallel-coordinates", "worker-timeline"}) {
    if (counts.count(required) == 0) {
      std::cerr << "chart " << required << " is missing\n";
      ++failures;
    }
  }
  if (!has_hyperparameter) {
    std::cerr << "no hyperparameter scatter (hp-*)\n";
    ++failures;
  }
  for (const char* section :
       {"id=\"summary\"", "id=\"best-trial\"", "id=\"utilization\"", "id=\"job\""}) {
    if (doc.find(section) == std::string::npos) {
      std::cerr << "section " << section << " is missing\n";
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
