#include "executor/scheduler.h"

#include <algorithm>
#include <thread>

#include "compiler/units.h"
#include "executor/interpolate.h"
#include "executor/run_identity.h"

namespace drplan {

namespace {

// How long a command without a timeout of its own may run, or be waited for once cut off.
constexpr Millis kUntimed{600000};

using Clock = std::chrono::steady_clock;

// Output tails are cut from longer streams: a secret the cut runs through is masked too.
records::CommandResult result_record(const ExecResult& r, const Masker* m) {
  auto mask = [&](const std::string& s) { return m ? m->mask(s) : s; };
  auto tail = [&](const std::string& s) {
    if (s.size() <= 4096) return mask(s);
    return m ? m->mask(std::string_view(s).substr(s.size() - 4096), Masker::kCutAtStart) : s.substr(s.size() - 4096);
  };
  records::CommandResult j;
  j.exit = r.exit_code;
  j.duration_ms = r.duration.count();
  if (!r.signal.empty()) j.signal = r.signal;
  j.timed_out = r.timed_out;
  j.cancelled = r.cancelled;
  j.connection_lost = r.connection_lost;
  if (!r.error.empty()) j.error = mask(r.error);
  if (!r.stdout_text.empty()) j.stdout_tail = tail(r.stdout_text);
  if (!r.stderr_text.empty()) j.stderr_tail = tail(r.stderr_text);
  return j;
}

// "exit 3", "killed by TERM", "timed out after 30s": why a command failed, in words.
std::string failure_words(const ExecResult& r) {
  if (!r.error.empty()) return r.error;
  if (r.timed_out) return "timed out";  // the signal that ended it was the timeout's
  if (!r.signal.empty()) return "killed by " + r.signal;
  return "exit " + std::to_string(r.exit_code);
}

// Why `out` fails the step's expect, or "" when it holds. The pattern was compiled by the
// compiler (RE2): linear in the output, which a transport caps at kOutputCap, so matching
// takes microseconds and cannot outlast the step's timeout.
std::string expect_mismatch(const Pattern& p, std::string_view out, const char* whose) {
  if (p.search(out)) return "";
  if (!p.ok()) return "invalid expect pattern /" + p.text() + "/: " + p.error();
  return std::string(whose) + " does not match /" + p.text() + "/";
}

}  // namespace

Millis next_retry_delay(Millis delay, Millis first) {
  constexpr Millis kMaxRetryDelay{3600 * 1000};
  return std::min(delay * 2, std::max(first, kMaxRetryDelay));  // no overflow: delays are <= 366d
}

Scheduler::Scheduler(const CompiledPlan& plan, RunOptions options, RunHooks hooks)
    : plan_(plan), opt_(std::move(options)), hooks_(std::move(hooks)) {
  if (opt_.jobs < 1) opt_.jobs = 1;
  if (opt_.per_host < 1) opt_.per_host = 1;
  for (const auto& s : plan_.steps) by_id_[s.id] = s.index;
}

// Nothing runs unless its start is on disk: a crash must never hide a command that ran.
StepRun Scheduler::not_journaled(const StepInstance& s) const {
  StepRun r;
  r.status = StepStatus::Failed;
  std::string why;
  // A shared store refuses records once the run's lock is in doubt: say that, not "disk".
  if (hooks_.store && !hooks_.store->lock_held(&why))
    r.reason = "not started: the run lost its lock (" + why + ")";
  else
    r.reason = "not started: cannot write the journal" +
               (hooks_.store ? " (" + hooks_.store->journal_name() + ")" : std::string());
  return r;
}

std::string Scheduler::output_of(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? "" : state_[it->second].output;
}

ExecResult Scheduler::exec(const StepInstance& s, const std::string& command,
                           const std::vector<std::pair<std::string, std::string>>& env, Millis timeout, bool quiet,
                           const std::string& token) {
  ExecRequest req;
  req.command = command;
  req.env = env;
  if (!token.empty()) req.command = record_attempt_prefix(token) + command;
  if (s.host < 0) req.env.insert(req.env.end(), hooks_.local_env.begin(), hooks_.local_env.end());
  req.timeout = timeout;
  req.step_id = s.id;
  req.host = s.host >= 0 && plan_.inventory ? &plan_.inventory->hosts[s.host] : nullptr;
  req.run_as = s.run_as;
  req.cancel = &cancel_;
  // Output is data and stays as it came (${x.output}, expect); only what is shown is masked,
  // as one stream per channel, so that a secret in a line cut for length is masked whole.
  static const Masker kNoSecrets;
  StreamMasker shown[2] = {StreamMasker(hooks_.masker ? *hooks_.masker : kNoSecrets),
                           StreamMasker(hooks_.masker ? *hooks_.masker : kNoSecrets)};
  if (!quiet)
    req.on_line = [this, &s, &shown](std::string_view line, bool is_stderr, bool cut) {
      std::string text = shown[is_stderr].feed(line);
      if (!cut) text += shown[is_stderr].flush();
      if (!cut || !text.empty()) hooks_.display->line(s, text);
    };
  ExecResult r = hooks_.transport->exec(req);
  for (auto& m : shown)
    if (std::string rest = m.flush(); !rest.empty()) hooks_.display->line(s, rest);
  if (hooks_.masker) r.error = hooks_.masker->mask(r.error);  // a message, not data: it may quote the command
  return r;
}

std::string Scheduler::next_token(const StepInstance& s, const char* what, int attempt) {
  if (opt_.token_prefix.empty()) return "";
  return opt_.token_prefix + ":" + s.id + ":" + what + ":" + std::to_string(attempt);
}

Settled Scheduler::settle(const StepInstance& s, const std::string& token, Millis wait) {
  const Host* host = s.host >= 0 && plan_.inventory ? &plan_.inventory->hosts[s.host] : nullptr;
  const long long wait_s = std::max<long long>(0, wait.count() / 1000);
  Settled r = settle_earlier_process(*hooks_.transport, host, s.run_as, token, wait_s, opt_.earlier_policy, &cancel_,
                                     [&](const std::string& pid) {
                                       hooks_.display->note(
                                           s.id + ": an earlier attempt still runs on " + s.host_name + " (pid " + pid +
                                           "); " +
                                           (opt_.earlier_policy == EarlierPolicy::Kill
                                                ? "stopping it (--earlier kill)"
                                                : "waiting up to " + format_duration(wait_s * 1000) +
                                                      " for it to end, then stopping it (--earlier kill: at once)"));
                                     });
  static const char* const kNames[] = {"none", "ended", "stopped", "survived", "unknown"};
  journal(records::EarlierProcess{s.id, token, kNames[static_cast<int>(r.kind)], r.pid, r.detail});
  if (r.kind != Settled::Kind::None) hooks_.display->note(s.id + " on " + s.host_name + ": " + r.detail);
  return r;
}

bool Scheduler::settle_earlier(std::string* why) {
  for (const auto& e : opt_.earlier) {
    if (e.step < 0 || e.step >= static_cast<int>(plan_.steps.size()) || e.token.empty()) continue;
    const StepInstance& s = plan_.steps[e.step];
    // Waited for no longer than the attempt had left of its own timeout (10 minutes
    // without one); a timeout long gone means it is stopped at once.
    const Millis limit = e.rollback ? rollback_timeout(s) : s.timeout.count() ? s.timeout : kUntimed;
    const Millis left = limit - Millis(std::max<long long>(0, now_ms() - e.started_ms));
    Settled r = settle(s, e.token, std::max(Millis(0), left));
    if (!r.safe()) {
      *why = s.id + " on " + s.host_name + ": " + r.detail +
             "; not run beside it (make sure it has ended, then resume again)";
      return false;
    }
  }
  return true;
}

bool Scheduler::sleep_interruptibly(Millis d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !work_cv_.wait_for(lock, d, [this] { return cancel_.cancelled.load() || shutting_down_; });
}

StepRun Scheduler::run_command_step(const Job& job, const StepInstance& s) {
  StepRun r;
  const Millis first_backoff = s.backoff.count() ? s.backoff : Millis(1000);
  Millis backoff = first_backoff;
  // A dropped connection earns one more attempt (after reconnecting) when repeating the
  // step is safe: checks, waits and idempotent actions.
  const bool repeatable = s.idempotent || s.kind != StepKind::Action;
  int budget = 1 + s.retry;
  bool reconnect_used = false;
  // An action that started and then lost its connection, timed out or was cancelled may
  // have done its work. It stays "unknown" until a verify that ran to the end says which;
  // a later attempt that cannot even connect does not turn it into "failed".
  std::string unknown;
  std::vector<std::string> history;
  for (int attempt = 1; attempt <= budget; ++attempt) {
    r.attempts = attempt;
    const std::string token = next_token(s, "run", attempt);
    if (!journal(records::StepStart{s.id, step_kind_name(s.kind), s.host_name, attempt, token}))
      return not_journaled(s);
    hooks_.display->started(s, attempt);
    r.result = exec(s, job.command, job.env, s.timeout, false, token);
    // Cut off (a dropped connection above all: the remote command runs on), the attempt may
    // still run. Nothing (verify, a retry) runs beside it: it is waited for, up to what it
    // had left of its timeout, or stopped.
    if (r.result.outcome_unknown() && !token.empty() && !r.result.cancelled) {
      const Millis left = s.timeout.count() ? std::max(Millis(0), s.timeout - r.result.duration) : kUntimed;
      Settled st = settle(s, token, left);
      if (!st.safe()) {
        r.status = s.kind == StepKind::Action ? StepStatus::Unknown : StepStatus::Failed;
        r.reason = failure_words(r.result) + "; " + st.detail + " (not retried, not verified beside it)";
        return r;
      }
    }
    // `expect` reads the output that proves the step: the probe's, or an action's verify
    // (its post-condition) when it has one, else its run's.
    std::string why = r.result.ok() ? "" : failure_words(r.result);
    if (why.empty() && job.verify.empty()) why = expect_mismatch(s.expect, r.result.stdout_text, "output");
    r.output = trim_output(r.result.stdout_text);
    const bool lost = s.kind == StepKind::Action && r.result.outcome_unknown();
    if (lost) {
      unknown = why + "; outcome unknown";
      journal(records::StepUnknown{s.id, attempt, why});
    }
    // Verify after a success, and after an unknown outcome: it is how drplan learns which.
    if ((why.empty() || lost) && !job.verify.empty()) {
      ExecResult v = exec(s, job.verify, job.env, s.timeout.count() ? s.timeout : Millis(0));
      std::string vwhy =
          v.ok() ? expect_mismatch(s.expect, v.stdout_text, "verify output") : "verify failed (" + failure_words(v) + ")";
      const bool verify_ran = v.ok() || (v.exit_code >= 0 && !v.connection_lost && !v.timed_out && !v.cancelled);
      if (vwhy.empty()) {
        why.clear();  // the post-condition holds, whatever the transport said
      } else {
        if (!lost || verify_ran) why = lost ? why + "; " + vwhy : vwhy;
        r.result.stderr_text += v.stdout_text + v.stderr_text;
      }
      if (verify_ran) unknown.clear();  // verify answered: done, or not done
    }
    if (why.empty()) {
      r.status = StepStatus::Succeeded;
      r.reason = lost ? "verified after: " + failure_words(r.result) : "";
      return r;
    }
    history.push_back("attempt " + std::to_string(attempt) + ": " + why);
    r.reason = why;
    if (r.result.cancelled) break;
    if (!unknown.empty() && !s.idempotent) {
      r.reason += " (not retried: the action is not idempotent)";
      break;
    }
    if (r.result.connection_lost) {
      if (!repeatable) {
        r.reason += " (connection lost; not retried: the action is not idempotent)";
        break;
      }
      if (!reconnect_used) {
        reconnect_used = true;
        ++budget;
      }
    }
    if (attempt >= budget) break;
    journal(records::StepRetry{s.id, attempt, why, backoff.count()});
    hooks_.display->note(s.id + ": " + why + "; retrying in " + format_duration(backoff.count()));
    if (!sleep_interruptibly(backoff)) break;
    backoff = next_retry_delay(backoff, first_backoff);
  }
  // Every attempt's reason, not only the last one's ("Connection refused" hides the
  // lost connection that made the outcome unknown).
  if (history.size() > 1) {
    std::string all;
    for (const auto& h : history) all += (all.empty() ? "" : "; ") + h;
    r.reason = all;
  }
  if (!unknown.empty()) {
    r.status = StepStatus::Unknown;
    return r;
  }
  r.status = (s.kind == StepKind::Check && s.severity == CheckSeverity::Warn) ? StepStatus::Warned : StepStatus::Failed;
  return r;
}

StepRun Scheduler::run_wait(const Job& job, const StepInstance& s) {
  StepRun r;
  auto deadline = Clock::now() + (s.timeout.count() ? s.timeout : Millis(300000));
  Millis every = s.every.count() ? s.every : Millis(2000);
  Millis interval = every;
  if (!journal(records::StepStart{s.id, "wait", s.host_name, 1, std::nullopt}))
    return not_journaled(s);
  hooks_.display->started(s, 1);
  for (int attempt = 1;; ++attempt) {
    r.attempts = attempt;
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    r.result = exec(s, job.command, job.env, std::max(Millis(1000), std::min(left, Millis(60000))), attempt > 1);
    const std::string why = r.result.ok() ? expect_mismatch(s.expect, r.result.stdout_text, "output")
                                          : failure_words(r.result);
    if (why.empty()) {
      r.status = StepStatus::Succeeded;
      r.output = trim_output(r.result.stdout_text);
      r.reason = attempt > 1 ? "held after " + std::to_string(attempt) + " polls" : "";
      return r;
    }
    if (r.result.cancelled) break;
    if (Clock::now() + interval >= deadline) {
      r.reason = "still not true at the deadline (" + format_duration(s.timeout.count()) + ", " +
                 std::to_string(attempt) + " polls): " + why;
      break;
    }
    if (!sleep_interruptibly(interval)) break;
    interval = std::min(interval * 2, every * 8);  // backoff, bounded
  }
  if (r.reason.empty()) r.reason = "cancelled";
  r.status = StepStatus::Failed;
  return r;
}

StepRun Scheduler::execute(const Job& job) {
  const StepInstance& s = plan_.steps[job.step];
  long long started = now_ms();
  StepRun r;
  if (s.kind == StepKind::Gate && !journal(records::StepStart{s.id, "gate", "local", 1, std::nullopt})) {
    r = not_journaled(s);
  } else if (s.kind == StepKind::Gate) {
    hooks_.display->started(s, 1);
    hooks_.display->pause();
    GateDecision d = hooks_.prompter->decide(s);
    const bool recorded =
        journal(records::GateDecision{s.id, s.ask, d.approved ? "approved" : "rejected", d.by, d.how});
    // An approval that is not on record does not count.
    if (!recorded) d.approved = false;
    r.status = d.approved ? StepStatus::Succeeded : StepStatus::Failed;
    r.gate_by = d.by;
    r.reason = d.approved ? "approved by " + d.by + " (" + d.how + ")"
               : recorded ? "rejected: " + d.how
                          : not_journaled(s).reason;
    r.output = d.approved ? "approved" : "rejected";
  } else if (s.kind == StepKind::Wait) {
    r = run_wait(job, s);
  } else {
    r = run_command_step(job, s);
  }
  r.started_ms = started;
  r.ended_ms = now_ms();
  records::StepEnd end;
  end.step = s.id;
  end.status = status_name(r.status);
  end.attempts = r.attempts;
  end.duration_ms = r.ended_ms - r.started_ms;
  if (s.kind != StepKind::Gate) end.result = result_record(r.result, hooks_.masker);
  if (!r.reason.empty()) end.reason = r.reason;
  const unsigned cut = r.result.stdout_text.size() >= kOutputCap ? Masker::kCutAtStart : Masker::kWhole;
  std::string out = hooks_.masker ? hooks_.masker->mask(r.output, cut) : r.output;
  if (!out.empty()) end.output = out.size() > 65536 ? out.substr(out.size() - 65536) : out;
  journal(end);
  return r;
}

void Scheduler::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return shutting_down_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.erase(jobs_.begin());
    }
    StepRun r = execute(job);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back({job.step, std::move(r)});
    }
    cv_.notify_all();
  }
}

bool Scheduler::ready_to_start(int i) const {
  const StepInstance& s = plan_.steps[i];
  // The cap spares remote hosts; `on local` steps run on drplan's own machine, bounded by -j.
  if (s.kind == StepKind::Gate || s.kind == StepKind::Barrier || s.host < 0) return true;
  auto it = running_per_host_.find(s.host_name);
  return it == running_per_host_.end() || it->second < opt_.per_host;
}

void Scheduler::skip(int i, std::string reason) {
  StepRun r;
  r.status = StepStatus::Skipped;
  r.reason = std::move(reason);
  r.started_ms = r.ended_ms = now_ms();
  if (plan_.steps[i].kind != StepKind::Barrier) {
    records::StepEnd end;
    end.step = plan_.steps[i].id;
    end.status = "skipped";
    end.reason = r.reason;
    journal(end);
    hooks_.display->finished(plan_.steps[i], r);
  }
  complete(i, std::move(r));
}

void Scheduler::refuse(int i, std::string reason) {
  StepRun r;
  r.status = StepStatus::Failed;
  r.reason = std::move(reason);
  r.started_ms = r.ended_ms = now_ms();
  records::StepEnd end;
  end.step = plan_.steps[i].id;
  end.status = "failed";
  end.reason = r.reason;
  journal(end);
  complete(i, std::move(r));
}

void Scheduler::start(int i) {
  const StepInstance& s = plan_.steps[i];
  if (opt_.checks_only) {
    // A rehearsal skips the actions; what comes after one checks a world it never changed.
    for (int d : s.deps)
      if (rehearsal_blocked_[i].empty()) rehearsal_blocked_[i] = rehearsal_blocked_[d];
    if (s.kind == StepKind::Action && rehearsal_blocked_[i].empty()) rehearsal_blocked_[i] = s.id;
  }
  if (s.kind == StepKind::Barrier) {
    StepRun r;
    r.status = StepStatus::Succeeded;
    r.started_ms = r.ended_ms = now_ms();
    complete(i, std::move(r));
    return;
  }
  if (!s.enabled) return skip(i, s.disabled_reason.empty() ? "disabled" : s.disabled_reason);
  if (s.has_condition) {
    bool holds = evaluate_condition(
        s.condition, [this](const std::string& id) { return output_of(id); },
        [this](const std::string& id) {
          auto it = by_id_.find(id);
          return it != by_id_.end() && state_[it->second].status == StepStatus::Succeeded;
        });
    if (!holds) return skip(i, "when " + s.condition.display() + " is false");
  }
  if (opt_.checks_only && s.kind != StepKind::Check && s.kind != StepKind::Wait)
    return skip(i, "--checks-only: no actions or gates");
  if (opt_.checks_only && !rehearsal_blocked_[i].empty())
    return skip(i, "not rehearsable (after action " + rehearsal_blocked_[i] + ")");
  Job job;
  job.step = i;
  auto lookup = [this](const std::string& id) { return output_of(id); };
  std::string refused;
  job.command = render_command(s.run, lookup, &refused);
  if (refused.empty()) job.verify = render_command(s.verify, lookup, &refused);
  if (!refused.empty()) return refuse(i, std::move(refused));
  job.env = secret_env(s.run, hooks_.secrets);
  for (auto& e : secret_env(s.verify, hooks_.secrets)) job.env.push_back(std::move(e));
  state_[i].status = StepStatus::Running;
  state_[i].started_ms = now_ms();
  ++running_;
  if (s.kind != StepKind::Gate) ++running_per_host_[s.host_name];
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void Scheduler::complete(int i, StepRun r) {
  const StepInstance& s = plan_.steps[i];
  if (state_[i].status == StepStatus::Running) {
    --running_;
    if (s.kind != StepKind::Gate) --running_per_host_[s.host_name];
  }
  r.completion = completions_++;
  state_[i] = std::move(r);
  if (s.kind != StepKind::Barrier && state_[i].status != StepStatus::Skipped) hooks_.display->finished(s, state_[i]);
  const bool failed = state_[i].status == StepStatus::Failed || state_[i].status == StepStatus::Unknown;
  if (failed && first_failure_ < 0) first_failure_ = i;
  // A readiness drill (--checks-only) changes nothing, so it keeps going: every check and
  // wait runs, and the summary lists all that failed.
  if (failed && !stopping_ && !opt_.checks_only) {
    stopping_ = true;
    const bool unknown = state_[i].status == StepStatus::Unknown;
    hooks_.display->note("stopping: " + s.id + (unknown ? " has an unknown outcome (" : " failed (") +
                         state_[i].reason + "); no new steps will start" +
                         (running_ ? ", waiting for " + std::to_string(running_) + " running" : ""));
  }
  if (!satisfied(state_[i].status) && !(failed && opt_.checks_only)) return;
  for (int d : s.dependents)
    if (--state_[d].remaining_deps == 0 && state_[d].status == StepStatus::Pending) ready_.push_back(d);
}

// A store that lost the run's lock (a remote one whose lease expired) may see another
// apply take over: nothing new starts. The step about to start fails without running,
// as when its start cannot be journaled, so the failure and rollback policy apply.
bool Scheduler::lock_still_held(int i) {
  std::string why;
  if (!hooks_.store || hooks_.store->lock_held(&why)) return true;
  refuse(i, "not started: the run lost its lock" + (why.empty() ? std::string() : " (" + why + ")"));
  return false;
}

void Scheduler::dispatch() {
  if (stopping_) return;
  std::sort(ready_.begin(), ready_.end());
  for (size_t k = 0; k < ready_.size() && !stopping_;) {
    int i = ready_[k];
    bool needs_worker = plan_.steps[i].kind != StepKind::Barrier;
    if (needs_worker && (running_ >= opt_.jobs || !ready_to_start(i))) {
      ++k;
      continue;
    }
    ready_.erase(ready_.begin() + static_cast<long>(k));
    if (needs_worker && !lock_still_held(i)) return;
    start(i);  // may complete at once (barriers, skips) and add to ready_
    std::sort(ready_.begin(), ready_.end());
    k = 0;
  }
}

// Automatic rollback never crosses a point of no return; an operator at the terminal is
// told why and may decide to go on (journaled either way).
bool Scheduler::cross_point_of_no_return(const StepInstance& s, size_t left) {
  if (!opt_.interactive) return false;
  hooks_.display->pause();
  const bool go = hooks_.prompter->confirm(
      s.id + " on " + s.host_name + " is a point of no return" +
          (s.rollback_none_reason.empty() ? "" : " (" + s.rollback_none_reason + ")") +
          ": automatic rollback stops before it. Undo it and the " + std::to_string(left - 1) +
          " action(s) completed before it anyway?",
      false);
  journal(records::NoReturnDecision{s.id, go ? "cross" : "stop", current_operator()});
  return go;
}

Millis Scheduler::rollback_timeout(const StepInstance& s) const {
  return s.timeout.count() ? s.timeout : kUntimed;
}

void Scheduler::keep_dependencies(int i, std::vector<bool>& kept) const {
  std::vector<int> stack(plan_.steps[i].deps.begin(), plan_.steps[i].deps.end());
  while (!stack.empty()) {
    int d = stack.back();
    stack.pop_back();
    if (kept[d]) continue;
    kept[d] = true;
    stack.insert(stack.end(), plan_.steps[d].deps.begin(), plan_.steps[d].deps.end());
  }
}

void Scheduler::rollback(RunOutcome& out) {
  // Unknown outcomes take part in the order: they may have taken effect. What one
  // depends on is never undone (the fence stays up while dr-db may be primary).
  std::vector<bool> kept(plan_.steps.size());
  for (const auto& s : plan_.steps)
    if (state_[s.index].status == StepStatus::Unknown) {
      out.unknown.push_back(s.index);
      keep_dependencies(s.index, kept);
    }
  std::vector<int> done;
  for (const auto& s : plan_.steps)
    if (s.kind == StepKind::Action &&
        (state_[s.index].status == StepStatus::Succeeded || state_[s.index].status == StepStatus::Unknown))
      done.push_back(s.index);
  std::sort(done.begin(), done.end(), [this](int a, int b) { return state_[a].completion > state_[b].completion; });
  if (done.empty()) return;
  if (hooks_.interrupts && hooks_.interrupts->hangup.load()) {
    // Whoever was driving this run has lost their terminal mid-incident: undoing their
    // work without them would be a decision nobody made.
    out.rollback_declined = true;
    out.not_rolled_back = done;
    journal(records::RollbackSkipped{"the terminal hung up; resume with --resume"});
    return;
  }
  OnFailure policy = opt_.on_failure ? *opt_.on_failure : plan_.on_failure;
  // Nobody to ask: the plan's declared unattended policy decides (refuse never gets here).
  const bool unattended_go = plan_.unattended == Unattended::Rollback;
  bool go = policy == OnFailure::Rollback;
  std::string why = "on_failure = stop";
  const std::string question =
      "Roll back the " + std::to_string(done.size()) + " completed action(s) in reverse order?";
  if (opt_.interactive && (!opt_.on_failure || policy == OnFailure::Ask)) {
    hooks_.display->pause();
    go = hooks_.prompter->confirm(question, policy == OnFailure::Ask ? unattended_go : policy != OnFailure::Stop);
    if (policy != OnFailure::Stop) why = "declined at the terminal by " + current_operator();
  } else if (policy == OnFailure::Ask) {
    go = unattended_go;
    why = "on_failure = ask with nobody at a terminal, and the plan says unattended = stop";
  }
  if (!go) {
    out.rollback_declined = true;
    out.rollback_declined_why = why;
    out.not_rolled_back = done;
    journal(records::RollbackSkipped{why});
    return;
  }
  hooks_.display->note("rolling back " + std::to_string(done.size()) + " completed action(s), newest first");
  journal(records::RollbackBegin{static_cast<long long>(done.size())});
  for (size_t k = 0; k < done.size(); ++k) {
    const StepInstance& s = plan_.steps[done[k]];
    if (state_[s.index].status == StepStatus::Unknown) {
      if (s.point_of_no_return) {
        // Never crossed, not even on request: nobody knows whether it happened.
        out.stopped_at_no_return = s.index;
        out.not_rolled_back.assign(done.begin() + static_cast<long>(k), done.end());
        hooks_.display->note("rollback stops at " + s.id + ": a point of no return whose outcome is unknown; it and "
                             "everything before it stay as they are");
        journal(records::RollbackStop{s.id, "point of no return, outcome unknown"});
        break;
      }
      out.not_rolled_back.push_back(s.index);  // its rollback could undo what never happened
      continue;
    }
    if (kept[s.index]) {
      out.kept.push_back(s.index);
      journal(records::RollbackKeep{s.id, "a step that depends on it is still in effect"});
      hooks_.display->note("kept " + s.id + ": a step that depends on it is still in effect");
      continue;
    }
    if (s.point_of_no_return && !cross_point_of_no_return(s, done.size() - k)) {
      out.stopped_at_no_return = s.index;
      out.not_rolled_back.assign(done.begin() + static_cast<long>(k), done.end());
      hooks_.display->note("rollback stops at " + s.id + ": a point of no return" +
                           (s.rollback_none_reason.empty() ? "" : " (" + s.rollback_none_reason + ")") +
                           "; it and everything before it stay as they are");
      journal(records::RollbackStop{s.id, "point of no return"});
      break;
    }
    if (s.rollback.empty()) {
      out.manual.push_back(s.index);
      continue;
    }
    auto lookup = [this](const std::string& id) { return output_of(id); };
    std::string refused;
    std::string cmd = render_command(s.rollback, lookup, &refused);
    if (!refused.empty()) {
      out.rollbacks.push_back({s.index, false, refused});
      continue;
    }
    const std::string token = next_token(s, "rollback", 1);
    if (!journal(records::RollbackStart{s.id, s.host_name, token})) {
      out.rollbacks.push_back({s.index, false, not_journaled(s).reason});
      continue;
    }
    hooks_.display->note("rollback " + s.id + " on " + s.host_name);
    cancel_.cancelled = false;
    ExecResult r = exec(s, cmd, secret_env(s.rollback, hooks_.secrets), rollback_timeout(s), false, token);
    RollbackEntry e{s.index, r.ok(), r.ok() ? "" : failure_words(r), r.stdout_text + r.stderr_text};
    journal(records::RollbackEnd{s.id, e.ok, result_record(r, hooks_.masker)});
    hooks_.display->note(std::string(e.ok ? "rolled back " : "ROLLBACK FAILED ") + s.id + (e.ok ? "" : ": " + e.error));
    out.rollbacks.push_back(e);
    // A failed undo leaves the step in effect: what it depends on must stay too (DNS still
    // points at DR, so DR's services keep running).
    if (!e.ok) keep_dependencies(s.index, kept);
  }
  journal(records::RollbackEndAll{});
}

RunOutcome Scheduler::run(std::vector<StepRun> initial) {
  RunOutcome out;
  out.started_ms = now_ms();
  if (!opt_.earlier.empty() && !settle_earlier(&out.not_started)) {
    out.ended_ms = now_ms();
    return out;
  }
  state_ = std::move(initial);
  state_.resize(plan_.steps.size());
  rehearsal_blocked_.assign(plan_.steps.size(), std::string());
  for (const auto& s : plan_.steps) {
    auto& st = state_[s.index];
    if (satisfied(st.status)) {
      if (st.completion < 0) st.completion = completions_;
      completions_ = std::max(completions_, st.completion + 1);
      continue;
    }
    st.status = StepStatus::Pending;
    st.remaining_deps = 0;
    for (int d : s.deps)
      if (!satisfied(state_[d].status)) ++st.remaining_deps;
    if (st.remaining_deps == 0) ready_.push_back(s.index);
  }
  if (hooks_.interrupts) hooks_.interrupts->wake = [this] { cv_.notify_all(); };

  std::vector<std::thread> workers;
  for (int k = 0; k < opt_.jobs; ++k) workers.emplace_back([this] { worker(); });
  int seen_presses = 0;
  dispatch();
  for (;;) {
    std::vector<Completion> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] {
        return !done_.empty() || running_ == 0 ||
               (hooks_.interrupts && hooks_.interrupts->presses.load() != seen_presses);
      });
      batch.swap(done_);
    }
    for (auto& c : batch) complete(c.step, std::move(c.result));
    if (hooks_.interrupts && hooks_.interrupts->presses.load() != seen_presses) {
      seen_presses = hooks_.interrupts->presses.load();
      out.interrupted = true;
      if (hooks_.interrupts->hangup.load()) {
        // Only ever stops: with nobody at the terminal, running steps are let finish.
        if (!hangup_seen_) {
          hangup_seen_ = true;
          stopping_ = true;
          hooks_.display->note("the terminal hung up: no new steps will start; waiting for " +
                               std::to_string(running_) + " running step(s); nothing will be rolled back");
          journal(records::Interrupt{seen_presses, true});
        }
      } else if (seen_presses == 1) {
        stopping_ = true;
        hooks_.display->note("interrupted: no new steps will start; waiting for " + std::to_string(running_) +
                             " running step(s). Press Ctrl-C again to terminate them.");
        journal(records::Interrupt{1, false});
      } else {
        cancel_.cancelled = true;
        work_cv_.notify_all();
        hooks_.display->note("terminating the running steps");
        journal(records::Interrupt{seen_presses, false});
      }
    }
    dispatch();
    if (running_ == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      if (done_.empty()) break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers) t.join();
  if (hooks_.interrupts) hooks_.interrupts->wake = nullptr;

  bool all_done = std::all_of(state_.begin(), state_.end(), [](const StepRun& r) { return satisfied(r.status); });
  out.first_failure = first_failure_;
  out.success = all_done && first_failure_ < 0 && !out.interrupted;
  if (!out.success) {
    cancel_.cancelled = false;
    rollback(out);
  }
  out.steps = state_;
  out.ended_ms = now_ms();
  return out;
}

}  // namespace drplan
