// `drplan apply FILE -i INVENTORY`: compile, take the lock, read the secrets, confirm,
// journal, run, roll back on failure, summarize. `--resume` continues a journaled run.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "cli/compile_common.h"
#include "cli/run_summary.h"
#include "executor/journal.h"
#include "executor/local_transport.h"
#include "executor/lock.h"
#include "executor/multi_transport.h"
#include "executor/resume.h"
#include "executor/run_log.h"
#include "executor/run_identity.h"
#include "executor/scheduler.h"
#include "executor/ssh_transport.h"
#include "executor/terminal.h"

namespace drplan::cli {

namespace fs = std::filesystem;

namespace {

int sigint_pipe[2] = {-1, -1};

void on_sigint(int sig) {
  char c = sig == SIGHUP ? 2 : 1;
  (void)!write(sigint_pipe[1], &c, 1);
}

// Ctrl-C (and SIGTERM, a polite `kill`; SIGHUP, a lost terminal) arrive through a
// self-pipe: the handler only writes a byte, a thread turns it into a scheduler event.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(Interrupts& irq) : irq_(irq) {
    if (pipe(sigint_pipe) != 0) return;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    sigaction(SIGHUP, &sa, &old_hup_);
    thread_ = std::thread([this] {
      char c;
      while (read(sigint_pipe[0], &c, 1) == 1) {
        if (c == 0) return;
        if (c == 2) irq_.hangup = true;
        irq_.presses++;
        if (irq_.wake) irq_.wake();
      }
    });
  }
  ~InterruptWatcher() {
    if (sigint_pipe[1] < 0) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGHUP, &old_hup_, nullptr);
    char stop = 0;
    (void)!write(sigint_pipe[1], &stop, 1);
    if (thread_.joinable()) thread_.join();
    close(sigint_pipe[0]);
    close(sigint_pipe[1]);
  }

 private:
  Interrupts& irq_;
  struct sigaction old_int_ {}, old_term_ {}, old_hup_ {};
  std::thread thread_;
};

std::string run_id_for(const std::string& plan) {
  time_t t = time(nullptr);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return std::string(buf) + "-" + plan + "-" + std::to_string(getpid());
}

bool confirm_on_tty(const std::string& question) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) return false;
  std::fprintf(tty, "%s [y/N] > ", question.c_str());
  std::fflush(tty);
  char buf[64] = {0};
  bool yes = std::fgets(buf, sizeof buf, tty) && (buf[0] == 'y' || buf[0] == 'Y');
  std::fclose(tty);
  return yes;
}

// Steps a safety rule of the compiler protects (compiler/validate.cc): fencing before a
// promotion, the TTL check before a DNS switch. Skipping one needs --force and --reason.
bool safety_protected(const StepInstance& s) {
  for (const auto& t : s.tags)
    if (t == "fence" || t == "dns.ttl-check" || t == "data.guard") return true;
  return false;
}

// --only / --skip with dependency safety: a step that runs never depends on one that does
// not run and is not done already (from the journal of a resumed run). Decided on the
// state before any step is marked skipped, so a skip cannot satisfy its own dependents.
// Returns 0, or the exit code of a refusal (2).
int select_steps(const CompiledPlan& plan, const ApplyOptions& o, std::vector<StepRun>& state,
                 std::vector<std::string>& excluded_ids) {
  std::set<std::string> names;
  for (const auto& s : plan.steps) names.insert(s.name);
  for (const auto& list : {o.only, o.skip})
    for (const auto& n : list)
      if (!names.count(n)) {
        std::fprintf(stderr, "drplan: error: no step named '%s' in plan %s\n", n.c_str(), plan.name.c_str());
        return 2;
      }
  std::set<std::string> only(o.only.begin(), o.only.end()), skip(o.skip.begin(), o.skip.end());
  auto excluded = [&](const StepInstance& s) {
    if (s.kind == StepKind::Barrier) return false;
    return skip.count(s.name) || (!only.empty() && !only.count(s.name));
  };
  std::vector<bool> done(plan.steps.size());
  for (const auto& s : plan.steps) done[s.index] = satisfied(state[s.index].status);
  std::map<std::string, std::set<std::string>> missing;  // excluded step -> steps that need it
  std::vector<std::string> guarded;
  for (const auto& s : plan.steps) {
    if (excluded(s)) {
      if (!done[s.index] && safety_protected(s)) guarded.push_back(s.id);
      continue;
    }
    if (s.kind == StepKind::Barrier) continue;  // its dependents are reported, not the barrier
    // A barrier stands for its phase: look through it.
    std::vector<int> stack(s.deps.begin(), s.deps.end());
    std::set<int> seen;
    while (!stack.empty()) {
      int d = stack.back();
      stack.pop_back();
      if (!seen.insert(d).second) continue;
      const auto& dep = plan.steps[d];
      if (dep.kind == StepKind::Barrier) {
        stack.insert(stack.end(), dep.deps.begin(), dep.deps.end());
        continue;
      }
      if (excluded(dep) && !done[d]) missing[dep.id].insert(s.id);
    }
  }
  int rc = 0;
  if (!missing.empty() && !o.force) {
    for (const auto& [dep, users] : missing) {
      std::string list;
      for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
      std::fprintf(stderr, "drplan: error: %s would not run, and %s depend%s on it\n", dep.c_str(), list.c_str(),
                   users.size() == 1 ? "s" : "");
    }
    std::fprintf(stderr, "help: select its dependencies too; --force runs the dependents anyway\n");
    rc = 2;
  }
  if (!guarded.empty() && (!o.force || o.reason.empty())) {
    for (const auto& g : guarded)
      std::fprintf(stderr, "drplan: error: %s is a safety step (fencing, the TTL check, or a guard of data a later step destroys) and would not run\n",
                   g.c_str());
    std::fprintf(stderr, "help: skipping it can give two primaries or a slow DNS switch; if it is done by hand, "
                         "pass --force --reason \"...\" (journaled)\n");
    rc = 2;
  }
  if (rc) return rc;
  for (const auto& s : plan.steps) {
    if (!excluded(s) || done[s.index]) continue;
    state[s.index].status = StepStatus::Skipped;
    state[s.index].reason = o.skip.empty() ? "not in --only" : "--skip";
    excluded_ids.push_back(s.id);
  }
  return 0;
}

// One operator at a time per inventory on this machine, whatever the plan, the state dir
// or the spelling of the inventory's path: the lock lives in a machine-wide directory
// (DRPLAN_LOCK_DIR, else /run/lock/drplan) and is keyed by the inventory's [inventory]
// name, or by its real path when it has none.
bool inventory_lock_path(const ApplyOptions& o, const CompiledPlan& plan, std::string& path, std::string* error) {
  std::error_code ec;
  const char* env = std::getenv("DRPLAN_LOCK_DIR");
  std::string dir = env && *env ? env : fs::is_directory("/run/lock", ec) ? "/run/lock/drplan" : "/tmp/drplan-locks";
  // Shared by every operator's account: sticky and world-writable, as /run/lock itself;
  // each lock file is private to whoever holds it (0600).
  if (!fs::is_directory(dir, ec)) {
    if (mkdir(dir.c_str(), 01777) != 0 && errno != EEXIST) {
      *error = "cannot create the lock directory " + dir + ": " + std::strerror(errno);
      return false;
    }
    chmod(dir.c_str(), 01777);
  }
  std::string identity;
  if (plan.inventory && !plan.inventory->name.empty()) {
    identity = "name:" + plan.inventory->name;
  } else {
    fs::path real = fs::canonical(o.inventory, ec);
    identity = "path:" + (ec ? fs::absolute(o.inventory).lexically_normal().string() : real.string());
  }
  path = dir + "/inventory-" + sha256_hex(identity).substr(0, 16) + ".lock";
  return true;
}

// --state-dir, else .drplan/ beside the inventory.
std::string state_dir_for(const ApplyOptions& o) {
  return o.state_dir.empty() ? (fs::absolute(o.inventory).parent_path() / ".drplan").string()
                             : fs::absolute(o.state_dir).string();
}

// The resolved --set values, recorded so a resume runs with the same ones.
nlohmann::json sets_json(const ApplyOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : o.sets) j[k] = v;
  return j;
}

void print_preview(const CompiledPlan& plan, const Style& st) {
  std::printf("%sPlan %s%s%s%s\n", st.bold(), plan.name.c_str(), plan.title.empty() ? "" : " — ",
              visible_controls(plan.title).c_str(), st.reset());
  for (size_t w = 0; w < plan.waves.size(); ++w) {
    std::printf("  wave %zu:", w + 1);
    for (int i : plan.waves[w]) std::printf(" %s", plan.steps[i].id.c_str());
    std::printf("\n");
  }
}

// The run a --resume continues: --run (an id or a directory), else the plan's latest; "" if none.
std::string resume_dir(const ApplyOptions& o, const std::string& state_dir, const std::string& plan_name) {
  std::error_code ec;
  if (o.resume_run.empty()) return latest_run(state_dir, plan_name);
  return fs::is_directory(o.resume_run, ec) ? o.resume_run : state_dir + "/runs/" + o.resume_run;
}

// Compiles the plan; a resumed run keeps the parameters it started with, so without --set
// the journal's values are used. `run_sets` receives the values in effect.
std::unique_ptr<Compiled> compile_for_apply(const ApplyOptions& o, nlohmann::json& run_sets) {
  auto compiled = compile_one(o.files[0], o);
  run_sets = sets_json(o);
  if (!compiled->plan || !o.resume || !o.sets.empty()) return compiled;
  std::string prior = resume_dir(o, state_dir_for(o), compiled->plan->name);
  ResumePoint rp;
  std::string error;
  std::error_code ec;
  if (prior.empty() || !fs::is_directory(prior, ec) || !load_resume_point(prior, *compiled->plan, rp, &error) ||
      !rp.run_start.contains("sets") || rp.run_start["sets"].empty())
    return compiled;
  ApplyOptions with_sets = o;
  for (const auto& [k, v] : rp.run_start["sets"].items()) with_sets.sets.emplace_back(k, v.get<std::string>());
  run_sets = rp.run_start["sets"];
  return compile_one(o.files[0], with_sets);
}

bool check_approvals(const CompiledPlan& plan, const ApplyOptions& o) {
  for (const auto& g : o.approve) {
    const StepInstance* s = plan.find(g);
    auto named = plan.instances_of(g);
    if (!named.empty()) s = &plan.steps[named.front()];
    if (!s || s->kind != StepKind::Gate) {
      std::fprintf(stderr, "drplan: error: --approve %s: no gate of that name in plan %s\n", g.c_str(), plan.name.c_str());
      return false;
    }
  }
  return true;
}

// Reads every secret the plan uses now, so a missing one stops the run before it starts.
bool read_secrets(const CompiledPlan& plan, Masker& masker, std::map<std::string, std::string>& secrets) {
  for (const auto& s : plan.steps)
    for (const Command* c : {&s.run, &s.verify, &s.rollback})
      for (const auto& name : c->secrets()) {
        if (secrets.count(name)) continue;
        std::string error;
        auto value = read_secret(plan.inventory->secrets.at(name), &error);
        if (!value) {
          std::fprintf(stderr, "drplan: error: %s\n", error.c_str());
          return false;
        }
        masker.add(*value);
        secrets[name] = *value;
      }
  return true;
}

// Steps that started and never finished (or were killed half-way): idempotent ones and
// read-only kinds run again; other actions need the operator's word.
bool decide_unfinished(const ApplyOptions& o, const CompiledPlan& plan, const ResumePoint& rp,
                       std::vector<StepRun>& initial) {
  std::set<std::string> assume(o.assume_done.begin(), o.assume_done.end()), rerun(o.rerun.begin(), o.rerun.end());
  std::vector<std::string> undecided;
  for (int i : rp.unfinished) {
    const auto& s = plan.steps[i];
    const bool undo = std::find(rp.half_rolled_back.begin(), rp.half_rolled_back.end(), i) != rp.half_rolled_back.end();
    const std::string what = undo ? "'s rollback started but never finished (or was killed half-way)"
                                  : " started but never finished (or was killed half-way)";
    if (assume.count(s.name) || assume.count(s.id)) {
      initial[i].status = StepStatus::Succeeded;
      initial[i].from_journal = true;
      initial[i].reason = "assumed done (--assume-done)";
    } else if (rerun.count(s.name) || rerun.count(s.id) || s.idempotent || s.kind != StepKind::Action) {
      // checks, waits and gates change nothing: running them again is safe
    } else if (!(o.interactive && !o.yes &&
                 confirm_on_tty("Step " + s.id + " on " + s.host_name + what +
                                ", and it is not idempotent. Run it again?"))) {
      undecided.push_back(s.id + (undo ? " (half rolled back)" : ""));
    }
  }
  if (undecided.empty()) return true;
  std::fprintf(stderr, "drplan: error: these actions started but never finished (or were killed half-way), "
                       "and are not idempotent:");
  for (const auto& id : undecided) std::fprintf(stderr, " %s", id.c_str());
  std::fprintf(stderr, "\nhelp: check on the host whether each took effect, then pass --assume-done STEP or --rerun STEP\n");
  return false;
}

// Loads the run to continue into `initial`. Returns 0, or the exit code of a refusal.
int prepare_resume(const ApplyOptions& o, const CompiledPlan& plan, const std::string& state_dir, std::string& run_dir,
                   std::vector<StepRun>& initial, std::vector<EarlierAttempt>& earlier) {
  std::error_code ec;
  run_dir = resume_dir(o, state_dir, plan.name);
  if (run_dir.empty() || !fs::is_directory(run_dir, ec)) {
    std::fprintf(stderr, "drplan: error: no run of plan '%s' to resume in %s\n", plan.name.c_str(), state_dir.c_str());
    return 2;
  }
  ResumePoint rp;
  std::string error;
  if (!load_resume_point(run_dir, plan, rp, &error)) {
    std::fprintf(stderr, "drplan: error: %s\n", error.c_str());
    return 2;
  }
  for (const auto& p : rp.problems) std::fprintf(stderr, "drplan: warning: %s\n", p.c_str());
  if (rp.run_start.value("checks_only", false)) {
    std::fprintf(stderr, "drplan: error: run %s was a --checks-only drill; start a new run instead\n", run_dir.c_str());
    return 1;
  }
  std::string changed = digest_changes(rp.run_start, plan);
  if (!o.sets.empty() && rp.run_start.contains("sets") && rp.run_start["sets"] != sets_json(o))
    changed += std::string(changed.empty() ? "" : "; ") + "the --set values differ from the run's (" +
               rp.run_start["sets"].dump() + ")";
  if (!changed.empty() && !o.force) {
    std::fprintf(stderr, "drplan: error: refusing to resume: %s\nhelp: review the change; --force resumes anyway\n",
                 changed.c_str());
    return 1;
  }
  initial = rp.steps;
  earlier = rp.earlier;
  if (!decide_unfinished(o, plan, rp, initial)) return 1;
  // What was true before the interruption may not be now (the DC came back): the checks
  // and gates that guard actions not yet done run again.
  auto again = revalidate_guards(plan, initial);
  if (!again.empty()) {
    std::string list;
    for (int i : again) list += (list.empty() ? "" : ", ") + plan.steps[i].id;
    std::fprintf(stderr, "drplan: checked again before any action they guard: %s\n", list.c_str());
  }
  return 0;
}

// The operator's go-ahead. Without a terminal, --approve is the go-ahead too: the gates it
// names pass, every other gate is refused (--yes would approve them all).
bool confirm_start(const ApplyOptions& o, const CompiledPlan& plan, const Style& st) {
  if (o.yes || o.checks_only || (!o.approve.empty() && !o.interactive)) return true;
  print_preview(plan, st);
  if (!o.interactive) {
    std::fprintf(stderr, "drplan: error: no terminal to confirm on; pass --yes to run without confirmation "
                         "(and approve every gate), or --approve GATE for each gate to pass\n");
    return false;
  }
  if (!confirm_on_tty(std::string(o.resume ? "Resume" : "Run") + " plan " + plan.name + " against " +
                      (plan.inventory->name.empty() ? o.inventory : plan.inventory->name) + "?")) {
    std::fprintf(stderr, "drplan: nothing was run\n");
    return false;
  }
  return true;
}

nlohmann::json start_record(const ApplyOptions& o, const CompiledPlan& plan, const std::string& run_id,
                            const nlohmann::json& run_sets, const Masker& masker,
                            const std::vector<std::string>& excluded) {
  // The whole command line as typed (secrets masked) and what it resolved to.
  nlohmann::json args = nlohmann::json::array();
  for (const auto& a : o.argv) args.push_back(masker.mask(a));
  nlohmann::json selection = {{"only", o.only}, {"skip", o.skip}, {"excluded", excluded}, {"force", o.force}};
  if (!o.reason.empty()) selection["reason"] = masker.mask(o.reason);
  return {{"type", o.resume ? "run_resume" : "run_start"}, {"run", run_id}, {"plan", plan.name},
          {"file", fs::absolute(plan.file).string()}, {"inventory", fs::absolute(o.inventory).string()},
          {"plan_digest", plan.plan_digest}, {"inventory_digest", plan.inventory_digest},
          {"user", current_user()}, {"host", current_host()}, {"pid", getpid()}, {"args", args},
          {"selection", selection}, {"checks_only", o.checks_only}, {"yes", o.yes}, {"sets", run_sets}};
}

RunOptions run_options(const ApplyOptions& o) {
  RunOptions ro;
  ro.jobs = o.jobs > 0 ? o.jobs : 8;
  ro.per_host = o.per_host > 0 ? o.per_host : 4;
  ro.yes = o.yes;
  ro.approve = std::set<std::string>(o.approve.begin(), o.approve.end());
  ro.interactive = o.interactive && !o.yes;
  ro.checks_only = o.checks_only;
  if (o.on_failure == "rollback") ro.on_failure = OnFailure::Rollback;
  if (o.on_failure == "stop") ro.on_failure = OnFailure::Stop;
  ro.earlier_policy = o.earlier == "kill" ? EarlierPolicy::Kill : EarlierPolicy::Wait;
  return ro;
}

// Runs the scheduler with the real transports, prompter, display and Ctrl-C handling.
RunOutcome execute(const ApplyOptions& o, const CompiledPlan& plan, JournalWriter& journal, const Masker& masker,
                   const std::map<std::string, std::string>& secrets, const std::string& run_id,
                   std::vector<StepRun> initial, std::vector<EarlierAttempt> earlier) {
  LocalTransport local;
  SshOptions ssh_opts;
  ssh_opts.known_hosts = plan.inventory->known_hosts;
  ssh_opts.accept_new_host_keys = o.accept_new_host_keys;
  ssh_opts.on_host_key_accepted = [&journal](const Host& h, const std::string& fp, const std::string& file) {
    journal.append({{"type", "host_key_accepted"}, {"host", h.name}, {"fingerprint", fp}, {"known_hosts", file},
                    {"by", current_operator()}});
  };
  SshTransport ssh(ssh_opts);
  MultiTransport transport(local, ssh);
  RunOptions ro = run_options(o);
  ro.token_prefix = run_id + "." + std::to_string(getpid()) + "." + std::to_string(now_ms());
  ro.earlier = std::move(earlier);
  std::unique_ptr<GatePrompter> prompter;
  if (o.interactive) prompter = std::make_unique<TerminalPrompter>(ro.approve, o.yes);
  else prompter = std::make_unique<FlagPrompter>(ro.approve, o.yes);
  auto display = make_logging_display(make_display(o.interactive && isatty(STDOUT_FILENO), o.color), journal.dir());
  Interrupts irq;

  RunHooks hooks;
  hooks.transport = &transport;
  hooks.prompter = prompter.get();
  hooks.display = display.get();
  hooks.journal = &journal;
  hooks.masker = &masker;
  hooks.secrets = secrets;
  hooks.local_env = {{"DRPLAN_RUN_ID", run_id}, {"DRPLAN_JOURNAL", journal.path()}, {"DRPLAN_RUN_DIR", journal.dir()}};
  hooks.interrupts = &irq;

  RunOutcome out;
  {
    InterruptWatcher watcher(irq);
    Scheduler scheduler(plan, ro, hooks);
    out = scheduler.run(std::move(initial));
  }
  transport.shutdown();
  display->pause();
  return out;
}

}  // namespace

int run_apply(const ApplyOptions& o) {
  if (!single_plan_inputs("apply", o, /*needs_inventory=*/true)) return 2;
  nlohmann::json run_sets;
  auto compiled = compile_for_apply(o, run_sets);
  if (!compiled->plan) return 1;
  const CompiledPlan& plan = *compiled->plan;
  if (!check_approvals(plan, o)) return 2;
  std::map<std::string, std::string> secrets;
  Masker masker;
  if (!read_secrets(plan, masker, secrets)) return 2;

  std::string state_dir = state_dir_for(o);
  std::string error;
  if (!make_private_dir(state_dir + "/runs", &error)) {
    std::fprintf(stderr, "drplan: error: %s\n", error.c_str());
    return 2;
  }
  // The lock before the journal of a run to resume: a run that is still live is named by
  // its lock (pid, user@host, since), not judged from a journal it is still writing.
  std::string run_dir = o.resume ? resume_dir(o, state_dir, plan.name) : state_dir + "/runs/" + run_id_for(plan.name);
  const std::string run_id = fs::path(run_dir).filename().string();

  std::string lock_path;
  if (!inventory_lock_path(o, plan, lock_path, &error)) {
    std::fprintf(stderr, "drplan: error: %s\n", error.c_str());
    return 2;
  }
  RunLock lock;
  std::string note;
  if (!lock.acquire(lock_path, run_id, &error, &note)) {
    std::fprintf(stderr, "drplan: error: %s\n", error.c_str());
    return 1;
  }
  if (!note.empty()) std::fprintf(stderr, "drplan: warning: %s\n", note.c_str());
  std::vector<StepRun> initial(plan.steps.size());
  std::vector<EarlierAttempt> earlier;
  if (o.resume)
    if (int rc = prepare_resume(o, plan, state_dir, run_dir, initial, earlier)) return rc;
  std::vector<std::string> excluded;
  if (int rc = select_steps(plan, o, initial, excluded)) return rc;
  Style st{o.color};
  if (!confirm_start(o, plan, st)) return 1;

  JournalWriter journal;
  if (!journal.open(run_dir, &error) || !journal.append(start_record(o, plan, run_id, run_sets, masker, excluded))) {
    std::fprintf(stderr, "drplan: error: cannot write the journal in %s%s%s\n", run_dir.c_str(),
                 error.empty() ? "" : ": ", error.c_str());
    return 2;
  }
  std::printf("%s %s: journal %s\n", o.resume ? "resuming run" : "run", run_id.c_str(), journal.path().c_str());
  std::fflush(stdout);

  RunOutcome out = execute(o, plan, journal, masker, secrets, run_id, std::move(initial), std::move(earlier));
  if (!out.not_started.empty()) {
    // Nothing ran: the run stays as it was, to resume once the earlier attempt is gone.
    journal.append({{"type", "run_end"}, {"status", "not_started"}, {"reason", out.not_started}});
    std::fprintf(stderr, "drplan: error: not resumed: %s\nhelp: --earlier kill stops an earlier attempt instead of waiting for it\n",
                 masker.mask(out.not_started).c_str());
    return 1;
  }
  journal.append({{"type", "run_end"}, {"status", out.success ? "succeeded" : out.interrupted ? "interrupted" : "failed"},
                  {"duration_ms", out.ended_ms - out.started_ms}});
  print_run_summary(plan, out, run_id, journal.path(), st, masker);
  return out.success ? 0 : 1;
}

}  // namespace drplan::cli
