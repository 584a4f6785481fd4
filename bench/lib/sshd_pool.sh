# shellcheck shell=bash
# Extra throwaway sshd's on loopback for the fan-out benchmark (sourced after lab.sh).
#
#   sshd_pool_start N     sshd's on 127.0.2.1..N port 2222, login drlab with the lab's key,
#                         one shared host key; stopped and removed at exit
#
# Sets POOL_DIR (root-owned 0755, under /var/lib so StrictModes passes), POOL_ADDRS (the
# addresses) and writes $POOL_DIR/known_hosts: the lab's host keys plus one line per
# instance.
POOL_PORT=2222

sshd_pool_start() {
  local n=$1 i a d
  POOL_DIR=$(mktemp -d /var/lib/drplan-bench-sshd.XXXXXX)
  chmod 755 "$POOL_DIR"
  on_exit 'sshd_pool_stop'
  ssh-keygen -q -t ed25519 -N '' -C drplan-bench-pool -f "$POOL_DIR/host_key"
  install -m 644 "$LAB/ssh/id_ed25519.pub" "$POOL_DIR/authorized_keys"
  cp "$LAB/ssh/known_hosts" "$POOL_DIR/known_hosts"
  POOL_ADDRS=()
  mkdir -p /run/sshd
  for ((i = 1; i <= n; i++)); do
    a=127.0.2.$i d=$POOL_DIR/$i
    mkdir -p "$d"
    cat > "$d/sshd_config" <<EOF
ListenAddress $a:$POOL_PORT
HostKey $POOL_DIR/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $POOL_DIR/authorized_keys
AllowUsers drlab
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
StrictModes yes
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 100
EOF
    /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" || { cat "$d/sshd.log" >&2; return 1; }
    echo "[$a]:$POOL_PORT $(cut -d' ' -f1,2 "$POOL_DIR/host_key.pub")" >> "$POOL_DIR/known_hosts"
    POOL_ADDRS+=("$a")
  done
  for ((i = 1; i <= n; i++)); do   # every listener up
    for _ in $(seq 50); do port_open "127.0.2.$i" "$POOL_PORT" && break; sleep 0.1; done
    port_open "127.0.2.$i" "$POOL_PORT" || { echo "sshd_pool: 127.0.2.$i did not come up" >&2; return 1; }
  done
}

sshd_pool_stop() {
  [[ -n ${POOL_DIR:-} && -d $POOL_DIR ]] || return 0
  local pidfile pid
  for pidfile in "$POOL_DIR"/*/sshd.pid; do
    [[ -s $pidfile ]] || continue
    pid=$(cat "$pidfile")
    # shellcheck disable=SC2046
    kill $(descendants "$pid") "$pid" 2>/dev/null || true
  done
  rm -rf "$POOL_DIR"
}
