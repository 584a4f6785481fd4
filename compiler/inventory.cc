#include "compiler/inventory.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

// toml++'s own assertions are off in every build, as in a release build. Some of them fire on
// malformed input (toml++ 3.3: table headers such as `[:a]` or `[[[1]]]`, fixed upstream in
// marzer/tomlplusplus#301; `a = [}`), and the code after them reports the error well. With
// NDEBUG, toml++ turns them into assumptions instead (__builtin_assume under clang): undefined
// behaviour on exactly those inputs. Found by fuzz/inventory_fuzzer.cc.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
#include <unordered_map>

#include "compiler/plan_ir.h"  // secret_env_name
#include "compiler/ssh_config.h"
#include "compiler/toml_guard.h"
#include "compiler/units.h"

namespace drplan {

namespace {

namespace fs = std::filesystem;

class Reader {
 public:
  Reader(SourceManager& sm, int file, DiagnosticEngine& diags)
      : sm_(sm), file_(file), diags_(diags), before_(diags.error_count()) {}

  Loc loc(const toml::node& n) const {
    const auto& b = n.source().begin;
    if (!b) return Loc{file_, 0, 0};
    return Loc{file_, offset_of(sm_, file_, b.line, b.column), 1};
  }
  Loc loc_of_key(const toml::key& k) const {
    const auto& b = k.source().begin;
    if (!b) return Loc{file_, 0, 0};
    return Loc{file_, offset_of(sm_, file_, b.line, b.column), static_cast<uint32_t>(k.str().size())};
  }
  Diagnostic& error(Loc l, std::string msg) { return diags_.error(DiagCode::Inventory, l, std::move(msg)); }

  void unknown_keys(const toml::table& t, const std::vector<std::string>& known, const std::string& where) {
    for (const auto& [k, v] : t) {
      std::string key(k.str());
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      auto& d = error(loc_of_key(k), "unknown key '" + key + "' in " + where);
      std::string near = closest(key, known);
      d.help = near.empty() ? "known keys: " + join(known) : "did you mean '" + near + "'?";
    }
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  std::optional<std::string> string(const toml::node& n, const std::string& what) {
    if (auto s = n.value<std::string>()) return *s;
    error(loc(n), what + " must be a string");
    return std::nullopt;
  }

  std::string path(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    if (p.rfind("~/", 0) == 0) {
      const char* home = std::getenv("HOME");
      return std::string(home ? home : "") + p.substr(1);
    }
    return (fs::path(sm_.path(file_)).parent_path() / p).lexically_normal().string();
  }

  void vars(const toml::node& n, std::map<std::string, VarValue>& out, const std::string& where) {
    const toml::table* t = n.as_table();
    if (!t) {
      error(loc(n), where + " must be a table");
      return;
    }
    for (const auto& [k, v] : *t) {
      VarValue val;
      val.loc = loc(v);
      if (auto s = v.value_exact<std::string>()) {
        val.text = *s;
      } else if (auto i = v.value_exact<int64_t>()) {
        val.kind = VarValue::Kind::Int;
        val.integer = *i;
        val.text = std::to_string(*i);
      } else if (auto b = v.value_exact<bool>()) {
        val.kind = VarValue::Kind::Bool;
        val.boolean = *b;
        val.text = *b ? "true" : "false";
      } else if (auto f = v.value_exact<double>()) {
        val.kind = VarValue::Kind::Float;
        std::ostringstream ss;
        ss << *f;
        val.text = ss.str();
      } else if (const toml::array* a = v.as_array()) {
        val.kind = VarValue::Kind::List;
        for (const auto& item : *a) {
          auto s = item.value<std::string>();
          if (!s) {
            error(loc(item), "list items in " + where + " must be strings");
            continue;
          }
          val.items.push_back(*s);
          val.text += (val.text.empty() ? "" : " ") + *s;
        }
      } else {
        error(loc(v), "variable '" + std::string(k.str()) + "' in " + where +
                          " must be a string, integer, boolean, float or list of strings");
        continue;
      }
      out[std::string(k.str())] = std::move(val);
    }
  }

  void ssh(const toml::node& n, SshConfig& out, const std::string& where) {
    const toml::table* t = n.as_table();
    if (!t) {
      error(loc(n), where + " must be a table");
      return;
    }
    unknown_keys(*t, {"user", "port", "identity", "certificate", "become", "become_user", "jump", "connect_timeout", "ssh_config"}, where);
    if (auto c = (*t)["ssh_config"].node()) {
      if (auto b = c->value_exact<bool>()) out.ssh_config = *b ? expand_home("~/.ssh/config") : "";
      else if (auto s = string(*c, where + ".ssh_config")) out.ssh_config = path(*s);
    }
    if (auto c = (*t)["certificate"].node()) {
      if (auto s = string(*c, where + ".certificate")) out.certificate = path(*s);
    }
    if (auto c = (*t)["connect_timeout"].node()) {
      QuantityError qe;
      std::optional<Quantity> q;
      if (auto s = c->value<std::string>()) q = parse_quantity(*s, &qe);
      if (!q || q->kind != Quantity::Kind::Duration || q->value < 1000 || q->value > 600000)
        error(loc(*c), where + ".connect_timeout must be a duration from 1s to 10m, like \"5s\"");
      else
        out.connect_timeout = static_cast<int>(q->value / 1000);
    }
    if (auto j = (*t)["jump"].node()) {
      if (auto hops = jump(*j, where + ".jump")) out.jump = std::move(*hops);
    }
    if (auto u = (*t)["user"].node()) {
      if (auto s = string(*u, where + ".user")) out.user = *s;
    }
    if (auto p = (*t)["port"].node()) {
      auto v = p->value_exact<int64_t>();
      if (!v || *v < 1 || *v > 65535)
        error(loc(*p), where + ".port must be an integer between 1 and 65535");
      else
        out.port = static_cast<int>(*v);
    }
    if (auto i = (*t)["identity"].node()) {
      if (auto s = string(*i, where + ".identity")) out.identity = path(*s);
    }
    if (auto b = (*t)["become"].node()) {
      if (auto s = string(*b, where + ".become")) {
        if (*s == "sudo") out.become = *s;
        else if (*s == "none" || s->empty()) out.become.clear();
        else
          error(loc(*b), where + ".become must be \"sudo\" or \"none\"").help =
              "drplan escalates with sudo -n only (never a password prompt); see docs/inventory.md";
      }
    }
    if (auto u = (*t)["become_user"].node()) {
      if (auto s = string(*u, where + ".become_user")) {
        if (valid_user_name(*s)) out.become_user = *s;
        else error(loc(*u), where + ".become_user is not a user name: '" + *s + "'");
      }
    }
  }

  // The host's address is an alias in an OpenSSH client config: what its entry says wins.
  void apply_ssh_config(Host& h, const std::string& where) {
    const std::string& file = h.ssh.ssh_config;  // ~ expanded when read
    std::ifstream in(file);
    if (!in) {
      error(h.loc, where + " reads ssh_config " + file + ", which cannot be read").help =
          "create it, or set ssh_config = false";
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string alias = h.address.empty() ? h.name : h.address;
    const SshConfigEntry e = lookup_ssh_config(text.str(), alias);
    std::string note = "alias " + alias + " in " + file + ":";
    if (!e.matched) note += " no Host entry";
    auto tokens = [&](const std::string& v, const char* key) {
      if (v.find('%') == std::string::npos) return false;
      error(h.loc, where + ": " + key + " '" + v + "' from " + file + " uses % tokens, which drplan does not expand");
      return true;
    };
    if (e.hostname && !tokens(*e.hostname, "HostName")) h.address = *e.hostname, note += " HostName " + *e.hostname;
    if (e.user && !tokens(*e.user, "User")) h.ssh.user = *e.user, note += " User " + *e.user;
    if (e.port) h.ssh.port = *e.port, note += " Port " + std::to_string(*e.port);
    if (e.identity && !tokens(*e.identity, "IdentityFile"))
      h.ssh.identity = expand_home(*e.identity), note += " IdentityFile " + h.ssh.identity;
    if (e.proxy_jump) {
      h.ssh.jump.clear();
      if (*e.proxy_jump != "none") {
        std::stringstream list(*e.proxy_jump);
        for (std::string hop; std::getline(list, hop, ',');) {
          hop.erase(0, hop.find_first_not_of(' '));
          auto parsed = parse_jump_hop(hop);
          if (!parsed) {
            error(h.loc, where + ": ProxyJump '" + *e.proxy_jump + "' from " + file + " is not a list of hops");
            break;
          }
          h.ssh.jump.push_back(*parsed);
        }
      }
      note += " ProxyJump " + *e.proxy_jump;
    }
    if (!e.ignored.empty()) note += " (not applied: " + e.ignored + ")";
    h.ssh_config_applied = note;
  }

  // `jump = "ops@bastion:22"`, a list of such (a chain), or "none" / [] for a direct connection.
  std::optional<std::vector<JumpHop>> jump(const toml::node& n, const std::string& where) {
    std::vector<std::string> texts;
    if (auto s = n.value<std::string>()) {
      if (*s != "none" && !s->empty()) texts.push_back(*s);
    } else if (const toml::array* a = n.as_array()) {
      for (const auto& item : *a) {
        auto s = item.value<std::string>();
        if (!s) {
          error(loc(item), where + " lists hops as strings: \"user@host:port\"");
          return std::nullopt;
        }
        texts.push_back(*s);
      }
    } else {
      error(loc(n), where + " must be \"user@host:port\", a list of them, or \"none\"");
      return std::nullopt;
    }
    std::vector<JumpHop> hops;
    for (const auto& t : texts) {
      auto hop = parse_jump_hop(t);
      if (!hop) {
        error(loc(n), where + ": '" + t + "' is not a hop").help = "write it as user@host:port (user and port optional)";
        return std::nullopt;
      }
      hops.push_back(*hop);
    }
    return hops;
  }

  // TOML's \u0000 makes a NUL, which would cut a value short where it reaches a command, an
  // address or a path, while the plan shows it whole: refused in every key and string.
  void refuse_nul(const toml::node& n) {
    auto refuse = [this](Loc at, const char* what) {
      auto& d = error(at, std::string("NUL character in a ") + what);
      if (!std::exchange(nul_helped_, true))
        d.help = "a NUL would cut the value short where drplan uses it; remove the \\u0000";
    };
    if (const toml::table* t = n.as_table()) {
      for (const auto& [k, v] : *t) {
        if (k.str().find('\0') != std::string_view::npos) refuse(loc_of_key(k), "key");
        refuse_nul(v);
      }
    } else if (const toml::array* a = n.as_array()) {
      for (const auto& item : *a) refuse_nul(item);
    } else if (const auto* str = n.as_string(); str && str->get().find('\0') != std::string::npos) {
      refuse(loc(n), "string");
    }
  }

  std::optional<Inventory> read(const toml::table& root) {
    Inventory inv;
    inv.path = sm_.path(file_);
    inv.digest = sha256_hex(sm_.text(file_));
    refuse_nul(root);
    unknown_keys(root, {"inventory", "ssh", "sites", "hosts", "groups", "vars", "secrets", "state"}, "the inventory");

    SshConfig defaults;
    if (const toml::table* meta = root["inventory"].as_table()) {
      unknown_keys(*meta, {"name", "known_hosts", "description"}, "[inventory]");
      if (auto n = (*meta)["name"].node())
        if (auto s = string(*n, "inventory.name")) inv.name = *s;
      if (auto n = (*meta)["known_hosts"].node())
        if (auto s = string(*n, "inventory.known_hosts")) inv.known_hosts = path(*s);
    }
    if (auto n = root["ssh"].node()) ssh(*n, defaults, "[ssh]");

    if (auto n = root["sites"].node()) {
      if (const toml::table* sites = n->as_table()) {
        for (const auto& [k, v] : *sites) {
          Site site;
          site.name = std::string(k.str());
          site.loc = loc_of_key(k);
          const toml::table* t = v.as_table();
          if (!t) {
            error(loc(v), "site '" + site.name + "' must be a table");
            continue;
          }
          unknown_keys(*t, {"title", "description", "vars", "ssh"}, "site '" + site.name + "'");
          if (auto sn = (*t)["ssh"].node()) {
            const std::string where = "site '" + site.name + "'.ssh";
            if (const toml::table* st = sn->as_table()) {
              unknown_keys(*st, {"jump"}, where);
              if (auto j = (*st)["jump"].node()) site.jump = jump(*j, where + ".jump");
            } else {
              error(loc(*sn), where + " must be a table");
            }
          }
          if (auto tn = (*t)["title"].node())
            if (auto s = string(*tn, "title")) site.title = *s;
          if (auto vn = (*t)["vars"].node()) vars(*vn, site.vars, "site '" + site.name + "' vars");
          inv.sites.push_back(std::move(site));
        }
      } else {
        error(loc(*n), "[sites] must be a table of sites");
      }
    }

    if (auto n = root["hosts"].node()) {
      if (const toml::table* hosts = n->as_table()) {
        for (const auto& [k, v] : *hosts) read_host(inv, k, v, defaults);
        inv.host_by_name.reserve(inv.hosts.size());
        for (size_t i = 0; i < inv.hosts.size(); ++i) inv.host_by_name.emplace(inv.hosts[i].name, static_cast<int>(i));
      } else {
        error(loc(*n), "[hosts] must be a table of hosts");
      }
    }

    if (auto n = root["groups"].node()) {
      if (const toml::table* groups = n->as_table()) {
        for (const auto& [k, v] : *groups) {
          std::string g(k.str());
          const toml::array* a = v.as_array();
          if (!a) {
            error(loc(v), "group '" + g + "' must be a list of host names");
            continue;
          }
          if (inv.host(g)) error(loc_of_key(k), "group '" + g + "' has the same name as a host");
          auto& members = inv.groups[g];
          for (const auto& item : *a) {
            auto s = item.value<std::string>();
            if (!s) {
              error(loc(item), "group members must be host names (strings)");
              continue;
            }
            if (!inv.host(*s)) {
              auto& d = diags_.error(DiagCode::UnknownHost, loc(item),
                                     "group '" + g + "' names unknown host '" + *s + "'");
              std::string near = diags_.errors_full() ? "" : closest(*s, inv.host_names());
              if (!near.empty()) d.help = "did you mean '" + near + "'?";
              continue;
            }
            members.push_back(*s);
          }
        }
      } else {
        error(loc(*n), "[groups] must be a table of lists");
      }
    }

    if (auto n = root["vars"].node()) vars(*n, inv.vars, "[vars]");

    if (auto n = root["secrets"].node()) {
      if (const toml::table* secrets = n->as_table()) {
        for (const auto& [k, v] : *secrets) read_secret_ref(inv, k, v);
        env_collisions(inv);
      } else {
        error(loc(*n), "[secrets] must be a table");
      }
    }
    if (auto n = root["state"].node()) state(*n, inv);
    if (diags_.error_count() > before_) return std::nullopt;
    return inv;
  }

 private:
  void state(const toml::node& n, Inventory& inv) {
    const toml::table* t = n.as_table();
    StateConfig& st = inv.state;
    st.loc = loc(n);
    if (!t) {
      error(loc(n), "[state] must be a table");
      return;
    }
    unknown_keys(*t, {"backend", "endpoints", "prefix", "lease_ttl", "ca_file", "cert_file", "key_file", "user", "password"},
                 "[state]");
    if (auto b = (*t)["backend"].node()) {
      if (auto s = string(*b, "state.backend")) {
        if (*s != "local" && *s != "etcd")
          error(loc(*b), "state.backend must be \"local\" or \"etcd\"").help = "etcd needs endpoints = [...]";
        else
          st.backend = *s;
      }
    }
    if (auto e = (*t)["endpoints"].node()) {
      const toml::array* a = e->as_array();
      if (!a) error(loc(*e), "state.endpoints must be a list of \"host:port\" or \"http(s)://host:port\"");
      for (size_t i = 0; a && i < a->size(); ++i) {
        auto s = string(*a->get(i), "each of state.endpoints");
        if (!s) continue;
        if (s->empty() || s->find_first_of(" \t\n@?#") != std::string::npos)
          error(loc(*a->get(i)), "'" + *s + "' is not an etcd endpoint (host:port)");
        else
          st.endpoints.push_back(s->find("://") == std::string::npos ? "http://" + *s : *s);
      }
    }
    if (auto p = (*t)["prefix"].node()) {
      if (auto s = string(*p, "state.prefix")) {
        if (s->empty() || (*s)[0] != '/' || s->find_first_of(" \t\n") != std::string::npos)
          error(loc(*p), "state.prefix must start with '/' and hold no spaces, like \"/drplan/prod\"");
        else
          st.prefix = *s;
      }
    }
    if (auto l = (*t)["lease_ttl"].node()) {
      QuantityError qe;
      std::optional<Quantity> q;
      if (auto s = l->value<std::string>()) q = parse_quantity(*s, &qe);
      if (!q || q->kind != Quantity::Kind::Duration || q->value < 2000 || q->value > 300000)
        error(loc(*l), "state.lease_ttl must be a duration from 2s to 5m, like \"10s\"");
      else
        st.lease_ttl = static_cast<int>(q->value / 1000);
    }
    for (auto [key, out] : {std::pair{"ca_file", &st.ca_file}, {"cert_file", &st.cert_file}, {"key_file", &st.key_file}})
      if (auto f = (*t)[key].node())
        if (auto s = string(*f, std::string("state.") + key)) *out = path(*s);
    if (auto u = (*t)["user"].node())
      if (auto s = string(*u, "state.user")) st.user = *s;
    if (auto pw = (*t)["password"].node()) {
      if (auto s = string(*pw, "state.password")) {
        if (!inv.secrets.count(*s))
          error(loc(*pw), "state.password names no secret '" + *s + "'").help =
              "name an entry of [secrets] (the password itself never goes in the inventory)";
        st.password_secret = *s;
      }
    }
    if (st.backend == "etcd" && st.endpoints.empty())
      error(loc(n), "the etcd state backend needs endpoints = [\"host:2379\", ...]");
  }

  void read_host(Inventory& inv, const toml::key& k, const toml::node& v, const SshConfig& defaults) {
    Host h;
    h.name = std::string(k.str());
    h.loc = loc_of_key(k);
    h.ssh = defaults;
    const toml::table* t = v.as_table();
    if (!t) {
      error(loc(v), "host '" + h.name + "' must be a table");
      return;
    }
    std::string where = "host '" + h.name + "'";
    unknown_keys(*t, {"site", "address", "roles", "transport", "ssh", "vars", "description"}, where);
    if (auto n = (*t)["site"].node()) {
      if (auto s = string(*n, where + ".site")) {
        h.site = *s;
        if (!inv.site(*s)) {
          auto& d = error(loc(*n), where + " is at unknown site '" + *s + "'");
          std::vector<std::string> names;
          for (const auto& site : inv.sites) names.push_back(site.name);
          std::string near = closest(*s, names);
          d.help = near.empty() ? "declare it under [sites." + *s + "]" : "did you mean '" + near + "'?";
        }
      }
    }
    if (auto n = (*t)["address"].node()) {
      if (auto s = string(*n, where + ".address")) h.address = *s;
    }
    if (auto n = (*t)["transport"].node()) {
      if (auto s = string(*n, where + ".transport")) {
        if (*s != "ssh" && *s != "local")
          error(loc(*n), where + ".transport must be \"ssh\" or \"local\"");
        h.transport = *s;
      }
    }
    if (h.address.empty() && h.transport == "ssh")
      error(h.loc, where + " has no address").help = "add address = \"10.0.0.5\" (or transport = \"local\")";
    if (auto n = (*t)["roles"].node()) {
      if (const toml::array* a = n->as_array()) {
        for (const auto& item : *a) {
          if (auto s = item.value<std::string>())
            h.roles.push_back(*s);
          else
            error(loc(item), "roles must be strings");
        }
      } else {
        error(loc(*n), where + ".roles must be a list of strings");
      }
    }
    if (const Site* site = inv.site(h.site); site && site->jump) h.ssh.jump = *site->jump;
    if (auto n = (*t)["ssh"].node()) ssh(*n, h.ssh, where + ".ssh");
    if (!h.ssh.jump.empty() && h.transport == "local")
      error(h.loc, where + " has a jump host but runs on this machine (transport = \"local\")");
    if (!h.ssh.ssh_config.empty()) apply_ssh_config(h, where);
    if (!h.ssh.certificate.empty() && h.ssh.identity.empty())
      error(h.loc, where + " has an SSH certificate but no identity (its private key)").help =
          "set identity = \"...\" beside certificate (the certificate is \"<identity>-cert.pub\")";
    if (!h.ssh.become.empty() && h.transport == "local")
      error(h.loc, where + " has become = \"sudo\" but runs on this machine (transport = \"local\")").help =
          "run drplan itself as the user the local steps need; become applies to SSH hosts";
    if (auto n = (*t)["vars"].node()) vars(*n, h.vars, where + " vars");
    inv.hosts.push_back(std::move(h));
  }

  void read_secret_ref(Inventory& inv, const toml::key& k, const toml::node& v) {
    SecretRef ref;
    ref.name = std::string(k.str());
    ref.loc = loc_of_key(k);
    const toml::table* t = v.as_table();
    if (!t) {
      auto& d = error(ref.loc, "secret '" + ref.name + "' must be a reference, not a value");
      d.hide_source = true;  // the line holds the secret itself
      d.help = "write " + ref.name + " = { env = \"VARIABLE\" } or { file = \"/path/to/file\" }";
      return;
    }
    unknown_keys(*t, {"env", "file"}, "secret '" + ref.name + "'");
    if (auto n = (*t)["env"].node())
      if (auto s = string(*n, "env")) ref.env = *s;
    if (auto n = (*t)["file"].node())
      if (auto s = string(*n, "file")) ref.file = path(*s);
    if (ref.env.empty() == ref.file.empty())
      error(loc(v), "secret '" + ref.name + "' needs exactly one of env or file");
    inv.secrets[ref.name] = std::move(ref);
  }

  // A step receives each secret in the environment variable secret_env_name() makes of its
  // name; two names that make one variable would hand a step the wrong secret.
  void env_collisions(const Inventory& inv) {
    std::vector<const SecretRef*> refs;
    for (const auto& [_, ref] : inv.secrets) refs.push_back(&ref);
    // In file order, so the error lands on the later one (toml++ iterates keys sorted).
    std::sort(refs.begin(), refs.end(), [](const SecretRef* a, const SecretRef* b) { return a->loc.offset < b->loc.offset; });
    std::unordered_map<std::string, const SecretRef*> by_env;
    for (const SecretRef* ref : refs) {
      std::string env = secret_env_name(ref->name);
      auto [it, fresh] = by_env.try_emplace(env, ref);
      if (fresh) continue;
      auto& d = error(ref->loc, "secrets '" + it->second->name + "' and '" + ref->name +
                                    "' would both be passed to steps as " + env);
      d.notes.push_back({it->second->loc, "'" + it->second->name + "' is declared here"});
      d.help = "rename one of them: secret names map to environment variables with non-alphanumerics as '_', "
               "case ignored";
    }
  }

  SourceManager& sm_;
  int file_;
  DiagnosticEngine& diags_;
  size_t before_;
  bool nul_helped_ = false;
};

}  // namespace

const Host* Inventory::host(std::string_view n) const {
  int i = host_index(n);
  return i < 0 ? nullptr : &hosts[i];
}

int Inventory::host_index(std::string_view n) const {
  if (hosts.size() > 16 && !host_by_name.empty()) {  // a few hosts: comparing beats hashing
    auto it = host_by_name.find(std::string(n));
    return it == host_by_name.end() ? -1 : it->second;
  }
  for (size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == n) return static_cast<int>(i);
  return -1;
}

const Site* Inventory::site(std::string_view n) const {
  for (const auto& s : sites)
    if (s.name == n) return &s;
  return nullptr;
}

std::vector<std::string> Inventory::host_names() const {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

std::optional<Inventory> parse_inventory(SourceManager& sm, int file, DiagnosticEngine& diags) {
  const std::string& text = sm.text(file);
  if (TomlHazard hazard = find_toml_hazard(text); hazard.offset != std::string_view::npos) {
    diags.error(DiagCode::Inventory, Loc{file, static_cast<uint32_t>(hazard.offset), 1}, hazard.message);
    return std::nullopt;
  }
  toml::parse_result result = toml::parse(text, sm.path(file));
  if (!result) {
    const auto& err = result.error();
    const auto& b = err.source().begin;
    Loc l{file, b ? offset_of(sm, file, b.line, b.column) : 0, 1};
    diags.error(DiagCode::Inventory, l, "invalid TOML: " + std::string(err.description()));
    return std::nullopt;
  }
  size_t before = diags.error_count();
  Reader reader(sm, file, diags);
  auto inv = reader.read(result.table());
  if (diags.error_count() > before) return std::nullopt;
  return inv;
}

std::optional<Inventory> load_inventory(SourceManager& sm, const std::string& path, DiagnosticEngine& diags) {
  std::string error;
  int file = sm.load(path, &error);
  if (file < 0) {
    diags.error(DiagCode::Inventory, Loc{}, error);
    return std::nullopt;
  }
  return parse_inventory(sm, file, diags);
}

std::string JumpHop::text() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (user.empty() ? "" : user + "@") + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::optional<JumpHop> parse_jump_hop(std::string_view text) {
  JumpHop hop;
  if (const size_t at = text.rfind('@'); at != std::string_view::npos) {
    hop.user = std::string(text.substr(0, at));
    if (!valid_user_name(hop.user)) return std::nullopt;
    text.remove_prefix(at + 1);
  }
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    hop.address = std::string(text.substr(1, close - 1));
    text.remove_prefix(close + 1);
    if (!text.empty()) {
      if (text[0] != ':') return std::nullopt;
      port = text.substr(1);
    }
  } else {
    const size_t colon = text.find(':');
    hop.address = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  // Names and addresses only: the hop reaches a command line (the proxy's ssh) as a word.
  if (hop.address.empty() || hop.address[0] == '-') return std::nullopt;
  for (char c : hop.address)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '_') return std::nullopt;
  if (!port.empty()) {
    int p = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || p > 65535) return std::nullopt;
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return std::nullopt;
    hop.port = p;
  }
  return hop;
}

std::string expand_home(const std::string& path) {
  if (path.rfind("~/", 0) == 0) {
    if (const char* home = std::getenv("HOME")) return std::string(home) + path.substr(1);
  }
  return path;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-') continue;
    if (c == '$' && i + 1 == name.size()) continue;
    return false;
  }
  return true;
}

}  // namespace drplan
