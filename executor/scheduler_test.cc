// Scheduler semantics with the fake transport, each scenario at 1, 2 and 8 workers: ordering,
// parallelism and caps, fan-out, failure and rollback, retries, timeouts, gates, conditions,
// waits, warnings, outputs and secrets. Plans are compiled in-process from small sources.
#include "executor/scheduler.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "compiler/compile.h"
#include "compiler/string_template.h"
#include "compiler/units.h"
#include "executor/fake_transport.h"
#include "executor/local_transport.h"
#include "tests/test_dir.h"

namespace drplan {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kInventory = R"(
[inventory]
name = "test"
[sites.here]
title = "here"
[hosts.h1]
site = "here"
transport = "local"
roles = ["worker"]
[hosts.h2]
site = "here"
transport = "local"
roles = ["worker"]
[hosts.h3]
site = "here"
transport = "local"
roles = ["worker"]
[hosts.h4]
site = "here"
transport = "local"
roles = ["worker"]
[secrets]
token = { env = "DRPLAN_TEST_TOKEN" }
)";

FakeScript script(int exit_code, std::string out = "", int delay_ms = 0) {
  FakeScript s;
  s.exit_code = exit_code;
  s.stdout_text = std::move(out);
  s.delay = milliseconds(delay_ms);
  return s;
}
FakeScript slow(int delay_ms) { return script(0, "", delay_ms); }

// What the operator would see: every output line shown, per step.
class RecordingDisplay : public Display {
 public:
  void started(const StepInstance&, int) override {}
  void line(const StepInstance& s, std::string_view text) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_[s.id].emplace_back(text);
  }
  void finished(const StepInstance&, const StepRun&) override {}
  void note(std::string_view) override {}
  std::vector<std::string> lines(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_[id];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> lines_;
};
FakeScript failing(int delay_ms = 0) { return script(1, "", delay_ms); }

class SchedulerTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "inv.toml") << kInventory;
    opt_.jobs = GetParam();
    opt_.per_host = 64;
  }
  // Compiles `body` as the inside of `plan t { ... }`; fails the test on errors.
  const CompiledPlan& compile(const std::string& body) {
    fs::path file = dir_ / "t.dr";
    std::ofstream(file) << "plan t {\n" << body << "\n}\n";
    SourceManager sm;
    DiagnosticEngine diags;
    CompileOptions co;
    co.plan_path = file.string();
    co.inventory_path = (dir_ / "inv.toml").string();
    co.module_dirs = {DRPLAN_SOURCE_DIR};
    plan_ = compile_plan(sm, co, diags);
    if (!plan_) {
      diags.sort();
      ADD_FAILURE() << render_text(sm, diags.all(), false);
      static CompiledPlan empty;
      return empty;
    }
    return *plan_;
  }

  RunOutcome run(GatePrompter* prompter = nullptr, StateStore* store = nullptr, Interrupts* irq = nullptr) {
    RunHooks hooks;
    hooks.transport = transport_;
    FlagPrompter yes({}, true);
    hooks.prompter = prompter ? prompter : &yes;
    hooks.display = display_.get();
    hooks.masker = &masker_;
    hooks.secrets = secrets_;
    hooks.store = store;
    hooks.interrupts = irq;
    Scheduler s(*plan_, opt_, hooks);
    auto t0 = Clock::now();
    RunOutcome out = s.run(std::vector<StepRun>(plan_->steps.size()));
    wall_ms_ = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
    return out;
  }

  // Output shown during the run goes to the returned display.
  RecordingDisplay* record_display() {
    auto d = std::make_unique<RecordingDisplay>();
    RecordingDisplay* p = d.get();
    display_ = std::move(d);
    return p;
  }
  RunOutcome run_journaled(LocalStateStore& store) {
    std::string error;
    EXPECT_TRUE(store.open_run("run", &error)) << error;
    return run(nullptr, &store);
  }

  int index(const std::string& id) const {
    const StepInstance* s = plan_->find(id);
    EXPECT_NE(s, nullptr) << "no step " << id;
    return s ? s->index : -1;
  }
  StepStatus status(const RunOutcome& out, const std::string& id) const { return out.steps.at(index(id)).status; }
  std::string ids(const std::vector<int>& steps) const {
    std::string s;
    for (int i : steps) s += (s.empty() ? "" : " ") + plan_->steps[i].id;
    return s;
  }
  /// How many commands containing `needle` ran.
  int commands_with(const std::string& needle) const {
    int n = 0;
    for (const auto& c : fake_.calls()) n += c.command.find(needle) != std::string::npos;
    return n;
  }

  std::string rollback_order(const RunOutcome& out) const {
    std::vector<int> steps;
    for (const auto& r : out.rollbacks) steps.push_back(r.step);
    return ids(steps);
  }

  // A step never starts before every step it depends on (through phase barriers) has ended.
  void expect_dependency_order() const {
    auto calls = fake_.calls();
    for (const auto& s : plan_->steps) {
      std::vector<int> deps(s.deps.begin(), s.deps.end());
      for (size_t k = 0; k < deps.size(); ++k)
        if (plan_->steps[deps[k]].kind == StepKind::Barrier)
          deps.insert(deps.end(), plan_->steps[deps[k]].deps.begin(), plan_->steps[deps[k]].deps.end());
      for (const auto& c : calls) {
        if (c.step_id != s.id) continue;
        for (int d : deps)
          for (const auto& dc : calls)
            if (dc.step_id == plan_->steps[d].id) {
              EXPECT_LE(dc.end.time_since_epoch().count(), c.start.time_since_epoch().count())
                  << s.id << " started before its dependency " << plan_->steps[d].id << " ended";
            }
      }
    }
  }

  test_support::TestDir tmp_{"sched"};
  const fs::path& dir_ = tmp_.path();
  std::unique_ptr<CompiledPlan> plan_;
  RunOptions opt_;
  FakeTransport fake_;
  Transport* transport_ = &fake_;
  Masker masker_;
  std::map<std::string, std::string> secrets_;
  std::unique_ptr<Display> display_ = make_silent_display();
  long long wall_ms_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Workers, SchedulerTest, ::testing::Values(1, 2, 8),
                         [](const auto& info) { return "j" + std::to_string(info.param); });

// --- order and parallelism ------------------------------------------------------------

TEST_P(SchedulerTest, DependentsStartOnlyAfterTheirDependenciesEnd) {
  compile(R"(
    check root on local { probe = "root" }
    action left after root { run = "left" rollback = "true" }
    action right after root { run = "right" rollback = "true" }
    action join after left, right { run = "join" rollback = "true" }
    phase "one" { action p1 after join { run = "p1" rollback = "true" } action p2 after join { run = "p2" rollback = "true" } }
    phase "two" { action p3 { run = "p3" rollback = "true" } }
  )");
  fake_.on_command("left", slow(30));
  fake_.on_command("right", slow(5));
  fake_.on_command("p1", slow(20));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(fake_.calls().size(), 7u);
  expect_dependency_order();
  // The phase barrier: p3 starts after both steps of phase one.
  auto p3 = fake_.calls_matching("p3").at(0);
  EXPECT_GE(p3.start, fake_.calls_matching("p1").at(0).end);
}

TEST_P(SchedulerTest, IndependentStepsRunInParallelUpToJobs) {
  std::string body;
  for (int i = 0; i < 8; ++i) body += "action a" + std::to_string(i) + " { run = \"work" + std::to_string(i) + "\" rollback = \"true\" }\n";
  compile(body);
  opt_.per_host = 1;  // the per-host cap is for inventory hosts: `on local` steps are bounded by -j only
  fake_.set_default(slow(60));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(fake_.max_concurrency(), GetParam());
  // 8 × 60 ms in waves of -j: the makespan follows the width, not the step count.
  int waves = (8 + GetParam() - 1) / GetParam();
  EXPECT_GE(wall_ms_, waves * 60 - 5);
  EXPECT_LT(wall_ms_, waves * 60 + 150);
}

TEST_P(SchedulerTest, PerHostCapHoldsWhileOtherHostsProceed) {
  compile(R"(
    action a on worker { run = "a" rollback = "true" }
    action b on worker { run = "b" rollback = "true" }
    action c on worker { run = "c" rollback = "true" }
  )");
  opt_.per_host = 1;
  fake_.set_default(slow(20));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(fake_.calls().size(), 12u);
  for (const char* h : {"h1", "h2", "h3", "h4"}) EXPECT_EQ(fake_.max_concurrency(h), 1) << h;
  EXPECT_EQ(fake_.max_concurrency(), std::min(GetParam(), 4));
}

TEST_P(SchedulerTest, FanOutMakesOneInstancePerHostAndDependentsWaitForAll) {
  compile(R"(
    action spread on worker { run = "spread on ${target.name}" rollback = "true" }
    action after_all after spread { run = "after_all" rollback = "true" }
  )");
  fake_.on_step("spread@h3", slow(40));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  for (const char* h : {"h1", "h2", "h3", "h4"}) {
    auto c = fake_.calls_of(std::string("spread@") + h);
    ASSERT_EQ(c.size(), 1u) << h;
    EXPECT_EQ(c[0].host, h);
    EXPECT_EQ(c[0].command, std::string("spread on ") + h);
  }
  EXPECT_GE(fake_.calls_of("after_all").at(0).start, fake_.calls_of("spread@h3").at(0).end);
  expect_dependency_order();
}

// Two fan-outs over 4 hosts meet through a join barrier (4 + 4 edges, not 16): still every
// instance of the second waits for every instance of the first, and a failure among the
// first lets none of the second start.
TEST_P(SchedulerTest, FanOutAfterFanOutWaitsForAllThroughAJoin) {
  compile(R"(
    action spread on worker { run = "spread on ${target.name}" rollback = "true" }
    action gather on worker after spread { run = "gather on ${target.name}" rollback = "true" }
  )");
  ASSERT_NE(plan_->find("spread@*"), nullptr);
  EXPECT_EQ(plan_->find("spread@*")->kind, StepKind::Barrier);
  fake_.on_step("spread@h3", slow(40));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  for (const char* h : {"h1", "h2", "h3", "h4"})
    EXPECT_GE(fake_.calls_of(std::string("gather@") + h).at(0).start, fake_.calls_of("spread@h3").at(0).end) << h;
  expect_dependency_order();
  EXPECT_EQ(fake_.calls().size(), 8u);  // the join runs nothing
  EXPECT_EQ(out.steps.size(), plan_->steps.size());
}

TEST_P(SchedulerTest, AFailureBeforeAJoinStartsNoneAfterIt) {
  compile(R"(
    action spread on worker { run = "spread on ${target.name}" rollback = "true" }
    action gather on worker after spread { run = "gather on ${target.name}" rollback = "true" }
  )");
  fake_.on_step("spread@h2", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_TRUE(fake_.calls_matching("gather").empty());
  for (const char* h : {"h1", "h2", "h3", "h4"})
    EXPECT_EQ(status(out, std::string("gather@") + h), StepStatus::Pending) << h;
}

// --- failure and rollback -----------------------------------------------------------

TEST_P(SchedulerTest, AFailureStopsSchedulingAndLetsRunningStepsFinish) {
  compile(R"(
    action bad { run = "bad" rollback = "undo bad" }
    action next after bad { run = "next" rollback = "undo next" }
    action busy { run = "busy" rollback = "undo busy" }
    action after_busy after busy { run = "after_busy" rollback = "undo after_busy" }
  )");
  fake_.on_command("undo", script(0));
  fake_.on_command("bad", failing(10));
  fake_.on_command("busy", slow(80));
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(out.first_failure, index("bad"));
  EXPECT_EQ(status(out, "bad"), StepStatus::Failed);
  EXPECT_TRUE(fake_.calls_of("next").empty());
  EXPECT_TRUE(fake_.calls_of("after_busy").empty()) << "a step became ready after the failure and still started";
  EXPECT_EQ(status(out, "next"), StepStatus::Pending);
  if (GetParam() > 1) {
    // busy was running when bad failed: it finished, and is rolled back.
    EXPECT_EQ(status(out, "busy"), StepStatus::Succeeded);
    EXPECT_EQ(rollback_order(out), "busy");
    EXPECT_EQ(fake_.calls_matching("undo busy").size(), 1u);
  }
  EXPECT_TRUE(fake_.calls_matching("undo bad").empty()) << "the failed action itself is not rolled back";
}

TEST_P(SchedulerTest, RollbackRunsInReverseCompletionOrder) {
  compile(R"(
    action a1 { run = "run a1" rollback = "undo a1" }
    action a2 { run = "run a2" rollback = "undo a2" }
    action a3 { run = "run a3" rollback = "undo a3" }
    action a4 after a2 { run = "run a4" rollback = "undo a4" }
    action fail after a1, a3, a4 { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("undo", script(0));
  fake_.on_command("run a1", slow(60));
  fake_.on_command("run a2", slow(5));
  fake_.on_command("run a3", slow(30));
  fake_.on_command("run fail", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  // Completion order as the fake saw it, newest first, is the rollback order.
  std::vector<FakeTransport::Call> runs = fake_.calls_matching("run a");
  std::sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x.end > y.end; });
  std::string expected;
  for (const auto& c : runs) expected += (expected.empty() ? "" : " ") + c.step_id;
  EXPECT_EQ(rollback_order(out), expected);
  auto undos = fake_.calls_matching("undo");
  ASSERT_EQ(undos.size(), 4u);
  for (size_t k = 0; k < undos.size(); ++k) EXPECT_EQ(undos[k].step_id, runs[k].step_id);
  // With every action running at once they complete a2 (5 ms), a4 (right after), a3 (30), a1 (60).
  if (GetParam() == 8) {
    EXPECT_EQ(expected, "a1 a3 a4 a2");
  }
  for (const auto& r : out.rollbacks) EXPECT_TRUE(r.ok);
}

TEST_P(SchedulerTest, RollbackStopsAtAPointOfNoReturn) {
  compile(R"(
    action first { run = "run first" rollback = "undo first" }
    action promote after first { run = "run promote" rollback = "undo promote" point_of_no_return = true }
    action third after promote { run = "run third" rollback = "undo third" }
    action fail after third { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("undo", script(0));
  fake_.on_command("run fail", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(rollback_order(out), "third");
  EXPECT_EQ(out.stopped_at_no_return, index("promote"));
  EXPECT_EQ(ids(out.not_rolled_back), "promote first");
  EXPECT_TRUE(fake_.calls_matching("undo promote").empty());
  EXPECT_TRUE(fake_.calls_matching("undo first").empty());
}

// Says yes to every question outside a gate (an operator at the terminal).
class ConfirmingPrompter : public FlagPrompter {
 public:
  ConfirmingPrompter() : FlagPrompter({}, true) {}
  bool confirm(const std::string& question, bool) override {
    questions.push_back(question);
    return true;
  }
  std::vector<std::string> questions;
};

TEST_P(SchedulerTest, AnOperatorMayDecideToRollBackPastAPointOfNoReturn) {
  compile(R"(
    action first { run = "run first" rollback = "undo first" }
    action promote after first { run = "run promote" rollback = "undo promote" point_of_no_return = true }
    action fail after promote { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("undo", script(0));
  fake_.on_command("run fail", failing());
  opt_.interactive = true;
  ConfirmingPrompter op;
  RunOutcome out = run(&op);
  EXPECT_FALSE(out.success);
  EXPECT_EQ(rollback_order(out), "promote first");
  EXPECT_EQ(out.stopped_at_no_return, -1);
  bool asked = false;
  for (const auto& q : op.questions) asked |= q.find("promote on local is a point of no return") != std::string::npos;
  EXPECT_TRUE(asked) << "the operator is told why before deciding";
}

TEST_P(SchedulerTest, ChecksOnlyRunsEveryCheckEvenAfterAFailure) {
  compile(R"(
    check a { probe = "probe a" }
    check c after a { probe = "probe c" }
    wait w after c { probe = "probe w" every = 10ms timeout = 1s }
    action act after a { run = "run act" rollback = "true" }
    check b after act { probe = "probe b" }
  )");
  fake_.on_command("probe a", failing());
  opt_.checks_only = true;
  RunOutcome out = run();
  EXPECT_FALSE(out.success) << "a failed check fails the drill";
  EXPECT_EQ(out.first_failure, index("a"));
  EXPECT_TRUE(fake_.calls_of("act").empty()) << "no action runs in a drill";
  EXPECT_EQ(status(out, "act"), StepStatus::Skipped);
  EXPECT_EQ(fake_.calls_of("c").size(), 1u) << "the drill goes on past a failed check";
  EXPECT_EQ(status(out, "w"), StepStatus::Succeeded);
  EXPECT_TRUE(out.rollbacks.empty());
}

// What follows a skipped action checks a world the drill never changed: reported as not
// rehearsable, naming the action, instead of failing the drill.
TEST_P(SchedulerTest, ChecksOnlyReportsChecksAfterAnActionAsNotRehearsable) {
  compile(R"(
    check before { probe = "probe before" }
    action promote after before { run = "run promote" rollback = "true" }
    check promoted after promote { probe = "probe promoted" }
    wait caught_up after promoted { probe = "probe caught_up" every = 10ms timeout = 1s }
  )");
  fake_.on_command("probe promoted", failing());
  opt_.checks_only = true;
  RunOutcome out = run();
  EXPECT_TRUE(out.success) << "nothing that could be rehearsed failed";
  EXPECT_EQ(fake_.calls_of("before").size(), 1u);
  EXPECT_TRUE(fake_.calls_of("promoted").empty());
  EXPECT_TRUE(fake_.calls_of("caught_up").empty());
  EXPECT_EQ(status(out, "promoted"), StepStatus::Skipped);
  EXPECT_EQ(out.steps[index("caught_up")].reason, "not rehearsable (after action promote)");
}

TEST_P(SchedulerTest, RollbackNoneIsListedForManualAttention) {
  compile(R"(
    action manual_one { run = "run manual" rollback = none "cannot be undone by a script" }
    action undoable after manual_one { run = "run undoable" rollback = "undo undoable" }
    action fail after undoable { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("undo", script(0));
  fake_.on_command("run fail", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(rollback_order(out), "undoable");
  EXPECT_EQ(ids(out.manual), "manual_one");
}

TEST_P(SchedulerTest, AFailedRollbackKeepsWhatItDependsOnAndUndoesTheRest) {
  compile(R"(
    action a1 { run = "run a1" rollback = "undo a1" }
    action a2 after a1 { run = "run a2" rollback = "undo a2" }
    action a3 after a2 { run = "run a3" rollback = "undo a3" }
    action other { run = "run other" rollback = "undo other" }
    action fail after a3, other { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("undo a2", failing());
  fake_.on_command("undo", script(0));
  fake_.on_command("run fail", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  // a2 stays in effect, so a1 (which it needs) stays too; `other` is independent.
  std::string order = rollback_order(out);
  EXPECT_EQ(order.find("a1"), std::string::npos) << order;
  EXPECT_NE(order.find("other"), std::string::npos) << order;
  for (const auto& rb : out.rollbacks)
    if (rb.step == index("a2")) {
      EXPECT_EQ(rb.error, "exit 1");
    }
  ASSERT_EQ(out.kept.size(), 1u);
  EXPECT_EQ(out.kept[0], index("a1"));
}

TEST_P(SchedulerTest, AConnectionLostDuringAPointOfNoReturnIsUnknownAndKeepsTheFence) {
  compile(R"(
    action fence { run = "fence dc" rollback = "unfence dc" }
    action promote after fence { run = "promote dr" verify = "is primary" rollback = none "cannot demote"
                                 point_of_no_return = true idempotent = true retry = 1 backoff = 1ms }
    action after_it after promote { run = "later" rollback = "true" }
  )");
  FakeScript lost = script(0);
  lost.connection_lost = true;
  fake_.on_command("promote dr", lost);
  FakeScript refused = script(0);
  refused.refused = true;
  fake_.on_command("is primary", refused);
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(status(out, "promote"), StepStatus::Unknown);
  EXPECT_EQ(status(out, "after_it"), StepStatus::Pending);
  EXPECT_EQ(commands_with("unfence dc"), 0) << "the fence stays while dr may be primary";
  EXPECT_EQ(out.stopped_at_no_return, index("promote"));
  ASSERT_EQ(out.unknown.size(), 1u);
  // Every attempt is in the reason, not only the last.
  const std::string& why = out.steps[index("promote")].reason;
  EXPECT_NE(why.find("attempt 1"), std::string::npos) << why;
  EXPECT_NE(why.find("attempt 2"), std::string::npos) << why;
}

TEST_P(SchedulerTest, AnUnknownOutcomeThatVerifyConfirmsIsDone) {
  compile(R"(action a { run = "run a" verify = "verify a" rollback = "undo a" })");
  FakeScript lost = script(0);
  lost.connection_lost = true;
  fake_.on_command("run a", lost);
  fake_.on_command("verify a", script(0));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(status(out, "a"), StepStatus::Succeeded);
  EXPECT_EQ(commands_with("run a"), 1) << "verified, so not run again";
}

TEST_P(SchedulerTest, AnUnknownNonIdempotentActionWithoutVerifyIsNeverRetried) {
  compile(R"(action a { run = "run a" rollback = "undo a" retry = 3 backoff = 1ms })");
  FakeScript lost = script(0);
  lost.connection_lost = true;
  fake_.on_command("run a", lost);
  fake_.on_command("undo a", script(0));
  RunOutcome out = run();
  EXPECT_EQ(status(out, "a"), StepStatus::Unknown);
  EXPECT_EQ(commands_with("run a"), 1);
  EXPECT_EQ(commands_with("undo a"), 0) << "its rollback could undo what never happened";
}

TEST_P(SchedulerTest, AConnectionRefusedBeforeTheCommandStartedIsAPlainFailure) {
  compile(R"(action a { run = "run a" rollback = "undo a" })");
  FakeScript refused = script(0);
  refused.refused = true;
  fake_.on_command("run a", refused);
  RunOutcome out = run();
  EXPECT_EQ(status(out, "a"), StepStatus::Failed);
}

TEST_P(SchedulerTest, OnFailureStopLeavesCompletedActionsAlone) {
  compile(R"(
    on_failure = stop
    action a1 { run = "run a1" rollback = "undo a1" }
    action fail after a1 { run = "run fail" rollback = "undo fail" }
  )");
  fake_.on_command("run fail", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_TRUE(out.rollback_declined);
  EXPECT_EQ(ids(out.not_rolled_back), "a1");
  EXPECT_TRUE(fake_.calls_matching("undo").empty());
  opt_.on_failure = OnFailure::Rollback;  // --on-failure rollback overrides the plan
  RunOutcome again = run();
  EXPECT_EQ(rollback_order(again), "a1");
}

// on_failure = ask with nobody at a terminal: the plan's unattended policy decides, and the
// outcome says which; never the silent "declined" of a prompt nobody saw.
TEST_P(SchedulerTest, AskWithoutATerminalFollowsTheUnattendedPolicy) {
  const char* plan = R"(
    on_failure = ask
    %s
    action a1 { run = "run a1" rollback = "undo a1" }
    action fail after a1 { run = "run fail" rollback = "undo fail" }
  )";
  char text[512];
  std::snprintf(text, sizeof text, plan, "");
  compile(text);
  fake_.on_command("run fail", failing());
  RunOutcome rolled = run();
  EXPECT_EQ(rollback_order(rolled), "a1") << "unattended defaults to rollback";
  EXPECT_FALSE(rolled.rollback_declined);

  std::snprintf(text, sizeof text, plan, "unattended = stop");
  compile(text);
  fake_.on_command("run fail", failing());
  RunOutcome kept = run();
  EXPECT_TRUE(kept.rollback_declined);
  EXPECT_EQ(ids(kept.not_rolled_back), "a1");
  EXPECT_NE(kept.rollback_declined_why.find("unattended = stop"), std::string::npos) << kept.rollback_declined_why;
  EXPECT_EQ(fake_.calls_matching("undo a1").size(), 1u) << "only the first run rolled back";

  opt_.interactive = true;  // at a terminal the operator is asked, whatever unattended says
  ConfirmingPrompter op;
  RunOutcome asked = run(&op);
  EXPECT_EQ(op.questions.size(), 1u);
  EXPECT_EQ(rollback_order(asked), "a1");
}

// --- step semantics --------------------------------------------------------------------

TEST_P(SchedulerTest, RetryBacksOffAndCountsAttempts) {
  compile(R"(
    action flaky { run = "flaky" rollback = "true" retry = 3 backoff = 20ms }
    action hopeless { run = "hopeless" rollback = "true" retry = 2 backoff = 5ms }
  )");
  FakeScript flaky = script(0);
  flaky.fail_times = 2;
  fake_.on_command("flaky", flaky);
  fake_.on_command("hopeless", failing());
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(out.steps[index("flaky")].attempts, 3);
  EXPECT_EQ(status(out, "flaky"), StepStatus::Succeeded);
  auto calls = fake_.calls_matching("flaky");  // not the rollback of flaky after hopeless failed
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_GE(calls[1].start - calls[0].end, milliseconds(20));
  EXPECT_GE(calls[2].start - calls[1].end, milliseconds(40)) << "the backoff doubles";
  EXPECT_EQ(fake_.calls_matching("hopeless").size(), 3u);  // 1 + retry 2
  EXPECT_EQ(out.steps[index("hopeless")].attempts, 3);
  EXPECT_EQ(status(out, "hopeless"), StepStatus::Failed);
}

TEST(RetryDelay, DoublesUpToAnHourOrTheFirstDelay) {
  EXPECT_EQ(next_retry_delay(Millis(1000), Millis(1000)), Millis(2000));
  Millis d(1000);
  for (int i = 0; i < 100; ++i) d = next_retry_delay(d, Millis(1000));  // retry = 100: no overflow
  EXPECT_EQ(d, Millis(3600 * 1000));
  const Millis year = Millis(kMaxDurationMs);
  EXPECT_EQ(next_retry_delay(year, year), year);  // a longer first delay is kept, never doubled past
}

TEST_P(SchedulerTest, ATimeoutFailsTheStepPromptly) {
  compile(R"(action slowpoke { run = "slowpoke" rollback = "true" timeout = 50ms })");
  fake_.on_command("slowpoke", slow(10000));
  RunOutcome out = run();
  EXPECT_FALSE(out.success);
  // The command started and was killed: it may have done its work.
  EXPECT_EQ(status(out, "slowpoke"), StepStatus::Unknown);
  EXPECT_TRUE(out.steps[index("slowpoke")].result.timed_out);
  EXPECT_LT(wall_ms_, 1000);
}

TEST_P(SchedulerTest, VerifyFailureAndExpectMismatchFailTheStep) {
  compile(R"(
    action a { run = "run a" verify = "verify a" rollback = "true" }
    check c { probe = "probe c" expect = "^ready$" }
  )");
  fake_.on_command("verify a", failing());
  fake_.on_command("probe c", script(0, "not ready\n"));
  RunOutcome out = run();
  EXPECT_EQ(status(out, "a"), StepStatus::Failed);
  EXPECT_NE(out.steps[index("a")].reason.find("verify failed"), std::string::npos);
  if (GetParam() > 1) {
    EXPECT_EQ(status(out, "c"), StepStatus::Failed);
    EXPECT_NE(out.steps[index("c")].reason.find("does not match"), std::string::npos);
  }
}

// --- expect: RE2, linear time ---------------------------------------------------------

// std::regex recursed once per repetition here and died with SIGSEGV.
TEST_P(SchedulerTest, ExpectMatchesALargeOutputWithoutCrashing) {
  compile(R"dr(check c { probe = "probe c" expect = "^(a|b)*$" })dr");
  std::string out;
  while (out.size() < 20 * 1024) out += "ab";
  fake_.on_command("probe c", script(0, out));
  RunOutcome r = run();
  EXPECT_TRUE(r.success) << r.steps[index("c")].reason;
}

// Nested repetition backtracks exponentially in std::regex: the step hung past its timeout.
TEST_P(SchedulerTest, ExpectWithNestedRepetitionEndsQuickly) {
  compile(R"dr(
    check c { probe = "probe c" expect = "^(a+)+$" timeout = 5s }
    wait w { probe = "probe w" expect = "^(a+)+$" every = 10ms timeout = 100ms }
  )dr");
  // 64 letters are 2^64 ways to split them for a backtracker; RE2 reads each byte once.
  fake_.set_default(script(0, std::string(64, 'a') + "b"));
  RunOutcome r = run();
  EXPECT_EQ(status(r, "c"), StepStatus::Failed);
  EXPECT_NE(r.steps[index("c")].reason.find("does not match /^(a+)+$/"), std::string::npos)
      << r.steps[index("c")].reason;
  if (GetParam() > 1) {
    EXPECT_EQ(status(r, "w"), StepStatus::Failed);
    EXPECT_NE(r.steps[index("w")].reason.find("polls): output does not match"), std::string::npos)
        << r.steps[index("w")].reason;
  }
  EXPECT_LT(wall_ms_, 2000);
}

// With a verify, `expect` is the post-condition: it reads verify's stdout, not run's.
TEST_P(SchedulerTest, ExpectOnAnActionReadsVerifysOutputWhenItHasOne) {
  compile(R"(
    action checked { run = "run checked" verify = "verify checked" expect = "^ok" rollback = "true" }
    action plain { run = "run plain" expect = "^done" rollback = "true" }
  )");
  fake_.on_command("run checked", script(0, "changed\n"));
  fake_.on_command("verify checked", script(0, "ok\n"));
  fake_.on_command("run plain", script(0, "done\n"));
  RunOutcome good = run();
  EXPECT_TRUE(good.success) << good.steps[index("checked")].reason << good.steps[index("plain")].reason;
  EXPECT_EQ(good.steps[index("checked")].output, "changed") << "the step's output stays run's";

  compile(R"(action checked { run = "run again" verify = "verify again" expect = "^ok" rollback = "true" })");
  fake_.on_command("run again", script(0, "ok\n"));
  fake_.on_command("verify again", script(0, "not yet\n"));
  RunOutcome bad = run();
  EXPECT_EQ(status(bad, "checked"), StepStatus::Failed);
  EXPECT_EQ(bad.steps[index("checked")].reason, "verify output does not match /^ok/");
}

TEST_P(SchedulerTest, GatesApproveOrReject) {
  compile(R"(
    gate g { ask = "go?" }
    action a after g { run = "run a" rollback = "true" }
  )");
  FlagPrompter none({}, false);
  RunOutcome rejected = run(&none);
  EXPECT_FALSE(rejected.success);
  EXPECT_EQ(status(rejected, "g"), StepStatus::Failed);
  EXPECT_TRUE(fake_.calls_of("a").empty());

  FlagPrompter approve({"g"}, false);
  RunOutcome approved = run(&approve);
  EXPECT_TRUE(approved.success);
  EXPECT_NE(approved.steps[index("g")].reason.find("--approve g"), std::string::npos);
  EXPECT_EQ(fake_.calls_of("a").size(), 1u);
}

TEST_P(SchedulerTest, WhenConditions) {
  compile(R"(
    param mode: string = "quick"
    action never when mode == "full" { run = "never" rollback = "true" }
    action after_never after never { run = "after_never" rollback = "true" }
    check soft { probe = "soft" severity = warn }
    check hard { probe = "hard" }
    action if_soft when soft.ok { run = "if_soft" rollback = "true" }
    action if_hard when hard.ok { run = "if_hard" rollback = "true" }
  )");
  fake_.on_command("soft", failing());
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(status(out, "never"), StepStatus::Skipped);
  EXPECT_TRUE(fake_.calls_of("never").empty());
  EXPECT_EQ(fake_.calls_of("after_never").size(), 1u) << "a skipped step does not block its dependents";
  EXPECT_EQ(status(out, "soft"), StepStatus::Warned);
  EXPECT_EQ(status(out, "if_soft"), StepStatus::Skipped);
  EXPECT_TRUE(fake_.calls_of("if_soft").empty());
  EXPECT_EQ(fake_.calls_of("if_hard").size(), 1u);
}

TEST_P(SchedulerTest, WaitsPollUntilTrueOrTheDeadline) {
  compile(R"(
    wait ready { probe = "ready?" every = 10ms timeout = 5s }
    wait never { probe = "never?" every = 10ms timeout = 150ms }
  )");
  FakeScript ready = script(0, "yes");
  ready.fail_times = 3;
  fake_.on_command("ready?", ready);
  fake_.on_command("never?", failing());
  RunOutcome out = run();
  EXPECT_EQ(status(out, "ready"), StepStatus::Succeeded);
  EXPECT_EQ(fake_.calls_of("ready").size(), 4u);
  EXPECT_EQ(out.steps[index("ready")].attempts, 4);
  EXPECT_EQ(status(out, "never"), StepStatus::Failed);
  EXPECT_NE(out.steps[index("never")].reason.find("deadline"), std::string::npos);
  const StepRun& n = out.steps[index("never")];
  EXPECT_GE(n.ended_ms - n.started_ms, 70);
  EXPECT_LE(n.ended_ms - n.started_ms, 1000);
  EXPECT_GE(fake_.calls_of("never").size(), 3u);
}

TEST_P(SchedulerTest, WarnChecksDoNotFailTheRun) {
  compile(R"(
    check advisory { probe = "advisory" severity = warn }
    action a after advisory { run = "run a" rollback = "true" }
  )");
  fake_.on_command("advisory", failing());
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(status(out, "advisory"), StepStatus::Warned);
  EXPECT_EQ(fake_.calls_of("a").size(), 1u);
}

TEST_P(SchedulerTest, OutputsFlowIntoDependentsShellQuoted) {
  compile(R"(
    check source { probe = "source" }
    action sink { run = "echo ${source.output} done" rollback = "true" }
  )");
  fake_.on_command("source", script(0, "it's $HOME; rm -rf /\n\n"));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  auto sink = fake_.calls_of("sink");
  ASSERT_EQ(sink.size(), 1u);
  EXPECT_EQ(sink[0].command, "echo 'it'\\''s $HOME; rm -rf /' done");
  EXPECT_GE(sink[0].start, fake_.calls_of("source").at(0).end) << "reading an output is a dependency";
}

TEST_P(SchedulerTest, SecretsTravelInTheEnvironmentNotTheCommand) {
  compile(R"(action login { run = "login --password ${secrets.token}" rollback = "true" })");
  secrets_["token"] = "s3cr3t-value";
  masker_.add("s3cr3t-value");
  fake_.on_command("login", script(0, "logged in with s3cr3t-value\n"));
  RunOutcome out = run();
  EXPECT_TRUE(out.success);
  auto c = fake_.calls_of("login").at(0);
  EXPECT_EQ(c.command.find("s3cr3t"), std::string::npos) << c.command;
  EXPECT_NE(c.command.find("${DRPLAN_SECRET_TOKEN}"), std::string::npos) << c.command;
  ASSERT_EQ(c.env.size(), 1u);
  EXPECT_EQ(c.env[0].first, "DRPLAN_SECRET_TOKEN");
  EXPECT_EQ(c.env[0].second, "s3cr3t-value");
  EXPECT_EQ(out.steps[index("login")].output, "logged in with s3cr3t-value") << "outputs are data, masked at the sinks";
}

TEST_P(SchedulerTest, SecretsAreMaskedAtTheSinksNeverInTheData) {
  // Issue 11 item 10: a one-character secret turned the output 15 into 1**** for the next step.
  compile(R"(
    check c { probe = "probe c" }
    action consume { run = "consume ${c.output}" rollback = "true" }
  )");
  masker_.add("5");
  fake_.on_command("probe c", script(0, "15\n"));
  RecordingDisplay* shown = record_display();
  LocalStateStore journal(dir_.string(), (dir_ / "locks").string());
  RunOutcome out = run_journaled(journal);
  EXPECT_TRUE(out.success);
  EXPECT_EQ(out.steps[index("c")].output, "15");
  EXPECT_EQ(fake_.calls_of("consume").at(0).command, "consume 15") << "the next step gets the real output";
  EXPECT_EQ(shown->lines("c"), std::vector<std::string>{"1****\n"})
      << "the screen gets it masked (the fake shows its output whole)";
  bool journaled = false;
  for (const auto& r : read_journal(journal.journal_name()))
    if (r.value("type", "") == "step_end" && r.value("step", "") == "c") {
      journaled = true;
      EXPECT_EQ(r.value("output", ""), "1****");
      EXPECT_EQ(r["result"].value("stdout_tail", ""), "1****\n");
    }
  EXPECT_TRUE(journaled);
}

TEST_P(SchedulerTest, ASecretCutByALineSplitOrAnOutputTailIsMaskedWhole) {
  // Real processes: a line longer than the 64 KiB line limit with the secret across the cut,
  // and a secret cut by the 4 KiB tail the journal keeps.
  const std::string secret = "hunter2-secret";
  std::ofstream(dir_ / "split.sh") << "printf '%65530s' '' | tr ' ' x; printf '" << secret << "tail\\n'\n";
  std::ofstream(dir_ / "tail.sh") << "printf '" << secret << "'; printf '%4090s\\n' '' | tr ' ' y\n";
  compile("check split on local { probe = \"sh " + (dir_ / "split.sh").string() + "\" }\n" +
          "check tail on local { probe = \"sh " + (dir_ / "tail.sh").string() + "\" }");
  masker_.add(secret);
  LocalTransport local;
  transport_ = &local;
  RecordingDisplay* shown = record_display();
  LocalStateStore journal(dir_.string(), (dir_ / "locks").string());
  RunOutcome out = run_journaled(journal);
  ASSERT_TRUE(out.success) << out.steps[index("split")].reason << out.steps[index("tail")].reason;
  EXPECT_NE(out.steps[index("split")].output.find(secret), std::string::npos) << "the data is whole";
  std::string screen;
  for (const auto& l : shown->lines("split")) screen += l;
  EXPECT_EQ(screen, std::string(65530, 'x') + "****tail") << "shown pieces, joined";
  for (const auto& l : shown->lines("split")) {
    EXPECT_EQ(l.find("hunt"), std::string::npos) << "a piece shows the secret's start";
    EXPECT_EQ(l.find("cret"), std::string::npos) << "a piece shows the secret's end";
  }
  for (const auto& r : read_journal(journal.journal_name())) {
    if (r.value("type", "") != "step_end") continue;
    const std::string tail = r["result"].value("stdout_tail", "");
    ASSERT_EQ(tail.size() < 4096, true) << "masked: shorter than the 4096 bytes kept";
    EXPECT_EQ(tail.find("cret"), std::string::npos) << r.value("step", "") << ": " << tail.substr(0, 40);
    if (r.value("step", "") == "tail") {
      EXPECT_EQ(tail.substr(0, 5), "****y");
    }
  }
}

TEST_P(SchedulerTest, NothingRunsUnlessItsStartIsJournaled) {
  compile(R"(
    gate g { ask = "go?" }
    action a after g { run = "run a" rollback = "true" }
  )");
  LocalStateStore journal(dir_.string(), (dir_ / "locks").string());
  std::string error;
  ASSERT_TRUE(journal.open_run("run", &error)) << error;
  ASSERT_TRUE(journal.append({{"type", "run_start"}}));
  // The disk is "full": the journal cannot grow past its current size.
  const auto size = fs::file_size(journal.journal_name());
  rlimit old{};
  getrlimit(RLIMIT_FSIZE, &old);
  rlimit small = old;
  small.rlim_cur = size;
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  RunOutcome out = run(nullptr, &journal);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(out.success);
  EXPECT_EQ(status(out, "g"), StepStatus::Failed);
  EXPECT_NE(out.steps[index("g")].reason.find("cannot write the journal"), std::string::npos)
      << out.steps[index("g")].reason;
  EXPECT_TRUE(fake_.calls().empty()) << "no command ran without its record";
}

TEST_P(SchedulerTest, InterruptStopsSchedulingAndASecondPressCancels) {
  compile(R"(
    action long { run = "long" rollback = "true" }
    action later after long { run = "later" rollback = "true" }
  )");
  fake_.on_command("long", slow(10000));
  Interrupts irq;
  std::thread presser([&] {
    while (fake_.calls().empty()) std::this_thread::sleep_for(milliseconds(1));
    for (int k = 0; k < 2; ++k) {
      irq.presses++;
      while (!irq.wake) std::this_thread::sleep_for(milliseconds(1));
      irq.wake();
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  RunOutcome out = run(nullptr, nullptr, &irq);
  presser.join();
  EXPECT_LT(wall_ms_, 2000);
  EXPECT_TRUE(out.interrupted);
  EXPECT_FALSE(out.success);
  EXPECT_TRUE(fake_.calls_of("later").empty());
  EXPECT_TRUE(fake_.calls_of("long").at(0).result.cancelled);
}

}  // namespace
}  // namespace drplan

namespace drplan {
namespace {

// A store whose lock is lost (a remote store's lease expired) after `keep` steps started.
class LosingStore : public LocalStateStore {
 public:
  LosingStore(const std::string& dir, int keep) : LocalStateStore(dir, dir + "/locks"), keep_(keep) {}
  bool lock_held(std::string* why) override {
    if (keep_-- > 0) return true;
    *why = "lease expired";
    return false;
  }

 private:
  int keep_;
};

TEST_P(SchedulerTest, ALostLockStartsNothingNewAndRollsBackAsAFailure) {
  compile(R"(
    action a { run = "run a" rollback = "undo a" }
    action b after a { run = "run b" rollback = "undo b" }
  )");
  opt_.on_failure = OnFailure::Rollback;
  LosingStore store(dir_.string(), 1);
  std::string error;
  ASSERT_TRUE(store.open_run("run", &error)) << error;
  RunOutcome out = run(nullptr, &store);
  EXPECT_FALSE(out.success);
  EXPECT_EQ(status(out, "a"), StepStatus::Succeeded);
  EXPECT_EQ(status(out, "b"), StepStatus::Failed);
  EXPECT_EQ(out.steps[index("b")].reason, "not started: the run lost its lock (lease expired)");
  EXPECT_TRUE(fake_.calls_of("b").empty()) << "b never ran";
  ASSERT_EQ(out.rollbacks.size(), 1u) << "the rollback policy applies as to any failure";
  EXPECT_EQ(out.rollbacks[0].step, index("a"));
}

}  // namespace
}  // namespace drplan
