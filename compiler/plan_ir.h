#pragma once
// The compiled plan: what `drplan plan` prints and `drplan apply` runs. Every step instance
// is bound to one host, every command is interpolated except for values only known at run
// time (another step's output; secrets, which travel in the environment). The IR is
// immutable after compilation; each run keeps its own state (executor/run_state.h).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/inventory.h"
#include "compiler/pattern.h"
#include "compiler/source.h"

namespace drplan {

using Millis = std::chrono::milliseconds;

enum class StepKind { Check, Action, Gate, Wait, Barrier };
enum class OnFailure { Rollback, Stop, Ask };
/// What `on_failure = ask` does with nobody at a terminal (plan setting `unattended`).
enum class Unattended { Rollback, Stop, Refuse };
enum class CheckSeverity { Error, Warn };

const char* step_kind_name(StepKind k);

/// One piece of a command line.
struct CommandPart {
  enum class Kind {
    Text,        ///< literal shell text (interpolated values already quoted)
    StepOutput,  ///< stdout of step instance `ref` (trimmed), quoted as a word unless `raw`
    Secret,      ///< rendered as "${DRPLAN_SECRET_<NAME>}"; the value goes in the environment
  };
  Kind kind = Kind::Text;
  std::string text;  ///< Text: the text; StepOutput: instance id; Secret: secret name
  bool raw = false;  ///< inserted unquoted (`| raw`, sh.raw): the author vouches for it
  int backquotes = 0;  ///< backquote substitutions around it (one escape level each)
};

/// A shell command run by `/bin/sh -c` on the step's host.
struct Command {
  std::vector<CommandPart> parts;
  Loc loc;
  std::vector<Loc> unquoted;  ///< where a `| raw` or sh.raw fragment came from (shown by plan)
  bool empty() const { return parts.empty(); }
  /// The command as `drplan plan` shows it: outputs as ${step.output}, secrets as their
  /// environment variable (never a value).
  std::string display() const;
  /// Names of secrets the command needs in its environment.
  std::vector<std::string> secrets() const;
};

/// Environment variable that carries a secret: DRPLAN_SECRET_PG_PASSWORD.
std::string secret_env_name(std::string_view secret);
/// A secret part as the shell reads it: "${DRPLAN_SECRET_X}", escaped for its backquotes.
std::string render_secret(const CommandPart& p);

/// A condition evaluated at run time (`when` referring to other steps' results).
struct Condition {
  enum class Op { Literal, StepOk, StepOutput, Not, And, Or, Eq, Ne };
  Op op = Op::Literal;
  std::string value;  ///< Literal: the value ("true"/"false"/text); StepOk/StepOutput: instance id
  std::vector<Condition> operands;
  std::string display() const;
};

struct StepInstance {
  int index = 0;          ///< position in CompiledPlan::steps
  std::string id;         ///< unique: "name" or "name@host" for fan-out
  std::string name;       ///< the step's name in the plan
  StepKind kind = StepKind::Action;
  std::string title;      ///< optional human description
  int host = -1;          ///< index into inventory hosts; -1 = this machine
  std::string host_name;  ///< "local" or the host's name
  int phase = -1;         ///< index into CompiledPlan::phases
  bool join = false;      ///< a Barrier that waits for all instances of one fan-out step
  Loc loc;

  Command run;       ///< action: run; check/wait: probe
  Command verify;    ///< action: post-condition
  Command rollback;  ///< action: compensation
  bool rollback_none = false;  ///< `rollback = none "reason"`
  std::string rollback_none_reason;
  /// Must match (somewhere in) the stdout of the probe, or of an action's verify when it
  /// has one, else of its run.
  Pattern expect;

  std::string ask;      ///< gate question
  std::string details;  ///< gate: what to show on "details"

  CheckSeverity severity = CheckSeverity::Error;
  Millis timeout{0};   ///< for waits: the deadline; 0 only for gates (people have none)
  bool timeout_is_default = false;  ///< from the plan's default_timeout
  Millis every{0};     ///< wait: first poll interval (doubles up to 8x)
  int retry = 0;       ///< extra attempts after a failure
  Millis backoff{0};   ///< first retry delay (doubles)
  bool idempotent = false;
  bool point_of_no_return = false;
  std::string report;  ///< label: print the output in the run summary
  std::vector<std::string> tags;
  /// Runs its commands through `sudo -n -u run_as` (the host's become, or the step's
  /// become_user); empty: as the user SSH logs in as.
  std::string run_as;

  bool enabled = true;          ///< false: `when` is false at compile time
  std::string disabled_reason;  ///< the condition that disabled it
  bool has_condition = false;
  Condition condition;          ///< runtime `when`

  std::vector<int> deps;        ///< indices of instances this one waits for
  std::vector<int> dependents;  ///< reverse edges
};

struct PhaseInfo {
  std::string title;
  Loc loc;
};

struct CompiledPlan {
  std::string name;
  std::string title;
  std::string file;
  OnFailure on_failure = OnFailure::Rollback;
  Unattended unattended = Unattended::Rollback;
  /// Steps without their own timeout get this (plan setting default_timeout).
  Millis default_timeout{10 * 60 * 1000};
  std::vector<PhaseInfo> phases;
  std::vector<StepInstance> steps;        ///< in a topological order
  std::vector<std::vector<int>> waves;    ///< parallel waves (by longest path from roots)
  std::vector<int> critical_path;         ///< by declared timeouts (or 1 per step)
  std::vector<std::pair<std::string, std::string>> params;  ///< resolved, for display
  std::shared_ptr<const Inventory> inventory;
  std::string plan_digest;       ///< sha256 over the plan and every module it uses
  std::string inventory_digest;

  const StepInstance* find(std::string_view id) const;
  /// All instances of a step name (fan-out gives several).
  std::vector<int> instances_of(std::string_view name) const;
};

}  // namespace drplan
