#include "executor/ssh_transport.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>
#include <vector>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include "compiler/shell_quote.h"
#include "compiler/units.h"
#include "executor/become.h"
#include "executor/output_buffer.h"
#include "executor/ssh_connect.h"
#include "executor/ssh_jump.h"

namespace drplan {
namespace {

using Clock = std::chrono::steady_clock;

// What the remote login shell (POSIX: bash, dash, ksh...) runs around each command. Under
// sshd that shell leads its own session and process group, so the pid it prints is the group
// to kill. With secrets it first reads the `export` lines from stdin up to EOF, using shell
// builtins only (no extra process per step); then it becomes the command's /bin/sh.
constexpr const char* kPrintGroup = "printf 'drplan-pgid %s\\n' \"$$\"; ";
constexpr const char* kReadEnv =
    "drplan_env=; while IFS= read -r drplan_line; do drplan_env=\"$drplan_env$drplan_line\n\"; "
    "done; eval \"$drplan_env\" || exit 125; unset drplan_env drplan_line; ";
constexpr size_t kMaxQueuedLineBytes = 16 * 1024 * 1024;
constexpr std::chrono::milliseconds kActivePollInterval{50};

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); });
}

/// One command in flight. The exec() caller waits on it; the connection thread fills it.
struct Job {
  explicit Job(const ExecRequest& r) : req(r) {}
  const ExecRequest& req;

  // Shared with the waiting caller, under `mu`.
  std::mutex mu;
  std::condition_variable cv;
  struct Line {
    std::string text;
    bool is_stderr, cut;
  };
  std::deque<Line> lines;
  size_t queued_bytes = 0;
  size_t dropped_lines = 0;
  bool done = false;
  ExecResult result;

  // Owned by the connection thread.
  enum class Kill { None, TermPending, TermSent, KillSent };
  ssh_channel channel = nullptr;
  ssh_channel_callbacks_struct callbacks{};
  std::string header;  // stdout bytes until the wrapper's pgid line
  bool header_done = false;
  long pgid = 0;
  bool become_started = false;  // run_as: the shell under sudo printed kBecomeMarker
  bool stray_output = false;    // stdout that is not the wrapper's: the command may have run
  LineSplitter out_lines, err_lines;
  TailBuffer out_tail, err_tail;
  bool exit_seen = false;
  bool closed = false;
  Clock::time_point deadline = Clock::time_point::max();
  Kill kill = Kill::None;
  Clock::time_point next_kill_step;

  void push_line(std::string_view line, bool is_stderr, bool cut) {
    if (!req.on_line) return;
    std::lock_guard<std::mutex> lock(mu);
    if (queued_bytes > kMaxQueuedLineBytes) {
      ++dropped_lines;
      return;
    }
    queued_bytes += line.size();
    lines.push_back({std::string(line), is_stderr, cut});
    cv.notify_one();
  }

  // The wrapper's header lines come first on stdout: the process group, then (become) the
  // marker of the shell sudo started.
  void on_output(std::string_view data, bool is_stderr) {
    while (!is_stderr && !header_done && !data.empty()) {
      const size_t nl = data.find('\n');
      header.append(data.substr(0, nl));
      if (nl == std::string_view::npos && header.size() < 64) return;
      const bool whole = nl != std::string_view::npos;
      data.remove_prefix(whole ? nl + 1 : data.size());
      if (whole && pgid == 0 && header.rfind("drplan-pgid ", 0) == 0) {
        pgid = std::atol(header.c_str() + 12);
        header_done = req.run_as.empty();
      } else if (whole && pgid > 0 && header == kBecomeMarker) {
        become_started = header_done = true;
      } else {  // not the wrapper's line (should not happen): keep it as output
        header_done = stray_output = true;
        append_output(header + (whole ? "\n" : ""), false);
      }
      header.clear();
    }
    append_output(data, is_stderr);
  }

  void append_output(std::string_view data, bool is_stderr) {
    (is_stderr ? err_tail : out_tail).append(data);
    (is_stderr ? err_lines : out_lines).feed(data, [&](std::string_view line, bool cut) {
      push_line(line, is_stderr, cut);
    });
  }
};

int on_channel_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* userdata) {
  static_cast<Job*>(userdata)->on_output(std::string_view(static_cast<const char*>(data), len), is_stderr != 0);
  return static_cast<int>(len);
}

void on_channel_exit_status(ssh_session, ssh_channel, int status, void* userdata) {
  auto* job = static_cast<Job*>(userdata);
  job->result.exit_code = status;
  job->exit_seen = true;
}

void on_channel_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                            void* userdata) {
  auto* job = static_cast<Job*>(userdata);
  job->result.exit_code = -1;
  job->result.signal = signal ? signal : "";
  job->exit_seen = true;
}

void on_channel_close(ssh_session, ssh_channel, void* userdata) { static_cast<Job*>(userdata)->closed = true; }

// Signal-sending channels: their output is discarded so that their close is seen.
int discard_channel_data(ssh_session, ssh_channel, void*, uint32_t len, int, void*) { return static_cast<int>(len); }

ssh_channel_callbacks_struct* discard_callbacks() {
  static ssh_channel_callbacks_struct callbacks = [] {
    ssh_channel_callbacks_struct cb{};
    ssh_callbacks_init(&cb);
    cb.channel_data_function = discard_channel_data;
    return cb;
  }();
  return &callbacks;
}

int on_wake(socket_t fd, int, void*) {
  uint64_t value;
  [[maybe_unused]] ssize_t n = read(fd, &value, sizeof value);
  return 0;
}

// After the peer goes away libssh closes the socket and records a fatal error, but
// ssh_is_connected() stays true until ssh_disconnect(): look at all three.
bool session_alive(ssh_session s) {
  return ssh_is_connected(s) != 0 && ssh_get_fd(s) != SSH_INVALID_SOCKET && ssh_get_error_code(s) != SSH_FATAL &&
         (ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0;
}

}  // namespace

/// One host: its session, the thread that owns it, and the channel semaphore.
class HostConnection {
 public:
  HostConnection(Host host, const SshOptions& options, JumpTunnels& tunnels)
      : host_(std::move(host)), options_(options), tunnels_(tunnels) {
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    event_ = ssh_event_new();
    ssh_event_add_fd(event_, wake_fd_, POLLIN, on_wake, nullptr);
    thread_ = std::thread([this] { run(); });
  }

  ~HostConnection() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake();
    thread_.join();
    ssh_event_remove_fd(event_, wake_fd_);
    ssh_event_free(event_);
    close(wake_fd_);
  }

  ExecResult exec(const ExecRequest& req);

 private:
  bool acquire_slot(const CancelToken* cancel);
  void release_slot();
  void wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  }

  // Connection thread only.
  void run();
  bool ensure_session(std::vector<Job*>& jobs);
  void start_jobs(std::vector<Job*>& jobs);
  bool start_job(Job* job);
  void enforce_deadlines(bool stopping);
  void queue_signal(Job* job, const char* signal);
  void send_signals();
  void finish(Job* job, std::string error = {}, bool connection_lost = false);
  void finish_closed_jobs();
  void drop_connection(const std::string& reason);
  void reap_kill_channels();
  int poll_timeout_ms() const;

  const Host host_;
  const SshOptions& options_;
  JumpTunnels& tunnels_;
  int wake_fd_ = -1;
  ssh_event event_ = nullptr;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable slot_cv_;
  std::deque<Job*> queue_;
  int slots_in_use_ = 0;
  bool stopping_ = false;

  ssh_session session_ = nullptr;
  std::vector<Job*> active_;
  struct Signal {
    std::string signal;
    long pgid;
    std::string run_as;
  };
  std::vector<Signal> pending_signals_;
  std::vector<ssh_channel> kill_channels_;
  Clock::time_point last_keepalive_;
};

ExecResult HostConnection::exec(const ExecRequest& req) {
  const auto start = Clock::now();
  ExecResult result;
  for (const auto& [name, value] : req.env) {
    if (!valid_env_name(name)) {
      result.error = "invalid environment variable name '" + name + "'";
      return result;
    }
  }
  if (!acquire_slot(req.cancel)) {
    result.cancelled = true;
    return result;
  }
  Job job(req);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(&job);
  }
  wake();
  // Relay output lines on this (the caller's) thread until the connection thread is done.
  std::unique_lock<std::mutex> lock(job.mu);
  for (;;) {
    job.cv.wait(lock, [&] { return job.done || !job.lines.empty(); });
    auto lines = std::move(job.lines);
    job.lines.clear();
    job.queued_bytes = 0;
    const bool done = job.done;
    lock.unlock();
    for (const auto& line : lines) req.on_line(line.text, line.is_stderr, line.cut);
    lock.lock();
    if (done && job.lines.empty()) break;
  }
  if (job.dropped_lines > 0 && req.on_line)
    req.on_line("[drplan: " + std::to_string(job.dropped_lines) + " output lines not shown]", true, false);
  result = std::move(job.result);
  lock.unlock();
  release_slot();
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

bool HostConnection::acquire_slot(const CancelToken* cancel) {
  std::unique_lock<std::mutex> lock(mu_);
  const int cap = std::max(1, options_.max_channels_per_host);
  while (slots_in_use_ >= cap) {
    if (cancel && cancel->cancelled.load()) return false;
    slot_cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  if (cancel && cancel->cancelled.load()) return false;
  ++slots_in_use_;
  return true;
}

void HostConnection::release_slot() {
  std::lock_guard<std::mutex> lock(mu_);
  --slots_in_use_;
  slot_cv_.notify_one();
}

void HostConnection::run() {
  for (;;) {
    std::vector<Job*> incoming;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      incoming.assign(queue_.begin(), queue_.end());
      queue_.clear();
      stopping = stopping_;
    }
    if (stopping) {
      for (Job* job : incoming) finish(job, "the SSH transport is shutting down");
      incoming.clear();
    }
    if (!incoming.empty()) start_jobs(incoming);
    enforce_deadlines(stopping);
    send_signals();
    if (stopping && active_.empty() && pending_signals_.empty() && kill_channels_.empty()) break;

    int rc = ssh_event_dopoll(event_, poll_timeout_ms());
    if (session_ != nullptr && (rc == SSH_ERROR || !session_alive(session_))) {
      drop_connection(ssh_get_error(session_));
      continue;
    }
    finish_closed_jobs();
    reap_kill_channels();
    if (session_ != nullptr && Clock::now() - last_keepalive_ >= options_.keepalive_interval) {
      last_keepalive_ = Clock::now();
      if (ssh_send_ignore(session_, "") != SSH_OK) drop_connection(ssh_get_error(session_));
    }
  }
  if (session_ != nullptr) drop_connection("shut down");
}

int HostConnection::poll_timeout_ms() const {
  if (!active_.empty() || !kill_channels_.empty()) return kActivePollInterval.count();
  if (session_ != nullptr)
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.keepalive_interval).count());
  return -1;
}

bool HostConnection::ensure_session(std::vector<Job*>& jobs) {
  if (session_ != nullptr) return true;
  SshConnectError error;
  session_ = ssh_open_session(host_, options_, tunnels_, &error);
  if (session_ == nullptr) {
    spdlog::debug("ssh {}: {}", host_.name, error.message);
    for (Job* job : jobs) finish(job, error.message, error.transient);
    jobs.clear();
    return false;
  }
  spdlog::debug("ssh {}: connected", host_.name);
  ssh_event_add_session(event_, session_);
  last_keepalive_ = Clock::now();
  return true;
}

void HostConnection::start_jobs(std::vector<Job*>& jobs) {
  bool retried = false;
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::vector<Job*> rest(jobs.begin() + static_cast<long>(i), jobs.end());
    if (!ensure_session(rest)) return;
    if (start_job(jobs[i])) continue;
    if (session_alive(session_)) {
      finish(jobs[i], "cannot start the command on " + ssh_host_label(host_) + ": " + ssh_get_error(session_));
      continue;
    }
    // The session died while idle; the command never started, so reconnect once and retry.
    drop_connection(ssh_get_error(session_));
    if (!retried) {
      retried = true;
      --i;
      continue;
    }
    for (size_t j = i; j < jobs.size(); ++j)
      finish(jobs[j], "connection to " + ssh_host_label(host_) + " lost before the command started", true);
    return;
  }
}

bool HostConnection::start_job(Job* job) {
  ssh_channel ch = ssh_channel_new(session_);
  if (ch == nullptr) return false;
  if (ssh_channel_open_session(ch) != SSH_OK) {
    ssh_channel_free(ch);
    return false;
  }
  job->callbacks = {};
  ssh_callbacks_init(&job->callbacks);
  job->callbacks.userdata = job;
  job->callbacks.channel_data_function = on_channel_data;
  job->callbacks.channel_exit_status_function = on_channel_exit_status;
  job->callbacks.channel_exit_signal_function = on_channel_exit_signal;
  job->callbacks.channel_close_function = on_channel_close;
  ssh_set_channel_callbacks(ch, &job->callbacks);
  const std::string command = ssh_remote_command(job->req.command, !job->req.env.empty(), job->req.run_as);
  const std::string env = ssh_env_script(job->req.env);
  if (ssh_channel_request_exec(ch, command.c_str()) != SSH_OK ||
      (!env.empty() &&
       ssh_channel_write(ch, env.data(), static_cast<uint32_t>(env.size())) != static_cast<int>(env.size())) ||
      ssh_channel_send_eof(ch) != SSH_OK) {
    ssh_channel_free(ch);
    return false;
  }
  job->channel = ch;
  job->result.started = true;
  if (job->req.timeout.count() > 0) job->deadline = Clock::now() + job->req.timeout;
  active_.push_back(job);
  return true;
}

void HostConnection::enforce_deadlines(bool stopping) {
  const auto now = Clock::now();
  for (Job* job : active_) {
    if (job->closed) continue;
    switch (job->kill) {
      case Job::Kill::None:
        if (now >= job->deadline) {
          job->result.timed_out = true;
        } else if (stopping || (job->req.cancel && job->req.cancel->cancelled.load())) {
          job->result.cancelled = true;
        } else {
          break;
        }
        job->kill = Job::Kill::TermPending;
        job->next_kill_step = now + options_.kill_grace;
        [[fallthrough]];
      case Job::Kill::TermPending:
        if (job->pgid > 0) {
          queue_signal(job, "TERM");
          job->kill = Job::Kill::TermSent;
          job->next_kill_step = now + options_.kill_grace;
        } else if (now >= job->next_kill_step) {
          finish(job, "could not stop the remote command: its process id never arrived");
        }
        break;
      case Job::Kill::TermSent:
        if (now >= job->next_kill_step) {
          queue_signal(job, "KILL");
          job->kill = Job::Kill::KillSent;
          job->next_kill_step = now + options_.kill_grace;
        }
        break;
      case Job::Kill::KillSent:
        if (now >= job->next_kill_step)
          finish(job, "the remote command (process group " + std::to_string(job->pgid) + ") did not end after SIGKILL");
        break;
    }
  }
  std::erase_if(active_, [](Job* job) { return job == nullptr; });
}

void HostConnection::queue_signal(Job* job, const char* signal) {
  pending_signals_.push_back({signal, job->pgid, job->req.run_as});
}

// One extra channel carries all pending signals: `kill` on the process group, and `pkill -s`
// for members that moved to a group of their own within the session. Under become the
// command's processes belong to another user: they are signalled through sudo as that user
// (the login user can signal only sudo itself, which relays TERM but cannot relay KILL).
void HostConnection::send_signals() {
  if (pending_signals_.empty() || session_ == nullptr) {
    if (session_ == nullptr) pending_signals_.clear();
    return;
  }
  std::string script;
  for (const auto& [signal, pgid, run_as] : pending_signals_) {
    const std::string id = std::to_string(pgid);
    const std::string kill = "kill -" + signal + " -" + id + " 2>/dev/null; pkill -" + signal + " -s " + id + " 2>/dev/null; ";
    script += kill;
    if (!run_as.empty()) script += sudo_command(run_as, kill) + " 2>/dev/null; ";
  }
  script += "true";
  ssh_channel ch = ssh_channel_new(session_);
  if (ch == nullptr) return;
  ssh_set_channel_callbacks(ch, discard_callbacks());
  if (ssh_channel_open_session(ch) != SSH_OK || ssh_channel_request_exec(ch, script.c_str()) != SSH_OK) {
    spdlog::warn("ssh {}: cannot send signals yet: {}", host_.name, ssh_get_error(session_));
    ssh_channel_free(ch);
    return;  // retried on the next loop turn
  }
  ssh_channel_send_eof(ch);
  kill_channels_.push_back(ch);
  pending_signals_.clear();
}

void HostConnection::reap_kill_channels() {
  std::erase_if(kill_channels_, [](ssh_channel ch) {
    if (ssh_channel_is_closed(ch) == 0) return false;
    ssh_channel_free(ch);
    return true;
  });
}

void HostConnection::finish_closed_jobs() {
  for (Job*& job : active_) {
    if (!job->closed) continue;
    // A stopped command's group may keep members that ignored TERM: sweep it.
    if (job->kill == Job::Kill::TermSent) queue_signal(job, "KILL");
    finish(job);
  }
  std::erase_if(active_, [](Job* job) { return job == nullptr; });
  send_signals();
}

// Completes a job and hands it back to its caller; its slot in active_ becomes nullptr.
void HostConnection::finish(Job* job, std::string error, bool connection_lost) {
  if (job->channel != nullptr) {
    ssh_remove_channel_callbacks(job->channel, &job->callbacks);
    ssh_channel_free(job->channel);
    job->channel = nullptr;
  }
  auto it = std::find(active_.begin(), active_.end(), job);
  if (it != active_.end()) *it = nullptr;
  auto emit = [job](bool is_stderr) {
    return [job, is_stderr](std::string_view line, bool cut) { job->push_line(line, is_stderr, cut); };
  };
  job->out_lines.flush(emit(false));
  job->err_lines.flush(emit(true));
  std::lock_guard<std::mutex> lock(job->mu);
  job->result.stdout_text = job->out_tail.take();
  job->result.stderr_text = job->err_tail.take();
  // The TERM or KILL that ended a timed-out or cancelled command was ours: say why it came.
  if (job->result.timed_out || job->result.cancelled) {
    std::string why = job->result.timed_out ? "timed out after " + format_duration(job->req.timeout.count())
                                            : "cancelled by the operator";
    error = error.empty() ? why : why + "; " + error;
  }
  // Under become, sudo refused the command (a password needed, no rule, no such user, no
  // sudo): only on positive evidence, since "did not start" makes it safe to run again. The
  // wrapper spoke, the shell under sudo did not, nothing else reached stdout, and sudo (or
  // the login shell's exec) said so with its own exit status and words.
  const std::string& err = job->result.stderr_text;
  if (!job->req.run_as.empty() && job->pgid > 0 && !job->become_started && !job->stray_output &&
      job->exit_seen && error.empty() && job->result.signal.empty() && !job->result.timed_out &&
      !job->result.cancelled && (job->result.exit_code == 1 || job->result.exit_code == 127) &&
      (err.rfind("sudo:", 0) == 0 || err.find("sudo: not found") != std::string::npos ||
       err.find("sudo: command not found") != std::string::npos)) {
    job->result.started = false;
    error = become_refusal(host_.name, host_.ssh.user, job->req.run_as, job->result.stderr_text);
  }
  if (!error.empty()) job->result.error = std::move(error);
  job->result.connection_lost = connection_lost;
  job->done = true;
  job->cv.notify_one();
}

void HostConnection::drop_connection(const std::string& reason) {
  spdlog::debug("ssh {}: connection closed: {}", host_.name, reason);
  for (Job*& job : active_) {
    if (job == nullptr) continue;
    job->channel = nullptr;  // freed with the session
    if (job->exit_seen) {
      finish(job);  // it had ended; only the channel's close was lost
      continue;
    }
    std::string lost = "connection to " + ssh_host_label(host_) + " lost while the command ran (" + reason +
                       "); its outcome is unknown";
    if (job->pgid > 0) lost += " and its process group " + std::to_string(job->pgid) + " may still be running";
    finish(job, lost + ". The next command reconnects.", true);
  }
  active_.clear();
  kill_channels_.clear();
  pending_signals_.clear();
  ssh_event_remove_session(event_, session_);
  ssh_disconnect(session_);
  ssh_free(session_);
  session_ = nullptr;
}

SshTransport::SshTransport(SshOptions options)
    : options_(std::move(options)), tunnels_(std::make_unique<JumpTunnels>()) {}

SshTransport::~SshTransport() { shutdown(); }

HostConnection& SshTransport::connection_for(const Host& host) {
  const std::string key = host.name + "\n" + host.ssh.user + "@" + host.address + ":" + std::to_string(host.ssh.port) +
                          "\n" + host.ssh.identity;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = hosts_[key];
  if (!slot) slot = std::make_unique<HostConnection>(host, options_, *tunnels_);
  return *slot;
}

ExecResult SshTransport::exec(const ExecRequest& req) {
  if (req.host == nullptr) {
    ExecResult result;
    result.error = "the SSH transport needs a target host";
    return result;
  }
  return connection_for(*req.host).exec(req);
}

void SshTransport::shutdown() {
  std::map<std::string, std::unique_ptr<HostConnection>> hosts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hosts.swap(hosts_);
  }
  hosts.clear();  // each destructor stops its thread after its commands ended
}

std::string ssh_remote_command(std::string_view command, bool reads_env, std::string_view run_as) {
  if (run_as.empty())
    return std::string(kPrintGroup) + (reads_env ? kReadEnv : "") + "exec /bin/sh -c " + shell_quote(command);
  // sudo resets the environment: the secrets are read by the shell it starts.
  // The marker on a line of its own: the shell runs it before it parses the command.
  const std::string inner = "echo " + std::string(kBecomeMarker) + "\n" + (reads_env ? kReadEnv : "") + std::string(command);
  return std::string(kPrintGroup) + "exec " + sudo_command(run_as, inner);
}

std::string ssh_env_script(const std::vector<std::pair<std::string, std::string>>& env) {
  std::string script;
  for (const auto& [name, value] : env) script += "export " + name + "=" + shell_quote(value) + "\n";
  return script;
}

}  // namespace drplan
