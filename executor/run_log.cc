#include "executor/run_log.h"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "executor/terminal.h"

namespace drplan {

namespace {

class LoggingDisplay : public Display {
 public:
  LoggingDisplay(std::unique_ptr<Display> inner, std::shared_ptr<spdlog::logger> log, size_t step_output_bytes)
      : inner_(std::move(inner)), log_(std::move(log)), budget_(step_output_bytes) {}
  ~LoggingDisplay() override { log_->flush(); }
  void started(const StepInstance& s, int attempt) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      output_[s.index] = {};
    }
    log_->info("start {} {} on {} (attempt {})", step_kind_name(s.kind), s.id, s.host_name, attempt);
    inner_->started(s, attempt);
  }
  void line(const StepInstance& s, std::string_view text) override {
    if (logged(s, text)) log_->debug("{} | {}", s.id, visible_controls(text));
    inner_->line(s, text);
  }
  void finished(const StepInstance& s, const StepRun& r) override {
    Output o;
    {
      std::lock_guard<std::mutex> lock(mu_);
      o = output_[s.index];
      output_.erase(s.index);
    }
    if (o.unlogged_lines)
      log_->info("{}: {} more output lines ({} bytes) not logged; the journal keeps the output's tail", s.id,
                 o.unlogged_lines, o.unlogged_bytes);
    auto level = r.status == StepStatus::Failed ? spdlog::level::err
                 : r.status == StepStatus::Warned ? spdlog::level::warn
                                                   : spdlog::level::info;
    log_->log(level, "{} {} on {} after {} ms{}{}", status_name(r.status), s.id, s.host_name, r.ended_ms - r.started_ms,
              r.reason.empty() ? "" : ": ", visible_controls(r.reason));
    inner_->finished(s, r);
  }
  void note(std::string_view text) override {
    log_->info("{}", visible_controls(text));
    inner_->note(text);
  }
  void pause() override {
    log_->flush();
    inner_->pause();
  }

 private:
  struct Output {
    size_t bytes = 0, unlogged_lines = 0, unlogged_bytes = 0;
  };
  // Within the step's budget? Past it, lines are only counted: one chatty command must not
  // fill the disk the journal lives on.
  bool logged(const StepInstance& s, std::string_view text) {
    std::lock_guard<std::mutex> lock(mu_);
    Output& o = output_[s.index];
    if (o.unlogged_lines == 0 && o.bytes + text.size() <= budget_) {
      o.bytes += text.size();
      return true;
    }
    if (o.unlogged_lines++ == 0)
      log_->debug("{}: output beyond {} bytes is not logged (counted at the step's end)", s.id, budget_);
    o.unlogged_bytes += text.size();
    return false;
  }

  std::unique_ptr<Display> inner_;
  std::shared_ptr<spdlog::logger> log_;
  const size_t budget_;
  std::mutex mu_;
  std::map<int, Output> output_;  // per running step
};

}  // namespace

std::unique_ptr<Display> make_logging_display(std::unique_ptr<Display> inner, const std::string& dir,
                                              LogLimits limits) {
  std::string path = dir + "/drplan.log";
  // Create it private before spdlog opens it for appending; rotated files are made private
  // as they are opened.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    fchmod(fd, 0600);
    ::close(fd);
  }
  try {
    spdlog::file_event_handlers private_files;
    private_files.after_open = [](const spdlog::filename_t&, std::FILE* f) { fchmod(fileno(f), 0600); };
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, limits.file_bytes, limits.rotated_files,
                                                                       false, private_files);
    auto log = std::make_shared<spdlog::logger>("run", sink);
    log->set_level(spdlog::level::debug);
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    log->flush_on(spdlog::level::warn);
    return std::make_unique<LoggingDisplay>(std::move(inner), std::move(log), limits.step_output_bytes);
  } catch (const spdlog::spdlog_ex&) {
    return inner;  // the journal is the record that matters; the log is a convenience
  }
}

}  // namespace drplan
