// drplan_tests runs from the build tree, so its data dir is the source tree; the installed
// layout is tested on a real install (tests/package/install.sh).
#include "compiler/install_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/test_dir.h"

namespace drplan {

namespace {

namespace fs = std::filesystem;

// Runs the test body in a scratch cwd, and goes back to where it was.
class InstallPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    before_ = fs::current_path();
    fs::current_path(dir_.path());
  }
  void TearDown() override { fs::current_path(before_); }
  test_support::TestDir dir_{"install_paths"};
  fs::path before_;
};

const std::string kPlans = std::string(DRPLAN_SOURCE_DIR) + "/plans/";

TEST_F(InstallPathsTest, TheBuildTreesDataDirIsTheSourceTree) {
  std::error_code ec;
  EXPECT_TRUE(fs::equivalent(data_dir(), DRPLAN_SOURCE_DIR, ec)) << data_dir();
}

TEST_F(InstallPathsTest, ABareNameIsAStandardPlan) {
  EXPECT_EQ(resolve_plan_argument("failover"), kPlans + "failover.dr");
  EXPECT_EQ(resolve_plan_argument("restore"), kPlans + "restore.dr");
}

TEST_F(InstallPathsTest, PathsAndUnknownNamesAreLeftAsTheyAre) {
  for (const char* arg : {"failover.dr", "./failover", "plans/failover", "no_such_plan", ""})
    EXPECT_EQ(resolve_plan_argument(arg), arg);
}

TEST_F(InstallPathsTest, WhatIsInTheCurrentDirectoryWins) {
  std::ofstream("failover") << "plan mine {}\n";
  fs::create_directory("restore");
  EXPECT_EQ(resolve_plan_argument("failover"), "failover");
  EXPECT_EQ(resolve_plan_argument("restore"), "restore");
}

TEST_F(InstallPathsTest, TheEnvironmentsStdlibComesFirst) {
  setenv("DRPLAN_STDLIB", "/elsewhere/stdlib", 1);
  auto dirs = default_module_dirs();
  unsetenv("DRPLAN_STDLIB");
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], "/elsewhere/stdlib");
  EXPECT_EQ(dirs[1], data_dir());
}

}  // namespace

}  // namespace drplan
