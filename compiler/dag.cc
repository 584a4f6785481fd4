#include "compiler/dag.h"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <functional>
#include <map>
#include <queue>
#include <set>

namespace drplan {

namespace {

// Compressed sparse row: two flat arrays, so building and dropping the graph of a
// 100,000-step plan costs two allocations instead of one vector per step.
using Graph = boost::compressed_sparse_row_graph<boost::directedS>;

// Edges run from a dependency to its dependent.
Graph build(const CompiledPlan& plan) {
  std::vector<std::pair<size_t, size_t>> edges;
  size_t count = 0;
  for (const auto& s : plan.steps) count += s.deps.size();
  edges.reserve(count);
  for (const auto& s : plan.steps)
    for (int d : s.deps) edges.emplace_back(static_cast<size_t>(d), static_cast<size_t>(s.index));
  return Graph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), plan.steps.size());
}

}  // namespace

Millis estimated_duration(const StepInstance& s) {
  if (s.kind == StepKind::Barrier) return Millis(0);
  return s.timeout.count() > 0 && !s.timeout_is_default ? s.timeout : Millis(1000);
}

bool check_cycles(const CompiledPlan& plan, DiagnosticEngine& diags) {
  Graph g = build(plan);
  size_t n = boost::num_vertices(g);
  enum Color : char { White, Grey, Black };
  std::vector<Color> color(n, White);
  std::vector<size_t> parent(n, SIZE_MAX);
  std::set<std::string> reported;
  bool ok = true;
  // Iterative DFS: plans with 10,000 steps in a chain must not exhaust the stack.
  for (size_t root = 0; root < n; ++root) {
    if (color[root] != White) continue;
    std::vector<std::pair<size_t, Graph::adjacency_iterator>> stack;
    color[root] = Grey;
    stack.push_back({root, boost::adjacent_vertices(root, g).first});
    while (!stack.empty()) {
      auto& [v, it] = stack.back();
      auto end = boost::adjacent_vertices(v, g).second;
      if (it == end) {
        color[v] = Black;
        stack.pop_back();
        continue;
      }
      size_t w = *it++;
      if (color[w] == White) {
        parent[w] = v;
        color[w] = Grey;
        stack.push_back({w, boost::adjacent_vertices(w, g).first});
      } else if (color[w] == Grey) {
        ok = false;
        // The cycle is w -> ... -> v -> w along the DFS stack.
        std::vector<size_t> cycle;
        for (size_t x = v; x != w && x != SIZE_MAX; x = parent[x]) cycle.push_back(x);
        cycle.push_back(w);
        std::reverse(cycle.begin(), cycle.end());
        // A join only stands for the step before it, which is in the cycle too.
        std::erase_if(cycle, [&](size_t x) { return plan.steps[x].join; });
        std::vector<std::string> names;
        for (size_t x : cycle) {
          const auto& s = plan.steps[x];
          names.push_back(s.kind == StepKind::Barrier ? "(" + s.id + ")" : s.name);
        }
        std::set<std::string> key_set(names.begin(), names.end());
        std::string key;
        for (const auto& k : key_set) key += k + ",";
        if (reported.count(key)) continue;
        reported.insert(key);
        std::string path;
        for (const auto& nm : names) path += nm + " -> ";
        path += names.front();
        const StepInstance& first = plan.steps[cycle.front()];
        auto& d = diags.error(DiagCode::Cycle, first.loc, "dependency cycle: " + path);
        for (size_t i = 1; i < cycle.size(); ++i) {
          const auto& s = plan.steps[cycle[i]];
          d.notes.push_back({s.loc, "'" + s.name + "' is part of the cycle"});
        }
        d.help = "remove one of these dependencies (after, an output read, or phase order)";
      }
    }
  }
  return ok;
}

void order_plan(CompiledPlan& plan) {
  Graph g = build(plan);
  size_t n = plan.steps.size();
  // Kahn's algorithm with a min-queue keeps declaration order among ready steps, which
  // makes `drplan plan` output stable and readable.
  std::vector<int> indegree(n, 0);
  for (const auto& s : plan.steps) indegree[s.index] = static_cast<int>(s.deps.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.push(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto [it, end] = boost::adjacent_vertices(v, g); it != end; ++it)
      if (--indegree[*it] == 0) ready.push(*it);
  }
  std::vector<int> new_index(n);
  for (size_t i = 0; i < order.size(); ++i) new_index[order[i]] = static_cast<int>(i);
  // Permute in place, cycle by cycle: a second copy of every instance would double the
  // memory the plan touches.
  std::vector<StepInstance>& sorted = plan.steps;
  std::vector<char> placed(n, 0);
  for (size_t start = 0; start < n; ++start) {
    if (placed[start] || order[start] == start) continue;
    StepInstance held = std::move(sorted[start]);
    size_t to = start;
    for (size_t from = order[to]; from != start; from = order[to]) {
      sorted[to] = std::move(sorted[from]);
      placed[to] = 1;
      to = from;
    }
    sorted[to] = std::move(held);
    placed[to] = 1;
  }
  for (size_t i = 0; i < sorted.size(); ++i) {
    auto& s = sorted[i];
    s.index = static_cast<int>(i);
    for (int& d : s.deps) d = new_index[d];
    std::sort(s.deps.begin(), s.deps.end());
    s.deps.erase(std::unique(s.deps.begin(), s.deps.end()), s.deps.end());
    s.dependents.clear();
  }
  for (auto& s : sorted)
    for (int d : s.deps) sorted[d].dependents.push_back(s.index);

  // Waves: a step's wave is one past the latest of its dependencies (barriers add none).
  std::vector<int> level(n, 0);
  std::vector<Millis> finish(n, Millis(0));
  std::vector<int> via(n, -1);
  int max_level = -1;
  for (const auto& s : plan.steps) {
    int lv = 0;
    Millis start(0);
    for (int d : s.deps) {
      int dl = level[d] + (plan.steps[d].kind == StepKind::Barrier ? 0 : 1);
      lv = std::max(lv, dl);
      if (finish[d] > start || via[s.index] < 0) {
        if (finish[d] >= start) {
          start = finish[d];
          via[s.index] = d;
        }
      }
    }
    level[s.index] = lv;
    finish[s.index] = start + estimated_duration(s);
    if (s.kind != StepKind::Barrier) max_level = std::max(max_level, lv);
  }
  plan.waves.assign(max_level + 1, {});
  for (const auto& s : plan.steps)
    if (s.kind != StepKind::Barrier) plan.waves[level[s.index]].push_back(s.index);

  plan.critical_path.clear();
  int end = -1;
  for (const auto& s : plan.steps)
    if (end < 0 || finish[s.index] > finish[end]) end = s.index;
  for (int v = end; v >= 0; v = via[v])
    if (plan.steps[v].kind != StepKind::Barrier) plan.critical_path.push_back(v);
  std::reverse(plan.critical_path.begin(), plan.critical_path.end());
}

}  // namespace drplan
