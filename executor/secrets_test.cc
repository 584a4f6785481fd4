#include "executor/secrets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace drplan {
namespace {

TEST(Secrets, ReadsSecretsFromEnvAndFiles) {
  SecretRef env{"pg", "DRPLAN_TEST_SECRET_ENV", "", {}};
  std::string err;
  ::unsetenv("DRPLAN_TEST_SECRET_ENV");
  EXPECT_FALSE(read_secret(env, &err));
  EXPECT_EQ(err, "secret 'pg': environment variable DRPLAN_TEST_SECRET_ENV is not set");
  ::setenv("DRPLAN_TEST_SECRET_ENV", "s3cret", 1);
  EXPECT_EQ(read_secret(env, &err).value_or(""), "s3cret");
  ::unsetenv("DRPLAN_TEST_SECRET_ENV");

  std::string path = ::testing::TempDir() + "drplan_secret_test";
  std::ofstream(path) << "from-file\n\n";
  SecretRef file{"key", "", path, {}};
  EXPECT_EQ(read_secret(file, &err).value_or(""), "from-file");  // trailing newlines dropped
  std::remove(path.c_str());
  EXPECT_FALSE(read_secret(file, &err));
  EXPECT_EQ(err.find("from-file"), std::string::npos);
}

TEST(Secrets, ASecretFileWithANulIsRefused) {
  std::string path = ::testing::TempDir() + "drplan_secret_nul_test";
  std::ofstream(path) << std::string("pass\0word\n", 10);
  SecretRef file{"key", "", path, {}};
  std::string err;
  EXPECT_FALSE(read_secret(file, &err));
  EXPECT_EQ(err, "secret 'key': " + path + " holds a NUL byte; a secret must be text");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace drplan
