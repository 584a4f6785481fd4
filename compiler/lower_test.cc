// Lowering (and the evaluator under it): in-memory plans and inventories, no files.
#include "compiler/lower.h"

#include <gtest/gtest.h>

#include "compiler/lower_test_support.h"

namespace drplan {

using test_support::Lowered;

TEST(Lower, FanOutGivesOneInstancePerHost) {
  Lowered l(R"(plan p {
    check ping on databases { probe = "ping -c1 ${target.address}" }
    check one on dr-app { probe = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.plan.instances_of("ping").size(), 2u);
  EXPECT_EQ(l.step("ping@dc-db").run.display(), "ping -c1 10.0.0.12");
  EXPECT_EQ(l.step("ping@dr-db").run.display(), "ping -c1 10.1.0.12");
  EXPECT_EQ(l.step("ping@dr-db").host_name, "dr-db");
  EXPECT_EQ(l.step("one").host_name, "dr-app");  // a single host keeps the plain id
  EXPECT_EQ(l.plan.find("ping"), nullptr);
}

TEST(Lower, TargetsBySiteRoleAndSiteRole) {
  Lowered l(R"(plan p {
    param to: site = "dr"
    check site_all on dr { probe = "true" }
    check role on db { probe = "true" }
    check site_role on to.db { probe = "true" }
    check local_one on local { probe = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.plan.instances_of("site_all").size(), 2u);  // dr-db and dr-app
  EXPECT_EQ(l.plan.instances_of("role").size(), 2u);      // dc-db and dr-db
  EXPECT_EQ(l.step("site_role").host_name, "dr-db");
  EXPECT_EQ(l.step("local_one").host, -1);
  EXPECT_EQ(l.step("local_one").host_name, "local");
}

TEST(Lower, StepAttributesOverrideTheTemplate) {
  Lowered l(R"(plan p {
    template restart(name: string, pause: duration = 5s) {
      title = "restart ${name}"
      run = "systemctl restart ${name} && sleep ${pause}"
      rollback = none "restarts cannot be undone"
      timeout = 1m
    }
    action a on dr-app = restart("ft-main-server") { timeout = 3m title = "custom" }
    action b on dr-app = restart(name: "x y", pause: 90s)
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  const auto& a = l.step("a");
  EXPECT_EQ(a.title, "custom");
  EXPECT_EQ(a.timeout, Millis(180000));
  EXPECT_EQ(a.run.display(), "systemctl restart ft-main-server && sleep 5");
  EXPECT_TRUE(a.rollback_none);
  EXPECT_EQ(a.rollback_none_reason, "restarts cannot be undone");
  const auto& b = l.step("b");
  EXPECT_EQ(b.title, "restart x y");  // titles are not shell-quoted
  EXPECT_EQ(b.run.display(), "systemctl restart 'x y' && sleep 90");
  EXPECT_EQ(b.timeout, Millis(60000));
}

TEST(Lower, InterpolatedValuesStayOneInertWord) {
  Lowered l(R"(plan p {
    param msg: string = "it's $(rm -rf /) `id`"
    action a on local { run = "echo ${msg} | logger" rollback = "echo \"${msg}\"" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo 'it'\\''s $(rm -rf /) `id`' | logger");
  // Inside "...": the quotes close around the value, single-quoted, and reopen.
  EXPECT_EQ(l.step("a").rollback.display(), "echo \"\"'it'\\''s $(rm -rf /) `id`'\"\"");
}

TEST(Lower, ValuesRenderAsSecondsBytesAddressesAndWords) {
  Lowered l(R"(plan p {
    param d: duration = 2m
    param s: size = 1KiB
    param pc: percent = 20%
    param ok: bool = true
    action a on dr-db {
      run = "x ${d} ${s} ${pc} ${ok} ${hosts.dc-db} ${target.pg_port} ${target.zone} ${vars.zone} ${['a b', 'c']}"
      rollback = "true"
    }
  })");
  // A list literal cannot be interpolated (only names); check the error, then the rest.
  EXPECT_FALSE(l.ok);
  Lowered m(R"(plan p {
    param d: duration = 2m
    param s: size = 1KiB
    param pc: percent = 20%
    param ok: bool = true
    param names: list = ["a b", "c"]
    action a on dr-db {
      run = "x ${d} ${s} ${pc} ${ok} ${hosts.dc-db} ${target.pg_port} ${target.zone} ${vars.zone} ${names}"
      rollback = "true"
    }
  })");
  ASSERT_TRUE(m.ok) << m.messages();
  // Host var pg_port overrides [vars]; zone falls back to the site's vars.
  EXPECT_EQ(m.step("a").run.display(), "x 120 1024 20 true 10.0.0.12 5433 dr.example example.test 'a b' c");
}

TEST(Lower, SecretsBecomeEnvironmentReferences) {
  Lowered l(R"(plan p {
    action a on local { run = "psql --password=${secrets.pg_password}" rollback = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "psql --password=\"${DRPLAN_SECRET_PG_PASSWORD}\"");
  EXPECT_EQ(l.step("a").run.secrets(), (std::vector<std::string>{"pg_password"}));
}

TEST(Lower, ReadingAnOutputIsAnImplicitDependency) {
  Lowered l(R"(plan p {
    check lsn on dc-db { probe = "select" }
    wait caught_up on dr-db { probe = "test ${lsn.output} = x" }
    action later on local when caught_up.ok { run = "true" rollback = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.deps("caught_up"), (std::vector<std::string>{"lsn"}));
  EXPECT_EQ(l.deps("later"), (std::vector<std::string>{"caught_up"}));
  EXPECT_TRUE(l.step("later").has_condition);
  EXPECT_EQ(l.step("later").condition.display(), "caught_up.ok");
  EXPECT_EQ(l.step("caught_up").run.display(), "test ${lsn.output} = x");
}

TEST(Lower, FanOutOutputsPairByHost) {
  Lowered l(R"(plan p {
    check a on databases { probe = "hostname" }
    action b on databases { run = "echo ${a.output}" rollback = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.deps("b@dc-db"), (std::vector<std::string>{"a@dc-db"}));
  EXPECT_EQ(l.deps("b@dr-db"), (std::vector<std::string>{"a@dr-db"}));
  EXPECT_EQ(l.step("b@dr-db").run.display(), "echo ${a@dr-db.output}");
}

TEST(Lower, AmbiguousOutputIsAnError) {
  Lowered l(R"(plan p {
    check a on databases { probe = "hostname" }
    action b on local { run = "echo ${a.output}" rollback = "true" }
  })");
  EXPECT_FALSE(l.ok);
  bool found = false;
  for (const auto& d : l.diags.all()) found |= d.code == DiagCode::AmbiguousOutput;
  EXPECT_TRUE(found) << l.messages();
}

TEST(Lower, AfterAGroupStepWaitsForEveryInstance) {
  Lowered l(R"(plan p {
    check a on databases { probe = "true" }
    gate g after a { ask = "go?" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.deps("g"), (std::vector<std::string>{"a@dc-db", "a@dr-db"}));
}

// Ten steps in a chain, each on a group of 300 hosts: "every instance after every instance"
// goes through one join barrier per step, so the edges grow with steps + hosts (3 + 2 per
// instance at most), not with hosts squared (900,000 here).
TEST(Lower, FanOutAfterFanOutJoinsInsteadOfAllPairs) {
  std::string inv = "[sites.s]\n";
  std::string group = "[groups]\nall = [";
  for (int h = 0; h < 300; ++h) {
    inv += "[hosts.h" + std::to_string(h) + "]\nsite = \"s\"\naddress = \"10.0.1." + std::to_string(h) + "\"\n";
    group += (h ? ", \"h" : "\"h") + std::to_string(h) + "\"";
  }
  std::string text = "plan p {\n  check s0 on all { probe = \"true\" }\n";
  for (int i = 1; i < 10; ++i)
    text += "  check s" + std::to_string(i) + " on all after s" + std::to_string(i - 1) + " { probe = \"true\" }\n";
  text += "  check one after s9 { probe = \"true\" }\n}\n";
  Lowered l(text, true, {}, inv + group + "]\n");
  ASSERT_TRUE(l.ok) << l.messages();
  size_t edges = 0, joins = 0;
  for (const auto& st : l.plan.steps) {
    edges += st.deps.size();
    joins += st.kind == StepKind::Barrier;
  }
  EXPECT_EQ(joins, 9u);  // s0..s8; s9's dependent is one instance: 300 edges either way
  EXPECT_EQ(edges, 9u * 300 + 9u * 300 + 300);
  EXPECT_EQ(l.deps("s1@h7"), (std::vector<std::string>{"s0@*"}));
  EXPECT_EQ(l.deps("s0@*").size(), 300u);
  EXPECT_EQ(l.deps("one").size(), 300u);
  EXPECT_EQ(l.plan.instances_of("s1").size(), 300u);  // the join is no instance of s1
  ASSERT_EQ(l.plan.waves.size(), 11u);                // and adds no wave
  EXPECT_EQ(l.plan.waves[1].size(), 300u);
}

TEST(Lower, PhasesAreOrderedThroughBarriers) {
  Lowered l(R"(plan p {
    phase "one" { check a { probe = "true" } check b { probe = "true" } }
    phase "two" { check c { probe = "true" } }
    phase "empty" { }
    phase "four" { check d { probe = "true" } }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.deps("c"), (std::vector<std::string>{"phase:two"}));
  EXPECT_EQ(l.deps("phase:two"), (std::vector<std::string>{"a", "b"}));
  // An empty phase chains through its barrier.
  EXPECT_EQ(l.deps("phase:empty"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(l.deps("phase:four"), (std::vector<std::string>{"phase:empty"}));
  EXPECT_EQ(l.deps("d"), (std::vector<std::string>{"phase:four"}));
  ASSERT_EQ(l.plan.waves.size(), 3u);  // a b | c | d: barriers add no wave
  EXPECT_EQ(l.plan.waves[0].size(), 2u);
}

TEST(Lower, CompileTimeWhenDisablesTheStep) {
  Lowered l(R"(plan p {
    param full: bool = false
    check a when full { probe = "true" }
    check b when !full && 2 > 1 { probe = "true" }
  })");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_FALSE(l.step("a").enabled);
  EXPECT_EQ(l.step("a").disabled_reason, "when condition is false");
  EXPECT_TRUE(l.step("b").enabled);
  EXPECT_FALSE(l.step("b").has_condition);
}

TEST(Lower, SetOverridesAreTypeChecked) {
  Lowered ok(R"(plan p { param n: int = 1  param t: duration = 1s
    check a { probe = "sleep ${t}; echo ${n}" } })",
             true, {{"n", "7"}, {"t", "90s"}});
  ASSERT_TRUE(ok.ok) << ok.messages();
  EXPECT_EQ(ok.step("a").run.display(), "sleep 90; echo 7");

  Lowered bad(R"(plan p { param n: int = 1  param t: duration = 1s
    check a { probe = "sleep ${t}; echo ${n}" } })",
              true, {{"n", "seven"}, {"t", "20GiB"}, {"m", "1"}});
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.messages(),
            "0:0: --set n=seven: expected an int [E0201]\n"
            "0:0: --set t=20GiB: expected a duration [E0201]\n"
            "0:0: --set m=1: the plan has no param 'm' [E0101]\n");
}

TEST(Lower, ADefaultReplacedBySetIsNotCheckedAgainstTheInventory) {
  // The standard plans default to the lab's sites; another inventory names its own.
  const char* plan = R"(plan p { param from: site = "fra"  check a on from.db { probe = "true" } })";
  Lowered replaced(plan, true, {{"from", "dc"}});
  ASSERT_TRUE(replaced.ok) << replaced.messages();
  EXPECT_EQ(replaced.step("a").host_name, "dc-db");

  Lowered used(plan);
  EXPECT_FALSE(used.ok);
  EXPECT_EQ(used.messages(), "1:29: unknown site 'fra' [E0204]\n");
}

TEST(Lower, DurationsAndSizesBeyondTheirMaximaAreErrors) {
  Lowered lit(R"(plan p {
    check a { probe = "true" timeout = 200000d }
    check b { probe = "true" timeout = 9000000000000000000ms }
    check c { probe = "echo ${s}" }
    param s: size = 2000000TiB
  })");
  EXPECT_FALSE(lit.ok);
  EXPECT_EQ(lit.messages(),
            "2:40: duration '200000d' is too long [E0205]\n"
            "3:40: duration '9000000000000000000ms' is too long [E0205]\n"
            "5:21: size '2000000TiB' is too large [E0205]\n");
  EXPECT_EQ(lit.diags.all()[0].help, "durations are at most 366d (one year)");

  Lowered set(R"(plan p { param t: duration = 1s  param z: size = 1B
    check a { probe = "sleep ${t} ${z}" } })",
              true, {{"t", "200000d"}, {"z", "2000000TiB"}});
  EXPECT_EQ(set.messages(),
            "0:0: --set t=200000d: duration '200000d' is too long [E0201]\n"
            "0:0: --set z=2000000TiB: size '2000000TiB' is too large [E0201]\n");
}

TEST(Lower, WithoutInventoryTargetsAndVarsStaySymbolic) {
  Lowered l(R"(plan p {
    param to: site = "dr"
    check a on to.db { probe = "ping ${target.address} ${vars.zone}" }
  })",
            /*inventory=*/false);
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").host_name, "dr.db");
  EXPECT_EQ(l.step("a").run.display(), "ping '<dr.db.address>' '<vars.zone>'");
}

TEST(Lower, UnknownNamesSuggestTheClosest) {
  Lowered l(R"(plan p {
    param target_site: site = "dr"
    check a on local { probe = "echo ${target_sit}" }
  })");
  EXPECT_FALSE(l.ok);
  ASSERT_EQ(l.diags.all().size(), 1u) << l.messages();
  EXPECT_EQ(l.diags.all()[0].message, "unknown name 'target_sit'");
  EXPECT_EQ(l.diags.all()[0].help, "did you mean 'target_site'? (for the shell's own variable, write \\${target_sit})");
}

TEST(Lower, ExpectPatternsAreCompiledAndSharedByFanOut) {
  Lowered good(R"(plan p { check a on databases { probe = "psql -Atc 'select 1'" expect = "^1" } })");
  ASSERT_TRUE(good.ok) << good.messages();
  EXPECT_TRUE(good.step("a@dc-db").expect.search("1\n"));
  EXPECT_EQ(good.step("a@dr-db").expect.text(), "^1");

  // One error at the string, not one per instance.
  Lowered bad(R"(plan p {
    check a on databases { probe = "true" expect = "^(a" }
    check b on local { probe = "true" expect = "(ok)\1" }
  })");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.messages(),
            "2:52: invalid regex in 'expect': missing ): ^(a [E0206]\n"
            "3:48: invalid regex in 'expect': invalid escape sequence: \\1 [E0206]\n");
  EXPECT_EQ(bad.diags.all()[1].help.rfind("backreferences are not supported", 0), 0u) << bad.diags.all()[1].help;
}

// Thirty defs, each calling the one before twice: d30 would make 2^31 calls and as many
// pieces of text. The call in the step runs out of its budget and is the error.
TEST(Lower, DefsThatDoubleTheWorkRunOutOfTheirBudget) {
  std::string text = "plan p {\n  def d0(x: string) = x + x\n";
  for (int i = 1; i <= 30; ++i)
    text += "  def d" + std::to_string(i) + "(x: string) = d" + std::to_string(i - 1) + "(x) + d" +
            std::to_string(i - 1) + "(x)\n";
  text += "  check a { probe = d30(\"x\") }\n  check b on databases { probe = d30(\"y\") }\n}\n";
  Lowered l(text);
  EXPECT_FALSE(l.ok);
  // b fans out over two hosts: its call fails once, at once (the def is known to be costly).
  EXPECT_EQ(l.messages(),
            "33:21: calling 'd30' takes more than 100000 evaluation steps [E0205]\n"
            "34:34: calling 'd30' takes more than 100000 evaluation steps [E0205]\n");
  EXPECT_EQ(l.diags.error_count(), 2u);
  const Diagnostic& d = l.diags.all()[0];
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].message.find("the budget ran out in this call of 'd"), std::string::npos);
  EXPECT_NE(d.help.find("d1(x) = d0(x) + d0(x)"), std::string::npos) << d.help;
}

// f calls itself three times: the depth limit stops the first chain, and its siblings are
// not tried (3^32 calls), so there is exactly one error.
TEST(Lower, ARecursiveDefEndsAtTheDepthLimitOnce) {
  Lowered l(R"(plan p {
  def f(x: string) = f(x) + f(x) + f(x)
  check a { probe = f("x") }
})");
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.messages(), "2:22: calls nested more than 32 deep (is 'f' recursive?) [E0205]\n");
  EXPECT_EQ(l.diags.error_count(), 1u);
}

// Few calls, but each result holds its argument twice: rendering would write 2^30 copies.
TEST(Lower, TextThatHoldsAValueTwicePerLevelRunsOutOfTheBudget) {
  std::string call = "\"x\"";
  for (int i = 0; i < 30; ++i) call = "t(" + call + ")";
  Lowered l("plan p {\n  def t(y: string) = y + y\n  check a { probe = " + call + " }\n}\n");
  EXPECT_FALSE(l.ok);
  ASSERT_EQ(l.diags.error_count(), 1u) << l.messages();
  EXPECT_EQ(l.diags.all()[0].message, "calling 't' takes more than 100000 evaluation steps");
}

// Few steps but much text: k6 is 64 KiB doubled six times, and its calls' results make
// 7 x 4 MiB together (k5's 6 x 2 MiB are within the budget).
TEST(Lower, DefsThatMakeTooMuchTextRunOutOfTheBudget) {
  std::string text = "plan p {\n  def k0() = \"" + std::string(64 << 10, 'k') + "\"\n";
  for (int i = 1; i <= 6; ++i)
    text += "  def k" + std::to_string(i) + "() = k" + std::to_string(i - 1) + "() + k" + std::to_string(i - 1) + "()\n";
  text += "  check a { probe = k5() }\n  check b { probe = k6() }\n}\n";
  Lowered l(text);
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.messages(), "10:21: calling 'k6' makes more than 16 MiB of text [E0205]\n");
}

// 4,000 unknown names among 4,000 steps: every one is counted, the first 100 are kept with
// their hints, and no more hints are searched for (each search compares every step).
TEST(Lower, ManyUnknownNamesAreCountedNotAllReported) {
  std::string text = "plan p {\n";
  for (int i = 0; i < 4000; ++i)
    text += "  check c" + std::to_string(i) + " { probe = \"echo ${c" + std::to_string(i) + "x.output}\" }\n";
  text += "  check last after c1, c22x { probe = \"true\" }\n}\n";
  Lowered l(text, /*inventory=*/false);
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.diags.error_count(), 4001u);
  ASSERT_EQ(l.diags.all().size(), DiagnosticEngine::kMaxKept + 1);
  EXPECT_EQ(l.diags.all()[0].message, "unknown name 'c0x'");
  EXPECT_EQ(l.diags.all()[0].help, "did you mean 'c0'?");
  EXPECT_EQ(l.diags.all().back().message, "too many diagnostics: 3901 more errors not shown");
}


// ---- become: whom a step's commands run as ----

namespace {
const char* kBecomeInventory = R"(
[ssh]
user = "ops"
become = "sudo"
[sites.dr]
[hosts.dr-db]
site = "dr"
address = "10.1.0.12"
[hosts.dr-db.vars]
pg_os_user = "postgres"
[hosts.dr-ops]
site = "dr"
address = "10.1.0.13"
[hosts.dr-ops.ssh]
become_user = "ops"
[hosts.dr-plain]
site = "dr"
address = "10.1.0.14"
[hosts.dr-plain.ssh]
become = "none"
user = "root"
)";
}  // namespace

TEST(Lower, BecomeRunsAsTheStepsUserElseTheHostsAndNeverAsTheLoginUser) {
  Lowered l(R"(plan p {
    template q() {
      probe = "psql"
      become_user = target.pg_os_user
    }
    check sql on dr-db = q()
    check root on dr-db { probe = "id" }
    check self on dr-ops { probe = "id" }
    check plain on dr-plain { probe = "id" }
  })", true, {}, kBecomeInventory);
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("sql").run_as, "postgres");  // the template's, from the host's variable
  EXPECT_EQ(l.step("root").run_as, "root");     // become's default user
  EXPECT_EQ(l.step("self").run_as, "");         // becoming the login user needs no sudo
  EXPECT_EQ(l.step("plain").run_as, "");
}

TEST(Lower, BecomeUserWithoutBecomeOrOnThisMachineIsLocated) {
  Lowered l(R"(plan p {
    check a on dr-plain {
      probe = "id"
      become_user = "postgres"
    }
    check b on dr-plain {
      probe = "id"
      become_user = "root"
    }
    check c on local {
      probe = "id"
      become_user = "postgres"
    }
    check d on dr-db {
      probe = "id"
      become_user = "x y"
    }
  })", true, {}, kBecomeInventory);
  const std::string m = l.messages();
  EXPECT_NE(m.find("4:21: 'a' must run as 'postgres', but dr-plain logs in as 'root' without become"), std::string::npos) << m;
  EXPECT_EQ(m.find("'b' must run as"), std::string::npos) << m;  // root is the login user
  EXPECT_NE(m.find("12:21: become_user 'postgres' on a step that runs on this machine"), std::string::npos) << m;
  EXPECT_NE(m.find("16:21: become_user is not a user name: 'x y'"), std::string::npos) << m;
}

}  // namespace drplan
