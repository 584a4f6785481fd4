// The inventory reader (toml++, then drplan's checks) on arbitrary bytes: it must never
// crash or leak, its diagnostics must render, and an inventory it accepts must hold no NUL
// in any name or value, as no value with one may reach a command.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/inventory.h"

namespace {

void no_nul(const std::string& s, const char* what) {
  if (s.find('\0') == std::string::npos) return;
  std::fprintf(stderr, "inventory_fuzzer: an accepted inventory has a NUL in a %s\n", what);
  std::abort();
}

void no_nul(const std::map<std::string, drplan::VarValue>& vars) {
  for (const auto& [name, v] : vars) {
    no_nul(name, "variable name");
    no_nul(v.text, "variable");
    for (const auto& item : v.items) no_nul(item, "list item");
  }
}

void check(const drplan::Inventory& inv) {
  no_nul(inv.name, "name");
  no_nul(inv.known_hosts, "known_hosts path");
  for (const auto& h : inv.hosts) {
    for (const std::string* s : {&h.name, &h.site, &h.address, &h.transport, &h.ssh.user, &h.ssh.identity})
      no_nul(*s, "host field");
    for (const auto& r : h.roles) no_nul(r, "role");
    no_nul(h.vars);
    if (inv.host(h.name) == nullptr || inv.host_index(h.name) < 0) std::abort();
  }
  for (const auto& s : inv.sites) {
    no_nul(s.name, "site name");
    no_nul(s.title, "site title");
    no_nul(s.vars);
  }
  for (const auto& [g, members] : inv.groups) {
    no_nul(g, "group name");
    for (const auto& m : members) no_nul(m, "group member");
  }
  no_nul(inv.vars);
  for (const auto& [name, ref] : inv.secrets)
    for (const std::string* s : {&name, &ref.env, &ref.file}) no_nul(*s, "secret reference");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  drplan::SourceManager sm;
  const int file = sm.add("/fuzz/inventory.toml", std::string(reinterpret_cast<const char*>(data), size));
  drplan::DiagnosticEngine diags;
  auto inv = drplan::parse_inventory(sm, file, diags);
  if (inv) check(*inv);
  if (inv.has_value() == diags.has_errors()) {
    std::fprintf(stderr, "inventory_fuzzer: accepted with errors, or refused without one\n");
    std::abort();
  }
  diags.sort();
  (void)drplan::render_text(sm, diags.all(), false);
  (void)drplan::render_json(sm, diags.all());
  return 0;
}
