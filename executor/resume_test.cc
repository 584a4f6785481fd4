// Resume points from journals: done steps stay done with their outputs, rolled-back actions
// run again, steps that started but never ended are listed; digests tell what changed.
#include "executor/resume.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "executor/journal.h"
#include "executor/resume_policy.h"
#include "tests/test_dir.h"

namespace drplan {
namespace {

namespace fs = std::filesystem;

CompiledPlan plan_of(const std::vector<std::string>& ids) {
  CompiledPlan p;
  p.name = "p";
  p.plan_digest = "pd";
  p.inventory_digest = "id";
  for (const auto& id : ids) {
    StepInstance s;
    s.index = static_cast<int>(p.steps.size());
    s.id = s.name = id;
    p.steps.push_back(s);
  }
  return p;
}

class ResumeTest : public ::testing::Test {
 protected:
  std::string write(const std::string& run, const std::vector<nlohmann::json>& records) {
    std::string d = (dir_ / "runs" / run).string(), error;
    JournalWriter w;
    EXPECT_TRUE(w.open(d, &error));
    for (const auto& r : records) w.append(r);
    return d;
  }
  test_support::TestDir tmp_{"resume", /*create=*/false};
  const fs::path& dir_ = tmp_.path();
};

nlohmann::json start_of(const std::string& plan = "p") {
  return {{"type", "run_start"}, {"plan", plan}, {"plan_digest", "pd"}, {"inventory_digest", "id"}};
}
records::RunStart start_record() { return std::get<records::RunStart>(records::read_record(start_of()).body); }
nlohmann::json started(const std::string& s) { return {{"type", "step_start"}, {"step", s}}; }
nlohmann::json ended(const std::string& s, const std::string& status, const std::string& output = "") {
  nlohmann::json j = {{"type", "step_end"}, {"step", s}, {"status", status}};
  if (!output.empty()) j["output"] = output;
  return j;
}

TEST_F(ResumeTest, DoneStepsKeepTheirOutputsAndUnfinishedOnesAreListed) {
  CompiledPlan plan = plan_of({"a", "b", "c", "d", "e", "f"});
  std::string run = write("r1", {start_of(), started("a"), ended("a", "ok", "v1"), started("b"), ended("b", "warned"),
                                 ended("c", "skipped"), started("d"), ended("d", "failed"), started("e"), started("d")});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.steps[0].status, StepStatus::Succeeded);
  EXPECT_EQ(rp.steps[0].output, "v1");
  EXPECT_TRUE(rp.steps[0].from_journal);
  EXPECT_EQ(rp.steps[1].status, StepStatus::Warned);
  EXPECT_EQ(rp.steps[2].status, StepStatus::Skipped);
  EXPECT_EQ(rp.steps[3].status, StepStatus::Pending) << "a failed step runs again";
  EXPECT_EQ(rp.steps[4].status, StepStatus::Pending);
  EXPECT_EQ(rp.steps[5].status, StepStatus::Pending);
  EXPECT_EQ(rp.unfinished, (std::vector<int>{3, 4})) << "d restarted (a retry or an earlier resume) and e never ended";
}

TEST_F(ResumeTest, ChecksAndGatesGuardingActionsNotDoneRunAgain) {
  // dc_down -> authorize -> fence -> promote; report is a check nothing waits for; early is
  // an action already done, and its own check stays done.
  CompiledPlan plan = plan_of({"dc_down", "authorize", "fence", "promote", "report", "early_check", "early", "late"});
  auto kind = [&](int i, StepKind k) { plan.steps[i].kind = k; };
  kind(0, StepKind::Check), kind(1, StepKind::Gate), kind(2, StepKind::Action), kind(3, StepKind::Action);
  kind(4, StepKind::Check), kind(5, StepKind::Check), kind(6, StepKind::Action);
  plan.steps[1].deps = {0};
  plan.steps[2].deps = {1};
  plan.steps[3].deps = {2};
  plan.steps[6].deps = {5};
  plan.steps[7].kind = StepKind::Action;
  plan.steps[7].deps = {6};  // early, done, depends on early_check: it no longer guards late
  std::string run = write("r", {start_of(), ended("dc_down", "ok"), ended("authorize", "ok"), ended("report", "ok"),
                                ended("early_check", "ok"), ended("early", "ok")});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  auto reset = revalidate_guards(plan, rp.steps);
  EXPECT_EQ(reset, (std::vector<int>{0, 1})) << "the DC may be back: its check and the approval are asked again";
  EXPECT_EQ(rp.steps[0].status, StepStatus::Pending);
  EXPECT_NE(rp.steps[0].reason.find("was ok"), std::string::npos);
  EXPECT_EQ(rp.steps[4].status, StepStatus::Succeeded) << "guards nothing";
  EXPECT_EQ(rp.steps[5].status, StepStatus::Succeeded) << "its action is done";
}

TEST_F(ResumeTest, AnActionWhoseRunSucceededAndVerifyFailedIsUnfinished) {
  CompiledPlan plan = plan_of({"a", "b"});
  plan.steps[0].kind = plan.steps[1].kind = StepKind::Action;
  nlohmann::json ran = ended("a", "failed");
  ran["reason"] = "verify failed (exit 1)";
  ran["result"] = {{"exit", 0}};
  nlohmann::json failed = ended("b", "failed");
  failed["result"] = {{"exit", 3}};
  std::string run = write("r", {start_of(), started("a"), ran, started("b"), failed});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.unfinished, (std::vector<int>{0})) << "a changed the world; b failed before it could";
}

TEST_F(ResumeTest, RolledBackActionsArePendingAgain) {
  CompiledPlan plan = plan_of({"a", "b"});
  std::string run = write("r1", {start_of(), started("a"), ended("a", "ok", "x"), started("b"), ended("b", "failed"),
                                 {{"type", "rollback_start"}, {"step", "a"}},
                                 {{"type", "rollback_end"}, {"step", "a"}, {"ok", true}}});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error));
  EXPECT_EQ(rp.steps[0].status, StepStatus::Pending);
  EXPECT_TRUE(rp.steps[0].output.empty());
  EXPECT_TRUE(rp.unfinished.empty());
}

TEST_F(ResumeTest, StepsKilledHalfWayCountAsUnfinished) {
  // A timeout, a cancellation or a lost connection may have left the action half done;
  // a plain non-zero exit is an ordinary failure that simply runs again.
  CompiledPlan plan = plan_of({"timeout", "cancelled", "lost", "exit1", "signal"});
  auto killed = [](const std::string& s, nlohmann::json result) {
    return nlohmann::json{{"type", "step_end"}, {"step", s}, {"status", "failed"}, {"result", result}};
  };
  std::string run = write("r1", {start_of(), started("timeout"), killed("timeout", {{"exit", -1}, {"timed_out", true}}),
                                 started("cancelled"), killed("cancelled", {{"exit", -1}, {"cancelled", true}}),
                                 started("lost"), killed("lost", {{"exit", -1}, {"connection_lost", true}}),
                                 started("exit1"), killed("exit1", {{"exit", 1}}),
                                 started("signal"), killed("signal", {{"exit", -1}, {"signal", "KILL"}})});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.unfinished, (std::vector<int>{0, 1, 2, 4}));
  EXPECT_EQ(rp.steps[3].status, StepStatus::Pending);
}

TEST_F(ResumeTest, AFailedRollbackLeavesTheActionDone) {
  CompiledPlan plan = plan_of({"a", "b"});
  std::string run = write("r1", {start_of(), started("a"), ended("a", "ok"), started("b"), ended("b", "failed"),
                                 {{"type", "rollback_end"}, {"step", "a"}, {"ok", false}}});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error));
  EXPECT_EQ(rp.steps[0].status, StepStatus::Succeeded);
}

TEST_F(ResumeTest, ARollbackThatNeverEndedOrWasKilledLeavesTheActionUndecided) {
  // a: rollback started, then the process died; c: rollback timed out; d: rollback failed
  // plainly (the action stands); e: rolled back; f: its rollback was killed, then it ran
  // again and finished (its last word counts).
  CompiledPlan plan = plan_of({"a", "b", "c", "d", "e", "f"});
  auto rb_start = [](const std::string& s) { return nlohmann::json{{"type", "rollback_start"}, {"step", s}}; };
  auto rb_end = [](const std::string& s, bool ok, nlohmann::json result = nlohmann::json::object()) {
    return nlohmann::json{{"type", "rollback_end"}, {"step", s}, {"ok", ok}, {"result", result}};
  };
  std::string run = write(
      "r1", {start_of(), started("a"), ended("a", "ok", "x"), started("c"), ended("c", "ok"), started("d"),
             ended("d", "ok"), started("e"), ended("e", "ok"), started("f"), ended("f", "ok"), started("b"),
             ended("b", "failed"), rb_start("f"), rb_end("f", false, {{"exit", -1}, {"cancelled", true}}),
             started("f"), ended("f", "ok", "again"), rb_start("e"), rb_end("e", true), rb_start("d"),
             rb_end("d", false, {{"exit", 1}}), rb_start("c"), rb_end("c", false, {{"exit", -1}, {"timed_out", true}}),
             rb_start("a")});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.unfinished, (std::vector<int>{0, 2}));
  EXPECT_EQ(rp.half_rolled_back, (std::vector<int>{0, 2}));
  EXPECT_EQ(rp.steps[0].status, StepStatus::Pending);
  EXPECT_TRUE(rp.steps[0].output.empty());
  EXPECT_EQ(rp.steps[2].status, StepStatus::Pending);
  EXPECT_EQ(rp.steps[3].status, StepStatus::Succeeded);
  EXPECT_EQ(rp.steps[4].status, StepStatus::Pending);
  EXPECT_EQ(rp.steps[5].status, StepStatus::Succeeded);
  EXPECT_EQ(rp.steps[5].output, "again");
}

TEST_F(ResumeTest, ATornLastRecordIsToleratedAndCounted) {
  CompiledPlan plan = plan_of({"a"});
  std::string run = write("r1", {start_of(), started("a")});
  { std::ofstream(run + "/journal.jsonl", std::ios::app) << R"({"type":"step_end","step":"a","status":"o)"; }
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error));
  EXPECT_EQ(rp.torn_lines, 1);
  EXPECT_EQ(rp.unfinished, std::vector<int>{0});
}

// Started again after it had ended: the new run's end was never written, so the step is
// unfinished, not done (it was both, and --rerun left it skipped). Found by
// fuzz/journal_fuzzer.cc (fuzz/corpus/journal/regress_started_again_after_done.jsonl).
TEST_F(ResumeTest, AStepStartedAgainAfterItEndedIsUnfinishedNotDone) {
  CompiledPlan plan = plan_of({"a"});
  std::string run = write("r1", {start_of(), started("a"), ended("a", "ok", "v1"), started("a")});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.unfinished, std::vector<int>{0});
  EXPECT_EQ(rp.steps[0].status, StepStatus::Pending);
  EXPECT_FALSE(rp.steps[0].from_journal);
  EXPECT_EQ(rp.steps[0].output, "");
}

TEST_F(ResumeTest, NoJournalIsAnError) {
  fs::create_directories(dir_ / "runs/empty");
  ResumePoint rp;
  std::string error;
  EXPECT_FALSE(load_resume_point((dir_ / "runs/empty").string(), plan_of({"a"}), rp, &error));
  EXPECT_NE(error.find("no readable journal"), std::string::npos);
}

TEST_F(ResumeTest, DigestChangesAreNamed) {
  CompiledPlan plan = plan_of({"a"});
  EXPECT_EQ(digest_changes(start_record(), plan), "");
  plan.plan_digest = "changed";
  EXPECT_EQ(digest_changes(start_record(), plan), "the plan (or a module it uses) changed since the run started");
  plan.inventory_digest = "changed";
  EXPECT_NE(digest_changes(start_record(), plan).find("; the inventory changed"), std::string::npos);
}

TEST_F(ResumeTest, LatestRunPicksTheNewestOfThePlan) {
  write("20240101-000000-p-1", {start_of("p")});
  write("20240102-000000-p-2", {start_of("p")});
  write("20240103-000000-q-3", {start_of("q")});
  LocalStateStore store(dir_.string(), (dir_ / "locks").string());
  EXPECT_EQ(latest_run(store, "p"), "20240102-000000-p-2");
  EXPECT_EQ(latest_run(store, "none"), "");
}

TEST_F(ResumeTest, WronglyTypedFieldsDoNotStopAResume) {
  CompiledPlan plan = plan_of({"a", "b"});
  nlohmann::json bad_end = ended("a", "ok", "v1");
  bad_end["result"] = {{"timed_out", "yes"}, {"signal", 9}};
  bad_end["reason"] = 42;
  nlohmann::json bad_rollback = {{"type", "rollback_end"}, {"step", "a"}, {"ok", "true"}};
  nlohmann::json bad_start = start_of();
  bad_start["sets"] = {{"to", 1}};
  std::string run = write("r1", {bad_start, started("a"), bad_end, bad_rollback, started("b")});
  ResumePoint rp;
  std::string error;
  ASSERT_TRUE(load_resume_point(run, plan, rp, &error)) << error;
  EXPECT_EQ(rp.steps[0].status, StepStatus::Succeeded) << "a rollback_end without a readable ok undid nothing";
  EXPECT_EQ(rp.steps[0].output, "v1");
  EXPECT_EQ(rp.unfinished, std::vector<int>{1});
  ASSERT_TRUE(rp.run_start.sets);
  EXPECT_EQ((*rp.run_start.sets)["to"], "1");
  EXPECT_EQ(rp.problems.size(), 5u);
  EXPECT_NE(rp.problems.at(0).find("journal.jsonl:1: field 'sets.to'"), std::string::npos) << rp.problems.at(0);
}

}  // namespace
}  // namespace drplan
