#include "executor/run_log.h"

#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drplan {

namespace {

class LoggingDisplay : public Display {
 public:
  LoggingDisplay(std::unique_ptr<Display> inner, std::shared_ptr<spdlog::logger> log)
      : inner_(std::move(inner)), log_(std::move(log)) {}
  ~LoggingDisplay() override { log_->flush(); }
  void started(const StepInstance& s, int attempt) override {
    log_->info("start {} {} on {} (attempt {})", step_kind_name(s.kind), s.id, s.host_name, attempt);
    inner_->started(s, attempt);
  }
  void line(const StepInstance& s, std::string_view text) override {
    log_->debug("{} | {}", s.id, text);
    inner_->line(s, text);
  }
  void finished(const StepInstance& s, const StepRun& r) override {
    auto level = r.status == StepStatus::Failed ? spdlog::level::err
                 : r.status == StepStatus::Warned ? spdlog::level::warn
                                                   : spdlog::level::info;
    log_->log(level, "{} {} on {} after {} ms{}{}", status_name(r.status), s.id, s.host_name, r.ended_ms - r.started_ms,
              r.reason.empty() ? "" : ": ", r.reason);
    inner_->finished(s, r);
  }
  void note(std::string_view text) override {
    log_->info("{}", text);
    inner_->note(text);
  }
  void pause() override {
    log_->flush();
    inner_->pause();
  }

 private:
  std::unique_ptr<Display> inner_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

std::unique_ptr<Display> make_logging_display(std::unique_ptr<Display> inner, const std::string& dir) {
  std::string path = dir + "/drplan.log";
  // Create it private before spdlog opens it for appending.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    fchmod(fd, 0600);
    ::close(fd);
  }
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    auto log = std::make_shared<spdlog::logger>("run", sink);
    log->set_level(spdlog::level::debug);
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    log->flush_on(spdlog::level::warn);
    return std::make_unique<LoggingDisplay>(std::move(inner), std::move(log));
  } catch (const spdlog::spdlog_ex&) {
    return inner;  // the journal is the record that matters; the log is a convenience
  }
}

}  // namespace drplan
