// --resume: completed steps stay done, unfinished idempotent ones run again, unfinished
// non-idempotent actions need the operator's word, and a changed plan or --set is refused
// without --force.
#include "executor/resume_policy.h"

#include <gtest/gtest.h>

#include "tests/test_dir.h"

namespace drplan {
namespace {

CompiledPlan plan() {
  CompiledPlan p;
  p.name = "p";
  p.plan_digest = "pd";
  p.inventory_digest = "id";
  for (const char* id : {"done", "idem", "risky", "check"}) {
    StepInstance s;
    s.index = static_cast<int>(p.steps.size());
    s.id = s.name = id;
    s.host_name = "db";
    s.kind = std::string(id) == "check" ? StepKind::Check : StepKind::Action;
    s.idempotent = std::string(id) == "idem";
    p.steps.push_back(s);
  }
  return p;
}

class ResumePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(store_.prepare(&error)) << error;
    ASSERT_TRUE(store_.open_run("r1", &error)) << error;
    nlohmann::json start = {{"type", "run_start"}, {"plan", "p"}, {"plan_digest", "pd"}, {"inventory_digest", "id"},
                            {"sets", {{"to", "dr"}}}};
    for (const nlohmann::json& r : std::vector<nlohmann::json>{
             start, {{"type", "step_start"}, {"step", "done"}}, {{"type", "step_end"}, {"step", "done"}, {"status", "ok"}},
             {{"type", "step_start"}, {"step", "idem"}}, {{"type", "step_start"}, {"step", "risky"}},
             {{"type", "step_start"}, {"step", "check"}}})
      ASSERT_TRUE(store_.append(r));
    rq_.resume.resume = true;
    io_.say = [this](Say kind, const std::string& text) {
      said_ += std::string(kind == Say::Error ? "error: " : kind == Say::Help ? "help: " : "note: ") + text + "\n";
    };
  }
  int prepare() {
    initial_.assign(plan_.steps.size(), StepRun{});
    return prepare_resume(store_, rq_, plan_, "STATE", run_, initial_, earlier_, io_);
  }

  test_support::TestDir tmp_{"resume_policy", /*create=*/true};
  LocalStateStore store_{(tmp_.path() / "state").string(), (tmp_.path() / "locks").string()};
  CompiledPlan plan_ = plan();
  ApplyRequest rq_;
  ApplyIo io_;
  std::string said_, run_;
  std::vector<StepRun> initial_;
  std::vector<EarlierAttempt> earlier_;
};

TEST_F(ResumePolicyTest, AnUnfinishedActionThatIsNotIdempotentNeedsADecision) {
  EXPECT_EQ(prepare(), 1);
  EXPECT_EQ(run_, "r1") << "the plan's latest run";
  EXPECT_EQ(said_, "error: these actions started but never finished (or were killed half-way), and are not "
                   "idempotent: risky\n"
                   "help: check on the host whether each took effect, then pass --assume-done STEP or --rerun STEP\n");
}

TEST_F(ResumePolicyTest, DoneStaysDoneAndIdempotentOrReadOnlyStepsRunAgain) {
  rq_.resume.rerun = {"risky"};
  EXPECT_EQ(prepare(), 0) << said_;
  EXPECT_EQ(initial_[0].status, StepStatus::Succeeded);
  EXPECT_TRUE(initial_[0].from_journal);
  for (int i : {1, 2, 3}) EXPECT_EQ(initial_[i].status, StepStatus::Pending) << plan_.steps[i].id;
}

TEST_F(ResumePolicyTest, AssumeDoneOrTheOperatorsYesDecides) {
  rq_.resume.assume_done = {"risky"};
  EXPECT_EQ(prepare(), 0) << said_;
  EXPECT_EQ(initial_[2].status, StepStatus::Succeeded);
  EXPECT_EQ(initial_[2].reason, "assumed done (--assume-done)");

  rq_.resume.assume_done.clear();
  rq_.interactive = true;
  std::string asked;
  io_.confirm = [&](const std::string& q) {
    asked = q;
    return true;
  };
  EXPECT_EQ(prepare(), 0) << said_;
  EXPECT_EQ(asked, "Step risky on db started but never finished (or was killed half-way), and it is not idempotent. "
                   "Run it again?");
  EXPECT_EQ(initial_[2].status, StepStatus::Pending);
}

TEST_F(ResumePolicyTest, AChangedPlanOrSetIsRefusedUnlessForced) {
  rq_.resume.rerun = {"risky"};
  plan_.plan_digest = "changed";
  rq_.sets = {{"to", "prod"}};
  EXPECT_EQ(prepare(), 1);
  EXPECT_EQ(said_, "error: refusing to resume: the plan (or a module it uses) changed since the run started; the "
                   "--set values differ from the run's ({\"to\":\"dr\"})\n"
                   "help: review the change; --force resumes anyway\n");
  rq_.selection.force = true;
  EXPECT_EQ(prepare(), 0);
}

TEST_F(ResumePolicyTest, WithoutSetTheRunsOwnValuesAreUsed) {
  EXPECT_EQ(resumed_sets(store_, rq_, plan_), (std::vector<std::pair<std::string, std::string>>{{"to", "dr"}}));
  rq_.sets = {{"to", "x"}};
  EXPECT_TRUE(resumed_sets(store_, rq_, plan_).empty()) << "--set wins";
}

TEST_F(ResumePolicyTest, NoRunToResumeIsRefused) {
  plan_.name = "other";
  EXPECT_EQ(prepare(), 2);
  EXPECT_EQ(said_, "error: no run of plan 'other' to resume in STATE\n");
}

}  // namespace
}  // namespace drplan
