#pragma once
// A scratch directory per test: named for the process and the test (parameterised names made
// path-safe), emptied before the test and removed after it. A fixture holds one as a member.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace drplan::test_support {

class TestDir {
 public:
  /// `suite` prefixes the name; `create` false leaves making it to the code under test.
  explicit TestDir(const std::string& suite, bool create = true) {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    path_ = std::filesystem::temp_directory_path() /
            ("drplan-" + suite + "-" + std::to_string(getpid()) + "-" + test);
    std::filesystem::remove_all(path_);
    if (create) std::filesystem::create_directories(path_);
  }
  ~TestDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace drplan::test_support
