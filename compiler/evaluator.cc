#include "compiler/evaluator.h"

#include <algorithm>

#include "compiler/command_render.h"
#include "compiler/string_template.h"
#include "compiler/units.h"

namespace drplan {

namespace {

std::shared_ptr<Value> make(Value::Kind k, Loc loc) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  v->loc = loc;
  return v;
}

ValuePtr symbolic(const std::string& label, Loc loc) {
  return Value::string("<" + label + ">", loc);
}

std::string join_path(const std::vector<std::string>& path, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < path.size(); ++i) out += (i ? "." : "") + path[i];
  return out;
}

constexpr int kMaxCallDepth = 32;

}  // namespace

void append_text(Command& c, const std::string& text) {
  if (text.empty()) return;
  if (!c.parts.empty() && c.parts.back().kind == CommandPart::Kind::Text) {
    c.parts.back().text += text;
    return;
  }
  c.parts.push_back({CommandPart::Kind::Text, text, false});
}

const std::vector<std::string>& Evaluator::type_names() {
  static const std::vector<std::string> names = {"string", "int",  "bool", "duration", "size",
                                                 "percent", "site", "host", "list"};
  return names;
}

bool Evaluator::known_type(const std::string& type) {
  const auto& n = type_names();
  return std::find(n.begin(), n.end(), type) != n.end();
}

ValuePtr Evaluator::unknown(const std::string& what, const std::string& name, Loc loc,
                            const std::vector<std::string>& candidates, const std::string& help) {
  return unknown_near(what, name, loc, diags().errors_full() ? "" : closest(name, candidates), help);
}

ValuePtr Evaluator::unknown_near(const std::string& what, const std::string& name, Loc loc, const std::string& near,
                                 const std::string& help) {
  DiagCode code = what == "host" ? DiagCode::UnknownHost : what == "site" ? DiagCode::UnknownTarget : DiagCode::UnknownName;
  auto& d = diags().error(code, loc,
                          "unknown " + what + " '" + name + "'");
  if (!near.empty()) d.help = "did you mean '" + near + "'?";
  else if (!help.empty()) d.help = help;
  return Value::error();
}

void Evaluator::shell_variable_hint(Diagnostic& d, const std::vector<std::string>& path,
                                    const std::string& near) const {
  if (!interpolating_ || path.size() != 1) return;
  const std::string& name = path[0];
  // A near name sharing its first three letters is a typo; anything else more likely the
  // script's own variable, and a guessed name would mislead.
  if (name.size() >= 3 && near.compare(0, 3, name, 0, 3) == 0) {
    d.help += " (for the shell's own variable, write \\${" + name + "})";
    return;
  }
  d.help = "for the shell's own variable, write \\${" + name + "} (or $" + name +
           "): ${...} is drplan's interpolation" + (d.help.empty() ? "" : "; otherwise, " + d.help);
}

std::vector<std::string> Evaluator::host_candidates() const {
  return ctx_.diags->errors_full() ? std::vector<std::string>{} : ctx_.inventory->host_names();
}

ValuePtr Evaluator::eval(const ast::Expr& e, const Scope& scope) {
  using K = ast::Expr::Kind;
  switch (e.kind) {
    case K::String: return string_literal(e, scope);
    case K::Number: {
      if (e.text.find('.') != std::string::npos) {
        diags().error(DiagCode::TypeMismatch, e.loc, "fractional numbers need a unit").help =
            "write 1.5s, 2.5GiB or 12.5%";
        return Value::error();
      }
      errno = 0;
      long long n = std::strtoll(e.text.c_str(), nullptr, 10);
      if (errno == ERANGE) {
        diags().error(DiagCode::BadValue, e.loc, "number '" + e.text + "' is too large");
        return Value::error();
      }
      return Value::integer(n, e.loc);
    }
    case K::Quantity: return quantity(e);
    case K::Bool: return Value::boolean_value(e.boolean, e.loc);
    case K::Path: return lookup(e.path, e.loc, scope);
    case K::Call: return call(e, scope);
    case K::List: {
      auto v = make(Value::Kind::List, e.loc);
      for (const auto& c : e.children) v->items.push_back(eval(*c, scope));
      return v;
    }
    case K::None: {
      auto v = make(Value::Kind::None, e.loc);
      v->str = e.text;
      return v;
    }
    case K::Compare: return compare(e, scope);
    case K::Not: case K::And: case K::Or: return logic(e, scope);
    case K::Concat: {
      ValuePtr l = eval(*e.children[0], scope), r = eval(*e.children[1], scope);
      if (l->kind == Value::Kind::Error || r->kind == Value::Kind::Error) return Value::error();
      auto v = make(Value::Kind::Text, e.loc);
      for (int k = 0; k < 2; ++k) {
        const ValuePtr& side = k == 0 ? l : r;
        // Text the author wrote joins as command text; anything else joins as a value, to
        // be quoted where it lands. What counts is where the value came from, not the
        // expression's shape: a def that returns its parameter returns data.
        if (side->kind == Value::Kind::Text) {
          v->pieces.insert(v->pieces.end(), side->pieces.begin(), side->pieces.end());
        } else if (side->kind == Value::Kind::String && side->code) {
          v->pieces.push_back({side->str, nullptr, false, false, side->loc});
        } else if (side->kind == Value::Kind::None || side->kind == Value::Kind::StepOk) {
          diags().error(DiagCode::TypeMismatch, side->loc,
                        std::string("'+' joins strings, not ") + with_article(value_kind_name(side->kind)));
          return Value::error();
        } else {
          v->pieces.push_back({"", side, false, false, side->loc});
        }
      }
      return v;
    }
  }
  return Value::error();
}

ValuePtr Evaluator::string_literal(const ast::Expr& e, const Scope& scope) {
  // Module templates and defs are evaluated once per use; their pieces depend only on the
  // text, so they are split once. A plan's own strings are mostly evaluated once: caching
  // them would only grow the table.
  SplitString local;
  bool fresh = true;
  SplitString* cached = &local;
  if (!scope.plan_scope) {
    auto [it, inserted] = strings_.try_emplace(&e);
    cached = &it->second;
    fresh = inserted;
  }
  SplitString& split = *cached;
  if (fresh) {
    split.ok = split_string(e.text, Loc{e.loc.file, e.content_offset, 0}, diags(), split.pieces, e.verbatim);
    bool plain = std::none_of(split.pieces.begin(), split.pieces.end(),
                              [](const StringPiece& p) { return p.is_interpolation; });
    if (split.ok && plain)
      split.plain = Value::code_string(split.pieces.empty() ? "" : split.pieces[0].literal, e.loc);
  }
  if (!split.ok) return Value::error();
  if (split.plain) return split.plain;
  auto v = make(Value::Kind::Text, e.loc);
  v->pieces.reserve(split.pieces.size());
  bool failed = false;
  for (const auto& p : split.pieces) {
    if (!p.is_interpolation) {
      v->pieces.push_back({p.literal, nullptr, false, false, p.loc});
      continue;
    }
    interpolating_ = true;
    ValuePtr val = lookup(p.path, p.loc, scope);
    interpolating_ = false;
    if (val->kind == Value::Kind::Error) {
      failed = true;
      continue;
    }
    v->pieces.push_back({"", val, p.raw, p.glob, p.loc});
  }
  return failed ? Value::error() : v;
}

ValuePtr Evaluator::quantity(const ast::Expr& e) {
  QuantityError error;
  auto q = parse_quantity(e.text, &error);
  if (!q) {
    diags().error(error.out_of_range ? DiagCode::BadValue : DiagCode::BadUnit, e.loc, error.message).help = error.help;
    return Value::error();
  }
  auto v = make(q->kind == Quantity::Kind::Duration ? Value::Kind::Duration
                : q->kind == Quantity::Kind::Size   ? Value::Kind::Size
                                                    : Value::Kind::Percent,
                e.loc);
  v->num = q->value;
  return v;
}

ValuePtr Evaluator::compare(const ast::Expr& e, const Scope& scope) {
  ValuePtr l = eval(*e.children[0], scope), r = eval(*e.children[1], scope);
  if (l->kind == Value::Kind::Error || r->kind == Value::Kind::Error) return Value::error();
  const std::string& op = e.text;
  auto runtime = [](const ValuePtr& v) { return v->kind == Value::Kind::StepOutput || v->kind == Value::Kind::StepOk; };
  if (runtime(l) || runtime(r)) {
    if (op != "==" && op != "!=") {
      diags().error(DiagCode::TypeMismatch, e.loc, "a step's output can only be compared with == or !=");
      return Value::error();
    }
    // Kept as an expression tree for run time; the lowering turns it into a Condition.
    auto v = make(Value::Kind::List, e.loc);
    v->str = op;
    v->items = {l, r};
    return v;
  }
  auto scalar = [](const ValuePtr& v, std::string& s) {
    switch (v->kind) {
      case Value::Kind::String: case Value::Kind::Site: case Value::Kind::Ident: s = v->str; return true;
      case Value::Kind::Bool: s = v->boolean ? "true" : "false"; return true;
      default: return false;
    }
  };
  bool numeric_l = l->kind == Value::Kind::Int || l->kind == Value::Kind::Duration ||
                   l->kind == Value::Kind::Size || l->kind == Value::Kind::Percent;
  if (numeric_l && l->kind == r->kind) {
    long long a = l->num, b = r->num;
    bool res = op == "==" ? a == b : op == "!=" ? a != b : op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b;
    return Value::boolean_value(res, e.loc);
  }
  std::string a, b;
  if (scalar(l, a) && scalar(r, b) && (op == "==" || op == "!=")) {
    return Value::boolean_value((a == b) == (op == "=="), e.loc);
  }
  diags().error(DiagCode::TypeMismatch, e.loc,
                std::string("cannot compare ") + value_kind_name(l->kind) + " with " + value_kind_name(r->kind) +
                    " using '" + op + "'");
  return Value::error();
}

ValuePtr Evaluator::logic(const ast::Expr& e, const Scope& scope) {
  std::vector<ValuePtr> ops;
  for (const auto& c : e.children) ops.push_back(eval(*c, scope));
  bool runtime = false;
  for (const auto& o : ops) {
    if (o->kind == Value::Kind::Error) return Value::error();
    if (o->kind == Value::Kind::StepOk || (o->kind == Value::Kind::List && !o->str.empty())) {
      runtime = true;
    } else if (o->kind != Value::Kind::Bool) {
      diags().error(DiagCode::TypeMismatch, o->loc,
                    std::string("expected a condition (bool), found ") + value_kind_name(o->kind));
      return Value::error();
    }
  }
  const char* op = e.kind == ast::Expr::Kind::Not ? "!" : e.kind == ast::Expr::Kind::And ? "&&" : "||";
  if (runtime) {
    auto v = make(Value::Kind::List, e.loc);
    v->str = op;
    v->items = ops;
    return v;
  }
  bool res = e.kind == ast::Expr::Kind::Not   ? !ops[0]->boolean
             : e.kind == ast::Expr::Kind::And ? ops[0]->boolean && ops[1]->boolean
                                              : ops[0]->boolean || ops[1]->boolean;
  return Value::boolean_value(res, e.loc);
}

ValuePtr Evaluator::var_value(const VarValue& v, Loc loc) {
  switch (v.kind) {
    case VarValue::Kind::Int: return Value::integer(v.integer, loc);
    case VarValue::Kind::Bool: return Value::boolean_value(v.boolean, loc);
    case VarValue::Kind::List: {
      auto l = make(Value::Kind::List, loc);
      for (const auto& s : v.items) l->items.push_back(Value::string(s, loc));
      return l;
    }
    default: return Value::string(v.text, loc);
  }
}

ValuePtr Evaluator::host_member(const Host& h, const std::string& name, Loc loc) {
  const std::string_view nm = name;  // compared with literals: sizes first, no strlen
  if (nm == "name") return Value::string(h.name, loc);
  if (nm == "address") return Value::string(h.address, loc);
  if (nm == "site") {
    auto v = make(Value::Kind::Site, loc);
    v->str = h.site;
    return v;
  }
  if (nm == "port") return Value::integer(h.ssh.port, loc);
  if (nm == "user") return Value::string(h.ssh.user, loc);
  if (nm == "roles") {
    auto l = make(Value::Kind::List, loc);
    for (const auto& r : h.roles) l->items.push_back(Value::string(r, loc));
    return l;
  }
  // A host variable falls back to its site's, then to the inventory's [vars]: set
  // service_manager = "systemctl" once, override it where a host differs.
  if (auto it = h.vars.find(name); it != h.vars.end()) return var_value(it->second, loc);
  if (const Site* site = ctx_.inventory->site(h.site))
    if (auto it = site->vars.find(name); it != site->vars.end()) return var_value(it->second, loc);
  if (auto it = ctx_.inventory->vars.find(name); it != ctx_.inventory->vars.end()) return var_value(it->second, loc);
  std::vector<std::string> c = {"name", "address", "site", "port", "user", "roles"};
  for (const auto& [k, _] : h.vars) c.push_back(k);
  auto& d = diags().error(DiagCode::UnknownName, loc, "host '" + h.name + "' has no attribute or variable '" + name + "'");
  std::string near = closest(name, c);
  d.help = near.empty() ? "set " + name + " under [hosts." + h.name + ".vars], the site's vars or [vars] in the inventory"
                        : "did you mean '" + near + "'?";
  return Value::error();
}

ValuePtr Evaluator::member(const ValuePtr& base, const std::string& name, Loc loc) {
  const std::string_view nm = name;  // compared with literals: sizes first, no strlen
  const Inventory* inv = ctx_.inventory;
  switch (base->kind) {
    case Value::Kind::Error: return base;
    case Value::Kind::Site: {
      if (nm == "name") return Value::string(base->str, loc);
      if (!inv) {
        auto v = make(Value::Kind::Hosts, loc);
        v->str = base->str + "." + name;
        return v;
      }
      const Site* site = inv->site(base->str);
      if (!site) return Value::error();
      if (nm == "title") return Value::string(site->title, loc);
      if (auto it = site->vars.find(name); it != site->vars.end()) return var_value(it->second, loc);
      auto v = make(Value::Kind::Hosts, loc);
      v->str = base->str + "." + name;
      for (size_t i = 0; i < inv->hosts.size(); ++i) {
        const Host& h = inv->hosts[i];
        if (h.site == base->str &&
            (nm == "hosts" || std::find(h.roles.begin(), h.roles.end(), name) != h.roles.end()))
          v->hosts.push_back(static_cast<int>(i));
      }
      if (!v->hosts.empty()) return v;
      std::vector<std::string> roles = {"name", "title", "hosts"};  // the candidates, for the hint
      for (const auto& h : inv->hosts)
        if (h.site == base->str) roles.insert(roles.end(), h.roles.begin(), h.roles.end());
      return unknown("role or attribute of site '" + base->str + "':", name, loc, roles,
                     "no host at site '" + base->str + "' has the role '" + name + "'");
    }
    case Value::Kind::Hosts: {
      if (base->hosts.empty()) return symbolic(base->str + "." + name, loc);
      // Every host's address or name, for a check run from one place (`dc.hosts.addresses`).
      if (nm == "addresses" || nm == "names") {
        auto l = make(Value::Kind::List, loc);
        for (int i : base->hosts) {
          const Host& h = inv->hosts[i];
          l->items.push_back(Value::string(nm == "names" ? h.name : h.address, loc));
        }
        return l;
      }
      if (base->hosts.size() > 1) {
        diags().error(DiagCode::BadValue, loc,
                      "'" + base->str + "' is " + std::to_string(base->hosts.size()) + " hosts; '." + name +
                          "' needs exactly one")
            .help = name == "address" ? "run the step `on` them (one instance per host) and use ${target.address}, or "
                                        "take them all: '.addresses'"
                                      : "run the step `on` them (one instance per host) and use ${target." + name + "}";
        return Value::error();
      }
      return host_member(inv->hosts[base->hosts[0]], name, loc);
    }
    case Value::Kind::String:
      if (base->str.size() > 1 && base->str.front() == '<') return symbolic(base->str.substr(1, base->str.size() - 2) + "." + name, loc);
      [[fallthrough]];
    default:
      diags().error(DiagCode::UnknownName, loc,
                    std::string("a ") + value_kind_name(base->kind) + " has no attribute '" + name + "'");
      return Value::error();
  }
}

ValuePtr Evaluator::lookup(const std::vector<std::string>& path, Loc loc, const Scope& scope) {
  const std::string& head = path[0];
  const std::string_view hd = head;  // compared with literals: sizes first, no strlen
  const Inventory* inv = ctx_.inventory;
  ValuePtr v;
  size_t next = 1;
  auto need = [&](const char* what) -> const std::string* {
    if (path.size() < 2) {
      diags().error(DiagCode::UnknownName, loc, "'" + head + "' needs a " + what + ": " + head + ".NAME");
      return nullptr;
    }
    next = 2;
    return &path[1];
  };
  if (auto it = scope.locals.find(head); it != scope.locals.end()) {
    v = it->second;
  } else if (scope.plan_scope && ctx_.params.count(head)) {
    if (ctx_.used_params) ctx_.used_params->insert(head);
    v = ctx_.params.at(head);
  } else if (scope.plan_scope && ctx_.steps.count(head)) {
    if (path.size() != 2 || (path[1] != "output" && path[1] != "ok")) {
      auto& d = diags().error(DiagCode::UnknownName, loc, "a step is read as " + head + ".output or " + head + ".ok");
      shell_variable_hint(d, path, "");
      return Value::error();
    }
    v = make(path[1] == "ok" ? Value::Kind::StepOk : Value::Kind::StepOutput, loc);
    const_cast<Value&>(*v).str = head;
    if (scope.refs) scope.refs->push_back({head, loc});
    return v;
  } else if (hd == "vars") {
    const std::string* name = need("variable name");
    if (!name) return Value::error();
    if (!inv) {
      v = symbolic("vars." + *name, loc);
    } else if (auto it = inv->vars.find(*name); it != inv->vars.end()) {
      v = var_value(it->second, loc);
    } else {
      std::vector<std::string> c;
      for (const auto& [k, _] : inv->vars) c.push_back(k);
      return unknown("inventory variable", *name, loc, c, "declare it under [vars] in the inventory");
    }
  } else if (hd == "hosts") {
    const std::string* name = need("host name");
    if (!name) return Value::error();
    v = make(Value::Kind::Hosts, loc);
    const_cast<Value&>(*v).str = *name;
    if (inv) {
      int idx = inv->host_index(*name);
      if (idx < 0) return unknown("host", *name, loc, host_candidates());
      const_cast<Value&>(*v).hosts.push_back(idx);
    }
  } else if (hd == "sites") {
    const std::string* name = need("site name");
    if (!name) return Value::error();
    if (inv && !inv->site(*name)) {
      std::vector<std::string> c;
      for (const auto& s : inv->sites) c.push_back(s.name);
      return unknown("site", *name, loc, c);
    }
    v = make(Value::Kind::Site, loc);
    const_cast<Value&>(*v).str = *name;
  } else if (hd == "secrets" || hd == "secret") {
    const std::string* name = need("secret name");
    if (!name) return Value::error();
    if (inv && !inv->secrets.count(*name)) {
      std::vector<std::string> c;
      for (const auto& [k, _] : inv->secrets) c.push_back(k);
      auto& d = diags().error(DiagCode::MissingSecret, loc, "unknown secret '" + *name + "'");
      std::string near = closest(*name, c);
      d.help = near.empty() ? "declare it under [secrets] in the inventory: " + *name + " = { env = \"VAR\" }"
                            : "did you mean '" + near + "'?";
      return Value::error();
    }
    v = make(Value::Kind::Secret, loc);
    const_cast<Value&>(*v).str = *name;
  } else if (hd == "target") {
    if (scope.target < 0) {
      if (!scope.target_label.empty()) {
        v = make(Value::Kind::Hosts, loc);
        const_cast<Value&>(*v).str = scope.target_label;
      } else {
        // The local machine: enough for commands that mention themselves.
        if (path.size() == 2 && (path[1] == "name" || path[1] == "address"))
          return Value::string(path[1] == "name" ? "local" : "127.0.0.1", loc);
        diags().error(DiagCode::UnknownName, loc, "'target' is the local machine here; it has only name and address");
        return Value::error();
      }
    } else {
      v = make(Value::Kind::Hosts, loc);
      const_cast<Value&>(*v).hosts.push_back(scope.target);
      const_cast<Value&>(*v).str = inv->hosts[scope.target].name;
    }
  } else if (hd == "plan") {
    const std::string* name = need("attribute");
    if (!name) return Value::error();
    if (*name != "name") return unknown("plan attribute", *name, loc, {"name"});
    return Value::string(ctx_.program->plan().name, loc);
  } else {
    // Past the error limit nobody reads a hint: 4,000 unknown names must not each search
    // every step.
    std::string near;
    if (!diags().errors_full()) {
      Closest c(head);
      for (const char* k : {"vars", "hosts", "sites", "secrets", "target", "plan"}) c.offer(k);
      for (const auto& [k, _] : scope.locals) c.offer(k);
      if (scope.plan_scope) {
        for (const auto& [k, _] : ctx_.params) c.offer(k);
        for (const auto& [k, _] : ctx_.steps) c.offer_unordered(k);
      }
      near = c.best();
    }
    auto& d = diags().error(DiagCode::UnknownName, loc, "unknown name '" + head + "'");
    d.help = near.empty() ? "names are params, steps (x.output), vars.X, hosts.X, sites.X, secrets.X or target"
                          : "did you mean '" + near + "'?";
    shell_variable_hint(d, path, near);
    return Value::error();
  }
  for (size_t i = next; i < path.size() && v->kind != Value::Kind::Error; ++i) v = member(v, path[i], loc);
  return v;
}

ValuePtr Evaluator::coerce(const ValuePtr& v, const std::string& type, Loc loc) {
  const std::string_view ty = type;  // compared with literals: sizes first, no strlen
  using K = Value::Kind;
  if (v->kind == K::Error) return v;
  const Inventory* inv = ctx_.inventory;
  auto mismatch = [&]() {
    diags().error(DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                  "expected " + with_article(type) + ", found " + with_article(value_kind_name(v->kind)));
    return Value::error();
  };
  // Without an inventory, vars and hosts are placeholders that stand for any type.
  if (!inv && v->kind == K::String && v->str.size() > 1 && v->str.front() == '<' && v->str.back() == '>') return v;
  if (ty == "string") {
    switch (v->kind) {
      case K::String: case K::Text: case K::Secret: case K::StepOutput: return v;
      case K::Int: return Value::string(std::to_string(v->num), v->loc);
      case K::Site: return Value::string(v->str, v->loc);
      case K::Hosts:
        if (v->hosts.size() == 1) return Value::string(inv->hosts[v->hosts[0]].address, v->loc);
        if (v->hosts.empty()) return Value::string("<" + v->str + ">", v->loc);
        return mismatch();
      default: return mismatch();
    }
  }
  if (ty == "int") return v->kind == K::Int ? v : mismatch();
  if (ty == "bool") return v->kind == K::Bool ? v : mismatch();
  if (ty == "duration") return v->kind == K::Duration ? v : mismatch();
  if (ty == "size") return v->kind == K::Size ? v : mismatch();
  if (ty == "percent") return v->kind == K::Percent ? v : mismatch();
  if (ty == "list") return v->kind == K::List ? v : mismatch();
  if (ty == "site") {
    if (v->kind == K::Site) return v;
    if (v->kind != K::String) return mismatch();
    if (inv && !inv->site(v->str)) {
      std::vector<std::string> c;
      for (const auto& s : inv->sites) c.push_back(s.name);
      return unknown("site", v->str, v->loc.valid() ? v->loc : loc, c);
    }
    auto s = make(K::Site, v->loc);
    s->str = v->str;
    return s;
  }
  if (ty == "host") {
    if (v->kind == K::Hosts) {
      if (v->hosts.size() > 1) {
        diags().error(DiagCode::TypeMismatch, v->loc, "expected one host, found " + std::to_string(v->hosts.size()));
        return Value::error();
      }
      return v;
    }
    if (v->kind != K::String) return mismatch();
    auto h = make(K::Hosts, v->loc);
    h->str = v->str;
    if (inv) {
      int idx = inv->host_index(v->str);
      if (idx < 0) return unknown("host", v->str, v->loc.valid() ? v->loc : loc, host_candidates());
      h->hosts.push_back(idx);
    }
    return h;
  }
  return mismatch();
}

void Evaluator::plain_piece(const ValuePtr& v, Command& out, Loc loc, bool& ok) {
  using K = Value::Kind;
  auto text = [&](const std::string& t) { append_text(out, t); };
  switch (v->kind) {
    case K::Error: ok = false; return;
    case K::String: case K::Ident: case K::Site: text(v->str); return;
    case K::Int: case K::Percent: text(std::to_string(v->num)); return;
    case K::Bool: text(v->boolean ? "true" : "false"); return;
    case K::Duration: text(std::to_string(v->num / 1000)); return;  // whole seconds
    case K::Size: text(std::to_string(v->num)); return;              // bytes
    case K::Hosts:
      if (v->hosts.empty()) return text("<" + v->str + ">");
      for (size_t i = 0; i < v->hosts.size(); ++i) {
        if (i) text(" ");
        text(ctx_.inventory->hosts[v->hosts[i]].address);
      }
      return;
    case K::List:
      for (size_t i = 0; i < v->items.size(); ++i) {
        if (i) text(" ");
        plain_piece(v->items[i], out, loc, ok);
      }
      return;
    case K::Secret: out.parts.push_back({CommandPart::Kind::Secret, v->str, true, 0}); return;
    case K::StepOutput: out.parts.push_back({CommandPart::Kind::StepOutput, v->str, true, 0}); return;
    case K::Text:
      for (const auto& p : v->pieces) {
        if (!p.value) text(p.literal);
        else plain_piece(p.value, out, loc, ok);
      }
      return;
    case K::None: case K::StepOk:
      diags().error(DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                    std::string("a ") + value_kind_name(v->kind) + " cannot be part of a text");
      ok = false;
      return;
  }
}

bool Evaluator::render_command(const ValuePtr& v, Command& out, Loc loc) {
  return render_shell_command(v, ctx_.inventory, diags(), out, loc);
}

std::optional<std::string> Evaluator::render_plain(const ValuePtr& v, Loc loc, const char* what) {
  Command c;
  bool ok = true;
  if (v->kind == Value::Kind::Text) {
    for (const auto& p : v->pieces) {
      if (!p.value) append_text(c, p.literal);
      else plain_piece(p.value, c, loc, ok);
    }
  } else {
    plain_piece(v, c, loc, ok);
  }
  if (!ok) return std::nullopt;
  std::string out;
  for (const auto& p : c.parts) {
    // Text for people (titles, questions) may mention a step's output by name.
    if (p.kind == CommandPart::Kind::StepOutput && std::string_view(what) != "'expect'") {
      out += "${" + p.text + ".output}";
      continue;
    }
    if (p.kind != CommandPart::Kind::Text) {
      diags().error(DiagCode::TypeMismatch, loc,
                    std::string(p.kind == CommandPart::Kind::Secret ? "a secret" : "a step's output") +
                        " cannot appear in " + what)
          .help = "secrets and outputs only go into commands (run, probe, verify, rollback)";
      return std::nullopt;
    }
    out += p.text;
  }
  return out;
}

const ast::Template* Evaluator::find_template(const ast::Expr& call, const Scope& scope, const ast::Unit** unit,
                                              const std::string& command_key) {
  const auto& path = call.path;
  const ast::Unit* where = scope.unit;
  std::string name = path.back();
  if (path.size() == 2) {
    auto a = ctx_.program->aliases.find(where);
    const ast::Unit* mod = nullptr;
    if (a != ctx_.program->aliases.end()) {
      auto it = a->second.find(path[0]);
      if (it != a->second.end()) mod = it->second;
    }
    if (!mod) {
      std::vector<std::string> c;
      if (a != ctx_.program->aliases.end())
        for (const auto& [k, _] : a->second) c.push_back(k);
      unknown("module", path[0], call.loc, c, "add `use stdlib/" + path[0] + "` to the plan");
      return nullptr;
    }
    where = mod;
  } else if (path.size() > 2) {
    diags().error(DiagCode::UnknownTemplate, call.loc, "template names are NAME or MODULE.NAME");
    return nullptr;
  }
  for (const auto& t : where->templates)
    if (t.name == name) {
      *unit = where;
      return &t;
    }
  std::vector<std::string> c;
  for (const auto& t : where->templates) c.push_back(t.name);
  bool is_def = std::any_of(where->defs.begin(), where->defs.end(), [&](const ast::Def& d) { return d.name == name; });
  auto& d = diags().error(DiagCode::UnknownTemplate, call.loc,
                          "unknown template '" + join_path(path, path.size()) + "'");
  std::string near = closest(name, c);
  if (is_def)
    d.help = "'" + name + "' is a def (an expression); use it as an attribute value: " + command_key + " = " +
             join_path(path, path.size()) + "(...)";
  else if (!near.empty()) d.help = "did you mean '" + near + "'?";
  return nullptr;
}

const ast::Def* Evaluator::find_def(const ast::Expr& call, const Scope& scope, const ast::Unit** unit, bool report) {
  const auto& path = call.path;
  const ast::Unit* where = scope.unit;
  if (path.size() == 2) {
    auto a = ctx_.program->aliases.find(where);
    if (a == ctx_.program->aliases.end() || !a->second.count(path[0])) {
      if (report) {
        std::vector<std::string> c;
        if (a != ctx_.program->aliases.end())
          for (const auto& [k, _] : a->second) c.push_back(k);
        unknown("module", path[0], call.loc, c, "add `use stdlib/" + path[0] + "` to the plan");
      }
      return nullptr;
    }
    where = a->second.at(path[0]);
  } else if (path.size() != 1) {
    if (report) diags().error(DiagCode::UnknownTemplate, call.loc, "function names are NAME or MODULE.NAME");
    return nullptr;
  }
  for (const auto& d : where->defs)
    if (d.name == path.back()) {
      *unit = where;
      return &d;
    }
  if (report) {
    std::vector<std::string> c;
    for (const auto& d : where->defs) c.push_back(d.name);
    bool is_template = std::any_of(where->templates.begin(), where->templates.end(),
                                   [&](const ast::Template& t) { return t.name == path.back(); });
    auto& d = diags().error(DiagCode::UnknownTemplate, call.loc, "unknown function '" + join_path(path, path.size()) + "'");
    std::string near = closest(path.back(), c);
    if (is_template) d.help = "'" + path.back() + "' is a template; use it for a whole step: action x on h = " + join_path(path, path.size()) + "(...)";
    else if (!near.empty()) d.help = "did you mean '" + near + "'?";
  }
  return nullptr;
}

bool Evaluator::bind(const ast::Expr& call, const std::vector<ast::Param>& params, const Scope& caller,
                     Scope& callee) {
  std::map<std::string, ValuePtr>& out = callee.locals;
  bool ok = true;
  size_t positional = 0;
  bool named_seen = false;
  for (size_t i = 0; i < call.children.size(); ++i) {
    const std::string& name = call.arg_names[i];
    const ast::Param* p = nullptr;
    if (name.empty()) {
      if (named_seen && positional < i) {
        diags().error(DiagCode::BadArgument, call.children[i]->loc, "positional argument after a named one");
        ok = false;
        continue;
      }
      if (positional >= params.size()) {
        diags().error(DiagCode::BadArgument, call.children[i]->loc,
                      "too many arguments: '" + join_path(call.path, call.path.size()) + "' takes " +
                          std::to_string(params.size()));
        ok = false;
        continue;
      }
      p = &params[positional++];
    } else {
      named_seen = true;
      for (const auto& cand : params)
        if (cand.name == name) p = &cand;
      if (!p) {
        std::vector<std::string> c;
        for (const auto& cand : params) c.push_back(cand.name);
        unknown("parameter", name, call.arg_name_locs[i], c);
        ok = false;
        continue;
      }
    }
    auto [slot, fresh] = out.try_emplace(p->name);
    if (!fresh) {
      diags().error(DiagCode::BadArgument, call.children[i]->loc, "parameter '" + p->name + "' is given twice");
      ok = false;
      continue;
    }
    ValuePtr v = coerce(eval(*call.children[i], caller), p->type, call.children[i]->loc);
    if (v->kind == Value::Kind::Error) ok = false;
    slot->second = std::move(v);
  }
  for (const auto& p : params) {
    if (out.count(p.name)) continue;
    if (!p.default_value) {
      diags().error(DiagCode::BadArgument, call.loc,
                    "missing argument '" + p.name + "' of '" + join_path(call.path, call.path.size()) + "'");
      ok = false;
      continue;
    }
    ValuePtr v = coerce(eval(*p.default_value, callee), p.type, p.default_value->loc);
    if (v->kind == Value::Kind::Error) ok = false;
    out[p.name] = v;
  }
  return ok;
}

ValuePtr Evaluator::sh_raw(const ast::Expr& e, const Scope& scope) {
  if (e.children.size() != 1 || !e.arg_names[0].empty()) {
    diags().error(DiagCode::BadArgument, e.loc, "sh.raw takes one value: sh.raw(x)");
    return Value::error();
  }
  ValuePtr x = eval(*e.children[0], scope);
  if (x->kind == Value::Kind::Error) return x;
  // Text with one unquoted piece: it joins commands as shell code, and the command renderer
  // warns (W0503) and `drplan plan` marks it.
  auto v = make(Value::Kind::Text, e.loc);
  v->pieces.push_back({"", x, true, false, e.loc});
  return v;
}

ValuePtr Evaluator::call(const ast::Expr& e, const Scope& scope) {
  if (e.path.size() == 2 && e.path[0] == "sh" && e.path[1] == "raw") {
    auto a = ctx_.program->aliases.find(scope.unit);
    if (a == ctx_.program->aliases.end() || !a->second.count("sh")) return sh_raw(e, scope);
  }
  const ast::Unit* unit = nullptr;
  const ast::Def* def = find_def(e, scope, &unit, true);
  if (!def) return Value::error();
  // A call outside any def's body gets a budget for all it leads to (eval_budget.h).
  const bool outermost = scope.depth == 0;
  if (outermost && budget_.known_costly(*def)) return budget_.report(e, *def, diags());
  if (outermost) budget_.start();
  else if (budget_.spent()) return Value::error();  // unwinding: the outermost call reports
  if (scope.depth >= kMaxCallDepth) {
    diags().error(DiagCode::BadValue, e.loc, "calls nested more than 32 deep (is '" + def->name + "' recursive?)");
    budget_.abort();
    return Value::error();
  }
  Scope callee;
  callee.unit = unit;
  callee.plan_scope = unit == &ctx_.program->plan();
  callee.target = scope.target;
  callee.target_label = scope.target_label;
  callee.refs = scope.refs;
  callee.depth = scope.depth + 1;
  if (!bind(e, def->params, scope, callee)) return Value::error();
  ValuePtr v = budget_.spend_body(*def, e.loc) ? eval(*def->body, callee) : Value::error();
  if (!budget_.spent()) budget_.spend_value(*v, *def, e.loc);
  if (!budget_.spent()) return v;
  return outermost ? budget_.report(e, *def, diags()) : Value::error();
}

}  // namespace drplan
