#include "compiler/program.h"

#include <filesystem>
#include <string_view>
#include <unordered_map>

#include "compiler/parser.h"

namespace drplan {

namespace fs = std::filesystem;

namespace {

class Loader {
 public:
  Loader(SourceManager& sm, const std::vector<std::string>& dirs, DiagnosticEngine& diags, bool digest)
      : sm_(sm), dirs_(dirs), diags_(diags), digest_(digest) {}

  const ast::Unit* load(const std::string& path, Program& prog, Loc used_at, bool expect_module) {
    std::error_code ec;
    std::string key = fs::weakly_canonical(path, ec).string();
    if (auto it = by_path_.find(key); it != by_path_.end()) return it->second;
    std::string error;
    int file = sm_.load(path, &error);
    if (file < 0) {
      diags_.error(DiagCode::UnknownModule, used_at, error);
      return nullptr;
    }
    if (digest_) digest_input_ += path + "\n" + sm_.text(file) + "\n";
    auto unit = parse_file(sm_, file, diags_);
    if (!unit) return nullptr;
    if (expect_module && !unit->is_module) {
      diags_.error(DiagCode::UnknownModule, used_at, "'" + path + "' is a plan, not a module");
      return nullptr;
    }
    if (!expect_module && unit->is_module) {
      diags_.error(DiagCode::UnknownModule, unit->loc,
                   "'" + path + "' is a module; only plans can be checked on their own").help =
          "modules are checked through the plans that use them";
      return nullptr;
    }
    duplicates(unit->templates, "template");
    duplicates(unit->defs, "def");
    const ast::Unit* raw = unit.get();
    by_path_[key] = raw;
    prog.units.push_back(std::move(unit));
    for (const auto& use : raw->uses) {
      std::string found = find_module(use.path, sm_.path(file));
      if (found.empty()) {
        auto& d = diags_.error(DiagCode::UnknownModule, use.loc, "cannot find module '" + use.path + "'");
        d.help = "looked for " + use.path + ".dr beside the plan, in its parent directories and in the stdlib";
        continue;
      }
      const ast::Unit* mod = load(found, prog, use.loc, true);
      if (!mod) continue;
      auto& aliases = prog.aliases[raw];
      if (aliases.count(use.alias)) {
        diags_.error(DiagCode::DuplicateName, use.alias_loc, "module alias '" + use.alias + "' is used twice")
            .help = "give one of them another name with `as`";
        continue;
      }
      aliases[use.alias] = mod;
    }
    return raw;
  }

  std::string digest() const { return digest_ ? sha256_hex(digest_input_) : ""; }

 private:
  // Calls find the first of two same-named templates (or defs): the second would be
  // silently dead, so it is an error.
  template <typename Items>
  void duplicates(const Items& items, const char* what) {
    std::unordered_map<std::string_view, Loc> first;
    for (const auto& item : items) {
      auto [it, fresh] = first.try_emplace(item.name, item.loc);
      if (fresh) continue;
      auto& d = diags_.error(DiagCode::DuplicateName, item.loc,
                             std::string(what) + " '" + item.name + "' is defined twice");
      d.notes.push_back({it->second, "first defined here"});
      d.help = "rename or remove one of them: calls would always reach the first";
    }
  }

  std::string find_module(const std::string& name, const std::string& from) {
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(from), ec).parent_path();
    for (fs::path d = dir;; d = d.parent_path()) {
      fs::path candidate = d / (name + ".dr");
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
      if (d == d.parent_path() || d.empty()) break;
    }
    for (const auto& base : dirs_) {
      for (fs::path candidate : {fs::path(base) / (name + ".dr"), fs::path(base).parent_path() / (name + ".dr")}) {
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
      }
    }
    return "";
  }

  SourceManager& sm_;
  const std::vector<std::string>& dirs_;
  DiagnosticEngine& diags_;
  bool digest_;
  std::map<std::string, const ast::Unit*> by_path_;
  std::string digest_input_;
};

}  // namespace

std::unique_ptr<Program> load_program(SourceManager& sm, const std::string& path,
                                      const std::vector<std::string>& module_dirs, DiagnosticEngine& diags,
                                      bool digest) {
  auto prog = std::make_unique<Program>();
  Loader loader(sm, module_dirs, diags, digest);
  size_t before = diags.error_count();
  const ast::Unit* plan = loader.load(path, *prog, Loc{}, false);
  if (!plan || diags.error_count() > before) return nullptr;
  prog->digest = loader.digest();
  return prog;
}

}  // namespace drplan
