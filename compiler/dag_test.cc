#include "compiler/dag.h"

#include <gtest/gtest.h>

#include <map>

namespace drplan {

namespace {

// A plan of named steps with explicit dependencies ("b" -> {"a"} means b after a).
struct Graph {
  SourceManager sm;
  int file = -1;
  CompiledPlan plan;
  DiagnosticEngine diags;

  Graph(const std::vector<std::string>& names, const std::map<std::string, std::vector<std::string>>& deps,
        const std::map<std::string, long> timeouts_s = {}) {
    std::string text;
    for (const auto& n : names) text += n + "\n";
    file = sm.add("g.dr", text);
    uint32_t offset = 0;
    for (size_t i = 0; i < names.size(); ++i) {
      StepInstance s;
      s.index = static_cast<int>(i);
      s.id = s.name = names[i];
      s.loc = Loc{file, offset, static_cast<uint32_t>(names[i].size())};
      offset += static_cast<uint32_t>(names[i].size()) + 1;
      if (auto it = timeouts_s.find(names[i]); it != timeouts_s.end()) s.timeout = Millis(it->second * 1000);
      by_name[names[i]] = s.index;
      plan.steps.push_back(s);
    }
    for (auto& s : plan.steps)
      if (auto it = deps.find(s.name); it != deps.end())
        for (const auto& d : it->second) s.deps.push_back(by_name.at(d));
  }
  // The step's current position (after order_plan: its sorted position).
  int index(const std::string& name) const {
    for (const auto& s : plan.steps)
      if (s.name == name) return s.index;
    throw std::runtime_error("no step " + name);
  }
  std::map<std::string, int> by_name;
  std::vector<std::string> order() const {
    std::vector<std::string> out;
    for (const auto& s : plan.steps) out.push_back(s.id);
    return out;
  }
  std::vector<std::vector<std::string>> waves() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& w : plan.waves) {
      out.emplace_back();
      for (int i : w) out.back().push_back(plan.steps[i].id);
    }
    return out;
  }
  std::vector<std::string> critical() const {
    std::vector<std::string> out;
    for (int i : plan.critical_path) out.push_back(plan.steps[i].id);
    return out;
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST(Dag, ReportsTheCyclePathWithNotes) {
  Graph g({"a", "b", "c", "d"}, {{"a", {"c"}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {"a"}}});
  EXPECT_FALSE(check_cycles(g.plan, g.diags));
  ASSERT_EQ(g.diags.all().size(), 1u);
  const Diagnostic& d = g.diags.all()[0];
  EXPECT_EQ(d.code, DiagCode::Cycle);
  EXPECT_EQ(d.message, "dependency cycle: a -> b -> c -> a");
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0].message, "'b' is part of the cycle");
  EXPECT_EQ(d.notes[1].message, "'c' is part of the cycle");
  EXPECT_EQ(g.sm.line_col(d.loc).line, 1u);
}

TEST(Dag, ReportsEachIndependentCycleOnce) {
  Graph g({"a", "b", "x", "y"}, {{"a", {"b"}}, {"b", {"a"}}, {"x", {"y"}}, {"y", {"x"}}});
  EXPECT_FALSE(check_cycles(g.plan, g.diags));
  ASSERT_EQ(g.diags.all().size(), 2u);
  EXPECT_EQ(g.diags.all()[0].message, "dependency cycle: a -> b -> a");
  EXPECT_EQ(g.diags.all()[1].message, "dependency cycle: x -> y -> x");
}

TEST(Dag, AcyclicGraphHasNoDiagnostics) {
  Graph g({"a", "b", "c"}, {{"b", {"a"}}, {"c", {"a", "b"}}});
  EXPECT_TRUE(check_cycles(g.plan, g.diags));
  EXPECT_TRUE(g.diags.all().empty());
}

TEST(Dag, LongChainDoesNotExhaustTheStack) {
  Names names;
  std::map<std::string, std::vector<std::string>> deps;
  for (int i = 0; i < 100000; ++i) {
    names.push_back("s" + std::to_string(i));
    if (i) deps[names.back()] = {names[i - 1]};
  }
  deps["s0"] = {"s99999"};  // closes a 100,000-step cycle
  Graph g(names, deps);
  EXPECT_FALSE(check_cycles(g.plan, g.diags));
  ASSERT_EQ(g.diags.all().size(), 1u);
  EXPECT_EQ(g.diags.all()[0].notes.size(), 99999u);
}

TEST(Dag, TopologicalOrderIsStableByDeclaration) {
  // Declared out of dependency order: d first, but it needs c.
  Graph g({"d", "a", "b", "c"}, {{"d", {"c"}}, {"c", {"a"}}});
  order_plan(g.plan);
  EXPECT_EQ(g.order(), (Names{"a", "b", "c", "d"}));
  // Indices and deps were renumbered, dependents filled.
  EXPECT_EQ(g.plan.steps[2].deps, (std::vector<int>{0}));
  EXPECT_EQ(g.plan.steps[0].dependents, (std::vector<int>{2}));
  for (size_t i = 0; i < g.plan.steps.size(); ++i) EXPECT_EQ(g.plan.steps[i].index, static_cast<int>(i));
}

TEST(Dag, WavesAreLongestPathLevels) {
  //   a   b
  //   |\ /
  //   c d
  //    \|
  //     e
  Graph g({"a", "b", "c", "d", "e"}, {{"c", {"a"}}, {"d", {"a", "b"}}, {"e", {"c", "d"}}});
  order_plan(g.plan);
  EXPECT_EQ(g.waves(), (std::vector<Names>{{"a", "b"}, {"c", "d"}, {"e"}}));
}

TEST(Dag, BarriersAddNoWaveAndAreNotListed) {
  Graph g({"a", "bar", "b"}, {{"bar", {"a"}}, {"b", {"bar"}}});
  g.plan.steps[1].kind = StepKind::Barrier;
  order_plan(g.plan);
  EXPECT_EQ(g.waves(), (std::vector<Names>{{"a"}, {"b"}}));
  EXPECT_EQ(g.critical(), (Names{"a", "b"}));
}

TEST(Dag, CriticalPathFollowsTimeouts) {
  // a(1s) -> slow(60s) -> end(1s); a -> fast(2s) -> end
  Graph g({"a", "fast", "slow", "end"}, {{"fast", {"a"}}, {"slow", {"a"}}, {"end", {"fast", "slow"}}},
          {{"a", 1}, {"fast", 2}, {"slow", 60}, {"end", 1}});
  order_plan(g.plan);
  EXPECT_EQ(g.critical(), (Names{"a", "slow", "end"}));
  EXPECT_EQ(estimated_duration(g.plan.steps[g.index("slow")]), Millis(60000));
}

TEST(Dag, EstimatedDurationDefaultsToOneSecond) {
  StepInstance s;
  EXPECT_EQ(estimated_duration(s), Millis(1000));
  s.kind = StepKind::Barrier;
  EXPECT_EQ(estimated_duration(s), Millis(0));
}

TEST(Dag, DuplicateDepsAreMerged) {
  Graph g({"a", "b"}, {{"b", {"a", "a"}}});
  order_plan(g.plan);
  EXPECT_EQ(g.plan.steps[1].deps, (std::vector<int>{0}));
  EXPECT_EQ(g.plan.steps[0].dependents, (std::vector<int>{1}));
}

}  // namespace drplan
