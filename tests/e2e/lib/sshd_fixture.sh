# Test sshd instances on loopback, for the SSH transport's tests and benchmark. Source it.
# Needs root (a dedicated login user, sshd binding to its own address).
#
#   sshd_fixture_init                 # temp dir, test user, client keys, empty known_hosts
#   sshd_fixture_start a 127.0.0.51 2222
#   ...                               # $SSHD_FIXTURE_DIR holds everything, see below
#   sshd_fixture_cleanup              # stops every instance, kills the user's processes
#
# Layout of $SSHD_FIXTURE_DIR (root-owned, 0711, under /var/lib so that StrictModes passes):
#   user                    the login user's name
#   client/id_ed25519       authorized client key;  client/wrong_ed25519: not authorized
#   known_hosts             one line per started instance
#   hosts                   "NAME ADDRESS PORT" per started instance
#   NAME/sshd_config, NAME/ssh_host_ed25519_key(.pub), NAME/sshd.pid, NAME/sshd.log

SSHD_FIXTURE_USER=${SSHD_FIXTURE_USER:-drplan-sshtest}

sshd_fixture_init() {
  if [ "$(id -u)" != 0 ]; then echo "sshd_fixture: needs root" >&2; return 1; fi
  command -v /usr/sbin/sshd >/dev/null || { echo "sshd_fixture: /usr/sbin/sshd missing (apt-get install openssh-server)" >&2; return 1; }
  SSHD_FIXTURE_DIR=$(mktemp -d /var/lib/drplan-sshtest.XXXXXX) || return 1
  export SSHD_FIXTURE_DIR
  chmod 711 "$SSHD_FIXTURE_DIR"
  mkdir -p /run/sshd "$SSHD_FIXTURE_DIR/client" "$SSHD_FIXTURE_DIR/authorized_keys"
  chmod 700 "$SSHD_FIXTURE_DIR/client"
  chmod 755 "$SSHD_FIXTURE_DIR/authorized_keys"
  if ! id "$SSHD_FIXTURE_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$SSHD_FIXTURE_USER" || return 1
  fi
  usermod -p '*' "$SSHD_FIXTURE_USER"  # with UsePAM no, a "!" password means locked
  echo "$SSHD_FIXTURE_USER" >"$SSHD_FIXTURE_DIR/user"
  ssh-keygen -q -t ed25519 -N '' -C drplan-test -f "$SSHD_FIXTURE_DIR/client/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C drplan-wrong -f "$SSHD_FIXTURE_DIR/client/wrong_ed25519"
  install -m 644 "$SSHD_FIXTURE_DIR/client/id_ed25519.pub" \
    "$SSHD_FIXTURE_DIR/authorized_keys/$SSHD_FIXTURE_USER"
  : >"$SSHD_FIXTURE_DIR/known_hosts"
  : >"$SSHD_FIXTURE_DIR/hosts"
}

# sshd_fixture_start NAME ADDRESS PORT
sshd_fixture_start() {
  local name=$1 addr=$2 port=$3 d="$SSHD_FIXTURE_DIR/$1"
  if ss -Hltn "src $addr:$port" 2>/dev/null | grep -q .; then
    echo "sshd_fixture: $addr:$port is already in use (a test sshd left running?)" >&2
    return 1
  fi
  mkdir -p "$d"
  ssh-keygen -q -t ed25519 -N '' -C "drplan-test-$name" -f "$d/ssh_host_ed25519_key"
  cat >"$d/sshd_config" <<EOF
ListenAddress $addr:$port
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $SSHD_FIXTURE_DIR/authorized_keys/%u
AllowUsers $SSHD_FIXTURE_USER
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes yes
MaxStartups 100
LogLevel INFO
EOF
  /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" || { cat "$d/sshd.log" >&2; return 1; }
  local i
  for i in $(seq 50); do
    [ -s "$d/sshd.pid" ] && break
    sleep 0.05
  done
  echo "[$addr]:$port $(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >>"$SSHD_FIXTURE_DIR/known_hosts"
  echo "$name $addr $port" >>"$SSHD_FIXTURE_DIR/hosts"
}

# Kills an instance's per-connection processes (drops every session), keeping the listener.
sshd_fixture_drop_sessions() {
  local p
  for p in $(pgrep -P "$(cat "$SSHD_FIXTURE_DIR/$1/sshd.pid")"); do
    pkill -KILL -P "$p"  # the session's unprivileged child holds the TCP socket too
    kill -KILL "$p"
  done
}

sshd_fixture_cleanup() {
  [ -n "${SSHD_FIXTURE_DIR:-}" ] && [ -d "$SSHD_FIXTURE_DIR" ] || return 0
  local pidfile pid
  for pidfile in "$SSHD_FIXTURE_DIR"/*/sshd.pid; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  pkill -KILL -u "$SSHD_FIXTURE_USER" 2>/dev/null || true
  rm -rf "$SSHD_FIXTURE_DIR"
}
