# shellcheck shell=bash
# Shared definitions for the drplan lab scripts (sourced, not executed).
# Installed into the lab as $LAB/lib/lab.sh for the per-host scripts.
LAB=/var/lib/drplan-lab
PGBIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3
HOSTS=(dc-app dc-db dr-app dr-db)
SITES=(dc dr)
declare -A ADDR=([dc-app]=127.0.0.11 [dc-db]=127.0.0.12 [dr-app]=127.0.0.21 [dr-db]=127.0.0.22)
DNS_ADDR=127.0.0.30
# The bastion (jump host) of the DR site: its own sshd, no host directory (lab/inventory-ops.toml).
ADDR[bastion]=127.0.0.40
PG_PORT=5432
SERVICES=(ft-main-server ft-analytics-server ft-plugins-server)
declare -A SVC_PORT=([ft-main-server]=8080 [ft-analytics-server]=8081 [ft-plugins-server]=8082)
# The shared-state etcd cluster (lab/etcd): one member per site and a witness, so either site
# alone still has a majority with the witness. Client port 2379, peer port 2380.
ETCD_MEMBERS=(dc dr witness)
declare -A ETCD_ADDR=([dc]=127.0.0.13 [dr]=127.0.0.23 [witness]=127.0.0.33)
ETCD_BIN=/usr/bin/etcd

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
host_site() { echo "${1%%-*}"; }
host_role() { echo "${1#*-}"; }
host_root() { echo "$LAB/hosts/$1"; }
site_ok() { [[ " ${SITES[*]} " == *" $1 "* ]] || die "unknown site '$1' (expected: ${SITES[*]})"; }
is_fenced() { [[ -e "$LAB/fence/$1" ]]; }
port_open() { nc -z -w 1 "$1" "$2" >/dev/null 2>&1; }

# alive PID: the process exists and is not a zombie (PID 1 here may be slow to reap).
alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; [[ ${s%% *} != Z ]]; }
# pid_alive PIDFILE: true if the pid in PIDFILE is a live process.
pid_alive() { local p; [[ -s "$1" ]] && p=$(head -n1 "$1") && [[ "$p" =~ ^[0-9]+$ ]] && alive "$p"; }

# Run a command as the lab user drlab with a clean environment (no-op when already drlab).
as_drlab() {
  local host=${DRLAB_HOST:-}
  if [[ $(id -un) == drlab ]]; then "$@"; return; fi
  runuser -u drlab -- env -i HOME="$LAB/home/drlab" USER=drlab LOGNAME=drlab SHELL=/bin/bash \
    PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 PGPASSFILE="$LAB/home/drlab/.pgpass" \
    ${host:+DRLAB_HOST=$host} ${host:+DRLAB_ROOT=$LAB/hosts/$host} "$@"
}

# For per-host scripts: re-exec as drlab when started as root (postgres refuses root).
drop_root() {
  if [[ $(id -u) -eq 0 ]]; then
    DRLAB_HOST=$NAME as_drlab /bin/bash "$0" "$@"; exit $?
  fi
  export PGPASSFILE="$LAB/home/drlab/.pgpass"
}

# ---- lab management helpers (used by lab/up, down, outage, recover, fence) ----
descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null || true); do descendants "$c"; echo "$c"; done; }

sshd_up() { pid_alive "$LAB/sshd/$1/sshd.pid" && port_open "${ADDR[$1]}" 22; }
sshd_start() {
  local d=$LAB/sshd/$1
  pid_alive "$d/sshd.pid" && return 0
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
  for _ in $(seq 50); do port_open "${ADDR[$1]}" 22 && return 0; sleep 0.1; done
  tail -n 5 "$d/sshd.log" >&2; die "sshd of $1 did not come up on ${ADDR[$1]}:22"
}
# sshd_kill HOST [SIGNAL]: the listener and every session under it.
sshd_kill() {
  local pidf=$LAB/sshd/$1/sshd.pid pid
  if pid_alive "$pidf"; then
    pid=$(head -n1 "$pidf")
    # shellcheck disable=SC2046
    kill -"${2:-TERM}" "$pid" $(descendants "$pid") 2>/dev/null || true
    for _ in $(seq 30); do alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$pidf"
}
# pidfile_kill PIDFILE SIGNAL: signal its process, kill -9 it if still alive after 5 s, remove PIDFILE.
pidfile_kill() {
  local pid
  if pid_alive "$1"; then
    pid=$(head -n1 "$1"); kill -"$2" "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}
# svc_kill HOST UNIT [SIGNAL]: stop a stand-in service by pidfile, keeping its .wanted marker.
svc_kill() { pidfile_kill "$LAB/hosts/$1/run/$2.pid" "${3:-TERM}"; }
named_up() { pid_alive "$LAB/dns/named.pid"; }
named_start() {
  named_up && return 0
  # named only binds addresses that exist on an interface (sshd/postgres can bind any 127/8).
  ip -o addr show dev lo | grep -q " $DNS_ADDR/" || ip addr add "$DNS_ADDR/32" dev lo
  /usr/sbin/named -c "$LAB/dns/named.conf" -u bind
  for _ in $(seq 50); do
    [[ $(dig +short +time=1 +tries=1 @"$DNS_ADDR" servicedesk.drlab.test A 2>/dev/null) =~ ^[0-9] ]] && return 0; sleep 0.1
  done
  tail -n 10 "$LAB/dns/named.log" >&2; die "named did not come up on $DNS_ADDR:53"
}
named_stop() {
  local pid
  if named_up; then
    pid=$(head -n1 "$LAB/dns/named.pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  fi
}

# ---- etcd members (lab/etcd, outage, recover): $LAB/etcd/<member>/ data, .log, .pid ----
etcd_url() { echo "http://${ETCD_ADDR[$1]}:$2"; }   # MEMBER PORT
etcd_ok() { [[ -n ${ETCD_ADDR[$1]:-} ]] || die "unknown etcd member '$1' (expected: ${ETCD_MEMBERS[*]})"; }
etcd_up() { pid_alive "$LAB/etcd/$1.pid"; }
# etcd_answer MEMBER: the member's /v3/maintenance/status reply (empty if it does not answer in 2 s).
etcd_answer() { curl -s --max-time 2 -X POST -d '{}' "$(etcd_url "$1" 2379)/v3/maintenance/status" 2>/dev/null || true; }
# etcd_start MEMBER: start it as user etcd (no-op if running). The initial-cluster flags only
# matter on the first start; later starts rejoin from the data directory.
etcd_start() {
  local m=$1 d=$LAB/etcd peers="" p
  etcd_up "$m" && return 0
  for p in "${ETCD_MEMBERS[@]}"; do peers+="${peers:+,}$p=$(etcd_url "$p" 2380)"; done
  install -d -m 755 "$d"
  install -d -m 700 -o etcd -g etcd "$d/$m"
  setsid setpriv --reuid etcd --regid etcd --init-groups "$ETCD_BIN" --name "$m" --data-dir "$d/$m" \
    --listen-client-urls "$(etcd_url "$m" 2379)" --advertise-client-urls "$(etcd_url "$m" 2379)" \
    --listen-peer-urls "$(etcd_url "$m" 2380)" --initial-advertise-peer-urls "$(etcd_url "$m" 2380)" \
    --initial-cluster "$peers" --initial-cluster-token drplan-lab --initial-cluster-state new \
    --logger zap --log-outputs stderr >>"$d/$m.log" 2>&1 </dev/null &
  echo $! > "$d/$m.pid"
}
# etcd_stop MEMBER [SIGNAL]: TERM (or SIGNAL, e.g. KILL for a power loss), KILL after 5 s.
etcd_stop() { pidfile_kill "$LAB/etcd/$1.pid" "${2:-TERM}"; }
# etcd_healthy MEMBER: a linearizable read through it succeeds, i.e. the cluster has quorum.
etcd_healthy() { ETCDCTL_API=3 etcdctl --endpoints="$(etcd_url "$1" 2379)" --dial-timeout=1s --command-timeout=2s endpoint health >/dev/null 2>&1; }
# etcd_wait MEMBER...: until each answers with quorum, at most 20 s, else die naming its log.
etcd_wait() {
  local m end=$((SECONDS + 20))
  for m in "$@"; do
    while ((SECONDS < end)) && etcd_up "$m"; do etcd_healthy "$m" && continue 2; sleep 0.3; done
    tail -n 5 "$LAB/etcd/$m.log" >&2
    die "member $m ($(etcd_url "$m" 2379)) has no quorum after 20 s (log: $LAB/etcd/$m.log)"
  done
}
