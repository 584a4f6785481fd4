// The slice of ssh_config(5) an inventory may opt into: OpenSSH's matching and first-wins rule.
#include "compiler/ssh_config.h"

#include <gtest/gtest.h>

namespace drplan {
namespace {

TEST(SshConfig, PatternsAsOpenSsh) {
  EXPECT_TRUE(ssh_host_matches("db-*", "db-1"));
  EXPECT_TRUE(ssh_host_matches("web db?", "db1"));
  EXPECT_FALSE(ssh_host_matches("db?", "db12"));
  EXPECT_FALSE(ssh_host_matches("* !db-1", "db-1"));  // a negated pattern excludes
  EXPECT_TRUE(ssh_host_matches("* !db-1", "db-2"));
  EXPECT_TRUE(ssh_host_matches("DB-1", "db-1"));
}

TEST(SshConfig, FirstValueWinsAcrossMatchingBlocks) {
  const char* text =
      "# comment\n"
      "Host db-*\n"
      "  HostName 10.0.0.5\n"
      "  User=ops\n"
      "Host db-1\n"
      "  HostName 10.9.9.9\n"  // too late: the first value counts
      "  Port 2222\n"
      "  ProxyJump ops@bastion:22,b2\n"
      "Match host db-1\n"
      "  User root\n"            // Match blocks are not applied
      "Host *\n"
      "  IdentityFile ~/.ssh/id_ops\n"
      "  ProxyCommand nc %h %p\n";
  const SshConfigEntry e = lookup_ssh_config(text, "db-1");
  EXPECT_TRUE(e.matched);
  EXPECT_EQ(e.hostname.value_or(""), "10.0.0.5");
  EXPECT_EQ(e.user.value_or(""), "ops");
  EXPECT_EQ(e.port.value_or(0), 2222);
  EXPECT_EQ(e.proxy_jump.value_or(""), "ops@bastion:22,b2");
  EXPECT_EQ(e.identity.value_or(""), "~/.ssh/id_ops");
  EXPECT_NE(e.ignored.find("Match"), std::string::npos);
  EXPECT_NE(e.ignored.find("ProxyCommand"), std::string::npos);
  EXPECT_FALSE(lookup_ssh_config("Host web\n  User x\n", "db-1").matched);
}

}  // namespace
}  // namespace drplan
