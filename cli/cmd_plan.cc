// `drplan plan FILE -i INVENTORY`: the dry run. Every step instance per host with its
// fully interpolated commands (secrets as environment references, never values), grouped
// in the waves the executor would run, plus dependencies, timeouts, rollbacks, gates and
// the critical path. Runs nothing.
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/compile_common.h"
#include "cli/plan_view.h"
#include "compiler/dag.h"
#include "compiler/units.h"
#include "executor/ssh_jump.h"
#include "executor/terminal.h"

namespace drplan::cli {

namespace {

std::string deps_of(const CompiledPlan& p, const StepInstance& s) {
  // Barriers stand for "the whole previous phase": show the phase's name instead.
  std::string out;
  for (int d : s.deps) {
    const auto& dep = p.steps[d];
    out += (out.empty() ? "" : ", ") + (dep.kind == StepKind::Barrier ? "[" + dep.id + "]" : dep.id);
  }
  return out;
}

void print_text(const CompiledPlan& p, const std::string& inventory_path, const Style& st) {
  size_t counts[5] = {0, 0, 0, 0, 0};
  for (const auto& s : p.steps) counts[static_cast<int>(s.kind)]++;
  std::printf("%sPlan %s%s%s%s\n", st.bold(), p.name.c_str(), p.title.empty() ? "" : " — ",
              visible_controls(p.title).c_str(), st.reset());
  std::printf("  file:       %s\n", p.file.c_str());
  if (p.inventory)
    std::printf("  inventory:  %s%s\n", inventory_path.c_str(),
                p.inventory->name.empty() ? "" : (" (" + p.inventory->name + ")").c_str());
  if (p.inventory) {  // which hosts the plan reaches through bastions, and through which
    std::map<std::string, std::set<std::string>> via;
    std::set<int> seen;
    for (const auto& s : p.steps) {
      if (s.host < 0 || !seen.insert(s.host).second) continue;
      const Host& h = p.inventory->hosts[s.host];
      if (!h.ssh_config_applied.empty())
        std::printf("  ssh_config: %s: %s\n", s.host_name.c_str(), h.ssh_config_applied.c_str());
      if (!h.ssh.jump.empty()) via[jump_label(h)].insert(s.host_name);
    }
    for (const auto& [label, hosts] : via) {
      std::string names;
      for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h;
      std::printf("  ssh:        %s through %s\n", names.c_str(), label.c_str());
    }
  }
  if (!p.params.empty()) {
    std::string params;
    for (const auto& [k, v] : p.params) params += (params.empty() ? "" : "  ") + k + "=" + v;
    std::printf("  params:     %s\n", params.c_str());
  }
  std::printf("  timeouts:   %s for steps without their own (plan setting default_timeout)\n",
              format_duration(p.default_timeout.count()).c_str());
  std::printf("  on failure: %s\n", p.on_failure == OnFailure::Rollback ? "roll back completed actions"
                                    : p.on_failure == OnFailure::Stop   ? "stop (no rollback)"
                                                                        : "ask the operator");
  for (size_t w = 0; w < p.waves.size(); ++w) {
    const auto& wave = p.waves[w];
    std::printf("\n%sWave %zu%s  (%zu step%s%s)\n", st.bold(), w + 1, st.reset(), wave.size(),
                wave.size() == 1 ? "" : "s", wave.size() > 1 ? " in parallel" : "");
    for (int i : wave) print_step(p, p.steps[i], deps_of(p, p.steps[i]), st);
  }
  std::printf("\n%sCritical path%s (by timeouts; 1s for steps without one): ", st.bold(), st.reset());
  Millis total(0);
  for (size_t i = 0; i < p.critical_path.size(); ++i) {
    const auto& s = p.steps[p.critical_path[i]];
    std::printf("%s%s", i ? " -> " : "", s.id.c_str());
    total += estimated_duration(s);
  }
  std::printf("  (at most %s)\n", format_duration(total.count()).c_str());
  std::printf("%zu step instances: %zu checks, %zu actions, %zu gates, %zu waits, in %zu waves. Nothing was run.\n",
              counts[0] + counts[1] + counts[2] + counts[3], counts[0], counts[1], counts[2], counts[3], p.waves.size());
}

}  // namespace

int run_plan(const PlanOptions& o) {
  if (!single_plan_inputs("plan", o, /*needs_inventory=*/true)) return 2;
  auto c = compile_one(o.files[0], o, o.format == "json");
  if (!c->plan || c->diags.error_count()) {
    if (o.format == "json") std::fputs(render_json(c->sm, c->diags.all()).c_str(), stderr);
    return 1;
  }
  if (o.format == "json") {
    std::fputs(plan_to_json(*c->plan).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str(), stdout);
    std::fputs("\n", stdout);
  } else {
    print_text(*c->plan, o.inventory, Style{o.color});
  }
  return 0;
}

}  // namespace drplan::cli
