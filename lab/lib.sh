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
# svc_kill HOST UNIT [SIGNAL]: stop a stand-in service by pidfile, keeping its .wanted marker.
svc_kill() {
  local pidf=$LAB/hosts/$1/run/$2.pid pid
  if pid_alive "$pidf"; then
    pid=$(head -n1 "$pidf"); kill -"${3:-TERM}" "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}
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
