#include "executor/earlier_process.h"

#include <cctype>
#include <sstream>

#include "compiler/shell_quote.h"

namespace drplan {

namespace {

constexpr const char* kTag = "drplan-earlier:";

// The record: "PID START TOKEN PGRP" in ~/.drplan/proc/SLOT, written with builtins only (mkdir
// runs once per host). Fields of /proc/PID/stat are read after the command name's closing
// parenthesis (the name may hold blanks): $1 the state, $3 the process group, ${20} the start
// time. The group is the command's own (PID) unless it runs under sudo (become). In a function,
// so that `set --` leaves the command's own parameters alone; its output goes nowhere.
constexpr const char* kRecordBody = R"sh(
drplan_record() {
  drplan_d=${HOME:-/nonexistent}/.drplan/proc
  [ -d "$drplan_d" ] || mkdir -p -m 700 "$drplan_d" || return
  IFS= read -r drplan_s < "/proc/$$/stat" || return
  drplan_s=${drplan_s##*) }
  set -f
  set -- $drplan_s
  set +f
  printf '%s %s %s %s\n' "$$" "${20}" "$drplan_k" "$3" > "$drplan_d/$drplan_t"
}
drplan_record > /dev/null 2>&1
unset -f drplan_record
unset drplan_d drplan_s drplan_t drplan_k
)sh";

// Finds the recorded process, waits, stops it. `kill -SIG -PGID`, not `kill -SIG -- -PGID`:
// dash's kill takes no `--`.
constexpr const char* kSettleBody = R"sh(
say() { printf '%s %s\n' 'drplan-earlier:' "$*"; }
d=${HOME:-/nonexistent}/.drplan/proc
[ -r /proc/self/stat ] || { say unknown 'no /proc on this host'; exit 4; }
find "$d" -type f -mtime +7 -delete 2>/dev/null
if ! [ -f "$d/$t" ]; then
  # No record: the command never started, unless it could not have written one.
  [ -d "$d" ] || mkdir -p -m 700 "$d" 2>/dev/null
  if [ -d "$d" ] && [ -w "$d" ]; then say none; exit 0; fi
  say unknown "no $d to record processes in (HOME not writable?)"; exit 4
fi
IFS=' ' read -r leader start token group < "$d/$t"
# Another attempt of the step has run since (it rewrote the record): this one had ended.
[ "$token" = "$k" ] || { say none; exit 0; }
rm -f "$d/$t"
still() {
  IFS= read -r s < "/proc/$leader/stat" 2>/dev/null || return 1
  s=${s##*) }
  set -f; set -- $s; set +f
  [ "$1" != Z ] && [ "${20}" = "$start" ]
}
case $leader in ''|*[!0-9]*) say none; exit 0 ;; esac
case $group in ''|*[!0-9]*) group=$leader ;; esac
still || { say none; exit 0; }
say running "$leader"
n=0
while [ "$n" -lt "$wait" ] && still; do sleep 1; n=$((n + 1)); done
still || { say ended "$leader" "$n"; exit 0; }
kill -TERM "-$group" 2>/dev/null
n=0
while [ "$n" -lt "$grace" ] && still; do sleep 1; n=$((n + 1)); done
still || { say stopped "$leader" TERM; exit 0; }
kill -KILL "-$group" 2>/dev/null
sleep 1
still || { say stopped "$leader" KILL; exit 0; }
say survived "$leader"
exit 3
)sh";

/// Tokens name files: letters, digits, `.`, `-`, `_` as they are, any other byte as %XX
/// (one to one, and never a `/`).
std::string file_name(const std::string& token) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : token) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "%" : out;
}

}  // namespace

/// One record per step (and kind of command) on a host, rewritten by each attempt, so the
/// records stay as many as the steps: a token RUN:STEP:WHAT:N keeps STEP:WHAT.
std::string slot(const std::string& token) {
  const size_t first = token.find(':'), last = token.rfind(':');
  if (first == std::string::npos || last == first) return token;
  return token.substr(first + 1, last - first - 1);
}

std::string record_attempt_prefix(const std::string& token) {
  return "drplan_t=" + shell_quote(file_name(slot(token))) + "; drplan_k=" + shell_quote(file_name(token)) +
         kRecordBody;
}

std::string earlier_process_script(const std::string& token, long long wait_seconds, EarlierPolicy policy,
                                   int grace_seconds) {
  if (policy == EarlierPolicy::Kill || wait_seconds < 0) wait_seconds = 0;
  return "t=" + shell_quote(file_name(slot(token))) + "; k=" + shell_quote(file_name(token)) + "; wait=" + std::to_string(wait_seconds) +
         "; grace=" + std::to_string(grace_seconds) + kSettleBody;
}

Settled parse_earlier_process(const ExecResult& r) {
  Settled out;
  std::string last;
  std::istringstream in(r.stdout_text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(kTag, 0) == 0) last = line.substr(std::char_traits<char>::length(kTag) + 1);
  std::istringstream words(last);
  std::string what;
  words >> what >> out.pid;
  std::string rest;
  std::getline(words, rest);
  if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  if (what == "none") {
    out.kind = Settled::Kind::None;
    out.pid.clear();
    out.detail = "no earlier attempt runs";
  } else if (what == "ended") {
    out.kind = Settled::Kind::Ended;
    out.detail = "the earlier attempt (pid " + out.pid + ") ended after " + rest + " s of waiting";
  } else if (what == "stopped") {
    out.kind = Settled::Kind::Stopped;
    out.detail = "the earlier attempt (pid " + out.pid + ") was stopped with SIG" + rest;
  } else if (what == "survived") {
    out.kind = Settled::Kind::Survived;
    out.detail = "the earlier attempt (pid " + out.pid + ") still runs after SIGKILL";
  } else {
    out.kind = Settled::Kind::Unknown;
    std::string why = what == "unknown" ? out.pid + (rest.empty() ? "" : " " + rest) : "";
    if (why.empty()) why = !r.error.empty() ? r.error : "exit " + std::to_string(r.exit_code);
    if (what == "running") why = "interrupted while the earlier attempt (pid " + out.pid + ") still ran";
    out.detail = "cannot tell whether the earlier attempt still runs: " + why;
    if (what != "running") out.pid.clear();
  }
  return out;
}

Settled settle_earlier_process(Transport& transport, const Host* host, const std::string& run_as,
                               const std::string& token, long long wait_seconds, EarlierPolicy policy,
                               const CancelToken* cancel, const std::function<void(const std::string& pid)>& on_running) {
  ExecRequest req;
  req.command = earlier_process_script(token, wait_seconds, policy);
  req.host = host;
  req.run_as = run_as;  // the record is in that user's home, its processes are that user's
  req.step_id = "earlier attempt";
  req.cancel = cancel;
  const long long waits = policy == EarlierPolicy::Kill ? 0 : std::max(0LL, wait_seconds);
  req.timeout = std::chrono::seconds(waits + 60);
  req.on_line = [&](std::string_view line, bool is_stderr, bool) {
    const std::string prefix = std::string(kTag) + " running ";
    if (!is_stderr && on_running && line.substr(0, prefix.size()) == prefix)
      on_running(std::string(line.substr(prefix.size())));
  };
  return parse_earlier_process(transport.exec(req));
}

}  // namespace drplan
