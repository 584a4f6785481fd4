#pragma once
// Where a run's lock and journal live. LocalStateStore (files; today's behaviour) is the
// default; an etcd implementation will be added later (lock = lease-bound key, appends =
// transactions conditional on still holding the lock). The apply workflow, the scheduler,
// --resume and `drplan runs`/`drplan log` reach runs only through this interface.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/journal.h"
#include "executor/lock.h"

namespace drplan {

class StateStore {
 public:
  virtual ~StateStore() = default;
  /// Makes the store ready to take a lock and open runs (local: creates the directories).
  virtual bool prepare(std::string* error) { return true; }
  /// Takes the run lock named `key` (one apply per inventory); `holder` (lock_holder) names
  /// us to whoever is refused. On refusal `error` names the holder; on success `note` may
  /// report a stale lock that was taken over.
  virtual bool lock(const std::string& key, const nlohmann::json& holder, std::string* error, std::string* note) = 0;
  /// Whether the lock is still ours (a remote store may lose it); the scheduler starts no
  /// new step when false, and `why` says what happened.
  virtual bool lock_held(std::string* why) { return true; }
  virtual void unlock() = 0;

  /// Opens (creates) the journal of run `run`.
  virtual bool open_run(const std::string& run, std::string* error) = 0;
  /// Appends a record durably (adds "ts"/"ts_ms"); thread-safe, and concurrent appends may
  /// share one fsync/transaction. False once the journal cannot be written.
  virtual bool append(nlohmann::json record) = 0;
  /// The open run's journal, for messages and DRPLAN_JOURNAL (a file; a key for a remote store).
  virtual std::string journal_name() const = 0;
  /// A local directory of the open run: drplan.log and DRPLAN_RUN_DIR.
  virtual std::string run_dir() const = 0;
  /// The open run's journal as a local file steps may read (DRPLAN_JOURNAL): the journal
  /// itself, or a remote store's local mirror.
  virtual std::string journal_file() const = 0;

  /// Run ids, oldest first.
  virtual std::vector<std::string> list_runs() = 0;
  /// Whether run `run` exists (local: an id, or the run's directory).
  virtual bool has_run(const std::string& run) = 0;
  /// Where run `run` lives, for messages (local: its directory).
  virtual std::string run_location(const std::string& run) const = 0;
  /// Every readable record of run `run`; damaged ones are skipped (counted in `skipped`,
  /// described in `problems`, as read_journal).
  virtual std::vector<nlohmann::json> read_run(const std::string& run, int* skipped = nullptr,
                                               std::vector<std::string>* problems = nullptr) = 0;
};

/// Runs in `state_dir`/runs/ID/journal.jsonl (0700 directories, 0600 files), the lock in
/// `lock_dir` (see default_lock_dir), one file per lock key, held with flock.
class LocalStateStore : public StateStore {
 public:
  LocalStateStore(std::string state_dir, std::string lock_dir);
  bool prepare(std::string* error) override;
  bool lock(const std::string& key, const nlohmann::json& holder, std::string* error, std::string* note) override;
  void unlock() override { lock_.release(); }
  bool open_run(const std::string& run, std::string* error) override;
  bool append(nlohmann::json record) override { return journal_.append(std::move(record)); }
  std::string journal_name() const override { return journal_.path(); }
  std::string run_dir() const override { return journal_.dir(); }
  std::string journal_file() const override { return journal_.path(); }
  std::vector<std::string> list_runs() override;
  bool has_run(const std::string& run) override;
  /// `run` itself when it is a directory (`--run DIR`), else state_dir/runs/`run`.
  std::string run_location(const std::string& run) const override;
  std::vector<nlohmann::json> read_run(const std::string& run, int* skipped = nullptr,
                                       std::vector<std::string>* problems = nullptr) override;

  const std::string& state_dir() const { return state_dir_; }
  /// The lock file of `key`: lock_dir/inventory-HASH.lock.
  std::string lock_path(const std::string& key) const;
  const JournalWriter& journal() const { return journal_; }

 private:
  std::string state_dir_, lock_dir_;
  RunLock lock_;
  JournalWriter journal_;
};

/// DRPLAN_LOCK_DIR, else /run/lock/drplan (or /tmp/drplan-locks without /run/lock): one
/// machine-wide directory, so one apply per inventory whatever the state dir.
std::string default_lock_dir();

}  // namespace drplan
