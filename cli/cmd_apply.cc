// `drplan apply FILE -i INVENTORY`: compile, confirm, print. The workflow itself (the lock,
// the secrets, resume, selection, the journal, the run) is executor/apply_run.h; this file
// gives it the terminal: messages on stderr, questions on /dev/tty, Ctrl-C, the screen.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "cli/compile_common.h"
#include "cli/run_summary.h"
#include "executor/apply_run.h"
#include "executor/state_backend.h"
#include "executor/resume_policy.h"
#include "executor/terminal.h"

namespace drplan::cli {

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

void say(Say kind, const std::string& text) {
  static const char* const kPrefix[] = {"drplan: error: ", "drplan: warning: ", "help: ", "drplan: "};
  std::fprintf(stderr, "%s%s\n", kPrefix[static_cast<int>(kind)], text.c_str());
}

ApplyRequest request_of(const ApplyOptions& o) {
  ApplyRequest rq;
  rq.inventory = o.inventory;
  rq.state_dir = o.state_dir;
  rq.sets = o.sets;
  rq.selection = {o.only, o.skip, o.force, o.reason};
  rq.resume = {o.resume, o.resume_run, o.assume_done, o.rerun, o.earlier};
  rq.approve = o.approve;
  rq.yes = o.yes;
  rq.interactive = o.interactive;
  rq.checks_only = o.checks_only;
  rq.on_failure = o.on_failure;
  rq.jobs = o.jobs;
  rq.per_host = o.per_host;
  rq.accept_new_host_keys = o.accept_new_host_keys;
  rq.argv = o.argv;
  return rq;
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

// A resumed run keeps the parameters it started with, so without --set the journal's values
// are used (and recorded again in `rq`): the plan is compiled again with them.
std::unique_ptr<Compiled> compile_for_resume(std::unique_ptr<Compiled> compiled, const ApplyOptions& o,
                                             StateStore& store, ApplyRequest& rq) {
  auto sets = resumed_sets(store, rq, *compiled->plan);
  if (sets.empty()) return compiled;
  ApplyOptions with_sets = o;
  with_sets.sets = rq.sets = sets;
  return compile_one(o.files[0], with_sets);
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

}  // namespace

int run_apply(const ApplyOptions& o) {
  if (!single_plan_inputs("apply", o, /*needs_inventory=*/true)) return 2;
  ApplyRequest rq = request_of(o);
  auto compiled = compile_one(o.files[0], o);
  if (!compiled->plan) return 1;
  std::string why;
  auto opened = open_state_store(o.state, compiled->plan->inventory.get(), state_dir_for(rq), &why);
  if (!opened) {
    std::fprintf(stderr, "drplan: error: %s\n", why.c_str());
    return 2;
  }
  StateStore& store = *opened;
  compiled = compile_for_resume(std::move(compiled), o, store, rq);
  if (!compiled->plan) return 1;
  const CompiledPlan& plan = *compiled->plan;

  ApplyRun run(plan, std::move(rq), store, ApplyIo{say, confirm_on_tty});
  if (int rc = run.prepare()) return rc;
  Style st{o.color};
  if (!confirm_start(o, plan, st)) return 1;
  if (int rc = run.start()) return rc;
  std::printf("%s %s: journal %s\n", o.resume ? "resuming run" : "run", run.run_id().c_str(),
              store.journal_name().c_str());
  std::fflush(stdout);

  ApplyUi ui;
  std::unique_ptr<GatePrompter> prompter;
  const std::set<std::string> approve(o.approve.begin(), o.approve.end());
  if (o.interactive) prompter = std::make_unique<TerminalPrompter>(approve, o.yes);
  else prompter = std::make_unique<FlagPrompter>(approve, o.yes);
  ui.prompter = prompter.get();
  ui.display = make_display(o.interactive && isatty(STDOUT_FILENO), o.color);
  ui.watch_interrupts = [](Interrupts& irq) { return std::make_shared<InterruptWatcher>(irq); };
  RunOutcome out = run.execute(ui);
  if (!out.not_started.empty()) {
    std::fprintf(stderr, "drplan: error: not resumed: %s\nhelp: --earlier kill stops an earlier attempt instead of waiting for it\n",
                 run.masker().mask(out.not_started).c_str());
    return 1;
  }
  print_run_summary(plan, out, run.run_id(), store.journal_name(), store.run_dir(), st, run.masker());
  return out.success ? 0 : 1;
}

}  // namespace drplan::cli
