#!/usr/bin/env bash
# ssh_config aliases, opt-in (issue 19): with `ssh_config = FILE`, a host's address is an alias
# whose Host entry gives HostName, User, Port, IdentityFile and ProxyJump; drplan plan shows
# what it resolved, and the commands reach the hosts that way (dr-app through the bastion).
# Without the key the aliases are just names: the file is never read.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test alias
lab up >/dev/null
cat > "$state/config" <<'CFG'
Host dr-db-alias
  HostName 127.0.0.22
  User drlab
Host dr-app-*
  HostName 127.0.0.21
  User ops
  ProxyJump ops@127.0.0.40:22
Host *
  IdentityFile /var/lib/drplan-lab/ssh/id_ed25519
  Port 22
CFG
sed -e 's|^address = "127.0.0.22"|address = "dr-db-alias"|' -e 's|^address = "127.0.0.21"|address = "dr-app-1"|' \
  lab/inventory.toml > "$state/plain.toml"
sed "s|^\\[ssh\\].*|&\\nssh_config = \"$state/config\"|" "$state/plain.toml" > "$state/alias.toml"
cat > "$state/a.dr" <<'PLAN'
plan alias {
  check db on dr-db { probe = "echo dr-db as $(id -un) on $DRLAB_HOST" }
  check app on dr-app { probe = "echo dr-app as $(id -un) on $DRLAB_HOST" }
}
PLAN

step "drplan plan shows what the aliases resolved to"
"$DRPLAN" plan "$state/a.dr" -i "$state/alias.toml" > "$E2E_LAST_OUTPUT"
expect_ok "dr-db's entry" grep -q "ssh_config: dr-db: alias dr-db-alias in $state/config: HostName 127.0.0.22 User drlab" "$E2E_LAST_OUTPUT"
expect_ok "dr-app's, with its bastion" grep -q "ssh_config: dr-app: alias dr-app-1 in $state/config: HostName 127.0.0.21 User ops .*ProxyJump ops@127.0.0.40:22" "$E2E_LAST_OUTPUT"
expect_ok "dr-app goes through the bastion" grep -q "ssh:        dr-app through bastion ops@127.0.0.40:22" "$E2E_LAST_OUTPUT"

step "the commands reach the hosts through what the file says"
run_drplan apply "$state/a.dr" -i "$state/alias.toml" --yes --state-dir "$state/s1"
expect_ok "dr-db as drlab" grep -q "db: dr-db as drlab on dr-db" "$E2E_LAST_OUTPUT"
expect_ok "dr-app as ops" grep -q "app: dr-app as ops on dr-app" "$E2E_LAST_OUTPUT"

step "without ssh_config the file is not read"
"$DRPLAN" plan "$state/a.dr" -i "$state/plain.toml" > "$E2E_LAST_OUTPUT"
expect_fail "no ssh_config line" grep -q "ssh_config:" "$E2E_LAST_OUTPUT"
finish
