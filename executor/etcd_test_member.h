#pragma once
// For tests: one etcd member of their own on a free loopback address (the etcd client's and
// the etcd state store's tests), stopped even when the test process dies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "executor/etcd_client.h"

namespace drplan::etcd::test_support {

using namespace std::chrono_literals;

/// A loopback address with nothing on port 2379, chosen by pid so parallel test runs differ.
inline std::string free_address() {
  for (int k = 0; k < 50; ++k) {
    const int n = getpid() + k;
    const std::string ip = "127.53." + std::to_string(n / 250 % 250 + 1) + "." + std::to_string(n % 250 + 2);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(2379);
    inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const bool taken = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    close(fd);
    if (!taken) return ip;
  }
  return "";
}

/// One etcd member on a free loopback address with a scratch data directory; killed (and the
/// directory removed) when destroyed, and by the kernel if the test process dies first.
class EtcdMember {
 public:
  EtcdMember() {
    const std::string ip = free_address();
    char tmpl[] = "/tmp/drplan-etcd-XXXXXX";
    if (ip.empty() || !mkdtemp(tmpl)) return;
    dir_ = tmpl;
    url_ = "http://" + ip + ":2379";
    const std::string peer = "http://" + ip + ":2380", log = dir_ + "/etcd.log";
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setpgid(0, 0);
      if (!freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
      execl("/usr/bin/etcd", "etcd", "--name", "t", "--data-dir", (dir_ + "/data").c_str(), "--listen-client-urls",
            url_.c_str(), "--advertise-client-urls", url_.c_str(), "--listen-peer-urls", peer.c_str(),
            "--initial-advertise-peer-urls", peer.c_str(), "--initial-cluster", ("t=" + peer).c_str(), "--logger",
            "zap", "--log-outputs", "stderr", nullptr);
      _exit(127);
    }
    ClientOptions quick;
    quick.endpoints = {url_};
    quick.connect_timeout_ms = 200;
    quick.request_timeout_ms = 500;
    Client probe(quick);
    std::vector<KeyValue> kvs;
    std::string error;
    for (int i = 0; i < 100 && !ready_; ++i) {  // about 1 s here; 10 s at most
      ready_ = probe.range("probe", &kvs, &error);
      if (!ready_) std::this_thread::sleep_for(100ms);
    }
  }
  ~EtcdMember() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  EtcdMember(const EtcdMember&) = delete;
  EtcdMember& operator=(const EtcdMember&) = delete;
  bool ready() const { return ready_; }
  const std::string& url() const { return url_; }
  std::string log() const { return dir_ + "/etcd.log"; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
  std::string dir_, url_;
};

inline bool have_etcd() { return access("/usr/bin/etcd", X_OK) == 0; }


}  // namespace drplan::etcd::test_support
