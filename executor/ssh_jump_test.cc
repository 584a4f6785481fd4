// Bastions: how a hop is written and how a failing chain is named.
// The real chain runs through the lab's bastion in tests/e2e/bastion.sh.
#include "executor/ssh_jump.h"

#include "executor/ssh_connect.h"

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

TEST(Jump, Labels) {
  EXPECT_EQ(jump_label(behind({"a:22"})), "bastion ops@a:22");
  EXPECT_EQ(jump_label(behind({"a", "u@b:2"})), "bastions ops@a:22, u@b:2");
  EXPECT_EQ(jump_label(behind({})), "");
}

// A bastion nobody listens on: the error names the target, the chain and the hop that
// failed, and retrying later may help. (Host keys, logins and the hop in use are proven
// through the lab's bastion in tests/e2e/bastion.sh.)
TEST(Jump, ARefusedBastionIsNamed) {
  Host h = behind({"ops@127.0.0.1:1", "b.example"});
  h.address = "127.0.0.1";
  SshOptions o;
  o.known_hosts = "/dev/null";
  JumpTunnels tunnels;
  SshConnectError err;
  EXPECT_EQ(tunnels.open(h, o, &err), -1);
  EXPECT_EQ(err.message.rfind("cannot reach 'dr-db' (ops@127.0.0.1:22) through bastions ops@127.0.0.1:1, ops@b.example:22: "
                              "cannot connect to ops@127.0.0.1:1: ",
                              0),
            0u)
      << err.message;
  EXPECT_NE(err.message.find("refused"), std::string::npos) << err.message;
  EXPECT_TRUE(err.transient);
}

}  // namespace
}  // namespace drplan
