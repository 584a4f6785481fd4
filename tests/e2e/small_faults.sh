#!/usr/bin/env bash
# Small faults around a run, no lab (issue 11, items 9 and 10): an unset TERM on a terminal;
# step output full of terminal escapes; a reader of stdout that goes away (`| head`); --resume
# of a run that is still live; secrets masked where output is shown, never in the data.
source "$(dirname "$0")/lib/local.sh"
export DRPLAN_LOCK_DIR=$T/locks  # not the machine-wide one: other tests use the same inventory name
command -v script >/dev/null || { bad "script(1) (util-linux) is needed"; finish; exit 1; }

# on_tty CMD: runs CMD on a pseudo-terminal (script(1)); output in $T/tty.out, exit code in $RC.
on_tty() {
  script -qec "$1" /dev/null > "$T/tty.out" 2>&1 < /dev/null
  RC=$?
}

step "TERM unset on a terminal"
cat > "$T/hello.dr" <<DR
plan hello {
  action greet on local { run = "echo hello from greet" rollback = "true" }
}
DR
on_tty "env -u TERM $DRPLAN check $T/hello.dr"
check_eq "check exits 0 without TERM" "$RC" 0
check "and says ok" grep -q "hello.dr: ok" "$T/tty.out"
on_tty "env -u TERM $DRPLAN apply $T/hello.dr -i $T/inv.toml --state-dir $T/state --yes"
check_eq "apply exits 0 without TERM" "$RC" 0
check "and shows the step's output" grep -q "hello from greet" "$T/tty.out"
on_tty "env TERM=dumb $DRPLAN apply $T/hello.dr -i $T/inv.toml --state-dir $T/state --yes"
check_eq "apply exits 0 with TERM=dumb" "$RC" 0
check "a dumb terminal gets plain lines, no cursor movement" bash -c "! grep -q $'\e\\[1A' '$T/tty.out'"

step "terminal escapes in step output are shown as text, journaled as data"
# Clear screen, retitle the window (OSC ... BEL), a carriage return, backspaces, an 8-bit CSI.
cat > "$T/esc.sh" <<'SH'
printf '\033[2J\033]0;pwned\007over\rwrite\b\b\302\23331m\n'
SH
cat > "$T/esc.dr" <<DR
plan esc {
  title = "escapes"
  check noisy on local { probe = "sh $T/esc.sh" }
  check noisy_fail after noisy { probe = "sh $T/esc.sh; exit 4" }
}
DR
apply "$T/esc.dr" --yes
check_eq "the run fails on noisy_fail (exit 1)" "$RC" 1
lacks() { ! LC_ALL=C grep -q "$1" "$2"; }
check "no ESC, BEL, BS or CR reaches the screen" lacks $'[\x1b\x07\x08\x0d]' "$T/out"
check "no 8-bit CSI either" lacks $'\xc2\x9b' "$T/out"
check "the escapes are rendered visibly" grep -qF '| noisy: \x1b[2J\x1b]0;pwned\x07over\x0dwrite\x08\x08\u009b31m' "$T/out"
check "the summary's output tail too" grep -qF '| \x1b[2J' "$T/out"
journal=$(ls -d "$T"/state/runs/*-esc-* | tail -n1)/journal.jsonl
check "the journal keeps the bytes as data (JSON-escaped)" python3 -c "
import json, sys
ends = [r for r in map(json.loads, open(sys.argv[1])) if r.get('type') == 'step_end']
want = '\x1b[2J\x1b]0;pwned\x07over\rwrite\b\b\x9b31m'
assert [r['output'] for r in ends] == [want, want], ends
assert all('\x1b' not in line for line in open(sys.argv[1])), 'a raw ESC in the file'" "$journal"
"$DRPLAN" log "$(dirname "$journal")" > "$T/log.out" 2>&1
check "drplan log shows them as text too" lacks $'[\x1b\x07\x08\x0d]' "$T/log.out"

step "stdout closed mid-run (| head -3): the run goes on, rolls back and ends"
cat > "$T/pipe.dr" <<DR
plan pipe {
  action a1 on local { run = "for i in 1 2 3 4 5; do echo line \$i; done" rollback = "echo undo-a1 >> $T/effects" }
  action a2 after a1 { run = "sleep 0.3; echo more; echo a2 >> $T/effects" rollback = "echo undo-a2 >> $T/effects" }
  action a3 after a2 { run = "exit 3" rollback = "true" }
}
DR
rm -f "$T/effects"
"$DRPLAN" apply "$T/pipe.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes 2> "$T/pipe.err" < /dev/null | head -3 > /dev/null
RC=${PIPESTATUS[0]}
check_eq "drplan exits 1 for the failed run, not 141 (SIGPIPE)" "$RC" 1
check_eq "every step ran, and the rollback too" "$(tr '\n' ' ' < "$T/effects")" "a2 undo-a2 undo-a1 "
journal=$(ls -d "$T"/state/runs/*-pipe-* | tail -n1)/journal.jsonl
check "the journal ends with run_end" bash -c "tail -n1 '$journal' | grep -q '\"type\":\"run_end\"'"
check "stderr says the display is gone, once" test "$(grep -c 'cannot write to standard output' "$T/pipe.err")" -eq 1

step "--resume of a run that is still live names its holder"
cat > "$T/live.dr" <<DR
plan live {
  action hold on local { run = "touch $T/holding; sleep 3" rollback = "true" }
}
DR
rm -f "$T/holding"
"$DRPLAN" apply "$T/live.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes > "$T/live.out" 2>&1 < /dev/null &
holder=$!
LOCAL_PIDS+=("$holder")
wait_for 10 "test -f $T/holding" || bad "the live run never started its step"
apply "$T/live.dr" --yes --resume
check_eq "the resume is refused (exit 1)" "$RC" 1
check "it names the holder: pid, user@host, since, run" \
  grep -qE "is running: pid $holder, [^@ ]+@[^ ]+, started 20[0-9-]+T[0-9:.]+Z \(run [0-9-]+-live-$holder\)" "$T/out"
check "it does not judge the live run's journal" bash -c "! grep -q 'never finished' '$T/out'"
wait "$holder"
check "the live run was not disturbed" test $? -eq 0

step "a one-character secret is masked where output is shown, never in the data"
cat > "$T/mask.dr" <<DR
plan mask {
  check count on local { probe = "echo 15" }
  action keep after count { run = "echo \${count.output} > $T/kept; echo token=\${secrets.token}" rollback = "true" }
}
DR
TOKEN=5 apply "$T/mask.dr" --yes
check_eq "the run succeeds" "$RC" 0
check_eq "the next step received the real output" "$(cat "$T/kept")" "15"
check "the screen shows it masked" grep -qF "| count: 1****" "$T/out"
check "the secret itself is masked on screen" grep -qF "| keep: token=****" "$T/out"
run=$(ls -d "$T"/state/runs/*-mask-* | tail -n1)
check "the journal has it masked" grep -qF '"output":"1****"' "$run/journal.jsonl"
check "the log has it masked" grep -qF "count | 1****" "$run/drplan.log"
check "no 5 in any shown output line" bash -c "! grep -E '\| (count|keep): .*5' '$T/out'"

finish
