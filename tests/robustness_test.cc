// `drplan check` must never crash, hang or print a stack trace, whatever the input: thousands
// of deterministic mutations of the standard plans and the golden cases (bytes and tokens
// deleted, inserted, swapped; truncation at every Nth offset; duplicated lines), binary
// garbage, invalid UTF-8, a 10 MB plan, 10,000-deep nesting, a 1,000,000-operator expression,
// an empty file, a directory, a missing file. Every run must exit 0, 1 or 2 within its
// timeout, and exit 1 must come with at least one located `file:line:col: error:`.
//
// Most mutations go through compile_plan in-process (fast); a few hundred go through the
// real binary as a subprocess (the exit code, the output, signals and timeouts).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>

#include <re2/re2.h>

#include "compiler/compile.h"
#include "tests/rng.h"

namespace drplan {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

using drplan::test_support::Rng;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// A clang-style "file:line:col: error: " line somewhere in drplan's output. RE2 over bytes
// (the output may hold any): std::regex recursed once per character of [^\n]+.
bool has_located_error(std::string_view output) {
  static const RE2 kLocated(R"((^|\n)[^\n]+:\d+:\d+: error: )", RE2::Latin1);
  return RE2::PartialMatch(output, kLocated);
}

const fs::path kSource = DRPLAN_SOURCE_DIR;
const std::string kInventory = (kSource / "lab" / "inventory.toml").string();

// Seeds: the standard plans and every golden case.
std::vector<std::pair<std::string, std::string>> seeds() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* p : {"plans/failover.dr", "plans/failback.dr", "plans/restore.dr"})
    out.emplace_back(p, read_file(kSource / p));
  std::vector<fs::path> golden;
  for (const auto& e : fs::directory_iterator(kSource / "tests" / "golden"))
    if (e.path().extension() == ".dr") golden.push_back(e.path());
  std::sort(golden.begin(), golden.end());
  for (const auto& g : golden) out.emplace_back(g.filename().string(), read_file(g));
  return out;
}

// Tokens that steer mutations towards the interesting corners of the grammar.
const std::vector<std::string> kTokens = {
    "{", "}", "(", ")", "[", "]", "${", "\"", "\"\"\"", "=", ",", ".", ":", ";", "!", "&&", "||", "+",
    "==", "<", ">=", "after", "on", "when", "none", "none \"why\"", "phase \"x\" {", "template t(a: int) {",
    "def d() = ", "use stdlib/service as svc", "use stdlib/nope", "use ", "check", "action", "gate", "wait",
    "plan", "module", "param q: duration = 5", "param", "#", "//", "/*", "*/", "\\", "\n", "30s", "2GiB",
    "120%", "1.5", "99999999999999999999999", "0", "${x | raw}", "${target.address}", "${secrets.tsig_key}",
    "secrets.tsig_key", "local", "to.db", "from.app", "svc.start(\"x\")", "pg.promote()", "pg.is_primary()",
    "\xff", "\xc3\xa9", std::string(1, '\0'), "\r", "\t", "after promote_db", "when false", "when a.ok",
    "rollback = none", "retry = 5", "timeout = 5m", "true", "false", "not", "and", "or", "as", "target",
    "dc_unreachable.output", "dns_before.output", "${dns_before.output}", "${", "}}", "$", "tags = [\"db.promote\"]",
    "tags = [\"dns.switch\"]", "on databases", "on app_servers", "on dr", "on to", "severity = warn", "= ",
};

std::string mutate(std::string t, Rng& r) {
  int ops = r.chance(50) ? 1 : 2 + static_cast<int>(r.below(2));
  for (int k = 0; k < ops; ++k) {
    size_t pos = r.below(t.size() + 1);
    switch (r.below(9)) {
      case 0:  // delete a few bytes
        if (!t.empty()) t.erase(std::min(pos, t.size() - 1), 1 + r.below(16));
        break;
      case 1: {  // insert random bytes
        std::string junk;
        for (size_t n = 1 + r.below(4); n > 0; --n) junk += static_cast<char>(r.below(256));
        t.insert(pos, junk);
        break;
      }
      case 2:  // insert a token
        t.insert(pos, kTokens[r.below(kTokens.size())]);
        break;
      case 3:  // swap two bytes
        if (t.size() > 1) std::swap(t[r.below(t.size())], t[r.below(t.size())]);
        break;
      case 4:  // replace a range with a token
        if (!t.empty()) t.replace(std::min(pos, t.size() - 1), 1 + r.below(8), kTokens[r.below(kTokens.size())]);
        break;
      case 5:
      case 6:
      case 7: {  // duplicate, delete or swap whole lines
        std::vector<std::string> lines;
        std::stringstream ss(t);
        for (std::string l; std::getline(ss, l);) lines.push_back(l);
        if (lines.empty()) break;
        size_t a = r.below(lines.size()), b = r.below(lines.size());
        if (k % 3 == 0) lines.insert(lines.begin() + static_cast<long>(a), lines[b]);
        else if (k % 3 == 1) lines.erase(lines.begin() + static_cast<long>(a));
        else std::swap(lines[a], lines[b]);
        t.clear();
        for (const auto& l : lines) t += l + "\n";
        break;
      }
      default:  // swap two tokens (whitespace-separated words)
        if (t.size() > 2) {
          size_t a = r.below(t.size()), b = r.below(t.size());
          size_t ae = t.find_first_of(" \n", a), be = t.find_first_of(" \n", b);
          if (ae == std::string::npos || be == std::string::npos || a == b) break;
          if (a > b) std::swap(a, b), std::swap(ae, be);
          if (ae > b) break;
          std::string wa = t.substr(a, ae - a), wb = t.substr(b, be - b);
          t.replace(b, be - b, wa);
          t.replace(a, ae - a, wb);
        }
        break;
    }
  }
  return t;
}

// --- in-process -----------------------------------------------------------------------

// Compiles `text` from `path`; returns "" if the compiler behaved, else what went wrong.
std::string compile_in_process(const fs::path& path, std::string_view text, bool with_inventory,
                               bool* compiled = nullptr) {
  write_file(path, text);
  SourceManager sm;
  DiagnosticEngine diags;
  CompileOptions opts;
  opts.plan_path = path.string();
  if (with_inventory) opts.inventory_path = kInventory;
  opts.module_dirs = {kSource.string()};
  auto start = Clock::now();
  std::unique_ptr<CompiledPlan> plan;
  try {
    plan = compile_plan(sm, opts, diags);
    diags.sort();
    std::string rendered = render_text(sm, diags.all(), false);
    [[maybe_unused]] auto json = nlohmann::json::parse(render_json(sm, diags.all()));  // throws unless JSON
    if (!plan) {
      if (!diags.has_errors()) return "no plan and no error";
      bool located = false;
      for (const auto& d : diags.all()) located |= d.severity == Severity::Error && d.loc.valid();
      if (!located) return "errors without a location:\n" + rendered;
      if (!has_located_error(rendered)) return "no located error line in:\n" + rendered;
    } else if (diags.has_errors()) {
      return "a plan despite errors:\n" + rendered;
    }
    if (compiled) *compiled = plan != nullptr;
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  if (ms > 5000) return "took " + std::to_string(ms) + " ms";
  return "";
}

// --- subprocess ----------------------------------------------------------------------

struct RunResult {
  int exit_code = -1;  ///< -1 when killed by a signal or timed out
  int signal = 0;
  bool timed_out = false;
  std::string output;  ///< stdout and stderr, interleaved
  long ms = 0;
  long max_rss_kb = 0;  ///< the process's peak resident memory
};

RunResult run_drplan(const std::vector<std::string>& args, milliseconds timeout) {
  RunResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.output = "pipe failed";
    return r;
  }
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    setenv("NO_COLOR", "1", 1);
    std::vector<char*> argv;
    std::string bin = DRPLAN_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  auto deadline = start + timeout;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got <= 0) break;
    if (r.output.size() < (4u << 20)) r.output.append(buf, static_cast<size_t>(got));
  }
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  r.max_rss_kb = usage.ru_maxrss;
  r.ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

// "" if the run behaved, else why not.
std::string judge(const RunResult& r, bool json = false) {
  std::string head = r.output.substr(0, 2000);
  if (r.timed_out) return "timed out after " + std::to_string(r.ms) + " ms";
  if (r.signal) return "killed by signal " + std::to_string(r.signal) + ":\n" + head;
  if (r.exit_code < 0 || r.exit_code > 2) return "exit code " + std::to_string(r.exit_code) + ":\n" + head;
  // Word-bounded: "unterminated string" is a fine message, "terminate called" is not.
  static const RE2 kCrash(
      R"((\bterminate\b|\bAborted\b|Segmentation|AddressSanitizer|[Ss]tack trace|core dumped|internal error))",
      RE2::Latin1);
  std::string m;
  if (RE2::PartialMatch(r.output, kCrash, &m)) return "output contains '" + m + "':\n" + head;
  if (r.exit_code == 1) {
    if (json) {
      auto j = nlohmann::json::parse(r.output.substr(r.output.find('[')), nullptr, false);
      bool located = false;
      if (j.is_array())
        for (const auto& d : j) located |= d.value("severity", "") == "error" && d.contains("line");
      if (!located) return "exit 1 without a located error in the JSON:\n" + head;
    } else {
      if (!has_located_error(r.output)) return "exit 1 without a located error:\n" + head;
    }
  }
  return "";
}

class Robustness : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/drplan-robustness-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Runs `check` on each input file, two at a time (the machine has 2 cores).
  struct Job {
    std::string label;
    std::vector<std::string> args;
    milliseconds timeout{10000};
    bool json = false;
    int want_exit = -1;  ///< -1: any of 0, 1, 2
    long max_rss_mb = 0;  ///< > 0: the run must stay below this much memory
  };
  void run_all(const std::vector<Job>& jobs) {
    auto worker = [&](size_t first) {
      std::vector<std::string> failures;
      for (size_t i = first; i < jobs.size(); i += 2) {
        RunResult r = run_drplan(jobs[i].args, jobs[i].timeout);
        if (r.ms > 1000) std::printf("[ robustness ] %s: %ld ms\n", jobs[i].label.c_str(), r.ms);
        std::string why = judge(r, jobs[i].json);
        if (why.empty() && jobs[i].want_exit >= 0 && r.exit_code != jobs[i].want_exit)
          why = "exit " + std::to_string(r.exit_code) + ", wanted " + std::to_string(jobs[i].want_exit) + ":\n" +
                r.output.substr(0, 2000);
        if (why.empty() && jobs[i].max_rss_mb > 0 && r.max_rss_kb > jobs[i].max_rss_mb * 1024)
          why = "peak memory " + std::to_string(r.max_rss_kb / 1024) + " MB, wanted under " +
                std::to_string(jobs[i].max_rss_mb) + " MB";
        if (!why.empty()) failures.push_back(jobs[i].label + ": " + why);
      }
      return failures;
    };
    auto a = std::async(std::launch::async, worker, 0);
    auto b = std::async(std::launch::async, worker, 1);
    std::vector<std::string> failures = a.get();
    for (auto& f : b.get()) failures.push_back(std::move(f));
    for (size_t i = 0; i < failures.size() && i < 10; ++i) ADD_FAILURE() << failures[i];
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << jobs.size() << " runs misbehaved";
  }
  fs::path dir_;
};

}  // namespace

// 1,600 compilations in-process: mutated seeds, with and without the lab inventory.
TEST_F(Robustness, MutationsInProcess) {
  auto all = seeds();
  ASSERT_GT(all.size(), 10u);
  Rng rng(20240601);
  std::vector<std::string> failures;
  int runs = 0, clean = 0;
  const fs::path path = dir_ / "mutant.dr";
  for (int i = 0; i < 1600; ++i) {
    // The standard plans are the richest seeds: half the mutations start from them.
    const auto& [name, text] = i % 2 == 0 ? all[rng.below(3)] : all[rng.below(all.size())];
    std::string mutant = mutate(text, rng);
    bool inv = rng.chance(50);
    bool compiled = false;
    std::string why = compile_in_process(path, mutant, inv, &compiled);
    ++runs;
    clean += compiled;
    if (!why.empty()) {
      write_file(dir_ / ("failure-" + std::to_string(failures.size()) + ".dr"), mutant);
      failures.push_back("mutation " + std::to_string(i) + " of " + name + (inv ? " (with inventory)" : "") +
                         ": " + why);
    }
  }
  for (size_t i = 0; i < failures.size() && i < 10; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << runs << " compilations misbehaved";
  // The mutations must not all be fatal at the first byte: some mutants still compile.
  EXPECT_GT(clean, runs / 50) << clean << " of " << runs << " mutants compiled";
  std::printf("[ robustness ] %d mutants, %d still compile\n", runs, clean);
}

// Truncation of every standard plan at every 37th offset, in-process.
TEST_F(Robustness, TruncationsInProcess) {
  auto all = seeds();
  std::vector<std::string> failures;
  const fs::path path = dir_ / "truncated.dr";
  for (size_t s = 0; s < 3; ++s) {
    const auto& [name, text] = all[s];
    for (size_t off = 0; off < text.size(); off += 37) {
      std::string why = compile_in_process(path, text.substr(0, off), true);
      if (!why.empty()) failures.push_back(name + " truncated at " + std::to_string(off) + ": " + why);
    }
  }
  for (size_t i = 0; i < failures.size() && i < 10; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " truncations misbehaved";
}

// The real binary on ~200 mutants (text and JSON output, check and plan).
TEST_F(Robustness, MutationsThroughTheBinary) {
  auto all = seeds();
  Rng rng(777);
  std::vector<Job> jobs;
  for (int i = 0; i < 160; ++i) {
    const auto& [name, text] = i % 2 == 0 ? all[rng.below(3)] : all[rng.below(all.size())];
    fs::path p = dir_ / ("m" + std::to_string(i) + ".dr");
    write_file(p, mutate(text, rng));
    Job j{name + " mutant " + std::to_string(i), {"check", p.string()}};
    if (rng.chance(50)) j.args.insert(j.args.end(), {"-i", kInventory});
    if (rng.chance(15)) {
      j.args.insert(j.args.end(), {"--format", "json"});
      j.json = true;
    } else if (rng.chance(15)) {
      j.args[0] = "plan";
    }
    jobs.push_back(std::move(j));
  }
  // Truncations through the binary too: every 307th offset of the failover plan.
  std::string failover = all[0].second;
  for (size_t off = 0; off < failover.size(); off += 307) {
    fs::path p = dir_ / ("t" + std::to_string(off) + ".dr");
    write_file(p, failover.substr(0, off));
    jobs.push_back({"failover truncated at " + std::to_string(off), {"check", p.string(), "-i", kInventory}});
  }
  run_all(jobs);
}

TEST_F(Robustness, HostileInputs) {
  std::vector<Job> jobs;
  Rng rng(42);
  auto add = [&](const std::string& label, const std::string& text, milliseconds timeout = milliseconds(10000),
                 int want = -1) {
    fs::path p = dir_ / (label + ".dr");
    write_file(p, text);
    jobs.push_back({label, {"check", p.string()}, timeout, false, want});
  };
  // Binary garbage of several sizes.
  for (size_t size : {1, 7, 100, 4096, 65536, 1 << 20}) {
    std::string g;
    for (size_t i = 0; i < size; ++i) g += static_cast<char>(rng.below(256));
    add("garbage" + std::to_string(size), g);
  }
  // Garbage made only of ASCII punctuation and keywords (valid UTF-8, so it reaches the parser).
  for (int n = 0; n < 4; ++n) {
    std::string g = "plan p {";
    for (int i = 0; i < 2000; ++i) g += kTokens[rng.below(kTokens.size())] + (rng.chance(50) ? " " : "");
    add("tokens" + std::to_string(n), g);
  }
  // Invalid UTF-8: overlong, surrogates, truncated sequences, stray continuation bytes.
  const std::string failover = read_file(kSource / "plans/failover.dr");
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\x80", "\xf5\x80\x80\x80", "\xfe\xff"}) {
    std::string t = failover;
    t.insert(t.size() / 2, bad);
    add("utf8-" + std::to_string(jobs.size()), t, milliseconds(10000), 1);
  }
  add("nul-bytes", std::string("plan p {\0 check a { probe = \"\0\" } }", 36), milliseconds(10000), 1);
  add("bom", "\xef\xbb\xbfplan p { check a { probe = \"true\" } }\n");
  add("crlf", "plan p {\r\n  check a { probe = \"true\" }\r\n}\r\n", milliseconds(10000), 0);
  add("empty", "", milliseconds(10000), 1);
  add("only-comments", "# nothing\n// here\n/* at all */\n", milliseconds(10000), 1);
  add("unterminated-comment", "plan p { /* check a { probe = \"true\" } }", milliseconds(10000), 1);
  add("unterminated-verbatim", "plan p { check a { probe = \"\"\"true } }", milliseconds(10000), 1);

  // 10,000-deep nesting of each bracket, and of `!`.
  const int kDeep = 10000;
  for (auto [open, close] : {std::pair{'(', ')'}, {'[', ']'}, {'{', '}'}}) {
    std::string t = "plan p {\n  check a when " + std::string(kDeep, open) + "true" + std::string(kDeep, close) +
                    " { probe = \"true\" }\n}\n";
    add(std::string("deep") + open, t, milliseconds(10000), 1);
  }
  add("deep-not", "plan p {\n  check a when " + std::string(kDeep, '!') + "true { probe = \"true\" }\n}\n",
      milliseconds(10000), 1);
  add("deep-mixed", "plan p {\n  check a when " + std::string(kDeep / 2, '!') + std::string(kDeep / 2, '(') +
                        "true" + std::string(kDeep / 2, ')') + " { probe = \"true\" }\n}\n",
      milliseconds(10000), 1);
  add("deep-unclosed", "plan p {" + std::string(kDeep, '{'), milliseconds(10000), 1);
  // A deep chain of def calls is bounded too.
  {
    std::string t = "plan p {\n";
    for (int i = 0; i < 100; ++i) t += "  def f" + std::to_string(i) + "() = f" + std::to_string(i + 1) + "()\n";
    t += "  def f100() = \"true\"\n  check a { probe = f0() }\n}\n";
    add("deep-defs", t, milliseconds(10000), 1);
  }

  // 1,000,000 operators in one expression.
  {
    std::string t = "plan p {\n  check a when true";
    t.reserve(8u << 20);
    for (int i = 0; i < 1000000; ++i) t += " && true";
    t += " { probe = \"true\" }\n}\n";
    add("million-operators", t, milliseconds(30000), 1);
  }

  // A 10 MB plan: a chain of steps with interpolation, ~110,000 of them. It is valid.
  {
    std::string t = "plan big {\n  param n: int = 1\n  check c0 { probe = \"echo ${n}\" }\n";
    for (int i = 1; t.size() < (10u << 20); ++i)
      t += "  check c" + std::to_string(i) + " after c" + std::to_string(i - 1) + " { probe = \"echo ${n} step " +
           std::to_string(i) + " padding padding padding padding\" }\n";
    t += "}\n";
    add("ten-megabytes", t, milliseconds(40000), 0);
  }
  // One 1 MB line (a string), and 1 MB of one token.
  add("huge-string", "plan p { check a { probe = \"" + std::string(1u << 20, 'x') + "\" } }\n",
      milliseconds(20000), 0);
  add("huge-ident", "plan " + std::string(1u << 20, 'a') + " { }\n", milliseconds(20000));

  // Not files.
  jobs.push_back({"directory", {"check", dir_.string()}, milliseconds(10000), false, 2});
  jobs.push_back({"missing", {"check", (dir_ / "does-not-exist.dr").string()}, milliseconds(10000), false, 2});
  jobs.push_back({"no-args", {"check"}, milliseconds(10000), false, 2});
  jobs.push_back({"bad-flag", {"check", "--bogus", "x.dr"}, milliseconds(10000), false, 2});
  jobs.push_back({"dev-null", {"check", "/dev/null"}, milliseconds(10000), false, 2});
  run_all(jobs);
}

// Inputs that once ran for minutes or took gigabytes; each must end (in a located error,
// or a plan that compiles) well within its time and memory. No speed is asserted: the
// timeouts only tell a hang from an answer.
TEST_F(Robustness, RunawayInputsEndWithinBounds) {
  std::vector<Job> jobs;
  auto add = [&](const std::string& label, const std::string& text, int want, std::vector<std::string> more = {},
                 long max_rss_mb = 200) {
    fs::path p = dir_ / (label + ".dr");
    write_file(p, text);
    std::vector<std::string> args = {"check", p.string()};
    args.insert(args.end(), more.begin(), more.end());
    jobs.push_back({label, args, milliseconds(20000), false, want, max_rss_mb});
  };
  {
    std::string t = "plan p {\n  def d0(x: string) = x + x\n";
    for (int i = 1; i <= 30; ++i)
      t += "  def d" + std::to_string(i) + "(x: string) = d" + std::to_string(i - 1) + "(x) + d" +
           std::to_string(i - 1) + "(x)\n";
    add("def-doubling", t + "  check a { probe = d30(\"x\") }\n}\n", 1);
  }
  add("def-tripling", "plan p {\n  def f(x: string) = f(x) + f(x) + f(x)\n  check a { probe = f(\"x\") }\n}\n", 1);
  {
    std::string call = "\"x\"";
    for (int i = 0; i < 30; ++i) call = "t(" + call + ")";
    add("value-doubling", "plan p {\n  def t(y: string) = y + y\n  check a { probe = " + call + " }\n}\n", 1);
  }
  {
    std::string t = "plan p {\n";
    for (int i = 0; i < 4000; ++i)
      t += "  check c" + std::to_string(i) + " { probe = \"echo ${unknown_" + std::to_string(i) + "}\" }\n";
    add("unknown-names", t + "}\n", 1);
  }
  add("huge-durations",
      "plan p {\n  check a { probe = \"true\" timeout = 200000d }\n"
      "  check b { probe = \"true\" timeout = 9000000000000000000ms }\n}\n",
      1);
  {
    // 40 steps in a chain, each on a group of 2,000 hosts: a valid plan.
    std::string inv = "[sites.s]\n";
    std::string group = "[groups]\nall = [";
    for (int h = 0; h < 2000; ++h) {
      inv += "[hosts.h" + std::to_string(h) + "]\nsite = \"s\"\naddress = \"10.0." + std::to_string(h / 250) + "." +
             std::to_string(h % 250) + "\"\n";
      group += (h ? ", \"h" : "\"h") + std::to_string(h) + "\"";
    }
    write_file(dir_ / "fan.toml", inv + group + "]\n");
    std::string t = "plan p {\n  check s0 on all { probe = \"true\" }\n";
    for (int i = 1; i < 40; ++i)
      t += "  check s" + std::to_string(i) + " on all after s" + std::to_string(i - 1) + " { probe = \"true\" }\n";
    // 80,000 instances of ~2 KiB each: ~170 MiB (all pairs of instances took 4.3 GiB).
    add("fan-out-after", t + "}\n", 0, {"-i", (dir_ / "fan.toml").string()}, 400);
  }
  run_all(jobs);
}

}  // namespace drplan
