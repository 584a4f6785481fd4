# shellcheck shell=bash
# The lab's sshd's for the SSH benchmarks (sourced after common.sh). Only sshd is needed:
#   lab built, sshd's running   -> used as they are, left running
#   lab built, some sshd down   -> those sshd's are started, and stopped again at exit
#   no lab                      -> lab/up builds it; lab/down --purge removes it at exit
# so the lab is left as it was found (PostgreSQL, services, DNS, fences are not touched
# unless lab/up had to build the lab).
source "$REPO/lab/lib.sh"   # LAB, HOSTS, ADDR, sshd_up, sshd_start, sshd_kill

lab_acquire() {
  local h started=()
  if [[ ! -f $LAB/.built || ! -f $LAB/ssh/id_ed25519 ]]; then
    echo "bench: no lab yet: lab/up (removed again at exit with lab/down --purge)"
    on_exit '"$REPO/lab/down" --purge >/dev/null'
    "$REPO/lab/up" >/dev/null
    return
  fi
  for h in "${HOSTS[@]}"; do
    sshd_up "$h" && continue
    sshd_start "$h"
    started+=("$h")
  done
  if ((${#started[@]})); then
    echo "bench: started the lab's sshd on ${started[*]} (stopped again at exit)"
    on_exit "for h in ${started[*]}; do sshd_kill \$h; done"
  fi
}
