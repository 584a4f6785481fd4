#include "compiler/install_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

// Baked in by compiler/CMakeLists.txt for this file only, so that changing them rebuilds
// one file: the build tree the binary is built into, the source tree beside it, and the
// installed data directory relative to the installed binary's directory.
#ifndef DRPLAN_BUILD_ROOT
#define DRPLAN_BUILD_ROOT ""
#endif
#ifndef DRPLAN_SOURCE_ROOT
#define DRPLAN_SOURCE_ROOT ""
#endif
#ifndef DRPLAN_DATA_FROM_BIN
#define DRPLAN_DATA_FROM_BIN "../share/drplan"
#endif

namespace drplan {

namespace fs = std::filesystem;

namespace {

fs::path own_directory() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = 0;
  return fs::path(buf).parent_path();
}

// Equivalence, not string equality: the build dir may have been named through a symlink.
bool in_build_tree(const fs::path& dir) {
  if (!*DRPLAN_BUILD_ROOT || !*DRPLAN_SOURCE_ROOT || dir.empty()) return false;
  std::error_code ec;
  return fs::equivalent(dir, DRPLAN_BUILD_ROOT, ec);
}

}  // namespace

std::string data_dir() {
  fs::path dir = own_directory();
  if (dir.empty()) return "";
  if (in_build_tree(dir)) return DRPLAN_SOURCE_ROOT;
  return (dir / DRPLAN_DATA_FROM_BIN).lexically_normal().string();
}

std::vector<std::string> default_module_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("DRPLAN_STDLIB"); env && *env) dirs.push_back(env);
  if (std::string data = data_dir(); !data.empty()) dirs.push_back(data);
  return dirs;
}

std::string resolve_plan_argument(const std::string& arg) {
  if (arg.empty() || arg.find('/') != std::string::npos || fs::path(arg).extension() == ".dr") return arg;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(arg, ec))) return arg;  // what is in the cwd wins
  std::string data = data_dir();
  if (data.empty()) return arg;
  fs::path plan = fs::path(data) / "plans" / (arg + ".dr");
  return fs::is_regular_file(plan, ec) ? plan.string() : arg;
}

}  // namespace drplan
