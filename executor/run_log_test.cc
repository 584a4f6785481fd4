// The run's drplan.log stays bounded: a chatty step logs its output up to a budget and counts
// the rest, the file rotates, rotated files stay private, and escapes are rendered as text.
#include "executor/run_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_dir.h"

namespace drplan {
namespace {

namespace fs = std::filesystem;

StepInstance step(int index, const std::string& id) {
  StepInstance s;
  s.index = index;
  s.id = s.name = id;
  s.kind = StepKind::Action;
  s.host_name = "local";
  return s;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RunLogTest : public ::testing::Test {
 protected:
  // Sizes and names of drplan*.log in the run directory.
  std::map<std::string, uintmax_t> logs() const {
    std::map<std::string, uintmax_t> out;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().rfind("drplan", 0) == 0) out[e.path().filename().string()] = e.file_size();
    return out;
  }
  test_support::TestDir tmp_{"run_log"};
  const fs::path& dir_ = tmp_.path();
};

TEST_F(RunLogTest, AChattyStepLogsItsBudgetAndCountsTheRest) {
  const StepInstance s = step(0, "chatty");
  StepRun r;
  r.status = StepStatus::Succeeded;
  {
    auto log = make_logging_display(make_silent_display(), dir_.string());
    log->started(s, 1);
    const std::string line(199, 'x');
    for (int i = 0; i < 100000; ++i) log->line(s, line);  // 20 MB of output
    log->finished(s, r);
  }
  const auto sizes = logs();
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_LT(sizes.at("drplan.log"), 384u * 1024) << "256 KiB of output, timestamps and a few records";
  const std::string text = read(dir_ / "drplan.log");
  const size_t logged = 256 * 1024 / 199;
  EXPECT_NE(text.find("chatty: " + std::to_string(100000 - logged) + " more output lines (" +
                      std::to_string((100000 - logged) * 199) + " bytes) not logged"),
            std::string::npos);
  EXPECT_NE(text.find("ok chatty on local"), std::string::npos) << "the step's end is still logged";
}

TEST_F(RunLogTest, TheLogRotatesAndRotatedFilesArePrivate) {
  LogLimits limits;
  limits.file_bytes = 64 * 1024;
  limits.rotated_files = 2;
  StepRun r;
  r.status = StepStatus::Succeeded;
  {
    auto log = make_logging_display(make_silent_display(), dir_.string(), limits);
    for (int k = 0; k < 100; ++k) {  // ~1 MB in all
      const StepInstance s = step(k, "s" + std::to_string(k));
      log->started(s, 1);
      for (int i = 0; i < 100; ++i) log->line(s, std::string(99, 'y'));
      log->finished(s, r);
    }
  }
  const auto sizes = logs();
  EXPECT_EQ(sizes.size(), 3u) << "drplan.log, drplan.1.log, drplan.2.log";
  for (const auto& [name, size] : sizes) {
    EXPECT_LE(size, limits.file_bytes) << name;
    struct stat st{};
    ASSERT_EQ(stat((dir_ / name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  EXPECT_NE(read(dir_ / "drplan.log").find("ok s99 on local"), std::string::npos) << "the newest records are kept";
}

TEST_F(RunLogTest, EscapesAreLoggedAsText) {
  const StepInstance s = step(0, "noisy");
  {
    auto log = make_logging_display(make_silent_display(), dir_.string());
    log->started(s, 1);
    log->line(s, "\033]0;pwned\007\033[2J");
    log->note("note \033[31mred");
  }
  const std::string text = read(dir_ / "drplan.log");
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("noisy | \\x1b]0;pwned\\x07\\x1b[2J"), std::string::npos) << text;
  EXPECT_NE(text.find("note \\x1b[31mred"), std::string::npos) << text;
}

}  // namespace
}  // namespace drplan
