#include "executor/apply_run.h"

#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "compiler/source.h"
#include "executor/journal_records.h"
#include "executor/local_transport.h"
#include "executor/multi_transport.h"
#include "executor/resume_policy.h"
#include "executor/run_identity.h"
#include "executor/run_log.h"
#include "executor/secrets.h"
#include "executor/ssh_transport.h"
#include "executor/step_selection.h"

namespace drplan {

namespace fs = std::filesystem;

std::string state_dir_for(const ApplyRequest& rq) {
  return rq.state_dir.empty() ? (fs::absolute(rq.inventory).parent_path() / ".drplan").string()
                              : fs::absolute(rq.state_dir).string();
}

std::string lock_key(const CompiledPlan& plan, const std::string& inventory_path) {
  if (plan.inventory && !plan.inventory->name.empty()) return "name:" + plan.inventory->name;
  std::error_code ec;
  fs::path real = fs::canonical(inventory_path, ec);
  return "path:" + (ec ? fs::absolute(inventory_path).lexically_normal().string() : real.string());
}

std::string new_run_id(const std::string& plan_name) {
  time_t t = time(nullptr);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return std::string(buf) + "-" + plan_name + "-" + std::to_string(getpid());
}

ApplyRun::ApplyRun(const CompiledPlan& plan, ApplyRequest request, StateStore& store, ApplyIo io)
    : plan_(plan), rq_(std::move(request)), store_(store), io_(std::move(io)) {}

bool ApplyRun::check_approvals() const {
  for (const auto& g : rq_.approve) {
    const StepInstance* s = plan_.find(g);
    auto named = plan_.instances_of(g);
    if (!named.empty()) s = &plan_.steps[named.front()];
    if (!s || s->kind != StepKind::Gate) {
      io_.tell(Say::Error, "--approve " + g + ": no gate of that name in plan " + plan_.name);
      return false;
    }
  }
  return true;
}

// Every secret the plan uses is read now, so a missing one stops the run before it starts.
bool ApplyRun::read_secrets() {
  for (const auto& s : plan_.steps)
    for (const Command* c : {&s.run, &s.verify, &s.rollback})
      for (const auto& name : c->secrets()) {
        if (secrets_.count(name)) continue;
        std::string error;
        auto value = read_secret(plan_.inventory->secrets.at(name), &error);
        if (!value) {
          io_.tell(Say::Error, error);
          return false;
        }
        masker_.add(*value);
        secrets_[name] = *value;
      }
  return true;
}

int ApplyRun::prepare() {
  if (!check_approvals() || !read_secrets()) return 2;
  // `ask` with nobody to ask and a plan that will not decide alone: refused before anything.
  const bool asks = rq_.on_failure == "ask" || (rq_.on_failure.empty() && plan_.on_failure == OnFailure::Ask);
  if (asks && !rq_.interactive && !rq_.checks_only && plan_.unattended == Unattended::Refuse) {
    io_.tell(Say::Error, "plan " + plan_.name +
                             " asks the operator whether to roll back after a failure (on_failure = ask), there is "
                             "no terminal to ask on, and the plan says unattended = refuse; nothing was run");
    io_.tell(Say::Help, "run it from a terminal, or decide now with --on-failure rollback or --on-failure stop");
    return 1;
  }
  std::string error;
  if (!store_.prepare(&error)) {
    io_.tell(Say::Error, error);
    return 2;
  }
  // The lock before the journal of a run to resume: a run that is still live is named by
  // its lock (pid, user@host, since), not judged from a journal it is still writing.
  run_ = rq_.resume.resume ? run_to_resume(store_, rq_.resume, plan_.name) : new_run_id(plan_.name);
  run_id_ = run_.empty() ? "" : fs::path(store_.run_location(run_)).filename().string();
  std::string note;
  if (!store_.lock(lock_key(plan_, rq_.inventory), lock_holder(run_id_), &error, &note)) {
    io_.tell(Say::Error, error);
    return 1;
  }
  if (!note.empty()) io_.tell(Say::Warning, note);
  initial_.assign(plan_.steps.size(), StepRun{});
  if (rq_.resume.resume)
    if (int rc = prepare_resume(store_, rq_, plan_, state_dir_for(rq_), run_, initial_, earlier_, io_)) return rc;
  return select_steps(plan_, rq_.selection, initial_, excluded_, io_);
}

int ApplyRun::start() {
  // The whole command line as typed (secrets masked) and what it resolved to.
  records::RunStart r;
  r.resume = rq_.resume.resume;
  r.run = run_id_;
  r.plan = plan_.name;
  r.file = fs::absolute(plan_.file).string();
  r.inventory = fs::absolute(rq_.inventory).string();
  r.plan_digest = plan_.plan_digest;
  r.inventory_digest = plan_.inventory_digest;
  r.user = current_user();
  r.host = current_host();
  r.pid = getpid();
  for (const auto& a : rq_.argv) r.args.push_back(masker_.mask(a));
  r.selection = {rq_.selection.only, rq_.selection.skip, excluded_, rq_.selection.force, std::nullopt};
  if (!rq_.selection.reason.empty()) r.selection.reason = masker_.mask(rq_.selection.reason);
  r.checks_only = rq_.checks_only;
  r.yes = rq_.yes;
  r.sets = sets_json(rq_.sets);
  std::string error;
  if (!store_.open_run(run_, &error) || !store_.append(nlohmann::json(r))) {
    io_.tell(Say::Error, "cannot write the journal in " + store_.run_location(run_) + (error.empty() ? "" : ": ") + error);
    return 2;
  }
  return 0;
}

RunOptions ApplyRun::run_options() const {
  RunOptions ro;
  ro.jobs = rq_.jobs > 0 ? rq_.jobs : 8;
  ro.per_host = rq_.per_host > 0 ? rq_.per_host : 4;
  ro.yes = rq_.yes;
  ro.approve = std::set<std::string>(rq_.approve.begin(), rq_.approve.end());
  ro.interactive = rq_.interactive && !rq_.yes;
  ro.checks_only = rq_.checks_only;
  if (rq_.on_failure == "rollback") ro.on_failure = OnFailure::Rollback;
  if (rq_.on_failure == "stop") ro.on_failure = OnFailure::Stop;
  if (rq_.on_failure == "ask") ro.on_failure = OnFailure::Ask;
  ro.earlier_policy = rq_.resume.earlier == "kill" ? EarlierPolicy::Kill : EarlierPolicy::Wait;
  ro.token_prefix = run_id_ + "." + std::to_string(getpid()) + "." + std::to_string(now_ms());
  ro.earlier = earlier_;
  return ro;
}

RunOutcome ApplyRun::execute(ApplyUi& ui) {
  LocalTransport local;
  SshOptions ssh_opts;
  ssh_opts.known_hosts = plan_.inventory->known_hosts;
  ssh_opts.accept_new_host_keys = rq_.accept_new_host_keys;
  ssh_opts.on_host_key_accepted = [this](const Host& h, const std::string& fp, const std::string& file) {
    store_.append(nlohmann::json(records::HostKeyAccepted{h.name, fp, file, current_operator()}));
  };
  SshTransport ssh(ssh_opts);
  MultiTransport multi(local, ssh);
  auto display = make_logging_display(std::move(ui.display), store_.run_dir());
  Interrupts irq;

  RunHooks hooks;
  hooks.transport = ui.transport ? ui.transport : &multi;
  hooks.prompter = ui.prompter;
  hooks.display = display.get();
  hooks.store = &store_;
  hooks.masker = &masker_;
  hooks.secrets = secrets_;
  hooks.local_env = {{"DRPLAN_RUN_ID", run_id_}, {"DRPLAN_JOURNAL", store_.journal_file()},
                     {"DRPLAN_RUN_DIR", store_.run_dir()}};
  hooks.interrupts = &irq;

  RunOutcome out;
  {
    auto watching = ui.watch_interrupts ? ui.watch_interrupts(irq) : nullptr;
    Scheduler scheduler(plan_, run_options(), hooks);
    out = scheduler.run(initial_);
  }
  multi.shutdown();
  display->pause();
  display.reset();  // closes drplan.log before the run's end is journaled, as always
  if (!out.not_started.empty()) {
    // Nothing ran: the run stays as it was, to resume once the earlier attempt is gone.
    store_.append(nlohmann::json(records::RunEnd{"not_started", out.not_started, std::nullopt}));
  } else {
    store_.append(nlohmann::json(records::RunEnd{
        out.success ? "succeeded" : out.interrupted ? "interrupted" : "failed", std::nullopt,
        out.ended_ms - out.started_ms}));
  }
  return out;
}

}  // namespace drplan
