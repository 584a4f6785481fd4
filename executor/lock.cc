#include "executor/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "executor/journal.h"
#include "executor/record_fields.h"
#include "executor/run_identity.h"

namespace drplan {

namespace {

nlohmann::json read_holder(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  off_t off = 0;
  while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    off += n;
  }
  auto holder = nlohmann::json::parse(text, nullptr, false);
  if (holder.is_object()) drop_mistyped_fields(holder);  // a hand-edited lock names what it can
  return holder;
}

std::string pid_of(const nlohmann::json& holder) {
  return holder.contains("pid") ? std::to_string(holder.value("pid", 0L)) : "?";
}


// Is `fd` (which we hold) still the file at `path`? A holder that released the lock
// unlinked it after we opened it.
bool still_at(int fd, const std::string& path) {
  struct stat a{}, b{};
  return fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

}  // namespace

RunLock::~RunLock() { release(); }

void RunLock::release() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // while still holding it: nobody takes over a file on its way out
  close(fd_);
  fd_ = -1;
  path_.clear();
}

std::string describe_lock_holder(const nlohmann::json& holder) {
  if (!holder.is_object()) return "a drplan that is just starting";
  return "pid " + pid_of(holder) + ", " + holder.value("user", "?") + "@" +
         holder.value("host", "?") + ", started " + holder.value("started", "?") + " (run " + holder.value("run", "?") + ")";
}

nlohmann::json lock_holder(const std::string& run_id) {
  return {{"pid", getpid()}, {"user", current_user()}, {"host", current_host()}, {"started", iso_time(now_ms())},
          {"run", run_id}};
}

bool RunLock::acquire(const std::string& path, const std::string& run_id, std::string* message, std::string* note) {
  return acquire_as(path, lock_holder(run_id), message, note);
}

bool RunLock::acquire_as(const std::string& path, const nlohmann::json& me, std::string* message, std::string* note) {
  const std::string busy = "another drplan apply of this plan and inventory is running: ";
  for (int attempt = 0; attempt < 10; ++attempt) {
    bool created = true;
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
      created = false;
      fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) continue;  // released meanwhile
    }
    if (fd < 0) {
      *message = "cannot open the lock " + path + ": " + std::strerror(errno);
      return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      *message = busy + describe_lock_holder(read_holder(fd));
      close(fd);
      return false;
    }
    if (!still_at(fd, path)) {
      close(fd);
      continue;
    }
    if (!created) {
      // Nobody holds it. Stale -- unless its pid still lives here (not a drplan that died:
      // be careful), or it belongs to another host (a shared state dir: flock may not cross it).
      nlohmann::json holder = read_holder(fd);
      if (holder.is_object()) {
        long pid = holder.value("pid", 0L);
        std::string host = holder.value("host", "");
        if (host != current_host()) {
          *message = busy + describe_lock_holder(holder) + "; it runs on another host, so drplan cannot tell whether it is still alive";
          close(fd);
          return false;
        }
        if (pid > 0 && !(kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
          *message = busy + describe_lock_holder(holder) + "; if pid " + std::to_string(pid) + " is not drplan, remove " + path;
          close(fd);
          return false;
        }
        *note = "took over a stale lock of pid " + pid_of(holder) + " (" + holder.value("user", "?") + "@" + host +
                ", started " + holder.value("started", "?") + "), which no longer runs";
      } else {
        *note = "replaced an unreadable lock file " + path;
      }
    }
    const std::string text = me.dump() + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        fsync(fd) != 0) {
      *message = "cannot write the lock " + path + ": " + std::strerror(errno);
      unlink(path.c_str());
      close(fd);
      return false;
    }
    fd_ = fd;
    path_ = path;
    return true;
  }
  *message = "cannot take the lock " + path + " (it keeps changing hands)";
  return false;
}

}  // namespace drplan
