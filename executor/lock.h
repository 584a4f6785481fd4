#pragma once
// One apply per (plan, inventory) at a time. The lock is a file that names its holder
// (pid, user, host, start time, run), created with O_EXCL and held with flock() for the
// whole run. The kernel drops the flock when the holder dies, even by kill -9: a lock file
// nobody holds, whose pid no longer lives on this host, is stale and taken over in place
// (never unlinked and recreated, so two contenders cannot both win).
#include <string>

#include <nlohmann/json.hpp>

namespace drplan {

/// Who holds a lock: pid, user, host, start time and run id.
nlohmann::json lock_holder(const std::string& run_id);
/// "pid 42, ops@ctl-a, started ... (run ...)" for a refusal.
std::string describe_lock_holder(const nlohmann::json& holder);

class RunLock {
 public:
  RunLock() = default;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();
  /// Takes the lock at `path`; on refusal `message` says who holds it. `note` reports a
  /// stale lock that was taken over.
  bool acquire(const std::string& path, const std::string& run_id, std::string* message, std::string* note);
  /// The same with the holder's description (lock_holder) written into the lock file.
  bool acquire_as(const std::string& path, const nlohmann::json& holder, std::string* message, std::string* note);
  /// Removes the lock file and lets go of it.
  void release();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace drplan
