#!/usr/bin/env bash
# Data never becomes shell code, end to end: `drplan apply` with hostile --set values, a
# hostile step output and values laundered through a def, on real local processes. Each
# payload would create a marker file if it ran; each command must print the value's bytes.
source "$(dirname "$0")/lib/local.sh"
write_inventory "$T/inv.toml"
M=$T/pwned

step "a --set value inside the author's double quotes"
cat > "$T/dq.dr" <<DR
plan dq {
  param msg: string = "x"
  action a on local { run = "printf '%s' \"got: \${msg}\" > $T/dq.out" rollback = "true" }
}
DR
payload='$(touch '"$M"') `touch '"$M"'` "; touch '"$M"'; "'\''x'
apply "$T/dq.dr" --yes --set "msg=$payload"
check "apply succeeds" test "$RC" -eq 0
check "the payload did not run" test ! -e "$M"
check_eq "the command received the value's bytes" "$(cat "$T/dq.out")" "got: $payload"

step "a step's output inside double quotes and through a def"
cat > "$T/out.dr" <<DR
plan out {
  def id(s: string) = s
  check rows on local { probe = "printf '%s' '\$(touch $M)\";touch $M;\"'" }
  action a on local { run = "printf '%s' \"dr had \${rows.output}\" > $T/out1" rollback = "true" }
  action b on local { run = "printf '%s' " + id(rows.output) + " > $T/out2" rollback = "true" }
}
DR
apply "$T/out.dr" --yes
check "apply succeeds" test "$RC" -eq 0
check "the output did not run" test ! -e "$M"
check_eq "quoted inside \"...\"" "$(cat "$T/out1")" "dr had \$(touch $M)\";touch $M;\""
check_eq "a def returning its parameter still quotes it" "$(cat "$T/out2")" "\$(touch $M)\";touch $M;\""

step "data as a whole command is refused before anything runs"
cat > "$T/whole.dr" <<DR
plan whole {
  param cmd: string = "true"
  action a on local { run = cmd rollback = "true" }
}
DR
apply "$T/whole.dr" --yes --set "cmd=touch $M"
check "apply refuses to compile (exit $RC)" test "$RC" -ne 0
check "the error names data as a command" grep -q "cannot be a whole command \[E0405\]" "$T/out"
check "nothing ran" test ! -e "$M"

finish
