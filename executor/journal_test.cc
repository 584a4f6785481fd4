// The journal: JSON lines with timestamps, private files, and a torn last line (a crash in
// the middle of a write) skipped on read without gluing the next writer's record to it.
#include "executor/journal.h"
#include "executor/state_store.h"
#include "tests/test_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace drplan {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  std::string text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  test_support::TestDir tmp_{"journal", /*create=*/false};
  const fs::path& dir_ = tmp_.path();
};

TEST_F(JournalTest, RecordsAreJsonLinesWithTimestamps) {
  JournalWriter w;
  std::string error;
  ASSERT_TRUE(w.open((dir_ / "runs/r1").string(), &error)) << error;
  ASSERT_TRUE(w.append({{"type", "run_start"}, {"plan", "p"}}));
  ASSERT_TRUE(w.append({{"type", "step_end"}, {"step", "a"}, {"output", "two\nlines"}}));
  std::string raw = text(w.path());
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\n'), 2) << "one record a line, newlines escaped";
  auto records = read_journal(w.path());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["type"], "run_start");
  EXPECT_EQ(records[1]["output"], "two\nlines");
  for (const auto& r : records) {
    ASSERT_TRUE(r.contains("ts"));
    EXPECT_EQ(r["ts"].get<std::string>().size(), 24u);  // 2024-01-02T03:04:05.678Z
    EXPECT_EQ(r["ts"].get<std::string>().back(), 'Z');
    EXPECT_GT(r["ts_ms"].get<long long>(), 1600000000000LL);
  }
}

TEST_F(JournalTest, FilesArePrivate) {
  JournalWriter w;
  std::string error;
  ::umask(022);
  ASSERT_TRUE(w.open((dir_ / "state/runs/r1").string(), &error)) << error;
  w.append({{"type", "x"}});
  struct stat st {};
  ASSERT_EQ(stat(w.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const char* d : {"state", "state/runs", "state/runs/r1"}) {
    ASSERT_EQ(stat((dir_ / d).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << d;
  }
}

TEST_F(JournalTest, ATornLastLineIsSkippedAndTheNextWriterStartsAFreshLine) {
  std::string error;
  std::string path;
  {
    JournalWriter w;
    ASSERT_TRUE(w.open(dir_.string(), &error));
    w.append({{"type", "run_start"}});
    w.append({{"type", "step_start"}, {"step", "a"}});
    path = w.path();
  }
  { std::ofstream(path, std::ios::app) << R"({"type":"step_end","step":"a","sta)"; }  // crash mid-write
  int skipped = -1;
  EXPECT_EQ(read_journal(path, &skipped).size(), 2u);
  EXPECT_EQ(skipped, 1);
  {
    JournalWriter w;
    ASSERT_TRUE(w.open(dir_.string(), &error));
    w.append({{"type", "run_resume"}});
  }
  auto records = read_journal(path, &skipped);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["type"], "run_resume");
  EXPECT_EQ(skipped, 1);
}

// What read_journal does with a file, from bytes (the journal fuzzer reads them so).
TEST(Journal, ParsesRecordsFromBytes) {
  int skipped = -1;
  std::vector<std::string> problems;
  auto records = parse_journal("{\"type\":\"a\"}\r\n\n[1]\n{\"type\":\"b\",\"step\":7}\n{\"type\":\"c\"}", "j", &skipped,
                               &problems);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["type"], "c") << "a last line without its newline still counts";
  EXPECT_FALSE(records[1].contains("step")) << "a field of the wrong type is dropped";
  EXPECT_EQ(skipped, 1);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].rfind("j:3: ", 0), 0u) << problems[0];
  EXPECT_TRUE(parse_journal("", "j").empty());
}

TEST_F(JournalTest, ConcurrentAppendsNeverInterleaveAndShareSyncs) {
  JournalWriter w;
  std::string error;
  ASSERT_TRUE(w.open(dir_.string(), &error));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&w, t] {
      for (int i = 0; i < 40; ++i)
        EXPECT_TRUE(w.append({{"type", "x"}, {"t", t}, {"i", i}, {"pad", std::string(3000, 'a' + t)}}));
    });
  for (auto& th : threads) th.join();
  int skipped = -1;
  EXPECT_EQ(read_journal(w.path(), &skipped).size(), 320u);
  EXPECT_EQ(skipped, 0);
  // Group commit: appends arriving while a sync runs share the next one, so parallel steps
  // do not wait for each other's fdatasync one by one.
  EXPECT_GE(w.syncs(), 1u);
  EXPECT_LT(w.syncs(), 320u);
}

TEST_F(JournalTest, ListRunsOldestFirst) {
  std::string error;
  for (const char* r : {"20240102-000000-p-2", "20240101-000000-p-1"}) {
    JournalWriter w;
    ASSERT_TRUE(w.open((dir_ / "runs" / r).string(), &error));
    w.append({{"type", "run_start"}});
  }
  fs::create_directories(dir_ / "runs/empty");
  auto runs = LocalStateStore(dir_.string(), (dir_ / "locks").string()).list_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0], "20240101-000000-p-1");
}

TEST_F(JournalTest, WronglyTypedFieldsAreDroppedAndReportedWithTheirLine) {
  fs::create_directories(dir_);
  const std::string path = (dir_ / "journal.jsonl").string();
  std::ofstream(path) << R"({"type":"run_start","plan":5,"pid":"x","sets":{"to":"dr","port":8443,"bad":[1]}})" "\n"
                      << R"({"type":"step_end","step":"a","status":"ok","attempts":1.5,"result":{"exit":"0"}})" "\n"
                      << R"({"type":["step_start"],"step":"b"})" "\n"
                      << "[1,2]\n"
                      << R"({"type":"step_end","step":"c")" "\n";
  int skipped = 0;
  std::vector<std::string> problems;
  auto records = read_journal(path, &skipped, &problems);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(skipped, 2);
  // Every reader's value() is safe now: the defaults stand in for the dropped fields.
  EXPECT_EQ(records[0].value("plan", "?"), "?");
  EXPECT_EQ(records[0].value("pid", 0), 0);
  EXPECT_EQ(records[0]["sets"], (nlohmann::json{{"to", "dr"}, {"port", "8443"}}));
  EXPECT_EQ(records[1].value("attempts", 0), 0);
  EXPECT_EQ(records[1]["result"].value("exit", -1), -1);
  EXPECT_EQ(records[1].value("status", ""), "ok");
  EXPECT_EQ(records[2].value("type", ""), "");
  EXPECT_EQ(records[2].value("step", ""), "b");
  const std::vector<std::string> expected = {
      path + ":1: field 'pid' is a string, expected an integer; ignored",
      path + ":1: field 'plan' is an integer, expected a string; ignored",
      path + ":1: field 'sets.bad' is an array, expected a string; ignored",
      path + ":1: field 'sets.port' is an integer, expected a string; read as 8443",
      path + ":2: field 'attempts' is a fractional number, expected an integer; ignored",
      path + ":2: field 'result.exit' is a string, expected an integer; ignored",
      path + ":3: field 'type' is an array, expected a string; ignored",
      path + ":4: not a JSON object; skipped",
      path + ":5: not JSON (a torn or damaged line); skipped",
  };
  EXPECT_EQ(problems, expected);
}

}  // namespace
}  // namespace drplan
