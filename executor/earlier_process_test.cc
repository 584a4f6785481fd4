// Earlier attempts with real processes: a command started behind its record is found by its
// token on this machine, waited for until it ends, or stopped with its whole process group;
// a service it left running in a session of its own is not the attempt and is left alone;
// an ended attempt whose pid was reused is not found. HOME is a scratch directory.
#include "executor/earlier_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "executor/local_transport.h"
#include "tests/test_dir.h"

namespace drplan {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string unique_token(const char* what) {
  return std::string("test.") + std::to_string(getpid()) + "." +
         std::to_string(Clock::now().time_since_epoch().count()) + "." + what;
}

bool alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return !all.empty() && all.find("State:\tZ") == std::string::npos;
}

/// A step's command on a thread, as the scheduler starts it: the token in its environment.
class Attempt {
 public:
  Attempt(const std::string& command, const std::string& token) {
    thread_ = std::thread([this, command, token] {
      LocalTransport t(milliseconds(300));
      ExecRequest req;
      req.command = record_attempt_prefix(token) + command;
      result_ = t.exec(req);
    });
  }
  ~Attempt() {
    if (thread_.joinable()) thread_.join();
  }
  const ExecResult& finish() {
    thread_.join();
    return result_;
  }

 private:
  std::thread thread_;
  ExecResult result_;
};

Settled settle(const std::string& token, long long wait, EarlierPolicy policy, std::string* running_pid = nullptr) {
  LocalTransport t(milliseconds(300));
  return settle_earlier_process(t, nullptr, "", token, wait, policy, nullptr, [&](const std::string& pid) {
    if (running_pid) *running_pid = pid;
  });
}

class EarlierProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* h = std::getenv("HOME")) old_home_ = h;
    setenv("HOME", home_.path().c_str(), 1);
  }
  void TearDown() override { setenv("HOME", old_home_.c_str(), 1); }

  std::filesystem::path record(const std::string& token) const { return home_.path() / ".drplan/proc" / token; }

  /// Until the attempt has written its record (its shell needs a moment to start).
  void wait_until_recorded(const std::string& token) const {
    for (int i = 0; i < 200; ++i) {
      if (std::filesystem::exists(record(token))) return;
      std::this_thread::sleep_for(milliseconds(20));
    }
    FAIL() << "the attempt never recorded itself";
  }

  test_support::TestDir home_{"earlier-home"};
  test_support::TestDir dir_{"earlier"};
  std::string old_home_;
};

TEST_F(EarlierProcess, NoAttemptRunsWithAnUnknownToken) {
  Settled s = settle(unique_token("none"), 30, EarlierPolicy::Wait);
  EXPECT_EQ(s.kind, Settled::Kind::None) << s.detail;
  EXPECT_TRUE(s.safe());
}

TEST_F(EarlierProcess, ARunningAttemptIsWaitedForUntilItEnds) {
  const std::string token = unique_token("wait");
  Attempt a("sleep 2; echo done", token);
  wait_until_recorded(token);
  std::string pid;
  const auto start = Clock::now();
  Settled s = settle(token, 30, EarlierPolicy::Wait, &pid);
  EXPECT_EQ(s.kind, Settled::Kind::Ended) << s.detail;
  EXPECT_FALSE(pid.empty());
  EXPECT_EQ(s.pid, pid);
  // It was let finish: its own output arrived, no signal.
  const ExecResult& r = a.finish();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "done\n");
  EXPECT_GE(Clock::now() - start, milliseconds(500));
}

TEST_F(EarlierProcess, KillStopsTheAttemptsWholeProcessGroup) {
  const std::string token = unique_token("kill");
  const std::string child = (dir_.path() / "child").string();
  // The shell and a child in its group, which must go too.
  Attempt a("sleep 60 & echo $! > " + child + "; wait", token);
  wait_until_recorded(token);
  Settled s = settle(token, 30, EarlierPolicy::Kill);
  EXPECT_EQ(s.kind, Settled::Kind::Stopped) << s.detail;
  EXPECT_NE(s.detail.find("SIGTERM"), std::string::npos) << s.detail;
  const ExecResult& r = a.finish();
  EXPECT_EQ(r.signal, "TERM");
  std::ifstream in(child);
  pid_t child_pid = 0;
  in >> child_pid;
  ASSERT_GT(child_pid, 0);
  EXPECT_FALSE(alive(child_pid));
}

TEST_F(EarlierProcess, AWaitThatRunsOutStopsTheAttempt) {
  const std::string token = unique_token("timeout");
  Attempt a("sleep 60", token);
  wait_until_recorded(token);
  Settled s = settle(token, 1, EarlierPolicy::Wait);
  EXPECT_EQ(s.kind, Settled::Kind::Stopped) << s.detail;
  EXPECT_FALSE(a.finish().signal.empty());
}

TEST_F(EarlierProcess, AnAttemptIgnoringTermIsKilled) {
  const std::string token = unique_token("ignores-term");
  Attempt a("trap '' TERM; while :; do sleep 0.2; done", token);
  wait_until_recorded(token);
  LocalTransport t(milliseconds(300));
  ExecRequest req;
  req.command = earlier_process_script(token, 0, EarlierPolicy::Kill, 1);
  Settled s = parse_earlier_process(t.exec(req));
  EXPECT_EQ(s.kind, Settled::Kind::Stopped) << s.detail;
  EXPECT_NE(s.detail.find("SIGKILL"), std::string::npos) << s.detail;
  EXPECT_EQ(a.finish().signal, "KILL");
}

TEST_F(EarlierProcess, AServiceTheAttemptStartedInItsOwnSessionIsNotTheAttempt) {
  const std::string token = unique_token("service");
  const std::string service = (dir_.path() / "service").string();
  Attempt a("setsid sh -c 'echo $$ > " + service + "; exec sleep 30' < /dev/null > /dev/null 2>&1 &", token);
  a.finish();
  pid_t pid = 0;
  for (int i = 0; i < 100 && pid == 0; ++i) {
    std::ifstream in(service);
    in >> pid;
    if (pid == 0) std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_GT(pid, 0);
  Settled s = settle(token, 0, EarlierPolicy::Kill);
  EXPECT_TRUE(alive(pid)) << s.detail;
  kill(pid, SIGKILL);
  EXPECT_EQ(s.kind, Settled::Kind::None) << s.detail;
}

TEST_F(EarlierProcess, AnEndedAttemptWhosePidWasReusedIsNotFound) {
  const std::string token = unique_token("reused");
  // A record naming a live process (this test) with another start time: not the attempt.
  std::filesystem::create_directories(record(token).parent_path());
  std::ofstream(record(token)) << getpid() << " 1 " << token << "\n";
  Settled s = settle(token, 0, EarlierPolicy::Kill);
  EXPECT_EQ(s.kind, Settled::Kind::None) << s.detail;
  EXPECT_FALSE(std::filesystem::exists(record(token)));  // settled: the record is gone
}

TEST_F(EarlierProcess, OneRecordPerStepALaterAttemptRewritesIt) {
  // Tokens as the scheduler makes them: RUN:STEP:WHAT:N; both attempts share STEP:WHAT.
  const std::string run = "r" + std::to_string(getpid());
  const std::string first = run + ":work:run:1", second = run + ":work:run:2";
  Attempt a("sleep 30", first);
  std::filesystem::path rec = home_.path() / ".drplan/proc/work%3Arun";
  for (int i = 0; i < 200 && !std::filesystem::exists(rec); ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(std::filesystem::exists(rec));
  pid_t first_pid = 0;
  std::ifstream(rec) >> first_pid;
  ASSERT_GT(first_pid, 0);
  Attempt b("true", second);  // a later attempt of the same step
  b.finish();
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(rec.parent_path()), {}), 1);
  // The first attempt's record is gone: it is no longer found (the scheduler settles an
  // attempt before starting the next, so this only happens across runs).
  EXPECT_EQ(settle(first, 0, EarlierPolicy::Kill).kind, Settled::Kind::None);
  Settled s = settle(second, 0, EarlierPolicy::Kill);
  EXPECT_EQ(s.kind, Settled::Kind::None) << s.detail;
  EXPECT_FALSE(std::filesystem::exists(rec));
  kill(-first_pid, SIGKILL);  // the first attempt, by hand
}

TEST_F(EarlierProcess, NoPlaceToRecordInIsUnknown) {
  // A HOME that is a file: no directory can be made under it (even by root).
  const std::string file = (dir_.path() / "not-a-dir").string();
  std::ofstream(file) << "x";
  setenv("HOME", file.c_str(), 1);
  Settled s = settle(unique_token("nohome"), 0, EarlierPolicy::Kill);
  EXPECT_EQ(s.kind, Settled::Kind::Unknown) << s.detail;
}

TEST_F(EarlierProcess, TheRecordLeavesTheCommandsOutputStatusAndParametersAlone) {
  LocalTransport t(milliseconds(300));
  ExecRequest req;
  req.command = record_attempt_prefix(unique_token("quiet")) + "echo \"[$#][$drplan_t]\"; exit 7";
  ExecResult r = t.exec(req);
  EXPECT_EQ(r.stdout_text, "[0][]\n");
  EXPECT_EQ(r.stderr_text, "");
  EXPECT_EQ(r.exit_code, 7);
}

TEST_F(EarlierProcess, WhatTheScriptCannotSayIsUnknownNeverSafe) {
  ExecResult lost;
  lost.connection_lost = true;
  lost.error = "connection refused";
  Settled s = parse_earlier_process(lost);
  EXPECT_EQ(s.kind, Settled::Kind::Unknown);
  EXPECT_FALSE(s.safe());
  EXPECT_NE(s.detail.find("connection refused"), std::string::npos);

  ExecResult cut;
  cut.stdout_text = "drplan-earlier: running 4242\n";
  cut.cancelled = true;
  s = parse_earlier_process(cut);
  EXPECT_EQ(s.kind, Settled::Kind::Unknown);
  EXPECT_EQ(s.pid, "4242");

  ExecResult no_proc;
  no_proc.stdout_text = "drplan-earlier: unknown no /proc on this host\n";
  no_proc.exit_code = 4;
  s = parse_earlier_process(no_proc);
  EXPECT_EQ(s.kind, Settled::Kind::Unknown);
  EXPECT_NE(s.detail.find("no /proc"), std::string::npos) << s.detail;
}

}  // namespace
}  // namespace drplan
