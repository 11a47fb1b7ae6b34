// `rung report DIR [--html FILE]`: one self-contained HTML page (inline SVG charts drawn by
// rung_report, no script, no network) from DIR/journal and DIR/job.yaml. It only reads DIR, so
// it also works on a running job. The page is written to a temporary name beside FILE and
// renamed, so FILE is either the previous report or the complete new one.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "command_line.hpp"
#include "commands.hpp"
#include "run_support.hpp"
#include "rung/config/atomic_file.hpp"
#include "rung/config/error.hpp"
#include "rung/config/job_config.hpp"
#include "rung/report/html_report.hpp"

namespace rung::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReportUsage = "rung report DIR [--html FILE]";

struct ReportOptions {
  std::string dir;
  std::string html;  // default DIR/report.html
};

// nullopt when --help printed the help.
std::optional<ReportOptions> parse_report_args(const std::vector<std::string>& args) {
  ReportOptions o;
  CLI::App app{"A self-contained HTML report with charts from DIR/journal and DIR/job.yaml "
               "(read-only, so it also works while the run goes on).",
               "rung report"};
  app.add_option("DIR", o.dir, "the run's output directory")->type_name("");
  app.add_option("--html", o.html, "where the page goes (default DIR/report.html)")
      ->type_name("FILE");
  if (!parse_command_line(app, args, kReportUsage)) return std::nullopt;
  if (o.dir.empty()) throw InputError(std::string("missing DIR; usage: ") + kReportUsage);
  return o;
}

// page_dir: where the page goes, so that its links to the programs' output are relative.
report::ReportInputs load_inputs(const fs::path& dir, const fs::path& page_dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError("no run directory at " + dir.string());
  const fs::path journal = dir / "journal";
  if (!fs::is_regular_file(journal, ec)) {
    throw InputError("no journal at " + journal.string() + " (is " + dir.string() +
                     " a rung output directory?)");
  }
  report::ReportInputs in;
  in.source = dir.string();
  in.history = report::read_history(journal.string());
  if (in.history.records == 0) {
    throw InputError("journal " + journal.string() +
                     " holds no event yet (has the job started?); nothing to report");
  }
  for (const report::TrialHistory& t : in.history.trials) {
    const fs::path output = dir / "trials" / t.name / "output.log";
    if (!fs::is_regular_file(output, ec)) continue;
    const fs::path relative = fs::absolute(output).lexically_relative(fs::absolute(page_dir));
    in.output_links[t.name] = (relative.empty() ? fs::absolute(output) : relative).string();
  }
  const fs::path job_file = dir / "job.yaml";
  if (fs::is_regular_file(job_file, ec)) {
    std::ifstream f(job_file, std::ios::binary);
    std::ostringstream text;
    text << f.rdbuf();
    in.job_text = text.str();
    try {
      in.job = load_job_file(job_file.string());
    } catch (const std::exception& e) {
      // The journal alone draws every chart; job.yaml only adds log axes and limits.
      in.job_problem = "job.yaml could not be read as a job (" + std::string(e.what()) +
                       "); axes are chosen from the data.";
    }
  }
  return in;
}

// Writes `text` to `target` through a temporary file in the same directory and a rename.
void write_atomically(const fs::path& target, const std::string& text) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw InputError("--html " + target.string() + ": directory " + parent.string() +
                     " does not exist");
  }
  try {
    write_file_atomically(target, text);
  } catch (const Error& e) {
    throw InputError(std::string("cannot write the report: ") + e.what());
  }
}

}  // namespace

int report_command(const std::vector<std::string>& args) {
  try {
    const auto started = std::chrono::steady_clock::now();
    const std::optional<ReportOptions> parsed = parse_report_args(args);
    if (!parsed) return kExitOk;  // --help
    const ReportOptions& o = *parsed;
    const fs::path dir(o.dir);
    const fs::path target = o.html.empty() ? dir / "report.html" : fs::path(o.html);
    const report::ReportInputs inputs =
        load_inputs(dir, target.has_parent_path() ? target.parent_path() : fs::path("."));
    const std::string html = report::render_html_report(inputs);
    write_atomically(target, html);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("report: %s (%zu trials, %.1f KiB, %.2f s)\n", target.string().c_str(),
                inputs.history.trials.size(), static_cast<double>(html.size()) / 1024.0, seconds);
    return kExitOk;
  } catch (const std::exception& e) {
    return report_error(e, true);
  }
}

}  // namespace rung::cli
