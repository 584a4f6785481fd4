#include "executor/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "executor/journal.h"
#include "executor/run_identity.h"

namespace drplan {

RunLock::~RunLock() { release(); }

void RunLock::release() {
  if (!path_.empty()) unlink(path_.c_str());
  path_.clear();
}

bool RunLock::acquire(const std::string& path, const std::string& run_id, std::string* message, std::string* note) {
  nlohmann::json me = {{"pid", getpid()}, {"user", current_user()}, {"host", current_host()},
                       {"started", iso_time(now_ms())}, {"run", run_id}};
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      std::string text = me.dump() + "\n";
      bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
      close(fd);
      if (!ok) {
        unlink(path.c_str());
        *message = "cannot write the lock " + path;
        return false;
      }
      path_ = path;
      return true;
    }
    if (errno != EEXIST) {
      *message = "cannot create the lock " + path + ": " + std::strerror(errno);
      return false;
    }
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    auto holder = nlohmann::json::parse(ss.str(), nullptr, false);
    long pid = holder.is_object() ? holder.value("pid", 0L) : 0;
    std::string host = holder.is_object() ? holder.value("host", "") : "";
    bool same_host = host == current_host();
    bool dead = pid > 0 && same_host && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (!holder.is_object() || dead) {
      *note = holder.is_object() ? "took over a stale lock of pid " + std::to_string(pid) + " (" +
                                       holder.value("user", "?") + "@" + host + ", started " +
                                       holder.value("started", "?") + "), which no longer runs"
                                 : "replaced an unreadable lock file " + path;
      unlink(path.c_str());
      continue;
    }
    *message = "another drplan apply of this plan and inventory is running: pid " + std::to_string(pid) + ", " +
               holder.value("user", "?") + "@" + host + ", started " + holder.value("started", "?") +
               " (run " + holder.value("run", "?") + ")";
    if (!same_host) *message += "; it runs on another host, so drplan cannot tell whether it is still alive";
    return false;
  }
  *message = "cannot take the lock " + path;
  return false;
}

}  // namespace drplan
