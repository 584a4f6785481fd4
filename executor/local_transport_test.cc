// The local transport with real processes: exit codes and signals, timeouts that kill the
// whole process group, bounded output, secrets in the environment only, stdin closed.
#include "executor/local_transport.h"
#include "tests/test_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace drplan {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

ExecResult run(const std::string& command, milliseconds timeout = milliseconds(0),
               std::vector<std::pair<std::string, std::string>> env = {}) {
  LocalTransport t(milliseconds(300));
  ExecRequest req;
  req.command = command;
  req.timeout = timeout;
  req.env = std::move(env);
  return t.exec(req);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Running, not a zombie waiting for a reaper (pid 1 in a container may never reap it).
bool alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  return status.find("State:\tZ") == std::string::npos && !status.empty();
}

class LocalTransportTest : public ::testing::Test {
 protected:
  test_support::TestDir tmp_{"local"};
  const fs::path& dir_ = tmp_.path();
};

TEST_F(LocalTransportTest, ExitCodesAndOutput) {
  ExecResult ok = run("echo hello; echo oops >&2");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.stdout_text, "hello\n");
  EXPECT_EQ(ok.stderr_text, "oops\n");
  ExecResult three = run("exit 3");
  EXPECT_FALSE(three.ok());
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_TRUE(three.signal.empty());
  EXPECT_FALSE(three.timed_out);
}

TEST_F(LocalTransportTest, LinesReachTheCallbackAsTheyArrive) {
  LocalTransport t;
  ExecRequest req;
  req.command = "printf 'one\\ntwo\\r\\n'; printf 'err\\n' >&2; printf 'last'";
  std::vector<std::string> out, err;
  req.on_line = [&](std::string_view l, bool is_err, bool) { (is_err ? err : out).emplace_back(l); };
  t.exec(req);
  EXPECT_EQ(out, (std::vector<std::string>{"one", "two", "last"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err"}));
}

TEST_F(LocalTransportTest, DeathBySignalIsNamed) {
  ExecResult r = run("kill -TERM $$");
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.signal, "TERM");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(run("kill -KILL $$").signal, "KILL");
}

TEST_F(LocalTransportTest, TimeoutKillsTheWholeProcessGroup) {
  fs::path pidfile = dir_ / "grandchild.pid";
  auto t0 = Clock::now();
  ExecResult r = run("sleep 60 & echo $! > " + pidfile.string() + "; wait", milliseconds(200));
  auto took = Clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "timed out after 200ms");
  EXPECT_GE(took, milliseconds(200));
  EXPECT_LT(took, milliseconds(2000));
  pid_t grandchild = std::stoi(read_file(pidfile));
  ASSERT_GT(grandchild, 0);
  // The grandchild was TERMed with the group; give the kernel a moment to reap it.
  for (int k = 0; k < 100 && alive(grandchild); ++k) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(alive(grandchild)) << "sleep 60 (pid " << grandchild << ") survived the timeout";
}

TEST_F(LocalTransportTest, TermIgnoredMeansKillAfterTheGrace) {
  auto t0 = Clock::now();
  ExecResult r = run("trap '' TERM; sleep 30", milliseconds(100));
  auto took = Clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(took, milliseconds(3000)) << "the grace period (300 ms here) should end with KILL";
}

TEST_F(LocalTransportTest, CancellationStopsTheCommand) {
  LocalTransport t(milliseconds(300));
  CancelToken cancel;
  ExecRequest req;
  req.command = "sleep 30";
  req.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancel.cancelled = true;
  });
  auto t0 = Clock::now();
  ExecResult r = t.exec(req);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(Clock::now() - t0, milliseconds(2000));
}

TEST_F(LocalTransportTest, OutputTailIsBounded) {
  // 1 MB of numbered lines: only the last kOutputCap bytes are kept, ending with the last line.
  ExecResult r = run("seq 1 200000");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text.size(), kOutputCap);
  EXPECT_EQ(r.stdout_text.substr(r.stdout_text.size() - 7), "200000\n");
}

TEST_F(LocalTransportTest, LargeStderrOnlyOutputIsFast) {
  auto t0 = Clock::now();
  ExecResult r = run("head -c 5000000 /dev/zero | tr '\\0' x >&2");
  auto took = Clock::now() - t0;
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.stdout_text.empty());
  EXPECT_EQ(r.stderr_text.size(), kOutputCap);
  EXPECT_LT(took, milliseconds(3000));
}

TEST_F(LocalTransportTest, SecretsReachTheChildThroughItsEnvironmentOnly) {
  fs::path cmdline = dir_ / "cmdline", seen = dir_ / "seen";
  ExecResult r = run("cat /proc/$$/cmdline > " + cmdline.string() + " && printf '%s' \"$DRPLAN_SECRET_TOKEN\" > " +
                         seen.string(),
                     milliseconds(0), {{"DRPLAN_SECRET_TOKEN", "hunter2-xyz"}});
  EXPECT_TRUE(r.ok()) << r.stderr_text;
  EXPECT_EQ(read_file(seen), "hunter2-xyz");
  std::string argv = read_file(cmdline);
  EXPECT_NE(argv.find("/bin/sh"), std::string::npos);
  EXPECT_EQ(argv.find("hunter2"), std::string::npos) << "the secret is on the command line";
}

TEST_F(LocalTransportTest, StdinIsDevNull) {
  auto t0 = Clock::now();
  ExecResult r = run("cat; echo done", milliseconds(5000));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text, "done\n");
  EXPECT_LT(Clock::now() - t0, milliseconds(1000));
}

TEST_F(LocalTransportTest, ABackgroundChildHoldingThePipesDoesNotHangWithoutATimeout) {
  // The shell exits at once; its background child (a service it started) keeps stdout open
  // for 30 s. The step ends with the shell, and the service keeps running.
  auto t0 = Clock::now();
  std::string pidfile = (dir_ / "bg.pid").string();
  ExecResult r = run("sleep 30 & echo $! > " + pidfile + "; echo now");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text, "now\n");
  EXPECT_LT(Clock::now() - t0, milliseconds(2000));
  std::ifstream in(pidfile);
  pid_t bg = 0;
  in >> bg;
  ASSERT_GT(bg, 0);
  EXPECT_EQ(kill(bg, 0), 0) << "the background process was killed with the step";
  kill(bg, SIGKILL);
}

TEST_F(LocalTransportTest, OutputWrittenJustBeforeExitIsKept) {
  ExecResult r = run("i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done; echo last >&2");
  EXPECT_TRUE(r.ok());
  EXPECT_NE(r.stdout_text.find("line1999\n"), std::string::npos);
  EXPECT_EQ(r.stderr_text, "last\n");
}

}  // namespace
}  // namespace drplan
