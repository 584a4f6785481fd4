#include "executor/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "executor/record_fields.h"

namespace drplan {

namespace fs = std::filesystem;

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_time(long long ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
  return buf;
}

bool make_private_dir(const std::string& path, std::string* error) {
  std::error_code ec;
  fs::path p(path);
  fs::path cur;
  for (const auto& part : p) {
    cur /= part;
    if (fs::exists(cur, ec)) continue;
    if (mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = "cannot create " + cur.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) close(fd_);
}

bool JournalWriter::open(const std::string& dir, std::string* error) {
  if (!make_private_dir(dir, error)) return false;
  chmod(dir.c_str(), 0700);
  dir_ = dir;
  path_ = (fs::path(dir) / "journal.jsonl").string();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    *error = "cannot open " + path_ + ": " + std::strerror(errno);
    return false;
  }
  fchmod(fd_, 0600);
  // A torn last line from a crash must not glue itself to our first record.
  struct stat st{};
  if (fstat(fd_, &st) == 0 && st.st_size > 0) {
    int rfd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    char last = '\n';
    if (rfd >= 0) {
      if (pread(rfd, &last, 1, st.st_size - 1) != 1) last = '\n';
      close(rfd);
    }
    if (last != '\n' && ::write(fd_, "\n", 1) != 1) {
      *error = "cannot write " + path_;
      return false;
    }
  }
  return true;
}

bool JournalWriter::append(nlohmann::json record) {
  std::unique_lock<std::mutex> lock(mu_);
  if (fd_ < 0 || failed_) return false;
  long long ms = now_ms();
  record["ts"] = iso_time(ms);
  record["ts_ms"] = ms;
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  const uint64_t mine = ++written_;
  // Group commit: whoever finds no sync running syncs everything written so far; the others
  // wait for a sync that covers their record.
  while (synced_ < mine && !failed_) {
    if (syncing_) {
      synced_cv_.wait(lock);
      continue;
    }
    syncing_ = true;
    const uint64_t target = written_;
    lock.unlock();
    const bool ok = fdatasync(fd_) == 0;
    lock.lock();
    syncing_ = false;
    ++syncs_;
    if (ok) synced_ = target;
    else failed_ = true;
    synced_cv_.notify_all();
  }
  return !failed_;
}

std::vector<nlohmann::json> read_journal(const std::string& path, int* skipped, std::vector<std::string>* problems) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_journal(text.str(), path, skipped, problems);
}

std::vector<nlohmann::json> parse_journal(std::string_view text, const std::string& name, int* skipped,
                                          std::vector<std::string>* problems) {
  std::vector<nlohmann::json> out;
  int bad = 0, number = 0;
  auto report = [&](const std::string& what) {
    if (problems) problems->push_back(name + ":" + std::to_string(number) + ": " + what);
  };
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++number;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++bad;
      report(j.is_discarded() ? "not JSON (a torn or damaged line); skipped" : "not a JSON object; skipped");
      continue;
    }
    for (const auto& p : drop_mistyped_fields(j)) report(p);
    out.push_back(std::move(j));
  }
  if (skipped) *skipped = bad;
  return out;
}

}  // namespace drplan
