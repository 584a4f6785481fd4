#pragma once
// One apply per (plan, inventory) at a time. The lock is a file created with O_EXCL that
// names its holder (pid, user, host, start time, run); a lock whose pid no longer lives on
// this host is stale and taken over.
#include <string>

namespace drplan {

class RunLock {
 public:
  ~RunLock();
  /// Takes the lock at `path`; on refusal `message` says who holds it. `note` reports a
  /// stale lock that was taken over.
  bool acquire(const std::string& path, const std::string& run_id, std::string* message, std::string* note);
  void release();

 private:
  std::string path_;
};

}  // namespace drplan
