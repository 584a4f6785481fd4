// The SSH transport against real sshd instances started by tests/e2e/ssh_transport.sh
// (tests/e2e/lib/sshd_fixture.sh); without them the SshE2E tests skip. The remote host is
// this machine, so the tests look at its processes directly to see what really ran.
#include "executor/ssh_transport.h"

#include "executor/become.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "executor/multi_transport.h"
#include "executor/output_buffer.h"
#include "tests/shell_oracle.h"

namespace drplan {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Output of a local helper command (test code only: pgrep, ssh-keygen).
std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

/// pgrep -f, with the first character bracketed so the pattern does not match the
/// popen shell's own command line.
bool process_running(const std::string& pattern) {
  return !capture("pgrep -f '[" + pattern.substr(0, 1) + "]" + pattern.substr(1) + "'").empty();
}

/// Waits up to 3 s for no process to match (signals are delivered asynchronously).
bool gone_soon(const std::string& pattern) {
  for (int i = 0; i < 60; ++i) {
    if (!process_running(pattern)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// ---- Without sshd: the remote wrapper, run by a local /bin/sh exactly as sshd would. ----

TEST(SshWrapper, BecomeRunsTheCommandAndReadsSecretsUnderSudo) {
  const std::string cmd = ssh_remote_command("echo hi", true, "postgres");
  EXPECT_NE(cmd.find("exec sudo -n -H -u postgres -- /bin/sh -c "), std::string::npos) << cmd;
  // The marker and the secrets are read by the shell sudo starts (sudo resets the environment).
  const size_t sudo = cmd.find("sudo -n"), marker = cmd.find("echo drplan-become"), env = cmd.find("drplan_env");
  EXPECT_LT(sudo, marker);
  EXPECT_LT(marker, env);
  EXPECT_EQ(ssh_remote_command("echo hi", false).find("sudo"), std::string::npos);
}

TEST(SshWrapper, SudoRefusalsSayWhatToChange) {
  const std::string pw = become_refusal("dr-db", "ops", "root", "sudo: a password is required\n");
  EXPECT_NE(pw.find("sudo on dr-db did not run the command as 'root' (sudo: a password is required)"), std::string::npos) << pw;
  EXPECT_NE(pw.find("NOPASSWD"), std::string::npos) << pw;
  EXPECT_NE(become_refusal("h", "ops", "pg", "sudo: unknown user pg").find("no user 'pg' on h"), std::string::npos);
  EXPECT_NE(become_refusal("h", "ops", "pg", "sh: 1: exec: sudo: not found").find("install sudo on h"), std::string::npos);
  EXPECT_NE(become_refusal("h", "ops", "pg", "").find("no reason given"), std::string::npos);
}

TEST(SshWrapper, PrintsGroupReadsSecretsFromStdinAndRunsCommand) {
  const std::string secret = "it's a \"secret\" $HOME `x`\nline2";
  const std::string script = ssh_env_script({{"DRPLAN_T_SECRET", secret}});
  const std::string cmd = ssh_remote_command("printf '%s' \"$DRPLAN_T_SECRET\"; exit 7", true);
  char path[] = "/tmp/drplan-wrapper-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, script.data(), script.size()), static_cast<ssize_t>(script.size()));
  close(fd);
  // popen runs it with /bin/sh -c, as sshd runs it with the login shell.
  const std::string shell = "{ " + cmd + "\n} < " + path;
  FILE* p = popen(shell.c_str(), "r");
  std::string out;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  unlink(path);
  EXPECT_EQ(WEXITSTATUS(status), 7);
  ASSERT_EQ(out.rfind("drplan-pgid ", 0), 0u) << out;
  EXPECT_EQ(out.substr(out.find('\n') + 1), secret);
  EXPECT_EQ(cmd.find("secret"), std::string::npos);
}

TEST(SshWrapper, EnvScriptQuotesValues) {
  EXPECT_EQ(ssh_env_script({{"A", "x y"}, {"B", "it's"}}), "export A='x y'\nexport B='it'\\''s'\n");
}

TEST(OutputBuffer, TailKeepsLastBytesAndSplitterSplitsLines) {
  TailBuffer tail(4);
  tail.append("abc");
  tail.append("defgh");
  EXPECT_EQ(tail.take(), "efgh");
  std::vector<std::string> lines;
  std::vector<bool> cuts;
  LineSplitter split(8);
  auto emit = [&](std::string_view l, bool cut) {
    lines.emplace_back(l);
    cuts.push_back(cut);
  };
  split.feed("one\r\ntw", emit);
  split.feed("o\n0123456789", emit);
  split.flush(emit);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "01234567", "89"}));
  EXPECT_EQ(cuts, (std::vector<bool>{false, false, true, false})) << "the piece cut for length says so";
}

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(std::string name) : name_(std::move(name)) {}
  ExecResult exec(const ExecRequest&) override {
    ExecResult r;
    r.exit_code = 0;
    r.stdout_text = name_;
    return r;
  }

 private:
  std::string name_;
};

TEST(MultiTransport, DispatchesOnHostTransport) {
  FakeTransport local("local"), ssh("ssh");
  MultiTransport multi(local, ssh);
  Host remote, here, odd;
  here.transport = "local";
  odd.name = "odd";
  odd.transport = "telnet";
  ExecRequest req;
  EXPECT_EQ(multi.exec(req).stdout_text, "local");
  req.host = &here;
  EXPECT_EQ(multi.exec(req).stdout_text, "local");
  req.host = &remote;
  EXPECT_EQ(multi.exec(req).stdout_text, "ssh");
  req.host = &odd;
  EXPECT_EQ(multi.exec(req).error, "host 'odd' names an unknown transport 'telnet' (expected \"ssh\" or \"local\")");
}

// ---- Against the fixture's sshd instances. ----

class SshE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("DRPLAN_SSH_FIXTURE");
    if (dir == nullptr) GTEST_SKIP() << "needs the test sshd: run tests/e2e/ssh_transport.sh";
    dir_ = dir;
    std::istringstream hosts(read_file(dir_ + "/hosts"));
    std::string user = read_file(dir_ + "/user");
    user.erase(user.find_last_not_of('\n') + 1);
    for (std::string name, addr; hosts >> name >> addr;) {
      Host h;
      h.name = name;
      h.address = addr;
      hosts >> h.ssh.port;
      h.ssh.user = user;
      h.ssh.identity = dir_ + "/client/id_ed25519";
      hosts_.push_back(h);
    }
    ASSERT_GE(hosts_.size(), 2u);
    options_.known_hosts = dir_ + "/known_hosts";
  }

  ExecResult run(SshTransport& t, const Host& host, const std::string& command,
                 std::chrono::milliseconds timeout = 0ms) {
    ExecRequest req;
    req.command = command;
    req.host = &host;
    req.timeout = timeout;
    return t.exec(req);
  }

  /// "ssh-ed25519 SHA256:..." of instance `name`'s host key, as ssh-keygen prints it.
  std::string host_fingerprint(const std::string& name) {
    std::istringstream out(capture("ssh-keygen -lf " + dir_ + "/" + name + "/ssh_host_ed25519_key.pub"));
    std::string bits, fp;
    out >> bits >> fp;
    return fp;
  }

  std::string temp_known_hosts(const std::string& content) {
    std::string path = dir_ + "/kh-" + std::to_string(counter_++);
    std::ofstream(path) << content;
    return path;
  }

  std::string dir_;
  std::vector<Host> hosts_;
  SshOptions options_;
  int counter_ = 0;
};

TEST_F(SshE2E, ExitCodeAndSeparateStreams) {
  SshTransport t(options_);
  ExecRequest req;
  req.command = "echo out1; echo err1 >&2; echo out2; exit 3";
  req.host = &hosts_[0];
  std::vector<std::pair<std::string, bool>> lines;
  req.on_line = [&](std::string_view line, bool is_stderr, bool) { lines.emplace_back(line, is_stderr); };
  ExecResult r = t.exec(req);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, "");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.stdout_text, "out1\nout2\n");
  EXPECT_EQ(r.stderr_text, "err1\n");
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_TRUE(std::count(lines.begin(), lines.end(), std::pair<std::string, bool>{"err1", true}));
  ExecResult ok = run(t, hosts_[0], "true");
  EXPECT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.stdout_text, "");
}

TEST_F(SshE2E, BigOutputOnStderrOnly) {
  SshTransport t(options_);
  ExecRequest req;
  req.command = "head -c 5000000 /dev/zero | tr '\\0' x | fold -w 99 >&2";
  req.host = &hosts_[0];
  size_t lines = 0;
  req.on_line = [&](std::string_view, bool is_stderr, bool) { lines += is_stderr; };
  const auto start = std::chrono::steady_clock::now();
  ExecResult r = t.exec(req);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_EQ(r.stderr_text.size(), kOutputCap);
  EXPECT_EQ(lines, 5000000u / 99 + 1);
  EXPECT_LT(took, 5s);
}

TEST_F(SshE2E, SignalsComeBackByName) {
  SshTransport t(options_);
  ExecResult term = run(t, hosts_[0], "kill -TERM $$");
  EXPECT_EQ(term.exit_code, -1);
  EXPECT_EQ(term.signal, "TERM");
  ExecResult kill = run(t, hosts_[0], "kill -KILL $$");
  EXPECT_EQ(kill.exit_code, -1);
  EXPECT_EQ(kill.signal, "KILL");
  EXPECT_FALSE(kill.connection_lost);
}

TEST_F(SshE2E, TimeoutKillsTheRemoteProcessGroup) {
  SshTransport t(options_);
  ExecResult r = run(t, hosts_[0], "sleep 4711 & sleep 4712; wait", 500ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "timed out after 500ms") << "not 'killed by TERM': the TERM was the timeout's";
  EXPECT_LT(r.duration, 3s);
  EXPECT_TRUE(gone_soon("sleep 471[12]")) << capture("pgrep -af 'sleep 471'");
}

TEST_F(SshE2E, TimeoutKillsWhatIgnoresTerm) {
  options_.kill_grace = 300ms;
  SshTransport t(options_);
  ExecResult r = run(t, hosts_[0], "trap '' TERM; sleep 4713", 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, "KILL");
  EXPECT_EQ(r.error, "timed out after 300ms");
  EXPECT_TRUE(gone_soon("sleep 4713"));
}

TEST_F(SshE2E, CancelStopsTheRemoteCommand) {
  SshTransport t(options_);
  CancelToken cancel;
  ExecRequest req;
  req.command = "sleep 4714";
  req.host = &hosts_[0];
  req.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancel.cancelled = true;
  });
  ExecResult r = t.exec(req);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.signal, "TERM");
  EXPECT_EQ(r.error, "cancelled by the operator");
  EXPECT_TRUE(gone_soon("sleep 4714"));
}

TEST_F(SshE2E, WrongKeyIsAClearAuthenticationError) {
  SshTransport t(options_);
  Host h = hosts_[0];
  h.ssh.identity = dir_ + "/client/wrong_ed25519";
  ExecResult r = run(t, h, "true");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.connection_lost);
  EXPECT_NE(r.error.find("authentication failed for 'a' (" + h.ssh.user + "@" + h.address + ":" +
                         std::to_string(h.ssh.port) + "): the server refused identity " + h.ssh.identity),
            std::string::npos)
      << r.error;
}

TEST_F(SshE2E, UnknownHostKeyIsRefusedWithItsFingerprint) {
  options_.known_hosts = temp_known_hosts("");
  SshTransport t(options_);
  ExecResult r = run(t, hosts_[0], "true");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.connection_lost);
  EXPECT_NE(r.error.find("unknown host key for 'a'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("ssh-ed25519 " + host_fingerprint("a")), std::string::npos) << r.error;
  EXPECT_EQ(read_file(options_.known_hosts), "");
}

TEST_F(SshE2E, ChangedHostKeyIsRefusedEvenWhenAcceptingNewKeys) {
  const Host& h = hosts_[0];
  const std::string wrong = read_file(dir_ + "/b/ssh_host_ed25519_key.pub");
  options_.known_hosts = temp_known_hosts("[" + h.address + "]:" + std::to_string(h.ssh.port) + " " + wrong);
  options_.accept_new_host_keys = true;
  SshTransport t(options_);
  ExecResult r = run(t, h, "true");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("HOST KEY CHANGED for 'a'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(host_fingerprint("a")), std::string::npos) << r.error;
}

TEST_F(SshE2E, AcceptNewHostKeyAddsItAndReportsIt) {
  options_.known_hosts = temp_known_hosts("");
  options_.accept_new_host_keys = true;
  std::string accepted;
  options_.on_host_key_accepted = [&](const Host& host, const std::string& fp, const std::string&) {
    accepted = host.name + " " + fp;
  };
  {
    SshTransport t(options_);
    ExecResult r = run(t, hosts_[0], "echo hi");
    EXPECT_TRUE(r.ok()) << r.error;
  }
  EXPECT_EQ(accepted, "a ssh-ed25519 " + host_fingerprint("a"));
  EXPECT_EQ(read_file(options_.known_hosts).rfind("[" + hosts_[0].address + "]:", 0), 0u);
  options_.accept_new_host_keys = false;
  SshTransport again(options_);
  EXPECT_TRUE(run(again, hosts_[0], "true").ok());
}

TEST_F(SshE2E, DroppedConnectionIsReportedAndTheNextExecReconnects) {
  SshTransport t(options_);
  const Host& h = hosts_[1];
  ASSERT_TRUE(run(t, h, "true").ok());
  std::thread dropper([&] {
    std::this_thread::sleep_for(500ms);
    const std::string pid = read_file(dir_ + "/" + h.name + "/sshd.pid");
    // The session's processes: the privileged child of the listener and its user child.
    capture("for p in $(pgrep -P " + pid + "); do pkill -KILL -P $p; kill -KILL $p; done");
  });
  ExecResult r = run(t, h, "sleep 4715");
  dropper.join();
  capture("pkill -f '[s]leep 4715'");
  EXPECT_TRUE(r.connection_lost);
  EXPECT_NE(r.error.find("connection to 'b'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("lost while the command ran"), std::string::npos) << r.error;
  ExecResult again = run(t, h, "echo again");
  EXPECT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.stdout_text, "again\n");
}

TEST_F(SshE2E, RefusedConnectionIsATransportFailure) {
  SshTransport t(options_);
  Host h = hosts_[0];
  h.ssh.port = 1;
  ExecResult r = run(t, h, "true");
  EXPECT_TRUE(r.connection_lost);
  EXPECT_NE(r.error.find("cannot connect to 'a'"), std::string::npos) << r.error;
}

TEST_F(SshE2E, EightThreadsShareOneHost) {
  SshTransport t(options_);
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 10; ++j) {
        const std::string word = "t" + std::to_string(i) + "-" + std::to_string(j);
        ExecResult r = run(t, hosts_[j % 2], "echo " + word + "; echo " + word + " >&2");
        good += r.ok() && r.stdout_text == word + "\n" && r.stderr_text == word + "\n";
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 80);
}

TEST_F(SshE2E, ChannelsPerHostAreBounded) {
  options_.max_channels_per_host = 2;
  SshTransport t(options_);
  ASSERT_TRUE(run(t, hosts_[0], "true").ok());  // connect first: time only the commands
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) threads.emplace_back([&] { run(t, hosts_[0], "sleep 0.3"); });
  for (auto& th : threads) th.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 1500ms);
}

TEST_F(SshE2E, SecretsNeverOnACommandLine) {
  SshTransport t(options_);
  const std::string secret = "s3cr3t-" + std::to_string(getpid()) + "-value";
  ExecRequest req;
  req.command = "sleep 1; printf '%s' \"$DRPLAN_TEST_SECRET\"";
  req.env = {{"DRPLAN_TEST_SECRET", secret}};
  req.host = &hosts_[0];
  std::string seen;
  std::thread watcher([&] {
    std::this_thread::sleep_for(500ms);
    seen = capture("ps -eo args | grep -c -- " + secret.substr(0, 6) + "'[-]'" + secret.substr(7));
  });
  ExecResult r = t.exec(req);
  watcher.join();
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.stdout_text, secret);
  EXPECT_EQ(seen, "0\n");
}

TEST_F(SshE2E, InvalidEnvironmentNameIsRejected) {
  SshTransport t(options_);
  ExecRequest req;
  req.command = "true";
  req.env = {{"BAD NAME;x", "v"}};
  req.host = &hosts_[0];
  EXPECT_EQ(t.exec(req).error, "invalid environment variable name 'BAD NAME;x'");
}

}  // namespace
}  // namespace drplan

namespace drplan {

// The shell oracle over SSH: the remote login shell parses the command once more before
// /bin/sh runs it, so rendered values must survive that parse too.
TEST_F(SshE2E, OracleValuesArriveIntactThroughTheRemoteLoginShell) {
  SshTransport t(options_);
  test_support::Rng rng(7);
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<oracle::Case> cases;
    for (size_t i = 0; i < 600; ++i)
      cases.push_back({oracle::random_value(rng), i % oracle::templates().size(), rng.chance(50)});
    oracle::Batch b = oracle::make_batch(cases);
    ExecResult r = run(t, hosts_[0], b.script, 60s);
    ASSERT_TRUE(r.error.empty()) << r.error;
    auto failures = oracle::check_batch(b, cases, r.stdout_text, "ssh");
    std::string all;
    for (const auto& f : failures) all += f + "\n";
    EXPECT_TRUE(failures.empty()) << all << r.stderr_text;
  }
}

}  // namespace drplan
