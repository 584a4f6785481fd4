// Many small remote steps, four ways, in one run: drplan's SSH transport (one session,
// a channel per step), OpenSSH with ControlMaster multiplexing, plain ssh (a connection per
// step) and ansible-playbook (one task per step, pipelining on) when it is installed.
// Driven by bench/ssh_bench.sh, which starts a throwaway sshd with a non-root user.
//
//   ssh_bench --host A --port P --user U --identity KEY --known-hosts FILE [-n N]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "executor/ssh_transport.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// Runs argv (no shell), output to /dev/null; returns the exit status.
int spawn_wait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool on_path(const std::string& name) { return spawn_wait({"sh", "-c", "command -v " + name}) == 0; }

struct Args {
  drplan::Host host;
  std::string known_hosts;
  int n = 200;
};

void report(const char* what, int steps, double total_ms, double baseline_per_step) {
  const double per = total_ms / steps;
  std::printf("%-34s %5d steps %9.1f ms total %8.2f ms/step  x%.1f\n", what, steps, total_ms, per,
              per / baseline_per_step);
}

std::vector<std::string> ssh_base(const Args& a) {
  return {"ssh", "-q",
          "-o",  "BatchMode=yes",
          "-o",  "UserKnownHostsFile=" + a.known_hosts,
          "-o",  "GlobalKnownHostsFile=/dev/null",
          "-i",  a.host.ssh.identity,
          "-p",  std::to_string(a.host.ssh.port),
          "-l",  a.host.ssh.user};
}

double bench_drplan(const Args& a, int threads, double* connect_ms) {
  drplan::SshOptions options;
  options.known_hosts = a.known_hosts;
  drplan::SshTransport transport(options);
  drplan::ExecRequest req;
  req.command = "true";
  req.host = &a.host;
  auto start = Clock::now();
  drplan::ExecResult first = transport.exec(req);
  if (!first.ok()) {
    std::fprintf(stderr, "drplan: %s\n", first.error.c_str());
    std::exit(1);
  }
  if (connect_ms) *connect_ms = ms_since(start);
  start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = t; i < a.n; i += threads) {
        if (!transport.exec(req).ok()) std::fprintf(stderr, "drplan: a step failed\n");
      }
    });
  for (auto& th : pool) th.join();
  return ms_since(start);
}

double bench_ssh(const Args& a, int steps, bool multiplexed) {
  std::vector<std::string> cmd = ssh_base(a);
  const std::string control = "/tmp/drplan-bench-cm-" + std::to_string(getpid());
  if (multiplexed) {
    for (const std::string& opt :
         std::vector<std::string>{"ControlMaster=auto", "ControlPath=" + control, "ControlPersist=60"}) {
      cmd.push_back("-o");
      cmd.push_back(opt);
    }
  }
  cmd.push_back(a.host.address);
  cmd.push_back("true");
  if (multiplexed) spawn_wait(cmd);  // opens the master; not timed
  auto start = Clock::now();
  for (int i = 0; i < steps; ++i) {
    if (spawn_wait(cmd) != 0) std::fprintf(stderr, "ssh: a step failed\n");
  }
  double total = ms_since(start);
  if (multiplexed) {
    std::vector<std::string> exit_cmd = ssh_base(a);
    for (const std::string& opt :
         std::vector<std::string>{"-o", "ControlPath=" + control, "-O", "exit", a.host.address})
      exit_cmd.push_back(opt);
    spawn_wait(exit_cmd);
  }
  return total;
}

/// ansible-playbook with `steps` command tasks; returns wall time for the whole run.
double bench_ansible(const Args& a, const std::string& dir, int steps) {
  const std::string inventory = dir + "/inventory.ini", playbook = dir + "/play.yml";
  std::ofstream(inventory) << "bench ansible_host=" << a.host.address << " ansible_port=" << a.host.ssh.port
                           << " ansible_user=" << a.host.ssh.user
                           << " ansible_ssh_private_key_file=" << a.host.ssh.identity
                           << " ansible_python_interpreter=/usr/bin/python3\n";
  std::ofstream play(playbook);
  play << "- hosts: bench\n  gather_facts: false\n  tasks:\n";
  for (int i = 0; i < steps; ++i) play << "    - ansible.builtin.command: \"true\"\n";
  play.close();
  setenv("ANSIBLE_PIPELINING", "True", 1);
  setenv("ANSIBLE_SSH_ARGS",
         ("-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=" + a.known_hosts).c_str(), 1);
  setenv("ANSIBLE_LOCAL_TEMP", (dir + "/ansible-tmp").c_str(), 1);
  auto start = Clock::now();
  int rc = spawn_wait({"ansible-playbook", "-i", inventory, playbook});
  double total = ms_since(start);
  if (rc != 0) std::fprintf(stderr, "ansible-playbook failed (exit %d)\n", rc);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host")
      a.host.address = v;
    else if (k == "--port")
      a.host.ssh.port = std::atoi(v.c_str());
    else if (k == "--user")
      a.host.ssh.user = v;
    else if (k == "--identity")
      a.host.ssh.identity = v;
    else if (k == "--known-hosts")
      a.known_hosts = v;
    else if (k == "-n")
      a.n = std::atoi(v.c_str());
    else {
      std::fprintf(stderr,
                   "usage: ssh_bench --host A --port P --user U --identity KEY "
                   "--known-hosts FILE [-n N]\n");
      return 2;
    }
  }
  a.host.name = "bench";
  std::printf("%d steps of `true` on %s@%s:%d\n", a.n, a.host.ssh.user.c_str(), a.host.address.c_str(),
              a.host.ssh.port);
  double connect_ms = 0;
  const double drplan_ms = bench_drplan(a, 1, &connect_ms);
  const double base = drplan_ms / a.n;
  report("drplan SSH transport, sequential", a.n, drplan_ms, base);
  report("drplan SSH transport, 8 threads", a.n, bench_drplan(a, 8, nullptr), base);
  std::printf("  (drplan connect + auth + first step: %.1f ms, not counted above)\n", connect_ms);
  report("ssh with ControlMaster", a.n, bench_ssh(a, a.n, true), base);
  const int plain_steps = std::min(a.n, 20);
  report("plain ssh (a connection per step)", plain_steps, bench_ssh(a, plain_steps, false), base);
  if (!on_path("ansible-playbook")) {
    std::printf("ansible-playbook: not installed (apt-get install ansible-core), skipped\n");
    return 0;
  }
  char tmpl[] = "/tmp/drplan-bench-ansible-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const int ansible_steps = std::min(a.n, 50);
  const double one = bench_ansible(a, dir, 1);
  const double many = bench_ansible(a, dir, ansible_steps);
  report("ansible-playbook (whole run)", ansible_steps, many, base);
  report("ansible-playbook (per extra task)", ansible_steps - 1, many - one, base);
  spawn_wait({"rm", "-rf", dir});
  return 0;
}
