#pragma once
// The run journal: one directory per run (0700) holding journal.jsonl (0600), an
// append-only file of JSON records, each written and fsync'd before the step it describes
// goes on. Readers tolerate a torn last line (a crash mid-write). Every text in it has
// passed through the Masker.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drplan {

class JournalWriter {
 public:
  ~JournalWriter();
  /// Creates `dir` (0700) and opens dir/journal.jsonl (0600) for appending.
  bool open(const std::string& dir, std::string* error);
  /// Appends one record (adds "ts") and returns once it is on disk (fdatasync). Thread-safe;
  /// concurrent appends share one fdatasync (group commit), so parallel steps do not queue
  /// behind each other's syncs.
  bool append(nlohmann::json record);
  const std::string& path() const { return path_; }
  /// How many fdatasync calls covered the records so far (tests: group commit).
  uint64_t syncs() const { return syncs_; }
  const std::string& dir() const { return dir_; }

 private:
  int fd_ = -1;
  std::string dir_, path_;
  std::mutex mu_;
  std::condition_variable synced_cv_;
  uint64_t written_ = 0;  // records written (in the page cache)
  uint64_t synced_ = 0;   // records known to be on disk
  bool syncing_ = false;  // one thread runs fdatasync at a time, for everyone's records
  bool failed_ = false;
  uint64_t syncs_ = 0;
};

/// Reads every complete record; a torn or malformed line is skipped (and counted). Fields of
/// the wrong type are dropped (drop_mistyped_fields), so readers may use value() safely.
/// `problems` receives one "PATH:LINE: what" per skipped line or dropped field.
std::vector<nlohmann::json> read_journal(const std::string& path, int* skipped = nullptr,
                                         std::vector<std::string>* problems = nullptr);
/// The same from a journal's bytes; `name` stands for the path in the problems.
std::vector<nlohmann::json> parse_journal(std::string_view text, const std::string& name, int* skipped = nullptr,
                                          std::vector<std::string>* problems = nullptr);

/// Milliseconds since the epoch, and an ISO-8601 UTC rendering for records and screens.
long long now_ms();
std::string iso_time(long long ms);

/// Creates a directory and its parents with mode 0700 (existing ones are left alone).
bool make_private_dir(const std::string& path, std::string* error);

}  // namespace drplan
