// The command renderer against real shells. Two kinds of input, by the first byte:
//
//  - even: the rest is a VALUE. It goes into every template of the shell oracle
//    (tests/shell_oracle.h: words, "...", $(...), backquotes nested, case, for, pipes,
//    assignments, after a heredoc and a comment), once known at compile time and once as a
//    step's output rendered at run time, and the commands run under dash and bash: each
//    program must print exactly the value's bytes. A value holding a NUL must be refused.
//  - odd: the rest is AUTHOR TEXT, then a NUL, then a value; `@` in the text marks where
//    the value goes. Whatever the text, the renderer must not crash, hang or read out of
//    bounds, and quoting must keep the command's structure: when the text rendered with a
//    plain word in the value's place is valid shell (bash -n), the command with the fuzzed
//    value is valid shell too, and running it (PATH empty, so nothing on the machine can
//    run) calls no command that neither the text names nor the plain run called, nor one
//    whose name holds the whole value (a program path from the inventory may name the
//    program, as one quoted word): a value that broke out of its quoting would run a piece
//    of itself. (That check needs a text without expansions or eval: an unquoted $x or
//    $(...) splits the value by the author's own choice.)
#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/command_render.h"
#include "executor/interpolate.h"
#include "tests/shell_oracle.h"

extern char** environ;

namespace {

constexpr size_t kMaxInput = 1024;  // keeps each run's scripts small: the shells dominate
// Fuzzed author text is run: with builtins and redirections alone it could write any file.
// The shells run in the scratch directory, and as nobody when the fuzzer is root.
constexpr uid_t kNobody = 65534;

// Never destroyed: the atexit handler that removes it runs after static destructors.
const std::string& scratch_dir() {
  static const std::string* dir = [] {
    char tmpl[] = "/tmp/drplan-render-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    if (geteuid() == 0 && chown(tmpl, kNobody, kNobody) != 0) std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch_dir(), ec);
    });
    return new std::string(tmpl);
  }();
  return *dir;
}

struct ShellRun {
  int status = -1;
  std::string out;
};

/// `shell [args...] file` in the scratch directory (as nobody under root), with the script in a file (no argument-size limit), stdin from
/// /dev/null, stdout captured (up to 1 MiB), stderr discarded, at most 5 s of CPU and 20 s
/// of wall time: author text may loop.
ShellRun run_shell(const std::string& shell, const std::vector<std::string>& args, const std::string& script) {
  const std::string path = scratch_dir() + "/script.sh";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  std::fwrite(script.data(), 1, script.size(), f);
  std::fclose(f);

  std::vector<std::string> argv_s = {shell};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.push_back(path);
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) std::abort();
  const pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int err = open("/dev/null", O_WRONLY);
    dup2(in, 0);
    dup2(pipefd[1], 1);
    dup2(err, 2);
    setpgid(0, 0);
    if (chdir(scratch_dir().c_str()) != 0) _exit(126);
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)) _exit(126);
    struct rlimit cpu = {5, 5};
    setrlimit(RLIMIT_CPU, &cpu);
    alarm(20);
    execve(shell.c_str(), argv.data(), environ);
    _exit(126);
  }
  close(pipefd[1]);
  ShellRun r;
  char buf[65536];
  ssize_t n;
  // libFuzzer's own SIGALRM (its -timeout clock) interrupts reads and waits.
  while ((n = read(pipefd[0], buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out.append(buf, static_cast<size_t>(n));
    if (r.out.size() > (1u << 20)) {
      kill(-pid, SIGKILL);
      break;
    }
  }
  close(pipefd[0]);
  while (waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  kill(-pid, SIGKILL);  // whatever the script left behind
  return r;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "render_fuzzer: %s\n", what.c_str());
  std::abort();
}

void check_value(const std::string& value) {
  using namespace drplan::oracle;
  std::vector<Case> cases;
  for (size_t t = 0; t < templates().size(); ++t)
    for (bool as_output : {false, true}) cases.push_back({value, t, as_output});
  if (value.find('\0') != std::string::npos) {
    for (const auto& c : cases) {
      std::string error;
      if (!render(c, &error).empty()) fail("a value holding a NUL was rendered into a command");
    }
    return;
  }
  const Batch b = make_batch(cases);
  for (const char* shell : {"/bin/dash", "/bin/bash"}) {
    const ShellRun r = run_shell(shell, {}, b.script);
    const std::string how = WIFSIGNALED(r.status) ? " (killed by signal " + std::to_string(WTERMSIG(r.status)) + ")"
                                                  : " (exit " + std::to_string(WEXITSTATUS(r.status)) + ")";
    const auto failures = check_batch(b, cases, r.out, shell + how);
    if (!failures.empty()) {
      std::string all;
      for (const auto& f : failures) all += "\n  " + f;
      fail("the value did not arrive intact:" + all);
    }
  }
}

// The command with every command lookup recorded: PATH is empty, so each command that is
// not a builtin or a function reaches bash's not-found hook, which writes its name (NUL
// terminated) to fd 9, the captured stdout; the command's own output is discarded.
std::string harness(const std::string& cmd) {
  return "PATH=/nonexistent\n"
         "command_not_found_handle() { builtin printf '%s\\0' \"$1\" >&9; return 127; }\n"
         "{\n" + cmd + "\n} 9>&1 >/dev/null 2>&1\n";
}

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\0') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool exited(const ShellRun& r) { return WIFEXITED(r.status); }

void check_author_text(const std::string& text, const std::string& value) {
  using namespace drplan;
  if (text.find('@') == std::string::npos) return;
  const std::string plain_value = "w";
  for (bool as_output : {false, true}) {
    const ValuePtr plain = as_output ? oracle::step_output() : Value::string(plain_value);
    const ValuePtr fuzzed = as_output ? oracle::step_output() : Value::string(value);
    const std::string base = oracle::render_text(text, plain, plain_value);
    if (base.empty()) continue;
    const std::string cmd = oracle::render_text(text, fuzzed, value);
    if (value.find('\0') != std::string::npos) {
      if (!cmd.empty()) fail("a value holding a NUL was rendered into a command");
      continue;
    }
    if (cmd.empty()) fail("the text renders with a plain word but not with the value: " + text);
    if (run_shell("/bin/bash", {"-n"}, harness(base)).status != 0) continue;  // not shell to begin with
    if (run_shell("/bin/bash", {"-n"}, harness(cmd)).status != 0)
      fail("the value made a valid command invalid:\n  text: " + text + "\n  command: " + cmd);
    // What the text itself does with the value after the shell has it (an unquoted $x or
    // $(...) splits it, eval runs it) is the author's doing: only without expansions and
    // eval is every command's name the text's own.
    if (text.find_first_of("$`") != std::string::npos || text.find("eval") != std::string::npos) continue;
    const ShellRun a = run_shell("/bin/bash", {"--norc", "--noprofile"}, harness(base));
    if (!exited(a)) continue;  // the text itself loops or floods
    const ShellRun b = run_shell("/bin/bash", {"--norc", "--noprofile"}, harness(cmd));
    const auto called_plain = split_nul(a.out);
    for (const auto& name : split_nul(b.out)) {
      if (text.find(name) != std::string::npos) continue;
      // The value as one word, part of a command's name (`${pg_bin}/pg_ctl`: a program
      // path from the inventory names the program, quoted as a single word).
      if (name.find(value) != std::string::npos) continue;
      if (std::find(called_plain.begin(), called_plain.end(), name) != called_plain.end()) continue;
      fail("the value ran a command of its own ('" + name + "'):\n  text: " + text + "\n  command: " + cmd);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > kMaxInput) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    check_value(rest);
  } else {
    const size_t nul = rest.find('\0');
    if (nul == std::string::npos) return 0;
    check_author_text(rest.substr(0, nul), rest.substr(nul + 1));
  }
  return 0;
}
