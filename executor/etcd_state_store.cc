#include "executor/etcd_state_store.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "compiler/source.h"
#include "executor/journal.h"
#include "executor/lock.h"

namespace drplan {
namespace {

using Clock = std::chrono::steady_clock;

// How long a record nobody waits for may sit before the flusher commits it.
constexpr std::chrono::milliseconds kFlushDelay{50};

// etcd answers nothing while it elects a leader (a member lost with its site): the
// operations here are retried until `limit`. Each is safe to repeat: a lease granted twice
// lapses unused, the lock's transaction recognizes its own holder, and a batch of records is
// the same keys with the same values under the same fence.
template <typename Op>
bool with_retries(std::chrono::milliseconds limit, std::string* error, Op op) {
  const auto deadline = Clock::now() + limit;
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    error->clear();
    if (op()) return true;
    if (Clock::now() + pause >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

// Every request waits at most a fifth of the TTL (2 s by default) and is retried within the
// operation's patience: a request stuck on a member that lost its leader must not use up the
// time the lock can be trusted.
etcd::ClientOptions quick_client(const EtcdStoreOptions& o) {
  etcd::ClientOptions c = o.client;
  c.request_timeout_ms = std::min<long>(c.request_timeout_ms, o.lease_ttl.count() * 1000 / 5);
  return c;
}

std::string sequence_key(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012llu", static_cast<unsigned long long>(seq));
  return buf;
}

}  // namespace

bool parse_etcd_url(const std::string& url, EtcdStoreOptions* options, std::string* error) {
  const std::string scheme = "etcd://";
  if (url.rfind(scheme, 0) != 0) {
    *error = "'" + url + "' is not an etcd URL (etcd://HOST:PORT[,HOST:PORT...][/PREFIX])";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string hosts = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size()) options->prefix = rest.substr(slash);
  while (options->prefix.size() > 1 && options->prefix.back() == '/') options->prefix.pop_back();
  options->client.endpoints.clear();
  size_t start = 0;
  while (start <= hosts.size()) {
    const size_t comma = hosts.find(',', start);
    const std::string h = hosts.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (h.empty() || h.find_first_of(" \t\n@?#") != std::string::npos) {
      *error = "'" + url + "': an empty or malformed endpoint";
      return false;
    }
    options->client.endpoints.push_back("http://" + h);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

EtcdStateStore::EtcdStateStore(EtcdStoreOptions options, std::string mirror_state_dir)
    : options_(std::move(options)),
      mirror_(std::move(mirror_state_dir), default_lock_dir()),
      reader_(std::make_unique<etcd::Client>(quick_client(options_))),
      writer_(std::make_unique<etcd::Client>(quick_client(options_))) {}

EtcdStateStore::~EtcdStateStore() {
  unlock();
  stop_flusher();
}

void EtcdStateStore::stop_flusher() {
  if (!flusher_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_flushing_ = true;
  }
  flush_cv_.notify_all();
  flusher_.join();
}

bool EtcdStateStore::prepare(std::string* error) {
  if (options_.client.endpoints.empty()) {
    *error = "the etcd state backend has no endpoints";
    return false;
  }
  return mirror_.prepare(error);
}

bool EtcdStateStore::lock(const std::string& name, const nlohmann::json& holder, std::string* error,
                          std::string* /*note*/) {
  lock_key_ = key("lock/" + sha256_hex(name).substr(0, 32));
  std::string why;
  const auto patience = std::chrono::milliseconds(options_.lease_ttl);
  auto granted_at = Clock::now();  // etcd's clock for the lease starts no earlier than this
  if (!with_retries(patience, &why, [&] {
        granted_at = Clock::now();
        return reader_->lease_grant(options_.lease_ttl.count(), &lease_, &why);
      })) {
    *error = "cannot take the run lock in etcd: " + why;
    return false;
  }
  const std::string mine = holder.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  etcd::Txn txn;
  txn.compare.push_back(etcd::Compare::absent(lock_key_));
  txn.success.push_back(etcd::Op::put(lock_key_, mine, lease_));
  txn.failure.push_back(etcd::Op::range(lock_key_));
  etcd::TxnResult result;
  if (!with_retries(patience, &why, [&] { return reader_->txn(txn, &result, &why); })) {
    std::string ignored;
    reader_->lease_revoke(lease_, &ignored);
    lease_ = 0;
    *error = "cannot take the run lock in etcd: " + why;
    return false;
  }
  // A retried transaction that had already been applied finds our own holder there.
  const auto* found = result.responses.empty() || result.responses[0].kvs.empty() ? nullptr : &result.responses[0].kvs[0];
  if (!result.succeeded && found && found->value == mine && found->lease == lease_) {
    result.succeeded = true;
    result.revision = found->create_revision;
  }
  if (!result.succeeded) {
    std::string who = "a drplan that is just starting";
    if (found) {
      auto h = nlohmann::json::parse(found->value, nullptr, false);
      if (h.is_object()) who = describe_lock_holder(h);
    }
    std::string ignored;
    reader_->lease_revoke(lease_, &ignored);
    lease_ = 0;
    *error = "another drplan apply of this plan and inventory is running: " + who +
             " (the lock is in etcd; it lapses " + std::to_string(options_.lease_ttl.count()) +
             " s after its holder stops renewing it)";
    return false;
  }
  token_ = result.revision;  // the put created the key: its create revision is this revision
  {
    std::lock_guard<std::mutex> lock(keep_mu_);
    renewed_ = granted_at;
    lost_.clear();
    stop_keeping_ = false;
  }
  keeper_ = std::thread([this] { keep_alive(); });
  return true;
}

// Renews the lease every third of its TTL. Once a renewal fails the lock is no longer ours
// to trust: lock_held() says so before the lease can lapse anywhere else.
void EtcdStateStore::keep_alive() {
  etcd::Client client(quick_client(options_));
  const auto period = std::chrono::milliseconds(options_.lease_ttl) / 3;
  auto wait = period;
  std::unique_lock<std::mutex> lock(keep_mu_);
  while (!keep_cv_.wait_for(lock, wait, [&] { return stop_keeping_; })) {
    lock.unlock();
    int64_t ttl = 0;
    std::string why;
    const auto sent = Clock::now();  // the lease runs from when etcd saw the renewal, not after
    const bool ok = client.lease_keepalive(lease_, &ttl, &why);
    lock.lock();
    // After a failure (a leader election, a member gone) try again soon, not a third of the
    // TTL later: one miss must not use up the time the lock can be trusted.
    wait = ok ? period : std::chrono::milliseconds(300);
    if (ok && ttl > 0) {
      renewed_ = sent;
      renew_error_.clear();
    } else if (ok) {
      if (lost_.empty()) lost_ = "the lock's lease in etcd expired";
    } else {
      renew_error_ = why;  // a leader election may answer the next one: lock_held() keeps the time
    }
  }
}

bool EtcdStateStore::lock_held(std::string* why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_) {  // a record etcd did not take: no step may start after that gap
      if (why) *why = write_error_;
      return false;
    }
  }
  return lock_trusted(why);
}

std::chrono::milliseconds EtcdStateStore::trust_left() {
  std::lock_guard<std::mutex> lock(keep_mu_);
  if (lease_ == 0) return std::chrono::milliseconds(options_.lease_ttl) / 2;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      renewed_ + std::chrono::milliseconds(options_.lease_ttl) * 2 / 3 - Clock::now());
  return std::max(std::chrono::milliseconds(0), left);
}

bool EtcdStateStore::lock_trusted(std::string* why) {
  std::lock_guard<std::mutex> lock(keep_mu_);
  if (lease_ == 0) return true;  // no lock taken (read-only use)
  // Stop trusting the lock a third of the TTL before the lease could lapse, so nothing
  // starts under a lock another controller may already hold.
  const auto limit = std::chrono::milliseconds(options_.lease_ttl) * 2 / 3;
  if (lost_.empty() && Clock::now() - renewed_ > limit)
    lost_ = "the lock's lease in etcd was not renewed for " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - renewed_).count()) +
            " s (etcd unreachable or without quorum" + (renew_error_.empty() ? "" : ": " + renew_error_) + ")";
  if (lost_.empty()) return true;
  if (why) *why = lost_;
  return false;
}

void EtcdStateStore::unlock() {
  flush_all();  // what is still pending goes to etcd while the fence is ours
  if (keeper_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(keep_mu_);
      stop_keeping_ = true;
    }
    keep_cv_.notify_all();
    keeper_.join();
  }
  if (lease_ != 0) {
    std::string ignored;  // revoking deletes the lock key; an unreachable etcd lets it lapse
    bool lost;
    {
      std::lock_guard<std::mutex> lock(keep_mu_);
      lost = !lost_.empty();
    }
    if (!lost) reader_->lease_revoke(lease_, &ignored);
    std::lock_guard<std::mutex> lock(keep_mu_);
    lease_ = 0;
    token_ = 0;
  }
}

bool EtcdStateStore::open_run(const std::string& run, std::string* error) {
  if (!mirror_.open_run(run, error)) return false;
  std::vector<etcd::KeyValue> kvs;
  std::string why;
  const auto patience = std::chrono::milliseconds(options_.lease_ttl) / 2;
  // A resumed run goes on after the records already there (another controller's, maybe).
  if (!with_retries(patience, &why, [&] { return reader_->range_prefix(key("runs/" + run + "/"), &kvs, &why); })) {
    *error = "cannot read run " + run + " from etcd: " + why;
    return false;
  }
  uint64_t next = 0;
  for (const auto& kv : kvs) {
    const std::string tail = kv.key.substr(kv.key.rfind('/') + 1);
    if (!tail.empty() && tail.size() <= 18 && tail.find_first_not_of("0123456789") == std::string::npos)
      next = std::max<uint64_t>(next, std::stoull(tail) + 1);
  }
  etcd::Txn txn;
  if (token_ != 0) txn.compare.push_back(etcd::Compare::created_at(lock_key_, token_));
  txn.success.push_back(etcd::Op::put(key("index/" + run), ""));
  etcd::TxnResult result;
  if (!with_retries(patience, &why, [&] { return reader_->txn(txn, &result, &why); }) || !result.succeeded) {
    *error = "cannot record run " + run + " in etcd: " + (why.empty() ? "the run lock is no longer ours" : why);
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  run_ = run;
  next_seq_ = committed_ = next;
  pending_.clear();
  failed_ = false;
  return true;
}

bool EtcdStateStore::append(nlohmann::json record) {
  const long long ms = now_ms();
  record["ts"] = iso_time(ms);
  record["ts_ms"] = ms;
  // Nothing that lets the run act (a start, a rollback, a gate's decision) goes out under a
  // lock this controller no longer trusts, even when etcd would still take it.
  const bool waits = record.value("type", "") != "step_end";
  std::string distrust;
  if (waits && !lock_trusted(&distrust)) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) {
      failed_ = true;
      write_error_ = distrust;
    }
  }
  // The local mirror keeps the record even when etcd cannot take it. Its fdatasync and
  // etcd's transaction run side by side: a record costs the slower of the two, not both.
  std::future<bool> mirrored;
  try {
    mirrored = std::async(std::launch::async, [this, record] { return mirror_.append(record); });
  } catch (const std::system_error&) {  // no thread to spare: the mirror first, then etcd
    std::promise<bool> done;
    done.set_value(mirror_.append(record));
    mirrored = done.get_future();
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (run_.empty() || failed_) {
    lock.unlock();
    mirrored.wait();  // the mirror keeps it, but the run's journal in etcd has a gap already
    return false;
  }
  const uint64_t mine = next_seq_++;
  pending_.emplace_back(mine, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  // A step's end need not wait for etcd: nothing starts on its strength alone. It rides in
  // the transaction of the next record that waits (the next step's start, in order, so no
  // later record lands without it), or the flusher's within kFlushDelay. Lost with the
  // controller, the step reads as unfinished (unknown) to a resume: what a crash just
  // before writing it would leave too.
  if (!waits) {
    if (!flusher_.joinable()) flusher_ = std::thread([this] { flush_loop(); });
    flush_cv_.notify_one();
    const bool ok = !failed_;
    lock.unlock();
    return mirrored.get() && ok;
  }
  while (committed_ <= mine && !failed_) {
    if (committing_) {
      cv_.wait(lock);
    } else if (!commit(lock)) {
      break;
    }
  }
  const bool in_etcd = !failed_ && committed_ > mine;
  lock.unlock();
  return mirrored.get() && in_etcd;
}

// Commits the records nobody waits for (a step's end) once they are kFlushDelay old.
void EtcdStateStore::flush_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_flushing_) {
    if (pending_.empty() || committing_ || failed_) {
      flush_cv_.wait_for(lock, kFlushDelay);
      continue;
    }
    flush_cv_.wait_for(lock, kFlushDelay);  // let the next step's start join the batch
    if (!pending_.empty() && !committing_ && !failed_) commit(lock);
  }
}

void EtcdStateStore::flush_all() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!pending_.empty() && !failed_) {
    if (committing_) cv_.wait(lock);
    else commit(lock);
  }
  while (committing_) cv_.wait(lock);
}

// Writes every pending record in one transaction fenced by the lock; called with `lock` held
// and returns with it held.
bool EtcdStateStore::commit(std::unique_lock<std::mutex>& lock) {
  committing_ = true;
  std::vector<std::pair<uint64_t, std::string>> batch;
  batch.swap(pending_);
  const std::string prefix = key("runs/" + run_ + "/");
  lock.unlock();
  etcd::Txn txn;
  if (token_ != 0) txn.compare.push_back(etcd::Compare::created_at(lock_key_, token_));
  for (const auto& [seq, text] : batch) txn.success.push_back(etcd::Op::put(prefix + sequence_key(seq), text));
  etcd::TxnResult result;
  std::string why;
  // Only while the lock can still be trusted (lock_held): past that, no retry.
  const auto patience = trust_left();
  const bool ok = with_retries(patience, &why, [&] { return writer_->txn(txn, &result, &why); }) && result.succeeded;
  ++transactions_;
  lock.lock();
  committing_ = false;
  if (ok) {
    committed_ = std::max(committed_, batch.back().first + 1);
  } else {
    failed_ = true;  // the fence or etcd refused: no later record may land after a gap
    write_error_ = why.empty() ? "the run lock in etcd is no longer this controller's (another took it over)"
                               : "etcd did not take the journal's records: " + why;
  }
  cv_.notify_all();
  return ok;
}

std::string EtcdStateStore::journal_name() const {
  return "etcd " + key("runs/" + run_) + " (mirrored to " + mirror_.journal_file() + ")";
}

std::vector<std::string> EtcdStateStore::list_runs() {
  std::vector<etcd::KeyValue> kvs;
  std::string why;
  std::vector<std::string> out;
  const std::string prefix = key("index/");
  if (!reader_->range_prefix(prefix, &kvs, &why)) return out;
  for (const auto& kv : kvs) out.push_back(kv.key.substr(prefix.size()));
  std::sort(out.begin(), out.end());
  return out;
}

bool EtcdStateStore::has_run(const std::string& run) {
  std::vector<etcd::KeyValue> kvs;
  std::string why;
  return !run.empty() && run.find('/') == std::string::npos && reader_->range(key("index/" + run), &kvs, &why) &&
         !kvs.empty();
}

std::string EtcdStateStore::run_location(const std::string& run) const { return "etcd " + key("runs/" + run); }

std::vector<nlohmann::json> EtcdStateStore::read_run(const std::string& run, int* skipped,
                                                     std::vector<std::string>* problems) {
  std::vector<etcd::KeyValue> kvs;
  std::string why;
  if (!reader_->range_prefix(key("runs/" + run + "/"), &kvs, &why)) {
    if (problems) problems->push_back(run_location(run) + ": cannot read from etcd: " + why);
    if (skipped) *skipped = 0;
    return {};
  }
  std::string text;
  for (const auto& kv : kvs) text += kv.value + "\n";  // keys sort in sequence order
  return parse_journal(text, run_location(run), skipped, problems);
}

}  // namespace drplan
