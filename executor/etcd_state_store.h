#pragma once
// Runs kept in etcd, for teams with several controllers (docs/state.md). The lock is a key
// created in a transaction only if absent, bound to a lease the controller keeps alive; the
// key's create revision is the fencing token: every journal write is a transaction that
// succeeds only while the lock key is still the one this controller created, so a controller
// that lost its lease can neither write nor (lock_held) start another step. Records are
// mirrored to a local journal first, which keeps what happened while etcd is unreachable.
//
// Keys under the prefix: lock/<sha256 of the lock key>, index/<run> (one per run, for
// listing), runs/<run>/<sequence, 12 digits> (one record each; parallel steps' records share
// one transaction, and a step's end rides with the next record that waits).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "executor/etcd_client.h"
#include "executor/state_store.h"

namespace drplan {

struct EtcdStoreOptions {
  etcd::ClientOptions client;
  std::string prefix = "/drplan";
  std::chrono::seconds lease_ttl{10};
};

/// "etcd://h1:2379,h2:2379/prefix" → options (http endpoints, the prefix); false with `error`.
bool parse_etcd_url(const std::string& url, EtcdStoreOptions* options, std::string* error);

class EtcdStateStore : public StateStore {
 public:
  /// `mirror_state_dir`: where the local copy of each run's journal goes.
  EtcdStateStore(EtcdStoreOptions options, std::string mirror_state_dir);
  ~EtcdStateStore() override;

  bool prepare(std::string* error) override;
  bool lock(const std::string& key, const nlohmann::json& holder, std::string* error, std::string* note) override;
  bool lock_held(std::string* why) override;
  void unlock() override;
  bool open_run(const std::string& run, std::string* error) override;
  bool append(nlohmann::json record) override;
  std::string journal_name() const override;
  std::string run_dir() const override { return mirror_.run_dir(); }
  std::string journal_file() const override { return mirror_.journal_file(); }
  std::vector<std::string> list_runs() override;
  bool has_run(const std::string& run) override;
  std::string run_location(const std::string& run) const override;
  std::vector<nlohmann::json> read_run(const std::string& run, int* skipped = nullptr,
                                       std::vector<std::string>* problems = nullptr) override;

  /// The lock's fencing token (its key's create revision); 0 without the lock.
  int64_t fencing_token() const { return token_; }
  /// How many transactions carried the records so far (tests: group commit).
  uint64_t transactions() const { return transactions_; }

 private:
  std::string key(const std::string& suffix) const { return options_.prefix + "/" + suffix; }
  void keep_alive();
  /// The lease's part of lock_held(): not expired, renewed within two thirds of the TTL.
  bool lock_trusted(std::string* why);
  /// How long the lock can still be trusted without another renewal.
  std::chrono::milliseconds trust_left();
  bool commit(std::unique_lock<std::mutex>& lock);
  void flush_loop();
  void flush_all();
  void stop_flusher();

  const EtcdStoreOptions options_;
  LocalStateStore mirror_;
  std::unique_ptr<etcd::Client> reader_;  // lock, list, read (the caller's thread)

  // The lock and its lease, renewed by keeper_.
  std::string lock_key_;
  int64_t lease_ = 0;
  int64_t token_ = 0;
  std::thread keeper_;
  std::mutex keep_mu_;
  std::condition_variable keep_cv_;
  bool stop_keeping_ = false;
  std::chrono::steady_clock::time_point renewed_;  // under keep_mu_
  std::string lost_;                               // why the lock is not ours; under keep_mu_
  std::string renew_error_;                        // the last failed renewal's; under keep_mu_

  // Appends: records wait in pending_ until one caller commits them all in one transaction.
  std::unique_ptr<etcd::Client> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string run_;
  uint64_t next_seq_ = 0;
  std::vector<std::pair<uint64_t, std::string>> pending_;
  uint64_t committed_ = 0;  // every sequence below this is in etcd
  bool committing_ = false, failed_ = false;
  std::thread flusher_;  // commits records nobody waits for (flush_loop)
  std::condition_variable flush_cv_;
  bool stop_flushing_ = false;
  std::string write_error_;
  std::atomic<uint64_t> transactions_{0};
};

}  // namespace drplan
