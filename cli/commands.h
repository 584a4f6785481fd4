#pragma once
// The subcommands. main.cc (the only file that includes CLI11) parses the command line into
// these option structs and calls the matching run_* function. Each returns the exit code:
// 0 success, 1 errors in the input or a failed run, 2 usage or I/O problems.
#include <string>
#include <utility>
#include <vector>

namespace drplan::cli {

struct CommonOptions {
  std::vector<std::string> files;
  std::string inventory;  ///< -i
  std::vector<std::pair<std::string, std::string>> sets;  ///< --set k=v
  std::string format = "text";  ///< text | json
  bool color = false;            ///< decided by main: TTY and no NO_COLOR
  bool exits_after_compile = false;  ///< check, plan, graph: never free the AST (see compile.h)
  bool shows_digests = true;         ///< false for check and graph: skip hashing the sources
};

struct CheckOptions : CommonOptions {
  bool werror = false;
};
int run_check(const CheckOptions& o);

struct PlanOptions : CommonOptions {};
int run_plan(const PlanOptions& o);

struct GraphOptions : CommonOptions {
  std::string output;  ///< -o x.svg|x.png|x.dot; empty = DOT on stdout
};
int run_graph(const GraphOptions& o);

struct ApplyOptions : CommonOptions {
  bool yes = false;
  int jobs = 0;          ///< -j; 0 = default
  int per_host = 0;      ///< --per-host; 0 = default
  std::vector<std::string> approve;
  std::vector<std::string> only, skip;
  bool force = false;
  std::string reason;      ///< --reason: why a safety step is skipped (journaled)
  std::vector<std::string> argv;  ///< the command line as typed, for the journal
  bool checks_only = false;
  std::string on_failure;  ///< rollback | stop | "" (plan's policy)
  bool resume = false;
  std::string resume_run;  ///< empty = the latest run of this plan
  std::vector<std::string> assume_done, rerun;
  std::string earlier = "wait";  ///< an earlier attempt still running at --resume: wait | kill
  std::string state_dir;
  std::string state;  ///< --state: local | etcd://HOSTS/PREFIX; empty = the inventory's [state]
  bool accept_new_host_keys = false;
  bool interactive = false;  ///< decided by main: stdin and stdout are TTYs
};
int run_apply(const ApplyOptions& o);

struct RunsOptions {
  std::string state_dir;
  std::string state;  ///< as ApplyOptions::state
  std::string inventory;
};
int run_runs(const RunsOptions& o);

struct LogOptions {
  std::string state_dir;
  std::string state;  ///< as ApplyOptions::state
  std::string inventory;
  std::string run;
  std::string format = "text";
};
int run_log(const LogOptions& o);

}  // namespace drplan::cli
