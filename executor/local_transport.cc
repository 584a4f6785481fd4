#include "executor/local_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "compiler/units.h"
#include "executor/output_buffer.h"

extern char** environ;

namespace drplan {

namespace {

using Clock = std::chrono::steady_clock;
// After the shell exits: read until the pipes are quiet this long, or at most kDrainLimit.
constexpr std::chrono::milliseconds kDrainQuiet{20};
constexpr std::chrono::milliseconds kDrainLimit{500};

// The child's environment: ours plus the request's (request wins).
std::vector<std::string> child_env(const ExecRequest& req) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    std::string_view key = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (const auto& [k, v] : req.env)
      if (k == key) overridden = true;
    if (!overridden) out.emplace_back(kv);
  }
  for (const auto& [k, v] : req.env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM: return "TERM";
    case SIGKILL: return "KILL";
    case SIGINT: return "INT";
    case SIGHUP: return "HUP";
    case SIGSEGV: return "SEGV";
    case SIGABRT: return "ABRT";
    case SIGPIPE: return "PIPE";
    case SIGQUIT: return "QUIT";
    case SIGBUS: return "BUS";
    case SIGFPE: return "FPE";
    case SIGILL: return "ILL";
    case SIGUSR1: return "USR1";
    case SIGUSR2: return "USR2";
    case SIGALRM: return "ALRM";
    default: return std::to_string(sig);
  }
}

ExecResult LocalTransport::exec(const ExecRequest& req) {
  ExecResult result;
  if (!req.run_as.empty()) {  // the compiler refuses it; never run a command as the wrong user
    result.error = "become_user '" + req.run_as + "' on a step that runs on this machine";
    return result;
  }
  auto start = Clock::now();
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create pipes: ") + std::strerror(errno);
    result.connection_lost = true;
    return result;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group (so a timeout kills the whole tree) and default signal handling.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> env = child_env(req);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", req.command.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.error = std::string("cannot start /bin/sh: ") + std::strerror(rc);
    result.connection_lost = true;
    return result;
  }
  result.started = true;

  TailBuffer out_tail, err_tail;
  LineSplitter out_lines, err_lines;
  auto emit_out = [&](std::string_view l, bool cut) {
    if (req.on_line) req.on_line(l, false, cut);
  };
  auto emit_err = [&](std::string_view l, bool cut) {
    if (req.on_line) req.on_line(l, true, cut);
  };
  // The shell's exit is an event too (a pidfd): a service it started in the background may
  // keep our pipes open for as long as it runs, and must neither hang the step nor be killed.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {pidfd, POLLIN, 0}};
  int open_fds = 2;
  bool exited = false;
  Clock::time_point exited_at{};
  bool term_sent = false, kill_sent = false;
  Clock::time_point term_at{};
  char buf[65536];
  while (open_fds > 0) {
    auto now = Clock::now();
    bool cancel = req.cancel && req.cancel->cancelled.load();
    bool timeout = req.timeout.count() > 0 && now - start >= req.timeout;
    if ((cancel || timeout) && !term_sent) {
      result.timed_out = timeout && !cancel;
      result.cancelled = cancel;
      kill(-pid, SIGTERM);
      term_sent = true;
      term_at = now;
    }
    if (term_sent && !kill_sent && now - term_at >= kill_grace_) {
      kill(-pid, SIGKILL);
      kill_sent = true;
    }
    // Wake at the next deadline; cancellation is noticed within 100 ms.
    int wait_ms = 100;
    if (req.timeout.count() > 0 && !term_sent) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(req.timeout - (now - start)).count();
      wait_ms = static_cast<int>(std::max<long long>(0, std::min<long long>(wait_ms, left)));
    }
    if (exited) {
      // Drain what the shell left in the pipes; stop at the first quiet moment.
      if (now - exited_at >= kDrainLimit) break;
      wait_ms = static_cast<int>(kDrainQuiet.count());
    }
    int n = poll(fds, pidfd >= 0 ? 3 : 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (exited && n == 0) break;
    if (!exited && pidfd >= 0 && (fds[2].revents & POLLIN)) {
      exited = true;
      exited_at = Clock::now();
      fds[2].fd = -1;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        std::string_view chunk(buf, static_cast<size_t>(got));
        if (i == 0) {
          out_tail.append(chunk);
          out_lines.feed(chunk, emit_out);
        } else {
          err_tail.append(chunk);
          err_lines.feed(chunk, emit_err);
        }
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  out_lines.flush(emit_out);
  err_lines.flush(emit_err);
  for (int i = 0; i < 2; ++i)
    if (fds[i].fd >= 0) close(fds[i].fd);
  if (pidfd >= 0) close(pidfd);
  int status = 0;
  // The shell may exit while a background grandchild keeps the group alive; kill the
  // leftovers of a timed-out or cancelled command, then reap.
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (term_sent) kill(-pid, SIGKILL);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -1;
    result.signal = signal_name(WTERMSIG(status));
  }
  if (result.timed_out) result.error = "timed out after " + format_duration(req.timeout.count());
  if (result.cancelled) result.error = "cancelled by the operator";
  result.stdout_text = out_tail.take();
  result.stderr_text = err_tail.take();
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace drplan
