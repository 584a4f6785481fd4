#pragma once
// Tests of the lowering and of what it renders: a plan parsed, lowered and ordered in
// memory against a small inventory, with its diagnostics as "line:col: message [CODE]".
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/dag.h"
#include "compiler/lower.h"
#include "compiler/parser.h"
#include "tests/located.h"

namespace drplan::test_support {

inline const char* kInventory = R"(
[sites.dc]
[sites.dr]
[sites.dr.vars]
zone = "dr.example"
[hosts.dc-db]
site = "dc"
address = "10.0.0.12"
roles = ["db"]
[hosts.dr-db]
site = "dr"
address = "10.1.0.12"
roles = ["db"]
[hosts.dr-db.vars]
pg_port = 5433
[hosts.dr-app]
site = "dr"
address = "10.1.0.11"
roles = ["app"]
[groups]
databases = ["dc-db", "dr-db"]
[vars]
pg_port = 5432
zone = "example.test"
[secrets]
pg_password = { env = "PGPASSWORD" }
)";

// Parses, lowers and orders `plan` (with the inventory above unless `inventory` is false).
struct Lowered {
  SourceManager sm;
  DiagnosticEngine diags;
  Program program;
  std::optional<Inventory> inv;
  CompiledPlan plan;
  std::set<std::string> used;
  bool ok = false;

  explicit Lowered(std::string text, bool inventory = true,
                   std::vector<std::pair<std::string, std::string>> sets = {},
                   const std::string& inventory_text = kInventory) {
    int file = sm.add("p.dr", std::move(text));
    auto unit = parse_file(sm, file, diags);
    if (!unit) return;
    program.units.push_back(std::move(unit));
    if (inventory) {
      inv = parse_inventory(sm, sm.add("inv.toml", inventory_text), diags);
      if (!inv) return;
    }
    LowerInput in{&program, inv ? &*inv : nullptr, std::move(sets)};
    ok = lower_plan(in, diags, plan, used);
    if (ok) ok = check_cycles(plan, diags);
    if (ok) order_plan(plan);
    diags.sort();
  }

  const StepInstance& step(std::string_view id) const {
    const StepInstance* s = plan.find(id);
    if (!s) throw std::runtime_error("no step instance " + std::string(id));
    return *s;
  }
  std::vector<std::string> deps(std::string_view id) const {
    std::vector<std::string> out;
    for (int d : step(id).deps) out.push_back(plan.steps[d].id);
    return out;
  }
  std::string messages() const { return located(sm, diags); }
};


}  // namespace drplan::test_support
