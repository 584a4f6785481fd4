#include "cli/plan_view.h"

#include <cstdio>

#include "compiler/units.h"
#include "executor/ssh_jump.h"
#include "executor/terminal.h"

namespace drplan::cli {

namespace {

void print_command(const char* label, const Command& c, const Style& st) {
  if (c.empty()) return;
  std::string text = visible_controls(c.display(), /*keep_newlines=*/true);
  // Continuation lines of multi-line scripts stay aligned under the first.
  std::string indented;
  for (char ch : text) {
    indented += ch;
    if (ch == '\n') indented += "                      ";
  }
  std::printf("      %s%-9s%s $ %s\n", st.dim(), label, st.reset(), indented.c_str());
  // An escape hatch is never silent: the reviewer sees that a value runs as shell code.
  if (!c.unquoted.empty())
    std::printf("      %s! unquoted%s %zu value%s inserted as shell code (sh.raw or | raw; drplan check shows where)\n",
                st.yellow(), st.reset(), c.unquoted.size(), c.unquoted.size() == 1 ? "" : "s");
}

}  // namespace

void print_step(const CompiledPlan& p, const StepInstance& s, const std::string& deps, const Style& st) {
  const char* color = s.kind == StepKind::Action ? st.yellow() : s.kind == StepKind::Gate ? st.blue() : st.green();
  std::string flags;
  if (s.timeout.count())
    flags += (s.kind == StepKind::Wait ? "  deadline " : "  timeout ") + format_duration(s.timeout.count()) +
             (s.timeout_is_default ? " (default)" : "");
  if (s.every.count()) flags += "  every " + format_duration(s.every.count());
  if (s.retry) flags += "  retry " + std::to_string(s.retry) + (s.backoff.count() ? " (backoff " + format_duration(s.backoff.count()) + ")" : "");
  if (s.idempotent) flags += "  idempotent";
  if (s.point_of_no_return) flags += "  POINT OF NO RETURN";
  if (!s.run_as.empty()) flags += "  as " + s.run_as + " (sudo -n)";
  if (s.kind == StepKind::Check && s.severity == CheckSeverity::Warn) flags += "  severity warn";
  std::printf("  %s%-7s%s %s%-28s%s on %-10s%s\n", color, step_kind_name(s.kind), st.reset(), st.bold(), s.id.c_str(),
              st.reset(), s.host_name.c_str(), flags.c_str());
  if (!s.title.empty()) std::printf("      %s%s%s\n", st.dim(), visible_controls(s.title).c_str(), st.reset());
  if (!s.enabled) std::printf("      skipped: %s\n", s.disabled_reason.c_str());
  if (s.has_condition) std::printf("      when      %s\n", s.condition.display().c_str());
  if (s.kind == StepKind::Gate) {
    std::printf("      ask       %s\n", visible_controls(s.ask).c_str());
    if (!s.details.empty()) std::printf("      details   %s\n", visible_controls(s.details).c_str());
  }
  print_command(s.kind == StepKind::Action ? "run" : "probe", s.run, st);
  if (!s.expect.empty() && s.verify.empty()) std::printf("      expect    stdout matches /%s/\n", s.expect.text().c_str());
  print_command("verify", s.verify, st);
  if (!s.expect.empty() && !s.verify.empty())
    std::printf("      expect    verify's stdout matches /%s/\n", s.expect.text().c_str());
  print_command("rollback", s.rollback, st);
  if (s.rollback_none)
    std::printf("      rollback  none%s%s\n", s.rollback_none_reason.empty() ? "" : ": ", s.rollback_none_reason.c_str());
  if (!s.report.empty()) std::printf("      report    %s\n", s.report.c_str());
  if (!deps.empty()) std::printf("      after     %s\n", deps.c_str());
  (void)p;
}

nlohmann::json plan_to_json(const CompiledPlan& p) {
  nlohmann::json j;
  j["plan"] = p.name;
  j["title"] = p.title;
  j["file"] = p.file;
  j["plan_digest"] = p.plan_digest;
  j["inventory_digest"] = p.inventory_digest;
  j["on_failure"] = p.on_failure == OnFailure::Rollback ? "rollback" : p.on_failure == OnFailure::Stop ? "stop" : "ask";
  j["params"] = nlohmann::json::object();
  for (const auto& [k, v] : p.params) j["params"][k] = v;
  j["waves"] = nlohmann::json::array();
  for (const auto& w : p.waves) {
    nlohmann::json ids = nlohmann::json::array();
    for (int i : w) ids.push_back(p.steps[i].id);
    j["waves"].push_back(ids);
  }
  j["steps"] = nlohmann::json::array();
  for (const auto& s : p.steps) {
    if (s.kind == StepKind::Barrier) continue;
    nlohmann::json js;
    js["id"] = s.id;
    js["name"] = s.name;
    js["kind"] = step_kind_name(s.kind);
    js["host"] = s.host_name;
    if (s.host >= 0 && p.inventory) js["address"] = p.inventory->hosts[s.host].address;
    if (!s.run_as.empty()) js["run_as"] = s.run_as;
    if (s.host >= 0 && p.inventory && !p.inventory->hosts[s.host].ssh.jump.empty())
      js["via"] = jump_label(p.inventory->hosts[s.host]);
    if (s.phase >= 0) js["phase"] = p.phases[s.phase].title;
    if (!s.title.empty()) js["title"] = s.title;
    if (!s.run.empty()) js[s.kind == StepKind::Action ? "run" : "probe"] = s.run.display();
    if (!s.verify.empty()) js["verify"] = s.verify.display();
    if (!s.rollback.empty()) js["rollback"] = s.rollback.display();
    if (s.rollback_none) js["rollback_none"] = s.rollback_none_reason;
    size_t unquoted = s.run.unquoted.size() + s.verify.unquoted.size() + s.rollback.unquoted.size();
    if (unquoted) js["unquoted_values"] = unquoted;
    if (!s.expect.empty()) js["expect"] = s.expect.text();
    if (!s.ask.empty()) js["ask"] = s.ask;
    if (s.timeout.count()) js["timeout_ms"] = s.timeout.count();
    if (s.every.count()) js["every_ms"] = s.every.count();
    if (s.retry) js["retry"] = s.retry;
    if (s.backoff.count()) js["backoff_ms"] = s.backoff.count();
    js["idempotent"] = s.idempotent;
    if (s.point_of_no_return) js["point_of_no_return"] = true;
    if (s.kind == StepKind::Check) js["severity"] = s.severity == CheckSeverity::Warn ? "warn" : "error";
    if (!s.tags.empty()) js["tags"] = s.tags;
    if (!s.report.empty()) js["report"] = s.report;
    js["enabled"] = s.enabled;
    if (s.has_condition) js["when"] = s.condition.display();
    std::vector<std::string> deps;
    for (int d : s.deps) deps.push_back(p.steps[d].id);
    js["after"] = deps;
    std::vector<std::string> secrets;
    for (const Command* c : {&s.run, &s.verify, &s.rollback})
      for (const auto& n : c->secrets()) secrets.push_back(n);
    if (!secrets.empty()) js["secrets"] = secrets;
    j["steps"].push_back(js);
  }
  nlohmann::json cp = nlohmann::json::array();
  for (int i : p.critical_path) cp.push_back(p.steps[i].id);
  j["critical_path"] = cp;
  return j;
}

}  // namespace drplan::cli
