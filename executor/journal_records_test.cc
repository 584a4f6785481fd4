// Typed journal records: each kind written and read back, and lines of older journals.
#include "executor/journal_records.h"

#include <gtest/gtest.h>

namespace drplan::records {
namespace {

template <typename Rec>
Rec round_trip(const Rec& r) {
  nlohmann::json j = r;
  j["ts"] = "2024-01-02T03:04:05.000Z";  // as the store stamps it
  j["ts_ms"] = 1704164645000LL;
  Record back = read_record(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.ts, "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(back.ts_ms, 1704164645000LL);
  const Rec* got = std::get_if<Rec>(&back.body);
  EXPECT_TRUE(got) << j.dump();
  EXPECT_EQ(nlohmann::json(got ? *got : Rec{}), nlohmann::json(r)) << "fields survive";
  return got ? *got : Rec{};
}

TEST(JournalRecords, EveryKindRoundTrips) {
  RunStart start;
  start.run = "r1";
  start.plan = "failover";
  start.pid = 42;
  start.args = {"drplan", "apply"};
  start.selection.only = {"a"};
  start.selection.reason = "done by hand";
  start.sets = nlohmann::json{{"to", "dr"}};
  EXPECT_FALSE(round_trip(start).resume);
  start.resume = true;
  EXPECT_TRUE(round_trip(start).resume);
  round_trip(StepStart{"a", "action", "db", 2, "tok"});
  round_trip(StepStart{"w", "wait", "db", 1, std::nullopt});
  StepEnd end;
  end.step = "a";
  end.status = "failed";
  end.attempts = 2;
  end.duration_ms = 10;
  CommandResult killed;
  killed.exit = 3;
  killed.duration_ms = 10;
  killed.signal = "TERM";
  killed.timed_out = killed.connection_lost = true;
  killed.error = "boom";
  killed.stdout_tail = "out";
  killed.stderr_tail = "err";
  end.result = killed;
  end.reason = "exit 3";
  end.output = "o";
  EXPECT_TRUE(round_trip(end).result->killed());
  round_trip(StepUnknown{"a", 1, "lost"});
  round_trip(StepRetry{"a", 1, "exit 1", 2000});
  round_trip(GateDecision{"g", "go?", "approved", "ops@h", "terminal"});
  round_trip(EarlierProcess{"a", "tok", "ended", "123", "it ended"});
  round_trip(NoReturnDecision{"a", "cross", "ops@h"});
  round_trip(RollbackSkipped{"declined"});
  round_trip(RollbackBegin{3});
  round_trip(RollbackStop{"a", "point of no return"});
  round_trip(RollbackKeep{"a", "needed"});
  round_trip(RollbackStart{"a", "db", "tok"});
  CommandResult ok;
  ok.exit = 0;
  ok.duration_ms = 5;
  round_trip(RollbackEnd{"a", true, ok});
  round_trip(RollbackEndAll{});
  round_trip(Interrupt{2, true});
  round_trip(HostKeyAccepted{"db", "SHA256:x", "/k", "ops@h"});
  round_trip(RunEnd{"not_started", "an earlier attempt runs", std::nullopt});
  round_trip(RunEnd{"succeeded", std::nullopt, 1234});
}

TEST(JournalRecords, TheJsonKeepsTheNamesOnDisk) {
  StepEnd skipped;
  skipped.step = "a";
  skipped.status = "skipped";
  skipped.reason = "--skip";
  EXPECT_EQ(nlohmann::json(skipped).dump(), R"({"reason":"--skip","status":"skipped","step":"a","type":"step_end"})");
  CommandResult ok_result;
  EXPECT_EQ(nlohmann::json(Interrupt{1, false}).dump(), R"({"presses":1,"type":"interrupt"})");
  ok_result.exit = 0;
  ok_result.duration_ms = 7;
  EXPECT_EQ(nlohmann::json(ok_result).dump(), R"({"duration_ms":7,"exit":0})");
}

TEST(JournalRecords, AnOldLineReads) {
  // A run_start of an earlier drplan (no selection, sets or args) and an unknown kind.
  auto start = read_record(nlohmann::json::parse(
      R"({"type":"run_start","run":"20240101-000000-p-1","plan":"p","plan_digest":"pd","inventory_digest":"id","user":"u","host":"h","pid":7,"ts":"t","ts_ms":1})"));
  const auto* s = std::get_if<RunStart>(&start.body);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->plan, "p");
  EXPECT_EQ(s->pid, 7);
  EXPECT_FALSE(s->sets);
  EXPECT_TRUE(s->args.empty());
  auto other = read_record(nlohmann::json::parse(R"({"type":"from_the_future","step":"a"})"));
  const auto* o = std::get_if<Other>(&other.body);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->type, "from_the_future");
  EXPECT_EQ(o->step, "a");
  // Mistyped fields read as their defaults.
  auto end = read_record(nlohmann::json::parse(R"({"type":"step_end","step":"a","status":7,"result":{"exit":"0"}})"));
  const auto* e = std::get_if<StepEnd>(&end.body);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, "");
  ASSERT_TRUE(e->result);
  EXPECT_FALSE(e->result->exit);
}

}  // namespace
}  // namespace drplan::records
