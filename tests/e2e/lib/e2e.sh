# Shared helpers for the end-to-end tests against the lab (sourced).
# Environment: DRPLAN (the binary), DRPLAN_SOURCE_DIR (the repository).
: "${DRPLAN:?set DRPLAN to the drplan binary}"
: "${DRPLAN_SOURCE_DIR:?set DRPLAN_SOURCE_DIR to the repository}"
cd "$DRPLAN_SOURCE_DIR"

E2E_PASSED=0
E2E_NAME=$(basename "$0" .sh)
E2E_LAST_OUTPUT=$(mktemp /tmp/drplan-e2e-out.XXXXXX)

step() { printf '\n== %s: %s\n' "$E2E_NAME" "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  lab/status >&2 || true
  exit 1
}
pass() { E2E_PASSED=$((E2E_PASSED + 1)); printf 'ok: %s\n' "$*"; }

expect_eq() {  # NAME ACTUAL EXPECTED
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
expect_ok() {  # NAME CMD...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name: '$*' failed"; fi
}
expect_fail() {  # NAME CMD...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then fail "$name: '$*' succeeded"; else pass "$name"; fi
}

# eventually SECONDS 'shell condition'
eventually() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    if eval "$2"; then return 0; fi
    sleep 0.2
  done
  fail "condition not met within $1 s: $2"
}

lab() { local cmd=$1; shift; "$DRPLAN_SOURCE_DIR/lab/$cmd" "$@"; }

# A clean lab: purge whatever an earlier test left and build it again.
fresh_lab() {
  step "fresh lab"
  lab down --purge >/dev/null 2>&1 || true
  lab up >/dev/null || fail "lab/up failed"
}

# run_drplan ARGS...: runs drplan, shows and keeps its output; fails the test on non-zero exit.
run_drplan() {
  printf '$ drplan %s\n' "$*"
  if ! "$DRPLAN" "$@" 2>&1 | tee "$E2E_LAST_OUTPUT"; then
    fail "drplan $* failed"
  fi
}

# The last output is kept after a failure (fail exits before this), for the post-mortem.
finish() {
  rm -f "$E2E_LAST_OUTPUT"
  printf '\n%s: %d passed, 0 failed\n' "$E2E_NAME" "$E2E_PASSED"
}

# journal_steps TYPE JOURNAL: the step of every record of TYPE, one per line, in order.
journal_steps() {
  /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[2]):
    try: r = json.loads(line)
    except ValueError: continue
    if r.get("type") == sys.argv[1]: print(r.get("step", ""))' "$1" "$2"
}
