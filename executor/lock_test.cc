// The apply lock: refused while held (naming the holder), taken over when its pid is gone.
#include "executor/lock.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "executor/run_identity.h"
#include "tests/test_dir.h"

namespace drplan {
namespace {

namespace fs = std::filesystem;

class LockTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = (dir_ / "p.lock").string(); }
  void write_holder(long pid, const std::string& host) {
    std::ofstream(path_) << nlohmann::json{{"pid", pid}, {"user", "alice"}, {"host", host},
                                           {"started", "2024-05-01T10:00:00.000Z"}, {"run", "r0"}}
                                .dump();
  }
  test_support::TestDir tmp_{"lock"};
  const fs::path& dir_ = tmp_.path();
  std::string path_;
};

TEST_F(LockTest, RefusedWhileHeldAndNamesTheHolder) {
  RunLock first;
  std::string msg, note;
  ASSERT_TRUE(first.acquire(path_, "run-1", &msg, &note)) << msg;
  EXPECT_TRUE(note.empty());
  RunLock second;
  EXPECT_FALSE(second.acquire(path_, "run-2", &msg, &note));
  EXPECT_NE(msg.find("pid " + std::to_string(getpid())), std::string::npos) << msg;
  EXPECT_NE(msg.find(current_user() + "@" + current_host()), std::string::npos) << msg;
  EXPECT_NE(msg.find("started 20"), std::string::npos) << msg;
  EXPECT_NE(msg.find("run-1"), std::string::npos) << msg;
  first.release();
  EXPECT_TRUE(second.acquire(path_, "run-2", &msg, &note)) << "released locks can be taken";
}

TEST_F(LockTest, AStaleLockOfADeadPidIsTakenOver) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // a pid that surely no longer runs
  write_holder(child, current_host());
  RunLock lock;
  std::string msg, note;
  ASSERT_TRUE(lock.acquire(path_, "run-3", &msg, &note)) << msg;
  EXPECT_NE(note.find("stale lock of pid " + std::to_string(child)), std::string::npos) << note;
  EXPECT_NE(note.find("alice@"), std::string::npos) << note;
  auto j = nlohmann::json::parse(std::ifstream(path_));
  EXPECT_EQ(j["pid"], getpid());
  EXPECT_EQ(j["run"], "run-3");
}

TEST_F(LockTest, ALiveHolderOnThisHostIsRespected) {
  write_holder(getppid(), current_host());
  RunLock lock;
  std::string msg, note;
  EXPECT_FALSE(lock.acquire(path_, "run-4", &msg, &note));
  EXPECT_NE(msg.find("pid " + std::to_string(getppid()) + ", alice@"), std::string::npos) << msg;
  EXPECT_NE(msg.find("started 2024-05-01T10:00:00.000Z"), std::string::npos) << msg;
}

TEST_F(LockTest, AHolderOnAnotherHostIsNeverAssumedDead) {
  write_holder(999999, "some-other-host");
  RunLock lock;
  std::string msg, note;
  EXPECT_FALSE(lock.acquire(path_, "run-5", &msg, &note));
  EXPECT_NE(msg.find("another host"), std::string::npos) << msg;
}

TEST_F(LockTest, AHolderKilledHardIsDetectedByItsReleasedFlock) {
  // A child takes the lock and dies by SIGKILL: the file stays, the flock goes.
  pid_t child = fork();
  if (child == 0) {
    RunLock lock;
    std::string msg, note;
    if (!lock.acquire(path_, "run-dead", &msg, &note)) _exit(3);
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(fs::exists(path_));
  RunLock lock;
  std::string msg, note;
  ASSERT_TRUE(lock.acquire(path_, "run-7", &msg, &note)) << msg;
  EXPECT_NE(note.find("stale lock of pid " + std::to_string(child)), std::string::npos) << note;
}

TEST_F(LockTest, ContendersForAStaleLockNeverBothWin) {
  for (int round = 0; round < 30; ++round) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    write_holder(child, current_host());
    std::atomic<int> winners{0};
    std::atomic<bool> go{false};
    std::vector<std::unique_ptr<RunLock>> locks;
    for (int k = 0; k < 4; ++k) locks.push_back(std::make_unique<RunLock>());
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
      threads.emplace_back([&, k] {
        while (!go) {
        }
        std::string msg, note;
        if (locks[k]->acquire(path_, "run-" + std::to_string(k), &msg, &note)) winners++;
      });
    go = true;
    for (auto& t : threads) t.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    locks.clear();  // the winner releases
    ASSERT_FALSE(fs::exists(path_));
  }
}

TEST_F(LockTest, AHolderRecordWithWronglyTypedFieldsIsReadNotThrown) {
  std::ofstream(path_) << R"({"pid":"12345","user":7,"host":")" << current_host()
                       << R"(","started":["x"],"run":"r-bad"})";
  {
    // Held: the refusal names what it can.
    const int fd = open(path_.c_str(), O_RDONLY);
    ASSERT_EQ(flock(fd, LOCK_EX), 0);
    RunLock lock;
    std::string msg, note;
    EXPECT_FALSE(lock.acquire(path_, "run-8", &msg, &note));
    EXPECT_EQ(msg, "another drplan apply of this plan and inventory is running: pid ?, ?@" + current_host() +
                       ", started ? (run r-bad)");
    close(fd);
  }
  // Not held: stale, taken over.
  RunLock lock;
  std::string msg, note;
  ASSERT_TRUE(lock.acquire(path_, "run-9", &msg, &note)) << msg;
  EXPECT_NE(note.find("stale lock of pid ?"), std::string::npos) << note;
}

TEST_F(LockTest, ReleasedOnDestruction) {
  std::string msg, note;
  {
    RunLock lock;
    ASSERT_TRUE(lock.acquire(path_, "run-6", &msg, &note));
    EXPECT_TRUE(fs::exists(path_));
  }
  EXPECT_FALSE(fs::exists(path_));
}

}  // namespace
}  // namespace drplan
