#!/usr/bin/env bash
# SSH execution against the lab's sshd (bench/lib/lab.sh brings up what is missing):
#  - N small remote commands (`true`) on dc-app, one after the other: a drplan plan of N
#    steps applied with -j 1 (and -j 8), OpenSSH with ControlMaster multiplexing, and
#    ansible-playbook with pipelining on (N tasks); per step = wall / N. Also drplan's SSH
#    transport alone (bench/ssh_transport_bench: no compile, no journal).
#  - Fan-out: one step on every lab host, then on the lab plus P extra loopback sshd's
#    (bench/lib/sshd_pool.sh): drplan, ansible-playbook (forks = hosts), a parallel ssh loop.
#  - Through the lab's bastion: N steps on dr-db, drplan (jump) against ssh -J with ControlMaster.
# Keys: ssh.{drplan,drplan_j8,transport,mux,ansible} (ms/step), ssh.bastion.{drplan,mux} (ms/step),
# fanout.{lab,all}.{drplan,ansible,ssh}.
# SSH_PARTS picks parts (default "direct bastion fanout"), e.g. SSH_PARTS=bastion bench/ssh.sh.
source "$(dirname "$0")/lib/common.sh"
source "$BENCH_DIR/lib/lab.sh"
source "$BENCH_DIR/lib/sshd_pool.sh"

n=${SSH_STEPS:-$(quick 500 30)} n_ansible=${ANSIBLE_TASKS:-$(quick 500 5)} pool=${POOL:-$(quick 64 8)} runs=3
key=$LAB/ssh/id_ed25519
ssh_opts=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -i "$key" -l drlab)
lab_acquire
ansible_env

d=$BENCH_WORK/ssh
mkdir -p "$d" "$ANSIBLE_SSH_CONTROL_PATH_DIR"
# ansible's ControlPersist masters: closed before each run (every tool connects afresh) and at exit
close_masters='for s in "$ANSIBLE_SSH_CONTROL_PATH_DIR"/*; do [[ ! -S $s ]] || ssh -S "$s" -O exit x 2>/dev/null; done; true'
on_exit "$close_masters"
{
  echo "plan ssh_steps {"
  for ((i = 0; i < n; i++)); do echo "  action s$i on dc-app { run = \"true\" rollback = \"true\" idempotent = true }"; done
  echo "}"
} > "$d/plan.dr"
{
  printf -- '- hosts: dc-app\n  gather_facts: false\n  tasks:\n'
  for ((i = 0; i < n_ansible; i++)); do printf '    - ansible.builtin.command: "true"\n'; done
} > "$d/play.yml"
echo "dc-app ansible_host=127.0.0.11 ansible_user=drlab ansible_ssh_private_key_file=$key" > "$d/hosts.ini"
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$LAB/ssh/known_hosts -o GlobalKnownHostsFile=/dev/null"

parts=" ${SSH_PARTS:-direct bastion fanout} "
part() { [[ $parts == *" $1 "* ]]; }

if part direct; then
section "SSH: $n remote \`true\` on dc-app (127.0.0.11), one after the other"
apply=("$DRPLAN" apply plan.dr -i "$REPO/lab/inventory.toml" --yes --state-dir state)
measure ssh.drplan "drplan apply -j 1, per step" --runs "$runs" --per "$n" --unit ms/step --cwd "$d" \
  --setup "rm -rf state" -- "${apply[@]}" -j 1
if ((!BENCH_QUICK)); then
  measure ssh.drplan_j8 "drplan apply -j 8 --per-host 8, per step" --runs "$runs" --per "$n" --unit ms/step \
    --cwd "$d" --setup "rm -rf state" -- "${apply[@]}" -j 8 --per-host 8
  measure ssh.transport "drplan SSH transport alone (no compile/journal), per step" --runs "$runs" --per "$n" \
    --unit ms/step -- "$(dirname "$DRPLAN")/ssh_transport_bench" --host 127.0.0.11 --user drlab \
    --identity "$key" --known-hosts "$LAB/ssh/known_hosts" -n "$n"
fi
mux=$d/mux.sock
ssh "${ssh_opts[@]}" -o UserKnownHostsFile="$LAB/ssh/known_hosts" -M -S "$mux" -o ControlPersist=yes -fN 127.0.0.11
on_exit "ssh -S $mux -O exit x 2>/dev/null"
measure ssh.mux "ssh with ControlMaster (master already open), per step" --runs "$runs" --per "$n" \
  --unit ms/step -- bash -c "for ((i = 0; i < $n; i++)); do ssh -S $mux x true || exit 1; done"
measure ssh.ansible "ansible-playbook, pipelining, $n_ansible tasks (startup included), per task" --runs "$runs" --per "$n_ansible" \
  --unit ms/step --cwd "$d" --setup "$close_masters" -- ansible-playbook -i hosts.ini play.yml
fi

if part bastion; then
section "SSH through the lab's bastion (127.0.0.40): $n remote \`true\` on dr-db, one after the other"
# drplan with jump = the bastion (one in-process session to it) against OpenSSH's ssh -J with a
# ControlMaster through the same bastion, already open. The same login and key, no become.
sed "s|^\\[sites.dr.vars\\]|[sites.dr.ssh]\\njump = \"drlab@127.0.0.40:22\"\\n&|" "$REPO/lab/inventory.toml" > "$d/bastion.toml"
sed 's/ on dc-app / on dr-db /' "$d/plan.dr" > "$d/plan-dr.dr"
measure ssh.bastion.drplan "drplan apply -j 1 through the bastion, per step" --runs "$runs" --per "$n" --unit ms/step \
  --cwd "$d" --setup "rm -rf state" -- "$DRPLAN" apply plan-dr.dr -i bastion.toml --yes --state-dir state -j 1
jmux=$d/jmux.sock
# (-J's own hop would not get the key and known_hosts given here: the same -W, spelled out)
hop="ssh ${ssh_opts[*]} -o UserKnownHostsFile=$LAB/ssh/known_hosts -W 127.0.0.22:22 127.0.0.40"
ssh "${ssh_opts[@]}" -o UserKnownHostsFile="$LAB/ssh/known_hosts" -o ProxyCommand="$hop" \
  -M -S "$jmux" -o ControlPersist=yes -fN 127.0.0.22
on_exit "ssh -S $jmux -O exit x 2>/dev/null"
measure ssh.bastion.mux "ssh via the bastion (-W, as -J) with ControlMaster (open), per step" --runs "$runs" --per "$n" \
  --unit ms/step -- bash -c "for ((i = 0; i < $n; i++)); do ssh -S $jmux x true || exit 1; done"
fi

# fanout NAME LABEL HOST...: one step on every HOST ("ADDRESS PORT USER KEY"), three ways.
fanout() {
  local name=$1 label=$2 f=$BENCH_WORK/fanout-$1 i=0 h addr port user id all=(); shift 2
  mkdir -p "$f"
  printf 'opts=(%s) pids=()\n' "-o BatchMode=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null \
    -o UserKnownHostsFile=$POOL_DIR/known_hosts" > "$f/ssh_loop.sh"
  {
    printf '[inventory]\nname = "fanout"\nknown_hosts = "%s"\n' "$POOL_DIR/known_hosts"
    for h in "$@"; do
      read -r addr port user id <<< "$h"
      printf '[hosts.h%d]\naddress = "%s"\nssh = { port = %d, user = "%s", identity = "%s" }\n' \
        "$i" "$addr" "$port" "$user" "$id"
      all+=("\"h$i\"")
      echo "h$i ansible_host=$addr ansible_port=$port ansible_user=$user ansible_ssh_private_key_file=$id" >> "$f/hosts.ini"
      echo "ssh \"\${opts[@]}\" -p $port -l $user -i $id $addr true & pids+=(\$!)" >> "$f/ssh_loop.sh"
      i=$((i + 1))
    done
    printf '[groups]\nall_hosts = [%s]\n' "$(IFS=,; echo "${all[*]}")"
  } > "$f/inv.toml"
  echo 'for p in "${pids[@]}"; do wait "$p" || exit 1; done' >> "$f/ssh_loop.sh"
  echo 'plan fanout { action ping on all_hosts { run = "true" rollback = "true" idempotent = true } }' > "$f/plan.dr"
  printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: "true"\n' > "$f/play.yml"
  measure "fanout.$name.drplan" "drplan apply, $label" --runs "$runs" --cwd "$f" --setup "rm -rf state" -- \
    "$DRPLAN" apply plan.dr -i inv.toml --yes -j "$i" --state-dir state
  ((BENCH_QUICK)) || measure "fanout.$name.ansible" "ansible-playbook, forks $i, $label" --runs "$runs" --cwd "$f" \
    --setup "$close_masters" -- \
    env ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$POOL_DIR/known_hosts -o GlobalKnownHostsFile=/dev/null" \
    ansible-playbook -i hosts.ini -f "$i" play.yml
  measure "fanout.$name.ssh" "parallel ssh loop (a connection each), $label" --runs "$runs" -- \
    bash "$f/ssh_loop.sh"
}

part fanout || exit 0
section "fan-out: one step on every host"
sshd_pool_start "$pool"
lab_hosts=() pool_hosts=()
for a in 127.0.0.11 127.0.0.12 127.0.0.21 127.0.0.22; do lab_hosts+=("$a 22 drlab $key"); done
for a in "${POOL_ADDRS[@]}"; do pool_hosts+=("$a $POOL_PORT $POOL_USER $POOL_KEY"); done
((BENCH_QUICK)) || fanout lab "the 4 lab hosts" "${lab_hosts[@]}"
fanout all "4 lab + $pool loopback sshd's" "${lab_hosts[@]}" "${pool_hosts[@]}"
note fanout.hosts "extra sshd's: $pool on 127.0.2.1-$pool:$POOL_PORT (tests/e2e/lib/sshd_fixture.sh, login $POOL_USER)"
