// Loading a plan and its modules from files: duplicate templates and defs.
#include "compiler/program.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/located.h"
#include "tests/test_dir.h"

namespace drplan {

namespace {

struct Loaded {
  test_support::TestDir dir{"program"};
  SourceManager sm;
  DiagnosticEngine diags;
  std::unique_ptr<Program> program;

  Loaded(const std::string& plan, const std::string& module = "") {
    if (!module.empty()) std::ofstream(dir.path() / "m.dr") << module;
    std::ofstream(dir.path() / "p.dr") << plan;
    program = load_program(sm, (dir.path() / "p.dr").string(), {}, diags, false);
    diags.sort();
  }
  std::string messages() const { return test_support::located(sm, diags); }
  /// "line: message" of the first diagnostic's first note.
  std::string note() const {
    const auto& n = diags.all().at(0).notes.at(0);
    return std::to_string(sm.line_col(n.loc).line) + ": " + n.message;
  }
};

}  // namespace

TEST(Program, DuplicateTemplatesAndDefsAreErrorsAtTheSecond) {
  Loaded l(R"(plan p {
  def f() = "one"
  def f() = "two"
  template t() { run = "a" }
  template t() { run = "b" }
  template f() { run = "c" }
  check c { probe = f() }
})");
  EXPECT_EQ(l.program, nullptr);
  // A template and a def may share a name: they are called in different places.
  EXPECT_EQ(l.messages(),
            "3:7: def 'f' is defined twice [E0102]\n"
            "5:12: template 't' is defined twice [E0102]\n");
  EXPECT_EQ(l.note(), "2: first defined here");
}

TEST(Program, DuplicatesInAModuleAreReportedThere) {
  Loaded l("plan p {\n  use m\n  check c { probe = m.f() }\n}\n",
           "module m {\n  def f() = \"one\"\n  def g() = \"g\"\n  def f() = \"two\"\n}\n");
  EXPECT_EQ(l.program, nullptr);
  ASSERT_EQ(l.diags.all().size(), 1u) << l.messages();
  EXPECT_EQ(l.sm.path(l.diags.all()[0].loc.file), (l.dir.path() / "m.dr").string());
  EXPECT_EQ(l.messages(), "4:7: def 'f' is defined twice [E0102]\n");
  EXPECT_EQ(l.note(), "2: first defined here");
}

}  // namespace drplan
