#!/usr/bin/env bash
# Gates on a terminal (a pseudo-terminal from script(1)): the operator sees the question,
# asks for the details, approves — or rejects, which fails the run and rolls back.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
command -v script >/dev/null || fail "script(1) (util-linux) is needed"
work=$(mktemp -d /tmp/drplan-tty.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/inv.toml" <<'INV'
[inventory]
name = "tty"
INV
cat > "$work/tty.dr" <<PLAN
plan tty {
  action a { run = "echo a >> $work/effects" rollback = "echo undo-a >> $work/effects" }
  gate g after a { ask = "Proceed to b?" details = "b appends b" }
  action b after g { run = "echo b >> $work/effects" rollback = "true" }
}
PLAN

# answer LINES...: feeds one answer per prompt, with a pause so each lands at its prompt.
answer() { for a in "$@"; do sleep 1; printf '%s\n' "$a"; done; }

step "approve after reading the details"
answer y d a | script -qec "$DRPLAN apply $work/tty.dr -i $work/inv.toml --state-dir $work/state" /dev/null > "$E2E_LAST_OUTPUT" 2>&1
expect_ok "the question is shown" grep -aq "Proceed to b?" "$E2E_LAST_OUTPUT"
expect_ok "the details are shown on request" grep -aq "b appends b" "$E2E_LAST_OUTPUT"
expect_ok "the run succeeds" grep -aq "SUCCEEDED" "$E2E_LAST_OUTPUT"
expect_eq "a and b ran" "$(tr '\n' ' ' < "$work/effects")" "a b "
journal=$(ls -d "$work"/state/runs/* | tail -n1)/journal.jsonl
expect_ok "the decision is journaled with who and how" \
  grep -q '"by":"[^"]*@[^"]*","decision":"approved","how":"terminal"' "$journal"

step "reject"
rm -f "$work/effects"
status=0
answer y r | script -qec "$DRPLAN apply $work/tty.dr -i $work/inv.toml --state-dir $work/state --on-failure rollback" /dev/null > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
expect_ok "the run fails" grep -aq "FAILED" "$E2E_LAST_OUTPUT"
expect_eq "b never ran and a was rolled back" "$(tr '\n' ' ' < "$work/effects")" "a undo-a "
journal=$(ls -d "$work"/state/runs/* | tail -n1)/journal.jsonl
expect_ok "the rejection is journaled" grep -q '"decision":"rejected"' "$journal"

step "on_failure = ask at a terminal: only y/yes/n/no answer the rollback question"
cat > "$work/ask.dr" <<PLAN
plan ask {
  on_failure = ask
  action a { run = "echo a >> $work/effects" rollback = "echo undo-a >> $work/effects" }
  action b after a { run = "false" rollback = "true" }
}
PLAN
rm -f "$work/effects"
answer y '?' maybe Y | script -qec "$DRPLAN apply $work/ask.dr -i $work/inv.toml --state-dir $work/state" /dev/null > "$E2E_LAST_OUTPUT" 2>&1 || true
expect_eq "a stray answer is asked again" "$(grep -ac 'please answer y (yes) or n (no)' "$E2E_LAST_OUTPUT")" 2
expect_eq "and Y rolled a back" "$(tr '\n' ' ' < "$work/effects")" "a undo-a "

step "on_failure = ask with no terminal and unattended = refuse: nothing runs"
sed -i 's/  on_failure = ask/  on_failure = ask\n  unattended = refuse/' "$work/ask.dr"
rm -f "$work/effects"
status=0
"$DRPLAN" apply "$work/ask.dr" -i "$work/inv.toml" --state-dir "$work/state" --yes < /dev/null > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "refused" "$status" 1
expect_ok "saying why" grep -q "unattended = refuse; nothing was run" "$E2E_LAST_OUTPUT"
expect_fail "nothing ran" test -e "$work/effects"

step "no terminal and no --yes: nothing runs"
rm -f "$work/effects"
status=0
"$DRPLAN" apply "$work/tty.dr" -i "$work/inv.toml" --state-dir "$work/state" < /dev/null > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
expect_eq "refused" "$status" 1
expect_fail "nothing ran" test -e "$work/effects"
finish
