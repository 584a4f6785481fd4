#include "compiler/lower.h"

#include <algorithm>
#include <optional>
#include <map>
#include <string_view>
#include <unordered_map>

#include "compiler/evaluator.h"
#include "compiler/units.h"

namespace drplan {

namespace {

using K = Value::Kind;

struct AttrSpec {
  std::string_view key;  // a view: comparing sizes first skips most memcmps
  unsigned kinds;  // bit per ast::StepKind
};
constexpr unsigned kCheck = 1, kAction = 2, kGate = 4, kWait = 8, kAll = 15;

const AttrSpec kAttrs[] = {
    {"title", kAll},         {"description", kAll}, {"timeout", kCheck | kAction | kWait},
    {"tags", kAll},          {"report", kCheck | kAction | kWait},
    {"run", kAction},        {"verify", kAction},   {"rollback", kAction},
    {"retry", kCheck | kAction}, {"backoff", kCheck | kAction}, {"idempotent", kAction},
    {"point_of_no_return", kAction},
    {"probe", kCheck | kWait}, {"expect", kCheck | kAction | kWait}, {"severity", kCheck},
    {"every", kWait},        {"ask", kGate},        {"details", kGate},
    {"become_user", kCheck | kAction | kWait},
};

unsigned kind_bit(ast::StepKind k) {
  switch (k) {
    case ast::StepKind::Check: return kCheck;
    case ast::StepKind::Action: return kAction;
    case ast::StepKind::Gate: return kGate;
    case ast::StepKind::Wait: return kWait;
  }
  return 0;
}

StepKind ir_kind(ast::StepKind k) {
  switch (k) {
    case ast::StepKind::Check: return StepKind::Check;
    case ast::StepKind::Action: return StepKind::Action;
    case ast::StepKind::Gate: return StepKind::Gate;
    case ast::StepKind::Wait: return StepKind::Wait;
  }
  return StepKind::Action;
}

// An attribute ready to apply: its value and the scope it was written in.
struct BoundAttr {
  const ast::Attr* attr;
  const Scope* scope;  ///< the step's or the template's; outlives the binding
};

class Lowerer {
  struct Instances {
    int first, count;  ///< out_.steps[first, first + count)
  };

 public:
  Lowerer(const LowerInput& in, DiagnosticEngine& diags, CompiledPlan& out, std::set<std::string>& used)
      : in_(in), diags_(diags), out_(out), eval_(ctx_) {
    ctx_.program = in.program;
    ctx_.inventory = in.inventory;
    ctx_.used_params = &used;
    ctx_.diags = &diags;
  }

  bool run() {
    const ast::Unit& plan = in_.program->plan();
    size_t before = diags_.error_count();
    out_.name = plan.name;
    params(plan);
    settings(plan);
    step_names(plan);
    for (const auto& p : plan.phases) out_.phases.push_back({p.title, p.loc});
    // Moving every instance on a regrowth is the costliest copy there is; fan-out adds some.
    out_.steps.reserve(plan.steps.size() + plan.steps.size() / 4 + plan.phases.size());
    for (const auto& s : plan.steps) step(s);
    default_timeouts();
    dependencies(plan);
    if (diags_.error_count() > before) return false;
    phase_barriers(plan);
    return diags_.error_count() == before;
  }

 private:
  Scope plan_scope() const {
    Scope s;
    s.unit = &in_.program->plan();
    s.plan_scope = true;
    return s;
  }

  // A step without a timeout gets the plan's default: a probe against a stopped server
  // must end, not hang the incident. Gates wait for people, who have no deadline.
  void default_timeouts() {
    for (auto& st : out_.steps) {
      // Waits have their own default deadline (5m, docs/language.md).
      if (st.timeout.count() || st.kind == StepKind::Gate || st.kind == StepKind::Barrier || st.kind == StepKind::Wait)
        continue;
      st.timeout = out_.default_timeout;
      st.timeout_is_default = true;
    }
  }

  // Which of three words a setting is (its index, the enum's order), or -1 after an error.
  int one_of(const ast::Setting& s, const std::vector<std::string>& words, const std::string& help) {
    const std::string word = s.value->kind == ast::Expr::Kind::Path ? s.value->dotted() : "";
    for (size_t k = 0; k < words.size(); ++k)
      if (word == words[k]) return static_cast<int>(k);
    diags_.error(DiagCode::BadValue, s.value->loc, s.key + " must be " + words[0] + ", " + words[1] + " or " + words[2])
        .help = help;
    return -1;
  }

  void settings(const ast::Unit& plan) {
    static const std::vector<std::string> known = {"title", "description", "on_failure", "unattended", "default_timeout"};
    Scope scope = plan_scope();
    for (const auto& s : plan.settings) {
      if (s.key == "title" || s.key == "description") {
        ValuePtr v = eval_.eval(*s.value, scope);
        if (auto text = eval_.render_plain(v, s.value->loc, "a title"); text && s.key == "title") out_.title = *text;
      } else if (s.key == "default_timeout") {
        Millis d{0};
        if (duration(eval_.eval(*s.value, scope), s.value->loc, d, "default_timeout")) {
          if (d.count() <= 0) diags_.error(DiagCode::BadValue, s.value->loc, "default_timeout must be positive");
          else out_.default_timeout = d;
        }
      } else if (s.key == "on_failure") {
        if (int k = one_of(s, {"rollback", "stop", "ask"},
                           "rollback: undo completed actions in reverse order; stop: leave everything as it is; "
                           "ask: let the operator choose");
            k >= 0)
          out_.on_failure = static_cast<OnFailure>(k);
      } else if (s.key == "unattended") {
        if (int k = one_of(s, {"rollback", "stop", "refuse"},
                           "what on_failure = ask does when nobody is at a terminal: rollback (the default), stop "
                           "(leave everything as it is, said in the summary), refuse (do not start without a terminal)");
            k >= 0)
          out_.unattended = static_cast<Unattended>(k);
      } else {
        auto& d = diags_.error(DiagCode::UnknownAttribute, s.loc, "unknown plan setting '" + s.key + "'");
        std::string near = closest(s.key, known);
        d.help = near.empty() ? "plan settings are title, description, on_failure, unattended and default_timeout"
                              : "did you mean '" + near + "'?";
      }
    }
  }

  ValuePtr parse_set(const std::string& text, const std::string& type, const std::string& name) {
    Loc none;
    auto bad = [&](const std::string& why, const std::string& help = "") {
      diags_.error(DiagCode::TypeMismatch, none, "--set " + name + "=" + text + ": " + why).help = help;
      return Value::error();
    };
    if (type == "int") {
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end || errno) return bad("expected an int");
      return Value::integer(n);
    }
    if (type == "bool") {
      if (text == "true" || text == "false") return Value::boolean_value(text == "true");
      return bad("expected true or false");
    }
    if (type == "duration" || type == "size" || type == "percent") {
      QuantityError error;
      auto q = parse_quantity(text, &error);
      if (!q) return bad(error.message, error.help);
      auto v = std::make_shared<Value>();
      v->kind = q->kind == Quantity::Kind::Duration ? K::Duration : q->kind == Quantity::Kind::Size ? K::Size : K::Percent;
      if ((type == "duration") != (v->kind == K::Duration) || (type == "size") != (v->kind == K::Size))
        return bad("expected a " + type);
      v->num = q->value;
      return v;
    }
    ValuePtr v = eval_.coerce(Value::string(text), type, none);
    return v;
  }

  void params(const ast::Unit& plan) {
    Scope scope = plan_scope();
    std::map<std::string, std::string> sets;
    for (const auto& [k, v] : in_.sets) sets[k] = v;
    for (const auto& p : plan.params) {
      if (ctx_.param_decls.count(p.name)) {
        auto& d = diags_.error(DiagCode::DuplicateName, p.loc, "param '" + p.name + "' is declared twice");
        d.notes.push_back({ctx_.param_decls[p.name]->loc, "first declared here"});
        continue;
      }
      ctx_.param_decls[p.name] = &p;
      if (!Evaluator::known_type(p.type)) {
        auto& d = diags_.error(DiagCode::TypeMismatch, p.type_loc, "unknown type '" + p.type + "'");
        std::string near = closest(p.type, Evaluator::type_names());
        d.help = near.empty() ? "types are string, int, bool, duration, size, percent, site, host, list"
                              : "did you mean '" + near + "'?";
        ctx_.params[p.name] = Value::error();
        continue;
      }
      ValuePtr v;
      // A default replaced by --set is never used: it is not checked against this inventory
      // (`--set from=fra` must work with an inventory that has no site "dc").
      if (auto it = sets.find(p.name); it != sets.end()) {
        v = parse_set(it->second, p.type, p.name);
        sets.erase(it);
      } else if (p.default_value) {
        v = eval_.coerce(eval_.eval(*p.default_value, scope), p.type, p.default_value->loc);
      }
      if (!v) {
        if (in_.inventory) {
          diags_.error(DiagCode::BadValue, p.loc, "param '" + p.name + "' has no value").help =
              "give it a default or pass --set " + p.name + "=...";
          v = Value::error();
        } else {
          v = Value::string("<" + p.name + ">", p.loc);
        }
      }
      // A param is data even when its default is written in the plan: --set may replace it.
      ctx_.params[p.name] = Value::as_data(v);
      std::string shown;
      if (v->kind == K::Duration) shown = format_duration(v->num);
      else if (v->kind == K::Size) shown = format_size(v->num);
      else if (v->kind == K::Percent) shown = std::to_string(v->num) + "%";
      else if (v->kind == K::Int) shown = std::to_string(v->num);
      else if (v->kind == K::Bool) shown = v->boolean ? "true" : "false";
      else shown = v->str;
      out_.params.emplace_back(p.name, shown);
    }
    for (const auto& [k, v] : sets) {
      std::vector<std::string> c;
      for (const auto& p : plan.params) c.push_back(p.name);
      auto& d = diags_.error(DiagCode::UnknownName, Loc{}, "--set " + k + "=" + v + ": the plan has no param '" + k + "'");
      std::string near = closest(k, c);
      if (!near.empty()) d.help = "did you mean '" + near + "'?";
    }
  }

  void step_names(const ast::Unit& plan) {
    for (const auto& s : plan.steps) {
      if (auto it = ctx_.steps.find(s.name); it != ctx_.steps.end()) {
        auto& d = diags_.error(DiagCode::DuplicateName, s.loc, "step '" + s.name + "' is defined twice");
        d.notes.push_back({it->second->loc, "first defined here"});
        continue;
      }
      if (auto it = ctx_.param_decls.find(s.name); it != ctx_.param_decls.end()) {
        auto& d = diags_.error(DiagCode::DuplicateName, s.loc, "step '" + s.name + "' has the name of a param");
        d.notes.push_back({it->second->loc, "the param is declared here"});
        continue;
      }
      ctx_.steps.emplace(s.name, &s);
    }
  }

  // Targets: local, a host, a group, a site (all its hosts), a role, or site.role.
  bool target(const ast::Step& s, std::vector<int>& hosts, std::string& label) {
    const auto& path = s.target;
    if (path.empty() || (path.size() == 1 && path[0] == "local")) {
      hosts.push_back(-1);
      return true;
    }
    const Inventory* inv = in_.inventory;
    Scope scope = plan_scope();
    ValuePtr v;
    if (ctx_.params.count(path[0])) {
      v = eval_.lookup(path, s.target_loc, scope);
    } else if (path.size() == 1 && !inv) {
      label = path[0];
      hosts.push_back(-1);
      return true;
    } else if (inv && inv->host_index(path[0]) >= 0) {
      std::vector<std::string> p = {"hosts"};
      p.insert(p.end(), path.begin(), path.end());
      v = eval_.lookup(p, s.target_loc, scope);
    } else if (inv && inv->site(path[0])) {
      std::vector<std::string> p = {"sites"};
      p.insert(p.end(), path.begin(), path.end());
      v = eval_.lookup(p, s.target_loc, scope);
      if (v->kind == K::Site) v = eval_.member(v, "hosts", s.target_loc);
    } else if (inv && path.size() == 1 && inv->groups.count(path[0])) {
      for (const auto& h : inv->groups.at(path[0])) hosts.push_back(inv->host_index(h));
      if (hosts.empty()) diags_.error(DiagCode::UnknownTarget, s.target_loc, "group '" + path[0] + "' is empty");
      return !hosts.empty();
    } else if (inv && path.size() == 1) {
      for (size_t i = 0; i < inv->hosts.size(); ++i) {
        const auto& r = inv->hosts[i].roles;
        if (std::find(r.begin(), r.end(), path[0]) != r.end()) hosts.push_back(static_cast<int>(i));
      }
      if (!hosts.empty()) return true;
      Closest c(path[0]);
      if (!diags_.errors_full()) {  // past the limit, no hint: skip the search
        for (const auto& h : inv->hosts) c.offer(h.name);
        c.offer("local");
        for (const auto& [g, _] : inv->groups) c.offer(g);
        for (const auto& site : inv->sites) c.offer(site.name);
        for (const auto& h : inv->hosts)
          for (const auto& r : h.roles) c.offer(r);
        for (const auto& [p, _] : ctx_.params) c.offer(p);
      }
      auto& d = diags_.error(DiagCode::UnknownHost, s.target_loc, "unknown host, group, site or role '" + path[0] + "'");
      const std::string& near = c.best();
      d.help = near.empty() ? "targets are local, a host, a group, a site, a role, or site.role" : "did you mean '" + near + "'?";
      return false;
    } else if (!inv) {
      label = s.target[0];
      for (size_t i = 1; i < path.size(); ++i) label += "." + path[i];
      hosts.push_back(-1);
      return true;
    } else {
      diags_.error(DiagCode::UnknownTarget, s.target_loc, "unknown target '" + path[0] + "'");
      return false;
    }
    if (v->kind == K::Error) return false;
    if (v->kind == K::Site) v = eval_.member(v, "hosts", s.target_loc);
    if (v->kind != K::Hosts) {
      diags_.error(DiagCode::UnknownTarget, s.target_loc,
                   "a step runs on hosts; this target is " + with_article(value_kind_name(v->kind)));
      return false;
    }
    if (v->hosts.empty()) {
      label = v->str;
      hosts.push_back(-1);
    } else {
      hosts = v->hosts;
    }
    return true;
  }

  void step(const ast::Step& s) {
    if (auto it = ctx_.steps.find(s.name); it == ctx_.steps.end() || it->second != &s) return;  // duplicate, reported
    for (const auto& [name, loc] : s.after)
      if (name == s.name) {
        diags_.error(DiagCode::SelfDependency, loc, "step '" + s.name + "' cannot run after itself").help =
            "remove '" + name + "' from its after list";
      }
    std::vector<int> hosts;
    std::string label;
    if (!target(s, hosts, label)) return;

    const ast::Template* tmpl = nullptr;
    const ast::Unit* tmpl_unit = nullptr;
    if (s.uses) {
      tmpl = eval_.find_template(*s.uses, plan_scope(), &tmpl_unit,
                                 s.kind == ast::StepKind::Check || s.kind == ast::StepKind::Wait ? "probe" : "run");
      if (!tmpl) return;
    }
    for (int host : hosts) instance(s, host, label, hosts.size() > 1, tmpl, tmpl_unit);
  }

  void instance(const ast::Step& s, int host, const std::string& label, bool fan_out,
                const ast::Template* tmpl, const ast::Unit* tmpl_unit) {
    const Inventory* inv = in_.inventory;
    StepInstance st;
    st.name = s.name;
    st.kind = ir_kind(s.kind);
    st.host = host;
    st.host_name = host >= 0 ? inv->hosts[host].name : label.empty() ? "local" : label;
    st.id = fan_out ? s.name + "@" + st.host_name : s.name;
    st.phase = s.phase;
    st.loc = s.loc;

    std::vector<StepRef> refs;
    Scope scope = plan_scope();
    scope.target = host;
    scope.target_label = label;
    scope.refs = &refs;

    std::vector<BoundAttr> attrs;
    Scope ts;  // the template's parameters, bound once for all its attributes
    if (tmpl) {
      ts.unit = tmpl_unit;
      ts.plan_scope = tmpl_unit == &in_.program->plan();
      ts.target = host;
      ts.target_label = label;
      ts.refs = &refs;
      const size_t mark = diags_.all().size();
      if (!eval_.bind(*s.uses, tmpl->params, scope, ts)) {
        diags_.relocate_since(mark, s.uses->loc, "in the template, here");
        return;
      }
      if (!template_fits(s, *tmpl)) return;
      for (const auto& a : tmpl->attrs) attrs.push_back({&a, &ts});
    }
    // A step has a handful of attributes: linear scans beat a tree of strings.
    std::vector<std::string_view> seen;
    for (const auto& a : s.attrs) {
      if (std::find(seen.begin(), seen.end(), a.key) != seen.end()) {
        diags_.error(DiagCode::DuplicateName, a.key_loc, "attribute '" + a.key + "' is set twice");
        continue;
      }
      seen.push_back(a.key);
      // The step's own value replaces the template's.
      attrs.erase(std::remove_if(attrs.begin(), attrs.end(), [&](const BoundAttr& b) { return b.attr->key == a.key; }),
                  attrs.end());
      attrs.push_back({&a, &scope});
    }
    std::vector<std::string_view> present;
    become_user_.reset();
    for (const auto& b : attrs) {
      present.push_back(b.attr->key);
      const size_t mark = diags_.all().size();
      attribute(s, st, b);
      // A value the template computes for this call (its target's variables, say) is wrong
      // for this call: said at the call, with the template's line as a note.
      if (b.scope == &ts && s.uses) diags_.relocate_since(mark, s.uses->loc, "in the template, here");
    }
    required(s, st, present);
    become(st);

    if (s.when) condition(s, st, scope);
    if (!refs.empty()) refs_[out_.steps.size()] = std::move(refs);
    out_.steps.push_back(std::move(st));
    decl_.push_back(&s);
  }

  // Whom the instance's commands run as. With the host's `become = "sudo"`: the step's
  // become_user, else the host's; without: the login user, and a become_user naming anyone
  // else is an error here rather than a permission failure at 3 a.m.
  void become(StepInstance& st) {
    if (st.kind == StepKind::Gate || st.kind == StepKind::Barrier || !in_.inventory) return;
    const std::string* asked = become_user_ ? &become_user_->first : nullptr;
    if (st.host < 0) {
      if (asked)
        diags_.error(DiagCode::BadValue, become_user_->second, "become_user '" + *asked + "' on a step that runs on this machine")
            .help = "local steps run as the user who runs drplan; become applies to SSH hosts";
      return;
    }
    const Host& h = in_.inventory->hosts[st.host];
    if (h.ssh.become == "sudo") {
      std::string user = asked ? *asked : h.ssh.become_user;
      if (user != h.ssh.user) st.run_as = std::move(user);
      return;
    }
    if (asked && *asked != h.ssh.user) {
      auto& d = diags_.error(DiagCode::BadValue, become_user_->second,
                             "'" + st.id + "' must run as '" + *asked + "', but " + h.name + " logs in as " +
                                 (h.ssh.user.empty() ? std::string("the user running drplan (no [ssh] user)")
                                                     : "'" + h.ssh.user + "'") +
                                 " without become");
      d.help = "set become = \"sudo\" in the inventory's [ssh] (or [hosts." + h.name + ".ssh])";
      d.notes.push_back({h.loc, h.name + " is declared here"});
    }
  }

  // An action template used by a check (or the reverse) is one mistake at the call, not an
  // error for each of the template's attributes plus a missing probe.
  bool template_fits(const ast::Step& s, const ast::Template& tmpl) {
    bool acts = false, reads = false;
    for (const auto& a : tmpl.attrs) {
      acts |= a.key == "run";
      reads |= a.key == "probe";
    }
    const bool step_reads = s.kind == ast::StepKind::Check || s.kind == ast::StepKind::Wait;
    const bool step_acts = s.kind == ast::StepKind::Action;
    if (!(acts && !reads && step_reads) && !(reads && !acts && step_acts)) return true;
    const std::string callee = s.uses->dotted();
    auto& d = diags_.error(DiagCode::UnknownAttribute, s.uses->loc,
                           callee + " is " + (acts ? "an action template (it runs a command and rolls back)"
                                                   : "a check template (it reads the world with a probe)") +
                               ", so " + with_article(ast::kind_name(s.kind)) + " cannot use it");
    d.help = acts ? "declare the step as an action (action " + s.name + " ... = " + callee +
                        "(...)), or use a template that sets probe = \"...\""
                  : "declare the step as a check or a wait (check " + s.name + " ... = " + callee +
                        "(...)), or use a template that sets run = \"...\"";
    return false;
  }

  // Only missing keys are reported: a key whose value failed to evaluate was reported already.
  void required(const ast::Step& s, const StepInstance& st, const std::vector<std::string_view>& keys) {
    auto has = [&](std::string_view k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
    auto missing = [&](const char* key, const char* example) {
      auto& d = diags_.error(DiagCode::MissingAttribute, s.loc,
                             std::string(ast::kind_name(s.kind)) + " '" + s.name + "' has no " + key);
      d.help = std::string("add ") + example;
    };
    if (st.kind == StepKind::Action && !has("run")) missing("run", "run = \"command\" (or use a template: = svc.start(\"name\"))");
    if ((st.kind == StepKind::Check || st.kind == StepKind::Wait) && !has("probe"))
      missing("probe", "probe = \"command that exits 0 when all is well\"");
    if (st.kind == StepKind::Gate && !has("ask")) missing("ask", "ask = \"the question for the operator\"");
  }

  bool duration(const ValuePtr& v, Loc loc, Millis& out, const char* key) {
    if (v->kind == K::Error) return false;
    if (v->kind != K::Duration) {
      diags_.error(v->kind == K::Int ? DiagCode::BadUnit : DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                   std::string(key) + " must be a duration, found " + with_article(value_kind_name(v->kind)))
          .help = v->kind == K::Int ? "add a unit: " + std::to_string(v->num) + "s" : "write it like 30s, 5m or 1h";
      return false;
    }
    out = Millis(v->num);
    return true;
  }

  bool boolean(const ValuePtr& v, Loc loc, bool& out, const char* key) {
    if (v->kind == K::Error) return false;
    if (v->kind != K::Bool) {
      diags_.error(DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                   std::string(key) + " must be true or false, found " + with_article(value_kind_name(v->kind)));
      return false;
    }
    out = v->boolean;
    return true;
  }

  void attribute(const ast::Step& s, StepInstance& st, const BoundAttr& b) {
    const ast::Attr& a = *b.attr;
    const AttrSpec* spec = nullptr;
    for (const auto& x : kAttrs)
      if (a.key == x.key) {
        spec = &x;
        break;
      }
    if (!spec) {
      std::vector<std::string> c;
      for (const auto& x : kAttrs)
        if (x.kinds & kind_bit(s.kind)) c.emplace_back(x.key);
      auto& d = diags_.error(DiagCode::UnknownAttribute, a.key_loc, "unknown attribute '" + a.key + "'");
      std::string near = closest(a.key, c);
      if (!near.empty()) d.help = "did you mean '" + near + "'?";
      return;
    }
    if (!(spec->kinds & kind_bit(s.kind))) {
      auto& d = diags_.error(DiagCode::UnknownAttribute, a.key_loc,
                             "attribute '" + a.key + "' does not apply to " + with_article(ast::kind_name(s.kind)));
      if (a.key == "run" && s.kind != ast::StepKind::Action) d.help = "checks and waits read the world with probe = \"...\"";
      if (a.key == "probe" && s.kind == ast::StepKind::Action) d.help = "actions use run = \"...\" and verify = \"...\"";
      if (a.key == "rollback" && s.kind != ast::StepKind::Action) d.help = "only actions change state, so only they roll back";
      if (b.scope->unit != &in_.program->plan())
        d.notes.push_back({s.uses ? s.uses->loc : s.loc, "the attribute comes from this template"});
      return;
    }
    // `severity = warn` and tags are words, not names to resolve.
    if (a.key == "severity") {
      std::string w = a.value->kind == ast::Expr::Kind::Path ? a.value->dotted() : "";
      if (w == "warn" || w == "warning") st.severity = CheckSeverity::Warn;
      else if (w == "error") st.severity = CheckSeverity::Error;
      else diags_.error(DiagCode::BadValue, a.value->loc, "severity must be error or warn");
      return;
    }
    ValuePtr v = eval_.eval(*a.value, *b.scope);
    if (v->kind == K::Error) return;
    Loc loc = a.value->loc;
    const std::string_view k = spec->key;
    if (k == "run" || k == "probe") eval_.render_command(v, st.run, loc);
    else if (k == "verify") eval_.render_command(v, st.verify, loc);
    else if (k == "rollback") {
      if (v->kind == K::None) {
        st.rollback_none = true;
        st.rollback_none_reason = v->str;
      } else {
        eval_.render_command(v, st.rollback, loc);
      }
    } else if (k == "timeout") duration(v, loc, st.timeout, "timeout");
    else if (k == "every") duration(v, loc, st.every, "every");
    else if (k == "backoff") duration(v, loc, st.backoff, "backoff");
    else if (k == "retry") {
      if (v->kind != K::Int || v->num < 0 || v->num > 100)
        diags_.error(DiagCode::TypeMismatch, loc, "retry must be a count between 0 and 100");
      else
        st.retry = static_cast<int>(v->num);
    } else if (k == "idempotent") boolean(v, loc, st.idempotent, "idempotent");
    else if (k == "become_user") {
      auto user = eval_.render_plain(v, loc, "'become_user'");
      if (!user) return;
      // Without an inventory a host variable is a placeholder ("<dr.db.pg_os_user>").
      if (in_.inventory && !valid_user_name(*user)) {
        diags_.error(DiagCode::BadValue, loc, "become_user is not a user name: '" + *user + "'");
        return;
      }
      become_user_.emplace(*user, loc);
    }
    else if (k == "point_of_no_return") boolean(v, loc, st.point_of_no_return, "point_of_no_return");
    else if (k == "tags") {
      if (v->kind != K::List) {
        diags_.error(DiagCode::TypeMismatch, loc, "tags must be a list of strings: [\"db.promote\"]");
        return;
      }
      for (const auto& item : v->items)
        if (auto t = eval_.render_plain(item, loc, "a tag")) st.tags.push_back(*t);
    } else {
      auto text = eval_.render_plain(v, loc, ("'" + std::string(k) + "'").c_str());
      if (!text) return;
      if (k == "title") st.title = *text;
      else if (k == "description" && st.title.empty()) st.title = *text;  // a title, when none is given
      else if (k == "report") st.report = *text;
      else if (k == "expect") st.expect = pattern(*text, loc);
      else if (k == "ask") st.ask = *text;
      else if (k == "details") st.details = *text;
    }
  }

  // Compiled here, once per distinct text (fan-out instances share it), so a pattern RE2
  // refuses fails `drplan check` instead of the step during the incident.
  Pattern pattern(const std::string& text, Loc loc) {
    const Pattern& p = patterns_.try_emplace(text, text).first->second;
    if (!p.ok()) diags_.error(DiagCode::BadPattern, loc, "invalid regex in 'expect': " + p.error()).help = p.help();
    return p;
  }

  bool to_condition(const ValuePtr& v, Condition& out) {
    switch (v->kind) {
      case K::Bool: out = {Condition::Op::Literal, v->boolean ? "true" : "false", {}}; return true;
      case K::String: out = {Condition::Op::Literal, v->str, {}}; return true;
      case K::Int: out = {Condition::Op::Literal, std::to_string(v->num), {}}; return true;
      case K::StepOk: out = {Condition::Op::StepOk, v->str, {}}; return true;
      case K::StepOutput: out = {Condition::Op::StepOutput, v->str, {}}; return true;
      case K::List: {
        Condition::Op op = v->str == "!" ? Condition::Op::Not : v->str == "&&" ? Condition::Op::And
                         : v->str == "||" ? Condition::Op::Or : v->str == "==" ? Condition::Op::Eq
                         : v->str == "!=" ? Condition::Op::Ne : Condition::Op::Literal;
        if (op == Condition::Op::Literal) return false;
        out.op = op;
        for (const auto& item : v->items) {
          Condition c;
          if (!to_condition(item, c)) return false;
          out.operands.push_back(std::move(c));
        }
        return true;
      }
      default: return false;
    }
  }

  void condition(const ast::Step& s, StepInstance& st, const Scope& scope) {
    ValuePtr v = eval_.eval(*s.when, scope);
    if (v->kind == K::Error) return;
    if (v->kind == K::Bool) {
      st.enabled = v->boolean;
      if (!v->boolean) st.disabled_reason = "when condition is false";
      return;
    }
    Condition c;
    if ((v->kind == K::List && !v->str.empty()) || v->kind == K::StepOk) {
      if (to_condition(v, c)) {
        st.has_condition = true;
        st.condition = std::move(c);
        return;
      }
    }
    diags_.error(DiagCode::TypeMismatch, s.when->loc,
                 std::string("a when condition must be true or false, found ") + with_article(value_kind_name(v->kind)))
        .help = "compare it: when vars.mode == \"full\", or read a step: when probe_x.ok";
  }

  // Resolves the instance a reference means: the only one, or the one on the same host; -1
  // for a step that has no instances (unknown, or failed to lower: reported already).
  int pick(const std::string& step, const StepInstance& from, Loc loc, bool report = true) {
    auto found = by_name_.find(step);
    if (found == by_name_.end()) return -1;
    const Instances insts = found->second;
    if (insts.count == 1) return insts.first;
    auto same = [&](int i) { return out_.steps[i].host == from.host && out_.steps[i].host_name == from.host_name; };
    // Two steps on one group list its hosts in one order: try the instance at the same
    // position first, so that 2,000 instances do not each scan 2,000.
    if (auto own = by_name_.find(from.name); own != by_name_.end()) {
      int guess = insts.first + (from.index - own->second.first);
      if (guess >= insts.first && guess < insts.first + insts.count && same(guess)) return guess;
    }
    for (int i = insts.first; i < insts.first + insts.count; ++i)
      if (same(i)) return i;
    if (!report) return -1;
    diags_.error(DiagCode::AmbiguousOutput, loc,
                 "'" + step + "' runs on " + std::to_string(insts.count) + " hosts; which output is meant here is ambiguous")
        .help = "read it from a step that runs on the same hosts, or give the step a single target";
    return -1;
  }

  void dependencies(const ast::Unit& plan) {
    // A step's instances are consecutive (one per host, in step()).
    by_name_.reserve(plan.steps.size());
    for (size_t i = 0; i < out_.steps.size(); ++i) {
      out_.steps[i].index = static_cast<int>(i);
      auto it = by_name_.try_emplace(decl_[i]->name, Instances{static_cast<int>(i), 0}).first;
      ++it->second.count;
    }
    const size_t instances = out_.steps.size();
    std::vector<int> deps;
    for (size_t i = 0; i < instances; ++i) {
      deps.clear();
      const ast::Step* s = decl_[i];
      for (const auto& [name, loc] : s->after) {
        if (name == s->name) continue;
        auto named = by_name_.find(name);
        if (named == by_name_.end()) {
          if (ctx_.steps.count(name)) continue;  // failed to lower; reported already
          Closest c(name);
          if (!diags_.errors_full())
            for (const auto& [n, _] : ctx_.steps) c.offer_unordered(n);
          auto& d = diags_.error(DiagCode::UnknownName, loc, "unknown step '" + name + "' in after");
          if (!c.best().empty()) d.help = "did you mean '" + c.best() + "'?";
          continue;
        }
        // Looked up only for a fanned-out `after` (most are one instance).
        if (named->second.count > 1 && needs_join(named->second.count, by_name_.at(s->name).count))
          deps.push_back(join(named->second));  // may grow out_.steps
        else
          for (int k = 0; k < named->second.count; ++k) deps.push_back(named->second.first + k);
      }
      StepInstance& st = out_.steps[i];
      static const std::vector<StepRef> kNoRefs;
      auto found = refs_.find(st.index);
      for (const auto& r : found != refs_.end() ? found->second : kNoRefs) {
        if (r.step == st.name) {
          diags_.error(DiagCode::SelfDependency, r.loc, "step '" + st.name + "' reads its own output");
          continue;
        }
        int i = pick(r.step, st, r.loc);
        if (i >= 0) deps.push_back(i);
      }
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
      // Conditions name instance ids; a reference by step name maps to the picked instance.
      if (st.has_condition) rename_condition(st.condition, st);
      for (auto& p : st.run.parts) rename_part(p, st);
      for (auto& p : st.verify.parts) rename_part(p, st);
      for (auto& p : st.rollback.parts) rename_part(p, st);
      st.deps = deps;
    }
  }

  // Every instance of a step waits for every instance of each step in its `after`. Between
  // fan-outs of m and n hosts that is m*n edges; through one barrier that waits for all m
  // it is m+n (40 chained steps on 2,000 hosts: 160 M edges, or 160,000). The barrier is a
  // join, and like a phase's barrier it runs nothing and is shown as no step.
  static bool needs_join(int m, int n) { return static_cast<long long>(m) * n > m + n; }

  // The join of a fanned-out step's instances, made on first use (after them in out_.steps).
  int join(const Instances& of) {
    auto [slot, fresh] = joins_.try_emplace(of.first, static_cast<int>(out_.steps.size()));
    if (!fresh) return slot->second;
    StepInstance j;
    j.index = slot->second;
    j.kind = StepKind::Barrier;
    j.join = true;
    j.id = out_.steps[of.first].name + "@*";  // "all instances of": no step id has a '*'
    j.name = j.id;
    j.host_name = "local";
    j.loc = out_.steps[of.first].loc;
    for (int k = 0; k < of.count; ++k) j.deps.push_back(of.first + k);
    out_.steps.push_back(std::move(j));
    return slot->second;
  }

  void rename_part(CommandPart& p, const StepInstance& st) {
    if (p.kind != CommandPart::Kind::StepOutput) return;
    int i = pick(p.text, st, st.loc, false);
    if (i >= 0) p.text = out_.steps[i].id;
  }

  void rename_condition(Condition& c, const StepInstance& st) {
    if (c.op == Condition::Op::StepOk || c.op == Condition::Op::StepOutput) {
      int i = pick(c.value, st, st.loc, false);
      if (i >= 0) c.value = out_.steps[i].id;
    }
    for (auto& o : c.operands) rename_condition(o, st);
  }

  // Phase N starts when everything in phase N-1 is done: one barrier instance per boundary
  // keeps that linear in the number of steps.
  void phase_barriers(const ast::Unit& plan) {
    if (plan.phases.size() < 2) return;
    std::vector<std::vector<int>> members(plan.phases.size());
    for (const auto& st : out_.steps)
      if (st.phase >= 0) members[st.phase].push_back(st.index);
    for (size_t p = 1; p < plan.phases.size(); ++p) {
      StepInstance b;
      b.index = static_cast<int>(out_.steps.size());
      b.kind = StepKind::Barrier;
      b.id = "phase:" + plan.phases[p].title;
      b.name = b.id;
      b.host_name = "local";
      b.phase = static_cast<int>(p);
      b.loc = plan.phases[p].loc;
      // Waits for the previous phase, or for the barrier before it when that phase is empty.
      b.deps = members[p - 1];
      if (b.deps.empty() && p >= 2) b.deps.push_back(last_barrier_);
      for (int m : members[p]) out_.steps[m].deps.push_back(b.index);
      last_barrier_ = b.index;
      out_.steps.push_back(std::move(b));
    }
  }

  const LowerInput& in_;
  DiagnosticEngine& diags_;
  CompiledPlan& out_;
  EvalContext ctx_;
  Evaluator eval_;
  std::unordered_map<size_t, std::vector<StepRef>> refs_;  ///< by instance index
  /// By step name (views of the AST's names): its instances. Built by dependencies().
  std::unordered_map<std::string_view, Instances> by_name_;
  std::vector<const ast::Step*> decl_;  ///< per instance: the step it comes from
  std::unordered_map<std::string, Pattern> patterns_;  ///< `expect` texts, compiled
  std::optional<std::pair<std::string, Loc>> become_user_;  ///< the instance being lowered
  std::unordered_map<int, int> joins_;  ///< a fanned-out step's first instance -> its join
  int last_barrier_ = -1;
};

}  // namespace

bool lower_plan(const LowerInput& in, DiagnosticEngine& diags, CompiledPlan& out, std::set<std::string>& used_params) {
  Lowerer l(in, diags, out, used_params);
  return l.run();
}

}  // namespace drplan
