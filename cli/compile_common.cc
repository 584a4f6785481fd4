#include "cli/compile_common.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/heap_tuning.h"

namespace drplan::cli {

std::unique_ptr<Compiled> compile_one(const std::string& file, const CommonOptions& o, bool quiet) {
  auto c = std::make_unique<Compiled>();
  CompileOptions opts;
  opts.plan_path = file;
  opts.inventory_path = o.inventory;
  opts.sets = o.sets;
  opts.free_memory = !o.exits_after_compile;
  opts.digests = o.shows_digests;
  // A compiled plan takes ~24 times its source's size in memory (measured at 10k-100k steps).
  std::error_code ec;
  if (auto size = std::filesystem::file_size(file, ec); !ec) prefault_heap(size * 20);
  c->plan = compile_plan(c->sm, opts, c->diags);
  c->diags.sort();
  if (!quiet) {
    std::string text = render_text(c->sm, c->diags.all(), o.color);
    std::fputs(text.c_str(), stderr);
  }
  return c;
}

void keep_until_exit(std::unique_ptr<Compiled> c) { (void)c.release(); }

bool single_plan_inputs(const char* command, const CommonOptions& o, bool needs_inventory) {
  if (o.files.size() != 1) {
    std::fprintf(stderr, "drplan: error: %s takes exactly one plan file\n", command);
    return false;
  }
  if (needs_inventory && o.inventory.empty()) {
    std::fprintf(stderr, "drplan: error: %s needs an inventory: drplan %s %s -i inventory.toml\n", command, command,
                 o.files[0].c_str());
    return false;
  }
  return inputs_readable(o.files[0], o.inventory);
}

bool inputs_readable(const std::string& plan, const std::string& inventory) {
  for (const std::string* f : {&plan, &inventory}) {
    if (f->empty()) continue;
    std::error_code ec;
    if (std::filesystem::is_regular_file(*f, ec) && access(f->c_str(), R_OK) == 0) continue;
    std::fprintf(stderr, "drplan: error: cannot read %s '%s': %s\n", f == &plan ? "plan" : "inventory", f->c_str(),
                 !std::filesystem::exists(*f, ec) ? "no such file" : std::filesystem::is_directory(*f, ec) ? "is a directory" : "permission denied");
    return false;
  }
  return true;
}

std::string diagnostic_summary(size_t errors, size_t warnings) {
  if (!errors && !warnings) return "";
  std::string s;
  if (errors) s += std::to_string(errors) + (errors == 1 ? " error" : " errors");
  if (warnings) s += std::string(errors ? " and " : "") + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
  return s + " generated.";
}

}  // namespace drplan::cli
