// The etcd state store against an etcd member of its own (skipped without /usr/bin/etcd):
// the lock refuses a second holder by name, records round-trip in order, parallel appends
// share transactions, and a controller whose lock was taken over can neither write nor start
// a step. The lab's three-member cluster is exercised by tests/e2e/etcd_*.sh.
#include "executor/etcd_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "executor/etcd_test_member.h"
#include "executor/lock.h"
#include "tests/test_dir.h"

namespace drplan {
namespace {

using etcd::test_support::EtcdMember;
using json = nlohmann::json;
using namespace std::chrono_literals;

TEST(EtcdUrl, EndpointsAndPrefix) {
  EtcdStoreOptions o;
  std::string err;
  ASSERT_TRUE(parse_etcd_url("etcd://127.0.0.13:2379,10.0.0.2:2379/drplan/prod/", &o, &err)) << err;
  EXPECT_EQ(o.client.endpoints, (std::vector<std::string>{"http://127.0.0.13:2379", "http://10.0.0.2:2379"}));
  EXPECT_EQ(o.prefix, "/drplan/prod");
  EtcdStoreOptions d;
  ASSERT_TRUE(parse_etcd_url("etcd://h:1", &d, &err));
  EXPECT_EQ(d.prefix, "/drplan");
  for (const char* bad : {"http://h:2379", "etcd://", "etcd://a,,b", "etcd://u@h:1", "etcd://h 1"}) {
    EtcdStoreOptions x;
    EXPECT_FALSE(parse_etcd_url(bad, &x, &err)) << bad;
  }
}

class EtcdStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (etcd::test_support::have_etcd()) member_ = new EtcdMember;
  }
  static void TearDownTestSuite() {
    delete member_;
    member_ = nullptr;
  }
  void SetUp() override {
    if (!member_) GTEST_SKIP() << "no /usr/bin/etcd";
    ASSERT_TRUE(member_->ready()) << "etcd did not start; see " << member_->log();
  }
  // A store under a prefix of this test's own, TTL 2 s, its mirror in `dir`.
  std::unique_ptr<EtcdStateStore> store(const std::string& dir) {
    EtcdStoreOptions o;
    o.client.endpoints = {member_->url()};
    o.prefix = "/t/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    o.lease_ttl = 2s;
    auto s = std::make_unique<EtcdStateStore>(o, dir);
    std::string err;
    EXPECT_TRUE(s->prepare(&err)) << err;
    return s;
  }
  // What a controller cut off for longer than the TTL sees: its lease gone behind its back.
  void revoke_the_lock_lease() {
    etcd::ClientOptions co;
    co.endpoints = {member_->url()};
    etcd::Client admin(co);
    std::vector<etcd::KeyValue> kvs;
    std::string err;
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(admin.range_prefix("/t/" + test + "/lock/", &kvs, &err)) << err;
    ASSERT_EQ(kvs.size(), 1u);
    ASSERT_TRUE(admin.lease_revoke(kvs[0].lease, &err)) << err;
  }
  static inline EtcdMember* member_ = nullptr;
  test_support::TestDir tmp_{"etcd-store"};
};

TEST_F(EtcdStore, ASecondHolderIsRefusedByName) {
  auto a = store(tmp_.path().string() + "/a"), b = store(tmp_.path().string() + "/b");
  std::string err, note;
  ASSERT_TRUE(a->lock("name:lab", lock_holder("run-a"), &err, &note)) << err;
  EXPECT_GT(a->fencing_token(), 0);
  EXPECT_FALSE(b->lock("name:lab", lock_holder("run-b"), &err, &note));
  EXPECT_NE(err.find("another drplan apply of this plan and inventory is running: pid "), std::string::npos) << err;
  EXPECT_NE(err.find("(run run-a)"), std::string::npos) << err;
  EXPECT_TRUE(b->lock("name:other", lock_holder("run-b"), &err, &note)) << "another inventory's lock: " << err;
  b->unlock();
  a->unlock();  // revoked: the next taker does not wait for the lease
  EXPECT_TRUE(b->lock("name:lab", lock_holder("run-b"), &err, &note)) << err;
}

TEST_F(EtcdStore, RecordsRoundTripInOrderAndParallelAppendsShareTransactions) {
  auto s = store(tmp_.path().string());
  std::string err, note;
  ASSERT_TRUE(s->lock("name:lab", lock_holder("r1"), &err, &note)) << err;
  ASSERT_TRUE(s->open_run("r1", &err)) << err;
  ASSERT_TRUE(s->append({{"type", "run_start"}, {"run", "r1"}}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) EXPECT_TRUE(s->append({{"type", "step_start"}, {"step", "s" + std::to_string(t)}}));
    });
  for (auto& t : threads) t.join();
  ASSERT_TRUE(s->append({{"type", "run_end"}, {"status", "succeeded"}}));
  EXPECT_LT(s->transactions(), 82u) << "parallel appends should share transactions";
  auto records = s->read_run("r1");
  ASSERT_EQ(records.size(), 82u);
  EXPECT_EQ(records.front()["type"], "run_start");
  EXPECT_EQ(records.back()["type"], "run_end");
  EXPECT_TRUE(records.back().contains("ts"));
  EXPECT_EQ(s->list_runs(), std::vector<std::string>{"r1"});
  EXPECT_TRUE(s->has_run("r1"));
  EXPECT_FALSE(s->has_run("r2"));
  // The mirror holds the same records.
  EXPECT_EQ(read_journal(s->run_dir() + "/journal.jsonl").size(), 82u);
  EXPECT_EQ(std::filesystem::status(s->run_dir() + "/journal.jsonl").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// A step's end does not wait for etcd: it rides with the next record that waits, or the
// flusher commits it shortly; either way etcd keeps the order.
TEST_F(EtcdStore, AStepsEndRidesWithTheNextRecordOrIsFlushed) {
  auto s = store(tmp_.path().string());
  std::string err, note;
  ASSERT_TRUE(s->lock("name:lab", lock_holder("r"), &err, &note)) << err;
  ASSERT_TRUE(s->open_run("r", &err)) << err;
  ASSERT_TRUE(s->append({{"type", "step_start"}, {"step", "a"}}));
  const uint64_t before = s->transactions();
  ASSERT_TRUE(s->append({{"type", "step_end"}, {"step", "a"}}));
  ASSERT_TRUE(s->append({{"type", "step_start"}, {"step", "b"}}));
  EXPECT_EQ(s->transactions() - before, 1u) << "a's end and b's start share one transaction";
  ASSERT_TRUE(s->append({{"type", "step_end"}, {"step", "b"}}));
  std::this_thread::sleep_for(300ms);  // the flusher's delay is 50 ms
  auto records = s->read_run("r");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1]["type"], "step_end");
  EXPECT_EQ(records[2]["step"], "b");
  EXPECT_EQ(records[3]["type"], "step_end");
}

// Controller A stops renewing (its lease is revoked behind its back, as when it was cut off
// long enough); B takes the lock. A can no longer write, and is told so before its next step.
TEST_F(EtcdStore, AControllerWhoseLockWasTakenOverCannotWrite) {
  auto a = store(tmp_.path().string() + "/a");
  std::string err, note;
  ASSERT_TRUE(a->lock("name:lab", lock_holder("ra"), &err, &note)) << err;
  ASSERT_TRUE(a->open_run("ra", &err)) << err;
  ASSERT_TRUE(a->append({{"type", "run_start"}}));
  std::string why;
  EXPECT_TRUE(a->lock_held(&why));

  revoke_the_lock_lease();

  auto b = store(tmp_.path().string() + "/b");
  ASSERT_TRUE(b->lock("name:lab", lock_holder("ra"), &err, &note)) << err;
  ASSERT_TRUE(b->open_run("ra", &err)) << err;
  EXPECT_FALSE(a->append({{"type", "step_start"}, {"step", "late"}})) << "the fence let a stale controller write";
  EXPECT_FALSE(a->lock_held(&why));
  EXPECT_NE(why.find("no longer this controller's"), std::string::npos) << why;
  ASSERT_TRUE(b->append({{"type", "run_resume"}}));
  auto records = b->read_run("ra");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["type"], "run_resume");
  // A's mirror kept what A tried.
  EXPECT_EQ(read_journal(a->run_dir() + "/journal.jsonl").size(), 2u);
}

TEST_F(EtcdStore, ALapsedLeaseIsNoticedWithinTheTtl) {
  auto s = store(tmp_.path().string());
  std::string err, note, why;
  ASSERT_TRUE(s->lock("name:lab", lock_holder("r"), &err, &note)) << err;
  revoke_the_lock_lease();
  bool held = true;
  for (int i = 0; i < 40 && held; ++i) {  // TTL 2 s: renewals every ~0.7 s
    std::this_thread::sleep_for(100ms);
    held = s->lock_held(&why);
  }
  EXPECT_FALSE(held);
  EXPECT_NE(why.find("expired"), std::string::npos) << why;
}

}  // namespace
}  // namespace drplan
