// Bastions: how a hop is written, the proxy command that dials the chain, and what its errors
// mean. The real chain runs through the lab's bastion in tests/e2e/bastion.sh.
#include "executor/ssh_jump.h"

#include <gtest/gtest.h>

namespace drplan {
namespace {

Host behind(std::vector<std::string> hops) {
  Host h;
  h.name = "dr-db";
  h.address = "10.1.0.12";
  h.ssh.user = "ops";
  h.ssh.identity = "/keys/id";
  for (const auto& t : hops) h.ssh.jump.push_back(*parse_jump_hop(t));
  return h;
}

TEST(JumpHop, ParsesUserHostAndPort) {
  auto a = parse_jump_hop("admin@bastion.example:2222");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user, "admin");
  EXPECT_EQ(a->address, "bastion.example");
  EXPECT_EQ(a->port, 2222);
  auto b = parse_jump_hop("10.0.0.1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->user, "");
  EXPECT_EQ(b->port, 22);
  auto c = parse_jump_hop("[fd00::1]:23");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "fd00::1");
  EXPECT_EQ(c->text(), "[fd00::1]:23");
  for (const char* bad : {"", "@host", "-oProxyCommand=x", "host:0", "host:99999", "a b", "h;id", "u;x@h", "[v6"})
    EXPECT_FALSE(parse_jump_hop(bad)) << bad;
}

TEST(JumpProxy, DialsTheChainInnermostFirstWithTheInventorysKnownHosts) {
  SshOptions o;
  std::string err;
  const std::string cmd = jump_proxy_command(behind({"a.example", "root@b.example:2222"}), o, "/kh", "/tmp/e", &err);
  ASSERT_FALSE(cmd.empty()) << err;
  EXPECT_EQ(cmd.rfind("exec ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes", 0), 0u) << cmd;
  EXPECT_NE(cmd.find("-o UserKnownHostsFile=/kh"), std::string::npos);
  EXPECT_NE(cmd.find("-i /keys/id"), std::string::npos);
  // The last hop is the shared ControlMaster; the first is its ProxyCommand, to b's port.
  EXPECT_NE(cmd.find("-W 10.1.0.12:22 root@b.example 2>>/tmp/e"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("-W b.example:2222 ops@a.example"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("ControlMaster=auto"), std::string::npos);
  EXPECT_EQ(cmd.find('%'), std::string::npos);
  o.accept_new_host_keys = true;
  EXPECT_NE(jump_proxy_command(behind({"a"}), o, "/kh", "/tmp/e", &err).find("StrictHostKeyChecking=accept-new"),
            std::string::npos);
  EXPECT_TRUE(jump_proxy_command(behind({"a"}), SshOptions{}, "/k%h", "/tmp/e", &err).empty());
  EXPECT_NE(err.find("'%'"), std::string::npos);
}

TEST(JumpProxy, LabelsAndFailures) {
  EXPECT_EQ(jump_label(behind({"a:22"})), "bastion ops@a:22");
  EXPECT_EQ(jump_label(behind({"a", "u@b:2"})), "bastions ops@a:22, u@b:2");
  EXPECT_EQ(jump_label(behind({})), "");
  JumpFailure key = jump_failure(
      "No ED25519 host key is known for 10.0.0.5 and you have requested strict checking.\nHost key verification failed.\n");
  EXPECT_FALSE(key.transient);
  EXPECT_NE(key.reason.find("No ED25519 host key is known"), std::string::npos);
  JumpFailure refused = jump_failure("ssh: connect to host 10.0.0.5 port 22: Connection refused\n");
  EXPECT_TRUE(refused.transient);
  EXPECT_NE(refused.reason.find("Connection refused"), std::string::npos);
  EXPECT_FALSE(jump_failure("ops@10.0.0.5: Permission denied (publickey).\n").transient);
  EXPECT_EQ(jump_failure("").reason, "the bastion's ssh gave no reason");
}

}  // namespace
}  // namespace drplan
