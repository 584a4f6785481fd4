// `drplan check FILE...`: every diagnostic of every file, sorted; exit 0 clean, 1 errors.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/compile_common.h"

namespace drplan::cli {

int run_check(const CheckOptions& o) {
  bool json = o.format == "json";
  size_t errors = 0, warnings = 0;
  nlohmann::json all = nlohmann::json::array();
  bool io_error = false;
  if (!inputs_readable("", o.inventory)) return 2;
  for (const auto& file : o.files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      std::fprintf(stderr, "drplan: error: cannot read '%s': %s\n", file.c_str(),
                   std::filesystem::exists(file, ec) ? "not a regular file" : "no such file");
      io_error = true;
      continue;
    }
    auto c = compile_one(file, o, /*quiet=*/true);
    if (o.werror) c->diags.promote_warnings();
    errors += c->diags.error_count();
    warnings += c->diags.warning_count();
    if (json) {
      for (auto& d : nlohmann::json::parse(render_json(c->sm, c->diags.all()))) all.push_back(d);
      continue;
    }
    std::fputs(render_text(c->sm, c->diags.all(), o.color).c_str(), stderr);
    if (c->plan && !c->diags.error_count()) {
      size_t n = 0;
      for (const auto& s : c->plan->steps) n += s.kind != StepKind::Barrier;
      std::printf("%s: ok (%zu step instances in %zu waves%s)\n", file.c_str(), n, c->plan->waves.size(),
                  c->diags.warning_count() ? ", with warnings" : "");
    }
    keep_until_exit(std::move(c));
  }
  if (json) {
    std::fputs(all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str(), stdout);
    std::fputs("\n", stdout);
  } else if (std::string s = diagnostic_summary(errors, warnings); !s.empty()) {
    std::fprintf(stderr, "%s\n", s.c_str());
  }
  if (errors) return 1;
  return io_error ? 2 : 0;
}

}  // namespace drplan::cli
