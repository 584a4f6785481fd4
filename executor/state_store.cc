#include "executor/state_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "compiler/source.h"

namespace drplan {

namespace fs = std::filesystem;

std::string default_lock_dir() {
  std::error_code ec;
  const char* env = std::getenv("DRPLAN_LOCK_DIR");
  return env && *env ? env : fs::is_directory("/run/lock", ec) ? "/run/lock/drplan" : "/tmp/drplan-locks";
}

LocalStateStore::LocalStateStore(std::string state_dir, std::string lock_dir)
    : state_dir_(std::move(state_dir)), lock_dir_(std::move(lock_dir)) {}

bool LocalStateStore::prepare(std::string* error) {
  if (!make_private_dir(state_dir_ + "/runs", error)) return false;
  // Shared by every operator's account: sticky and world-writable, as /run/lock itself;
  // each lock file is private to whoever holds it (0600).
  std::error_code ec;
  if (!fs::is_directory(lock_dir_, ec)) {
    if (mkdir(lock_dir_.c_str(), 01777) != 0 && errno != EEXIST) {
      *error = "cannot create the lock directory " + lock_dir_ + ": " + std::strerror(errno);
      return false;
    }
    chmod(lock_dir_.c_str(), 01777);
  }
  return true;
}

std::string LocalStateStore::lock_path(const std::string& key) const {
  return lock_dir_ + "/inventory-" + sha256_hex(key).substr(0, 16) + ".lock";
}

bool LocalStateStore::lock(const std::string& key, const nlohmann::json& holder, std::string* error,
                           std::string* note) {
  return lock_.acquire_as(lock_path(key), holder, error, note);
}

bool LocalStateStore::open_run(const std::string& run, std::string* error) {
  return journal_.open(run_location(run), error);
}

std::vector<std::string> LocalStateStore::list_runs() {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path runs = fs::path(state_dir_) / "runs";
  if (!fs::is_directory(runs, ec)) return out;
  for (const auto& e : fs::directory_iterator(runs, ec))
    if (e.is_directory() && fs::exists(e.path() / "journal.jsonl", ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool LocalStateStore::has_run(const std::string& run) {
  std::error_code ec;
  return !run.empty() && fs::is_directory(run_location(run), ec);
}

std::string LocalStateStore::run_location(const std::string& run) const {
  std::error_code ec;
  return fs::is_directory(run, ec) ? run : state_dir_ + "/runs/" + run;
}

std::vector<nlohmann::json> LocalStateStore::read_run(const std::string& run, int* skipped,
                                                      std::vector<std::string>* problems) {
  return read_journal(run_location(run) + "/journal.jsonl", skipped, problems);
}

}  // namespace drplan
