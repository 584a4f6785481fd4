#pragma once
// The run journal: one directory per run (0700) holding journal.jsonl (0600), an
// append-only file of JSON records, each written and fsync'd before the step it describes
// goes on. Readers tolerate a torn last line (a crash mid-write). Every text in it has
// passed through the Masker.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace drplan {

class JournalWriter {
 public:
  ~JournalWriter();
  /// Creates `dir` (0700) and opens dir/journal.jsonl (0600) for appending.
  bool open(const std::string& dir, std::string* error);
  /// Appends one record (adds "ts") and fsyncs. Thread-safe.
  bool append(nlohmann::json record);
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  int fd_ = -1;
  std::string dir_, path_;
};

/// Reads every complete record; a torn or malformed line is skipped (and counted).
std::vector<nlohmann::json> read_journal(const std::string& path, int* skipped = nullptr);

/// Milliseconds since the epoch, and an ISO-8601 UTC rendering for records and screens.
long long now_ms();
std::string iso_time(long long ms);

/// Creates a directory and its parents with mode 0700 (existing ones are left alone).
bool make_private_dir(const std::string& path, std::string* error);

/// Run directories under `state_dir`/runs, oldest first.
std::vector<std::string> list_runs(const std::string& state_dir);

}  // namespace drplan
