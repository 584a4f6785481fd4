#include "executor/display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "compiler/units.h"
#include "executor/journal.h"
#include "executor/terminal.h"

namespace drplan {

namespace {

std::string clock_now() {
  time_t t = time(nullptr);
  struct tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string seconds(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

std::string where(const StepInstance& s) { return s.host_name; }

// A live line must fit on one terminal row, or erasing by rows leaves debris: control
// characters become spaces and the text is cut at `columns` (counted in UTF-8 code points).
std::string fit(std::string_view text, int columns) {
  std::string out;
  int cols = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++cols > columns) break;
    out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
  }
  return out;
}

int terminal_columns() {
  struct winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 80;
}

// A closed stdout (`drplan apply | head`, a terminal gone with its ssh session) is "display
// gone": nothing more is written there, once said on stderr; the run goes on, journaled.
class Screen {
 public:
  bool gone() const { return gone_; }
  void flush() {
    if (gone_ || (std::fflush(stdout) == 0 && !std::ferror(stdout))) return;
    const int err = errno;
    gone_ = true;
    std::fprintf(stderr, "drplan: warning: cannot write to standard output (%s); the run goes on, see its journal\n",
                 std::strerror(err));
  }

 private:
  bool gone_ = false;
};

class PlainDisplay : public Display {
 public:
  explicit PlainDisplay(bool color) : color_(color) {}
  void started(const StepInstance& s, int attempt) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (screen_.gone()) return;
    std::printf("%s  start   %s %s on %s%s\n", clock_now().c_str(), step_kind_name(s.kind), s.id.c_str(),
                where(s).c_str(), attempt > 1 ? (" (attempt " + std::to_string(attempt) + ")").c_str() : "");
    screen_.flush();
  }
  void line(const StepInstance& s, std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (screen_.gone()) return;
    std::printf("%s  | %s: %s\n", clock_now().c_str(), s.id.c_str(), visible_controls(text).c_str());
    screen_.flush();
  }
  void finished(const StepInstance& s, const StepRun& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (screen_.gone()) return;
    const char* c = !color_ ? "" : r.status == StepStatus::Failed ? "\033[31m" : r.status == StepStatus::Warned ? "\033[33m" : "\033[32m";
    std::printf("%s  %s%-7s%s %s on %s (%s)%s%s\n", clock_now().c_str(), c, status_name(r.status), color_ ? "\033[0m" : "",
                s.id.c_str(), where(s).c_str(), seconds(r.ended_ms - r.started_ms).c_str(),
                r.reason.empty() ? "" : ": ", visible_controls(r.reason).c_str());
    screen_.flush();
  }
  void note(std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (screen_.gone()) return;
    std::printf("%s  %s\n", clock_now().c_str(), visible_controls(text).c_str());
    screen_.flush();
  }

 protected:
  std::mutex mu_;
  Screen screen_;
  bool color_;
};

// Finished steps scroll; the running ones stay at the bottom, redrawn in place.
class LiveDisplay : public Display {
 public:
  explicit LiveDisplay(bool color) : color_(color), ticker_([this] { tick(); }) {}
  ~LiveDisplay() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    ticker_.join();
    std::lock_guard<std::mutex> lock(mu_);
    erase();
  }
  void started(const StepInstance& s, int attempt) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (s.kind != StepKind::Gate) paused_ = false;  // a gate pauses drawing while it asks
    running_[s.index] = {&s, std::chrono::steady_clock::now(), "", attempt};
    redraw();
  }
  void line(const StepInstance& s, std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(s.index);
    if (it != running_.end()) it->second.last = visible_controls(text.substr(0, 512));
    // Chatty commands would flood the terminal: redraw at most every 100 ms, the ticker
    // catches up with the rest.
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ >= std::chrono::milliseconds(100)) redraw();
    else dirty_ = true;
  }
  void finished(const StepInstance& s, const StepRun& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (s.kind == StepKind::Gate) paused_ = false;
    running_.erase(s.index);
    erase();
    if (screen_.gone()) return;
    const char* mark = r.status == StepStatus::Failed ? "✗" : r.status == StepStatus::Warned ? "!"
                     : r.status == StepStatus::Skipped ? "-" : "✓";
    const char* tint = r.status == StepStatus::Failed ? "\033[31m" : r.status == StepStatus::Warned ? "\033[33m"
                     : r.status == StepStatus::Skipped ? "\033[2m" : "\033[32m";
    std::printf("%s %s%s%s %-28s %-8s %7s  %s\n", clock_now().c_str(), color_ ? tint : "", mark, color_ ? "\033[0m" : "",
                s.id.c_str(), where(s).c_str(), seconds(r.ended_ms - r.started_ms).c_str(), visible_controls(r.reason).c_str());
    draw();
  }
  void note(std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    erase();
    if (screen_.gone()) return;
    std::printf("%s %s%s%s\n", clock_now().c_str(), color_ ? "\033[1m" : "", visible_controls(text).c_str(),
                color_ ? "\033[0m" : "");
    draw();
  }
  void pause() override {
    std::lock_guard<std::mutex> lock(mu_);
    erase();
    paused_ = true;
  }

 private:
  struct Running {
    const StepInstance* step;
    std::chrono::steady_clock::time_point since;
    std::string last;
    int attempt;
  };
  void erase() {
    if (screen_.gone()) return;
    for (int i = 0; i < drawn_; ++i) std::printf("\033[1A\033[2K");
    drawn_ = 0;
    screen_.flush();
  }
  void draw() {
    if (paused_ || screen_.gone()) return;
    auto now = std::chrono::steady_clock::now();
    const int columns = terminal_columns();
    int n = 0;
    for (const auto& [idx, r] : running_) {
      if (n == 12) {
        std::printf("  ... and %zu more running\n", running_.size() - 12);
        ++n;
        break;
      }
      long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - r.since).count();
      char head[160];
      std::snprintf(head, sizeof head, "  > %-28s %-8s %7s  ", r.step->id.c_str(), where(*r.step).c_str(),
                    seconds(ms).c_str());
      std::string text = fit(std::string(head) + r.last, columns - 1);
      if (color_ && text.size() > 3) text = text.substr(0, 2) + "\033[36m>\033[0m" + text.substr(3);
      std::printf("%s\n", text.c_str());
      ++n;
    }
    drawn_ = n;
    dirty_ = false;
    last_draw_ = now;
    screen_.flush();
  }
  void redraw() {
    erase();
    draw();
  }
  void tick() {
    std::unique_lock<std::mutex> lock(mu_);
    // Elapsed times move every second; throttled output lines show within 200 ms.
    int ticks = 0;
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (!stop_ && !running_.empty() && (dirty_ || ++ticks % 5 == 0)) redraw();
    }
  }

  bool color_;
  std::mutex mu_;
  Screen screen_;
  std::condition_variable cv_;
  bool stop_ = false, paused_ = false, dirty_ = false;
  int drawn_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
  std::map<int, Running> running_;
  std::thread ticker_;
};

class SilentDisplay : public Display {
 public:
  void started(const StepInstance&, int) override {}
  void line(const StepInstance&, std::string_view) override {}
  void finished(const StepInstance&, const StepRun&) override {}
  void note(std::string_view) override {}
};

}  // namespace

std::unique_ptr<Display> make_display(bool live, bool color) {
  // Redrawing in place needs cursor movement, which an unknown terminal may not have.
  if (live && redraw_supported()) return std::make_unique<LiveDisplay>(color);
  return std::make_unique<PlainDisplay>(color);
}

std::unique_ptr<Display> make_silent_display() { return std::make_unique<SilentDisplay>(); }

}  // namespace drplan
