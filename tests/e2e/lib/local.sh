# Helpers for end-to-end tests that need no lab: real processes, `on local` steps and
# hosts with transport = "local" (sourced). Environment: DRPLAN (the binary).
: "${DRPLAN:?set DRPLAN to the drplan binary}"
set -uo pipefail

LOCAL_NAME=$(basename "$0" .sh)
LOCAL_PASSED=0
LOCAL_FAILED=0
T=$(mktemp -d /tmp/drplan-"$LOCAL_NAME".XXXXXX)
trap 'local_cleanup' EXIT
LOCAL_PIDS=()
local_cleanup() {
  local p
  for p in "${LOCAL_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
}

ok() { LOCAL_PASSED=$((LOCAL_PASSED + 1)); printf 'ok: %s\n' "$1"; }
bad() { LOCAL_FAILED=$((LOCAL_FAILED + 1)); printf 'FAIL: %s\n' "$1" >&2; }
# check NAME CMD...: passes when CMD succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# check_eq NAME ACTUAL EXPECTED
check_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1: got '$2', expected '$3'"; fi; }
step() { printf '\n== %s: %s\n' "$LOCAL_NAME" "$*"; }

# An inventory of two local-transport hosts with role worker, and a secret from $TOKEN.
write_inventory() {  # FILE
  cat > "$1" <<'TOML'
[inventory]
name = "local"
[sites.here]
title = "here"
[hosts.h1]
site = "here"
transport = "local"
roles = ["worker"]
[hosts.h2]
site = "here"
transport = "local"
roles = ["worker"]
[secrets]
token = { env = "TOKEN" }
TOML
}

now_ms() { date +%s%3N; }

# apply PLAN ARGS...: drplan apply with the test inventory and state dir; output in $T/out,
# exit code in $RC, wall time in $WALL_MS.
apply() {
  local plan=$1; shift
  local t0; t0=$(now_ms)
  "$DRPLAN" apply "$plan" -i "$T/inv.toml" --state-dir "$T/state" "$@" > "$T/out" 2>&1 < /dev/null
  RC=$?
  WALL_MS=$(( $(now_ms) - t0 ))
}

# wait_for SECONDS 'condition': polls until the condition holds; false at the deadline.
wait_for() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  while (( $(now_ms) < deadline )); do
    if eval "$2"; then return 0; fi
    sleep 0.02
  done
  return 1
}

lines() { if [[ -f "$1" ]]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }

finish() {
  printf '\n%s: %d passed, %d failed\n' "$LOCAL_NAME" "$LOCAL_PASSED" "$LOCAL_FAILED"
  [[ $LOCAL_FAILED -eq 0 ]]
}

write_inventory "$T/inv.toml"
