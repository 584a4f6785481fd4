// Commands from values: data is quoted for the shell context it lands in, never becomes
// command text, and contexts no quoting makes safe are located errors. The shell oracle
// (tests/shell_oracle_test.cc) runs what these render under dash and bash.
#include "compiler/command_render.h"

#include <gtest/gtest.h>

#include "compiler/lower_test_support.h"
#include "executor/interpolate.h"

namespace drplan {

using test_support::Lowered;

namespace {

std::string run_of(const Lowered& l, std::string_view id, const std::string& output = "") {
  return render_command(l.step(id).run, [&](const std::string&) { return output; });
}

}  // namespace

TEST(CommandRender, ValueInsideDoubleQuotesClosesThemAroundASingleQuotedWord) {
  Lowered l(R"dr(plan p {
    param msg: string = "x"
    action a on local { run = "echo \"got: ${msg}\"" rollback = "true" }
  })dr", true, {{"msg", "$(touch /tmp/pwned)"}});
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo \"got: \"'$(touch /tmp/pwned)'\"\"");
}

TEST(CommandRender, StepOutputInsideDoubleQuotesIsQuotedAtRunTime) {
  Lowered l(R"dr(plan p {
    check rows on dr-db { probe = "echo 3" }
    action a on local { run = "echo \"dr had ${rows.output} rows\"" rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(run_of(l, "a", "1$(reboot)`id`"), "echo \"dr had \"'1$(reboot)`id`'\" rows\"");
}

TEST(CommandRender, PlainWordsInsideDoubleQuotesStayReadable) {
  Lowered l(R"dr(plan p {
    action a on dr-db { run = "echo \"on ${target.address}:${target.pg_port}\"" rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo \"on 10.1.0.12:5433\"");
}

TEST(CommandRender, ValuesInSubstitutionsAndBackquotesTakeTheInnerContext) {
  Lowered l(R"dr(plan p {
    param v: string = "a'b"
    action a on local { run = "x=\"$(basename ${v})\"; y=`echo ${v}`" rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  // In backquotes the shell removes one level of backslashes first.
  EXPECT_EQ(l.step("a").run.display(), "x=\"$(basename 'a'\\''b')\"; y=`echo 'a'\\\\''b'`");
}

TEST(CommandRender, SecretsInsideDoubleQuotesStayQuotedExpansions) {
  Lowered l(R"dr(plan p {
    action a on local { run = "login \"--password=${secrets.pg_password}\"" rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "login \"--password=\"\"${DRPLAN_SECRET_PG_PASSWORD}\"\"\"");
}

TEST(CommandRender, ADefReturningItsParameterReturnsData) {
  Lowered l(R"dr(plan p {
    param p: string = "x"
    def id(s: string) = s
    action a on local { run = "echo " + id(p) rollback = "true" }
  })dr", true, {{"p", "; touch /tmp/pwned"}});
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo '; touch /tmp/pwned'");
}

TEST(CommandRender, ADefBuildingCommandTextFromLiteralsIsCommandText) {
  Lowered l(R"dr(plan p {
    def greet() = "echo " + "hi; echo there"
    action a on local { run = greet() rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo hi; echo there");
}

TEST(CommandRender, DataCannotBeAWholeCommand) {
  Lowered l(R"dr(plan p {
    param msg: string = "echo hi"
    check a on local { probe = msg }
    check b on local { probe = vars.zone }
    check c on dr-db { probe = target.pg_port }
    check d on local { probe = "echo x" + msg }
  })dr");
  EXPECT_FALSE(l.ok);
  std::string m = l.messages();
  EXPECT_NE(m.find("3:32: a value read from a param, the inventory or a step cannot be a whole command [E0405]"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("4:32: a value read from a param, the inventory or a step cannot be a whole command [E0405]"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("5:32: expected a command (string), found an int"), std::string::npos) << m;
  EXPECT_EQ(m.find("6:"), std::string::npos) << "joined with '+' the param is an argument: " << m;
}

TEST(CommandRender, ATemplateCommandFromTheCallersDataIsRefused) {
  Lowered l(R"dr(plan p {
    param cmd: string = "true"
    template t(c: string) { probe = c }
    check ok on local = t("echo from the plan")
    check bad on local = t(cmd)
  })dr");
  EXPECT_FALSE(l.ok);
  std::string m = l.messages();
  EXPECT_NE(m.find("cannot be a whole command [E0405]"), std::string::npos) << m;
  EXPECT_EQ(m.find("4:"), std::string::npos) << "a literal argument is the author's text: " << m;
}

TEST(CommandRender, ContextsThatCannotBeMadeSafeAreLocatedErrors) {
  Lowered l(R"dr(plan p {
    param v: string = "x"
    check sq on local { probe = "echo 'a ${v} b'" }
    check hd on local { probe = "cat <<EOF\n${v}\nEOF" }
    check cm on local { probe = "true # ${v}" }
    check ar on local { probe = "echo $(( 1 + ${v} ))" }
    check cp on local { probe = "case x in ${v}) true ;; esac" }
    check bs on local { probe = "echo \\${v}" }
    check dl on local { probe = "echo $${v}" }
    check bd on local { probe = "echo \"`echo ${v}`\"" }
    check pe on local { probe = "echo \${HOME:-${v}}" }
    check an on local { probe = "echo $'x' ${v}" }
  })dr");
  EXPECT_FALSE(l.ok);
  std::string m = l.messages();
  for (const char* want : {"3:42: interpolation inside '...' cannot be quoted safely [E0404]",
                           "4:45: interpolation inside a heredoc body cannot be quoted safely [E0404]",
                           "5:41: interpolation inside a shell comment [E0404]",
                           "6:47: only a number can be interpolated inside shell arithmetic [E0404]",
                           "7:44: interpolation as a case pattern [E0404]",
                           "8:41: interpolation right after a backslash [E0404]",
                           "9:40: interpolation right after '$' [E0404]",
                           "10:47: interpolation inside backquotes inside \"...\" [E0404]",
                           "11:48: interpolation inside the shell's own ${...} cannot be quoted safely [E0404]",
                           "12:44: interpolation after $'...'"})
    EXPECT_NE(m.find(want), std::string::npos) << want << "\nin:\n" << m;
}

TEST(CommandRender, NumbersMayGoIntoArithmetic) {
  Lowered l(R"dr(plan p {
    param n: int = 3
    param d: duration = 2m
    check a on local { probe = "echo $(( ${n} * 2 + ${d} ))" }
  })dr", true, {{"n", "-4"}});
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "echo $(( (-4) * 2 + 120 ))");
}

TEST(CommandRender, CaseSubjectAndBodiesAreWords) {
  Lowered l(R"dr(plan p {
    param v: string = "a b"
    check a on local { probe = "case ${v} in *://*) echo ${v} ;; *) cp ${v} /x ;; esac" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "case 'a b' in *://*) echo 'a b' ;; *) cp 'a b' /x ;; esac");
}

TEST(CommandRender, AHeredocBeforeTheValueEndsAtItsDelimiter) {
  Lowered ok(R"dr(plan p {
    param v: string = "a b"
    check a on local { probe = "cat <<'EOF'\nit's $HOME\nEOF\necho ${v}" }
  })dr");
  ASSERT_TRUE(ok.ok) << ok.messages();
  EXPECT_EQ(ok.step("a").run.display(), "cat <<'EOF'\nit's $HOME\nEOF\necho 'a b'");
}

TEST(CommandRender, AnUnclosedQuoteIsReported) {
  Lowered l(R"dr(plan p {
    param v: string = "x"
    check a on local { probe = "echo \"${v}" }
  })dr");
  EXPECT_FALSE(l.ok);
  EXPECT_NE(l.messages().find("3:32: the command leaves a \" quote open [E0404]"), std::string::npos) << l.messages();
}

TEST(CommandRender, RawIsAWarningAndMarkedInThePlan) {
  Lowered l(R"dr(plan p {
    param flags: string = "-a -b"
    check a on local { probe = "ls " + sh.raw(flags) }
    check b on local { probe = "ls ${flags | raw}" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  std::string m = l.messages();
  EXPECT_NE(m.find("3:40: a value is inserted into the command unquoted [W0503]"), std::string::npos) << m;
  EXPECT_NE(m.find("4:36: a value is inserted into the command unquoted [W0503]"), std::string::npos) << m;
  EXPECT_EQ(l.step("a").run.display(), "ls -a -b");
  EXPECT_EQ(l.step("a").run.unquoted.size(), 1u);
  EXPECT_EQ(l.step("b").run.unquoted.size(), 1u);
}

TEST(CommandRender, GlobKeepsOnlyStarAndQuestionMarkActive) {
  Lowered l(R"dr(plan p {
    param pattern: string = "DB_*.zip"
    check a on local { probe = "ls /b/${pattern | glob}" }
    check b on local { probe = "ls \"/b/${pattern | glob}\"" }
  })dr", true, {{"pattern", "$(id)_?.zip"}});
  EXPECT_FALSE(l.ok);
  EXPECT_EQ(l.step("a").run.display(), "ls /b/'$(id)_'?'.zip'");
  EXPECT_NE(l.messages().find("4:41: `| glob` only works in an unquoted word"), std::string::npos) << l.messages();
}

TEST(CommandRender, AListInsideDoubleQuotesStaysOneString) {
  Lowered l(R"dr(plan p {
    param ports: list = [22, "a b"]
    check a on local { probe = "for p in ${ports}; do echo \"[${ports}]\"; done" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  EXPECT_EQ(l.step("a").run.display(), "for p in 22 'a b'; do echo \"[\"22' ''a b'\"]\"; done");
}

TEST(CommandRender, ValuesWithNulNeverReachACommand) {
  Lowered l(R"dr(plan p {
    param p: string = "x"
    action a on local { run = "rm -rf /d/${p}" rollback = "true" }
  })dr", true, {{"p", std::string("data\0_old", 9)}});
  EXPECT_FALSE(l.ok);
  EXPECT_NE(l.messages().find("NUL"), std::string::npos) << l.messages();
}

TEST(CommandRender, AStepOutputWithNulIsRefusedAtRunTime) {
  Lowered l(R"dr(plan p {
    check c on local { probe = "printf x" }
    action a on local { run = "rm -rf /d/${c.output}" rollback = "true" }
  })dr");
  ASSERT_TRUE(l.ok) << l.messages();
  std::string error;
  std::string cmd = render_command(l.step("a").run, [](const std::string&) { return std::string("d\0x", 3); }, &error);
  EXPECT_TRUE(cmd.empty());
  EXPECT_NE(error.find("NUL"), std::string::npos);
}

}  // namespace drplan
