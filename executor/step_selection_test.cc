// --only / --skip: dependents of a step left out are refused by name, safety steps need
// --force --reason, and steps done in a resumed run satisfy their dependents.
#include "executor/step_selection.h"

#include <gtest/gtest.h>

namespace drplan {
namespace {

// a -> b -> c, and fence (a safety step) -> promote.
CompiledPlan plan() {
  CompiledPlan p;
  p.name = "p";
  auto add = [&](const std::string& id, std::vector<int> deps, std::vector<std::string> tags = {}) {
    StepInstance s;
    s.index = static_cast<int>(p.steps.size());
    s.id = s.name = id;
    s.kind = StepKind::Action;
    s.deps = std::move(deps);
    s.tags = std::move(tags);
    p.steps.push_back(s);
  };
  add("a", {});
  add("b", {0});
  add("c", {1});
  add("fence", {}, {"fence"});
  add("promote", {3});
  return p;
}

struct Selected {
  int rc = 0;
  std::vector<StepRun> state;
  std::vector<std::string> excluded;
  std::string said;
};

Selected select(const StepSelection& sel, std::vector<StepRun> state = {}) {
  const CompiledPlan p = plan();
  Selected out;
  out.state = state.empty() ? std::vector<StepRun>(p.steps.size()) : std::move(state);
  ApplyIo io;
  io.say = [&](Say kind, const std::string& text) {
    out.said += std::string(kind == Say::Error ? "error: " : kind == Say::Help ? "help: " : "other: ") + text + "\n";
  };
  out.rc = select_steps(p, sel, out.state, out.excluded, io);
  return out;
}

TEST(StepSelection, OnlyAndSkipMarkTheOthersSkipped) {
  Selected only = select(StepSelection{{"a", "b", "fence"}, {}, false, ""});
  EXPECT_EQ(only.rc, 0) << only.said;
  EXPECT_EQ(only.excluded, (std::vector<std::string>{"c", "promote"})) ;
  EXPECT_EQ(only.state[2].status, StepStatus::Skipped);
  EXPECT_EQ(only.state[2].reason, "not in --only");
}

TEST(StepSelection, OnlyLeavingOutASafetyStepIsRefused) {
  Selected s = select(StepSelection{{"a", "b", "c"}, {}, false, ""});
  EXPECT_EQ(s.rc, 2);
  EXPECT_EQ(s.said,
            "error: fence is a safety step (fencing, the TTL check, or a guard of data a later step destroys) and "
            "would not run\n"
            "help: skipping it can give two primaries or a slow DNS switch; if it is done by hand, pass --force "
            "--reason \"...\" (journaled)\n");
  EXPECT_TRUE(s.excluded.empty());
  EXPECT_EQ(s.state[3].status, StepStatus::Pending) << "nothing is marked on a refusal";
}

TEST(StepSelection, SkippingAStepOthersNeedNamesThem) {
  Selected s = select(StepSelection{{}, {"a"}, false, ""});
  EXPECT_EQ(s.rc, 2);
  EXPECT_EQ(s.said, "error: a would not run, and b depends on it\n"
                    "help: select its dependencies too; --force runs the dependents anyway\n");
  Selected forced = select(StepSelection{{}, {"a"}, true, ""});
  EXPECT_EQ(forced.rc, 0) << forced.said;
  EXPECT_EQ(forced.state[0].reason, "--skip");
}

TEST(StepSelection, ASafetyStepNeedsForceAndAReason) {
  EXPECT_EQ(select(StepSelection{{}, {"fence"}, true, ""}).rc, 2) << "--force alone is not enough";
  Selected s = select(StepSelection{{}, {"fence"}, true, "fenced by hand"});
  EXPECT_EQ(s.rc, 0) << s.said;
  EXPECT_EQ(s.excluded, std::vector<std::string>{"fence"});
}

TEST(StepSelection, AStepDoneInTheResumedRunSatisfiesItsDependents) {
  std::vector<StepRun> state(5);
  state[0].status = StepStatus::Succeeded;
  Selected s = select(StepSelection{{}, {"a"}, false, ""}, state);
  EXPECT_EQ(s.rc, 0) << s.said;
  EXPECT_TRUE(s.excluded.empty());
  EXPECT_EQ(s.state[0].status, StepStatus::Succeeded) << "done stays done";
}

TEST(StepSelection, AnUnknownNameIsRefused) {
  Selected s = select(StepSelection{{"nope"}, {}, false, ""});
  EXPECT_EQ(s.rc, 2);
  EXPECT_EQ(s.said, "error: no step named 'nope' in plan p\n");
}

}  // namespace
}  // namespace drplan
