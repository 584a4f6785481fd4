#include "executor/ssh_jump.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <algorithm>
#include <list>
#include <memory>
#include <thread>
#include <vector>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include "executor/ssh_connect.h"

namespace drplan {
namespace {

using Clock = std::chrono::steady_clock;

// A pump that cannot hand bytes to its target session (which always reads) has a bug or a
// wedged reader: past this the connection is cut rather than growing without bound.
constexpr size_t kMaxPending = 64 * 1024 * 1024;

std::string hop_user(const JumpHop& hop, const Host& host) { return hop.user.empty() ? host.ssh.user : hop.user; }

// A hop as a host to connect to: the target's key, certificate and timeout, the hop's user.
Host hop_host(const Host& host, const JumpHop& hop) {
  Host h;
  h.address = hop.address;
  h.ssh = host.ssh;
  h.ssh.jump.clear();
  h.ssh.port = hop.port;
  h.ssh.user = hop_user(hop, host);
  return h;
}

std::string chain_key(const Host& host, size_t depth, const SshOptions& options) {
  std::string key = host.ssh.identity + "\n" + host.ssh.certificate + "\n" + options.known_hosts + "\n";
  for (size_t i = 0; i <= depth; ++i) key += hop_user(host.ssh.jump[i], host) + "@" + host.ssh.jump[i].text() + ">";
  return key;
}

}  // namespace

/// One bastion session and the pump thread that owns it once connected: the thread alone
/// touches the session (libssh sessions are not thread-safe); callers queue requests.
class JumpTunnels::Tunnel {
 public:
  explicit Tunnel(Host hop) : hop_(std::move(hop)) {}
  ~Tunnel() { stop(); }
  /// Stops the pump and closes the session (again harmless).
  void close_all() {
    std::lock_guard<std::mutex> lock(open_mu_);
    stop();
  }

  /// A socket connected to address:port through this bastion; `dial` gives a socket to the
  /// bastion itself when it must (re)connect (-1: direct TCP).
  template <typename Dial>
  int forward(const std::string& address, int port, const SshOptions& options, Dial dial, SshConnectError* error);

 private:
  struct Link {
    ssh_channel channel = nullptr;
    ssh_channel_callbacks_struct callbacks{};
    int fd = -1;               // the pump's end of the socketpair
    std::string to_local;      // from the channel, not yet written to fd
    bool remote_eof = false;   // the channel sent EOF or closed
    bool local_shut = false;   // shutdown(fd, SHUT_WR) done after remote_eof
    bool local_eof = false;    // the target session closed its end
  };
  struct Request {
    std::string address;
    int port = 0;
    bool done = false, abandoned = false;
    int fd = -1;
    std::string error;
    bool transient = true;
  };

  void stop();
  void run();
  void open_requested(std::list<Link>& links);
  void pump(std::list<Link>& links, const std::vector<pollfd>& pfds);
  static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user);
  static void on_eof(ssh_session, ssh_channel, void* user);

  const Host hop_;
  std::mutex open_mu_;  // one (re)connect or open at a time
  std::mutex mu_;       // the fields below
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Request>> requests_;
  bool stopping_ = false, dead_ = false;
  std::string dead_reason_;
  ssh_session session_ = nullptr;
  ssh_event event_ = nullptr;
  int wake_fd_ = -1;
  std::chrono::seconds keepalive_{15};
  std::thread thread_;
};

void JumpTunnels::Tunnel::stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (event_ != nullptr) ssh_event_free(event_);
  if (session_ != nullptr) {
    ssh_disconnect(session_);
    ssh_free(session_);
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  event_ = nullptr;
  session_ = nullptr;
  wake_fd_ = -1;
  stopping_ = dead_ = false;
}

template <typename Dial>
int JumpTunnels::Tunnel::forward(const std::string& address, int port, const SshOptions& options, Dial dial,
                                 SshConnectError* error) {
  std::lock_guard<std::mutex> open_lock(open_mu_);
  bool dead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dead = dead_;
  }
  if (dead) {
    stop();  // joins the pump, which wrote dead_reason_
    spdlog::debug("bastion {}: reconnecting ({})", ssh_host_label(hop_), dead_reason_);
  }
  if (session_ == nullptr) {
    const int fd = dial(error);
    if (fd < 0 && !error->message.empty()) return -1;
    session_ = ssh_open_session_over(hop_, options, fd, error);
    if (session_ == nullptr) return -1;
    event_ = ssh_event_new();
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    keepalive_ = options.keepalive_interval;
    if (event_ == nullptr || wake_fd_ < 0 || ssh_event_add_session(event_, session_) != SSH_OK) {
      error->message = "cannot set up the connection to bastion " + ssh_host_label(hop_);
      stop();
      return -1;
    }
    int one = 1;  // the target sessions' round trips cross this socket: no Nagle
    setsockopt(ssh_get_fd(session_), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    thread_ = std::thread([this] { run(); });
  }
  // Shared with the pump, which may still hold it after a caller that gave up returned.
  auto req = std::make_shared<Request>();
  req->address = address;
  req->port = port;
  std::unique_lock<std::mutex> lock(mu_);
  if (dead_) {  // died since the check above: its requests were already answered
    error->message = "lost the connection to bastion " + ssh_host_label(hop_) + ": " + dead_reason_;
    error->transient = true;
    return -1;
  }
  requests_.push_back(req);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  // The pump opens the channel under the session's own timeout; a little on top for it.
  const auto limit = std::chrono::seconds(connect_timeout_seconds(hop_, options) + 5);
  if (!cv_.wait_for(lock, limit, [&] { return req->done; })) {
    req->abandoned = true;  // the pump closes the end it would have handed over
    std::erase(requests_, req);
    error->message = "bastion " + ssh_host_label(hop_) + " did not open a channel to " + address + ":" +
                     std::to_string(port) + " in time";
    error->transient = true;
    return -1;
  }
  if (req->fd < 0) {
    error->message = req->error;
    error->transient = req->transient;
  }
  return req->fd;
}

int JumpTunnels::Tunnel::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* user) {
  auto* link = static_cast<Link*>(user);
  if (is_stderr) return static_cast<int>(len);  // a direct-tcpip channel has no stderr
  link->to_local.append(static_cast<const char*>(data), len);
  return static_cast<int>(len);
}

void JumpTunnels::Tunnel::on_eof(ssh_session, ssh_channel, void* user) { static_cast<Link*>(user)->remote_eof = true; }

void JumpTunnels::Tunnel::open_requested(std::list<Link>& links) {
  std::deque<std::shared_ptr<Request>> todo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    todo.swap(requests_);
  }
  for (const auto& req : todo) {
    int pair[2] = {-1, -1};
    std::string why;
    bool transient = true;
    ssh_channel ch = ssh_channel_new(session_);
    if (ch == nullptr || ssh_channel_open_forward(ch, req->address.c_str(), req->port, "127.0.0.1", 0) != SSH_OK) {
      why = ssh_get_error(session_);
      // "administratively prohibited": the bastion's rules, not a passing failure.
      transient = why.find("prohibited") == std::string::npos;
      why = "bastion " + ssh_host_label(hop_) + " could not open a connection to " + req->address + ":" +
            std::to_string(req->port) + ": " + why;
      if (ch != nullptr) ssh_channel_free(ch);
    } else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      why = std::string("socketpair: ") + std::strerror(errno);
      ssh_channel_close(ch);
      ssh_channel_free(ch);
    } else {
      fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK);
      Link& link = links.emplace_back();
      link.channel = ch;
      link.fd = pair[0];
      ssh_callbacks_init(&link.callbacks);
      link.callbacks.userdata = &link;
      link.callbacks.channel_data_function = on_data;
      link.callbacks.channel_eof_function = on_eof;
      link.callbacks.channel_close_function = [](ssh_session, ssh_channel, void* user) { on_eof(nullptr, nullptr, user); };
      ssh_set_channel_callbacks(ch, &link.callbacks);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (req->abandoned) {  // the caller gave up waiting: nobody will use this end
      if (pair[1] >= 0) close(pair[1]);
      continue;
    }
    req->fd = pair[1];
    req->error = why;
    req->transient = transient;
    req->done = true;
    cv_.notify_all();
  }
}

// Moves what is ready: the channel's bytes into each socket, each socket's bytes into its
// channel; ends links whose either side is finished.
void JumpTunnels::Tunnel::pump(std::list<Link>& links, const std::vector<pollfd>& pfds) {
  size_t i = 2;
  char buf[32 * 1024];
  for (auto it = links.begin(); it != links.end(); ++i) {
    Link& l = *it;
    const short revents = i < pfds.size() && pfds[i].fd == l.fd ? pfds[i].revents : 0;
    while (!l.to_local.empty()) {
      const ssize_t n = send(l.fd, l.to_local.data(), l.to_local.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno != EAGAIN && errno != EINTR) l.local_eof = true;
        break;
      }
      l.to_local.erase(0, static_cast<size_t>(n));
    }
    if (l.remote_eof && l.to_local.empty() && !l.local_shut) {
      shutdown(l.fd, SHUT_WR);
      l.local_shut = true;
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !l.local_eof) {
      const ssize_t n = recv(l.fd, buf, sizeof buf, 0);
      if (n > 0) {
        // A blocking write may return short when the window stays shut until the timeout.
        for (ssize_t off = 0; off < n && !l.local_eof;) {
          const int w = ssh_channel_write(l.channel, buf + off, static_cast<uint32_t>(n - off));
          if (w < 0) l.local_eof = true;
          else off += w;
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        l.local_eof = true;
      }
    }
    const bool over = l.to_local.size() > kMaxPending;
    if (l.local_eof || over || (l.local_shut && ssh_channel_is_closed(l.channel))) {
      if (!ssh_channel_is_closed(l.channel)) {
        ssh_channel_send_eof(l.channel);
        ssh_channel_close(l.channel);
      }
      // libssh keeps a freed channel until the peer's close arrives, and would still call
      // back into this Link, which is about to go.
      ssh_remove_channel_callbacks(l.channel, &l.callbacks);
      ssh_channel_free(l.channel);
      close(l.fd);
      it = links.erase(it);
      continue;
    }
    ++it;
  }
}

void JumpTunnels::Tunnel::run() {
  std::list<Link> links;  // stable addresses: the channel callbacks point at them
  const int sfd = ssh_get_fd(session_);
  auto last_sent = Clock::now();
  std::string reason;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    std::vector<pollfd> pfds{{wake_fd_, POLLIN, 0}, {sfd, POLLIN, 0}};
    for (const Link& l : links)
      pfds.push_back({l.fd, static_cast<short>((l.local_eof ? 0 : POLLIN) | (l.to_local.empty() ? 0 : POLLOUT)), 0});
    const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(keepalive_).count();
    if (poll(pfds.data(), pfds.size(), static_cast<int>(std::max<long>(idle, 1000))) < 0 && errno != EINTR) {
      reason = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (pfds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
      open_requested(links);
    }
    if (pfds[1].revents) {
      ssh_event_dopoll(event_, 0);  // reads the session's packets: the links' callbacks fill them
      // Answer every segment at once: the bastion's sshd sends with Nagle on, so a delayed
      // ACK here would hold its next small segment (a command's exit) for ~40 ms.
      int one = 1;
      setsockopt(sfd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    pump(links, pfds);
    if (Clock::now() - last_sent >= keepalive_) {
      ssh_send_ignore(session_, "");  // traffic that keeps NATs and idle timers open
      last_sent = Clock::now();
    }
    if (ssh_is_connected(session_) == 0 || (ssh_get_status(session_) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0) {
      reason = ssh_get_error(session_);
      if (reason.empty()) reason = "the bastion closed the connection";
      break;
    }
  }
  // The target sessions see their sockets close and report their connections lost.
  for (Link& l : links) {
    ssh_remove_channel_callbacks(l.channel, &l.callbacks);
    ssh_channel_free(l.channel);
    close(l.fd);
  }
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = true;
  dead_reason_ = reason;
  for (const auto& req : requests_) {
    req->error = "lost the connection to bastion " + ssh_host_label(hop_) + ": " + reason;
    req->done = true;
  }
  requests_.clear();
  cv_.notify_all();
}

JumpTunnels::JumpTunnels() = default;

JumpTunnels::~JumpTunnels() {
  // Deepest hops first: a tunnel's session runs through the channels of the hops before it,
  // and a chain's key extends the key of the chain one hop shorter.
  std::vector<std::pair<size_t, Tunnel*>> order;
  for (auto& [key, tunnel] : tunnels_) order.emplace_back(key.size(), tunnel.get());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto& [len, tunnel] : order) tunnel->close_all();
}

int JumpTunnels::forward(const Host& host, size_t depth, const std::string& address, int port,
                         const SshOptions& options, SshConnectError* error) {
  Tunnel* tunnel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = tunnels_[chain_key(host, depth, options)];
    if (!slot) slot = std::make_unique<Tunnel>(hop_host(host, host.ssh.jump[depth]));
    tunnel = slot.get();
  }
  // Hop `depth` is dialled directly (depth 0) or through the tunnel of the hop before it.
  auto dial = [&](SshConnectError* err) {
    if (depth == 0) return -1;
    const JumpHop& hop = host.ssh.jump[depth];
    return forward(host, depth - 1, hop.address, hop.port, options, err);
  };
  return tunnel->forward(address, port, options, dial, error);
}

int JumpTunnels::open(const Host& host, const SshOptions& options, SshConnectError* error) {
  *error = {};
  const int fd = forward(host, host.ssh.jump.size() - 1, host.address, host.ssh.port, options, error);
  if (fd < 0) error->message = "cannot reach " + ssh_host_label(host) + " through " + jump_label(host) + ": " + error->message;
  return fd;
}

std::string jump_label(const Host& host) {
  if (host.ssh.jump.empty()) return "";
  std::string out = host.ssh.jump.size() == 1 ? "bastion " : "bastions ";
  for (size_t i = 0; i < host.ssh.jump.size(); ++i) {
    JumpHop hop = host.ssh.jump[i];
    hop.user = hop_user(hop, host);
    out += (i ? ", " : "") + hop.text();
  }
  return out;
}

}  // namespace drplan
