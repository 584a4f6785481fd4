#!/usr/bin/env bash
# Small faults around a run, no lab (issue 11, item 9): an unset TERM on a terminal.
source "$(dirname "$0")/lib/local.sh"
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

finish
