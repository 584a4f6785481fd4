// The local state store: the lock names its holder to whoever is refused; runs are listed
// oldest first and read back as they were appended.
#include "executor/state_store.h"

#include <gtest/gtest.h>

#include "tests/test_dir.h"

namespace drplan {
namespace {

class LocalStateStoreTest : public ::testing::Test {
 protected:
  test_support::TestDir tmp_{"state_store", /*create=*/true};
  std::string state_ = (tmp_.path() / "state").string(), locks_ = (tmp_.path() / "locks").string();
};

TEST_F(LocalStateStoreTest, ASecondLockIsRefusedNamingTheHolder) {
  LocalStateStore first(state_, locks_), second(state_ + "2", locks_);
  std::string error, note;
  ASSERT_TRUE(first.prepare(&error)) << error;
  ASSERT_TRUE(second.prepare(&error)) << error;
  ASSERT_TRUE(first.lock("name:prod", lock_holder("run-1"), &error, &note)) << error;
  EXPECT_FALSE(second.lock("name:prod", lock_holder("run-2"), &error, &note));
  EXPECT_NE(error.find("(run run-1)"), std::string::npos) << error;
  EXPECT_NE(error.find("pid " + std::to_string(getpid())), std::string::npos) << error;
  EXPECT_TRUE(second.lock("name:staging", lock_holder("run-3"), &error, &note)) << "another key, another lock";
  std::string why;
  EXPECT_TRUE(first.lock_held(&why));
  first.unlock();
  EXPECT_TRUE(second.lock("name:prod", lock_holder("run-2"), &error, &note)) << error;
}

TEST_F(LocalStateStoreTest, AppendsAreReadBackAndRunsListedOldestFirst) {
  LocalStateStore store(state_, locks_);
  std::string error;
  ASSERT_TRUE(store.prepare(&error)) << error;
  EXPECT_TRUE(store.list_runs().empty());
  for (const char* run : {"20240102-000000-p-2", "20240101-000000-p-1"}) {
    ASSERT_TRUE(store.open_run(run, &error)) << error;
    ASSERT_TRUE(store.append({{"type", "run_start"}, {"run", run}}));
    ASSERT_TRUE(store.append({{"type", "run_end"}, {"status", "succeeded"}}));
  }
  EXPECT_EQ(store.list_runs(), (std::vector<std::string>{"20240101-000000-p-1", "20240102-000000-p-2"}));
  EXPECT_EQ(store.run_dir(), state_ + "/runs/20240101-000000-p-1");
  EXPECT_EQ(store.journal_name(), store.run_dir() + "/journal.jsonl");
  EXPECT_TRUE(store.has_run("20240102-000000-p-2"));
  EXPECT_TRUE(store.has_run(state_ + "/runs/20240102-000000-p-2")) << "a run's directory names it too";
  EXPECT_FALSE(store.has_run("nope"));
  EXPECT_FALSE(store.has_run(""));
  int skipped = -1;
  auto records = store.read_run("20240102-000000-p-2", &skipped);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(skipped, 0);
  EXPECT_EQ(records[0].value("run", ""), "20240102-000000-p-2");
  EXPECT_TRUE(records[1].contains("ts_ms")) << "the store stamps each record";
}

}  // namespace
}  // namespace drplan
