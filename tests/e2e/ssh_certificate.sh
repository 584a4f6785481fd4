#!/usr/bin/env bash
# SSH user certificates (issue 19): a key that is in no authorized_keys logs in with its
# certificate where the server trusts the CA that signed it (the lab's dr-app), is refused
# where it does not (dr-db) with an error that names the certificate and the CA, and without
# the certificate is refused everywhere.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test cert
lab up >/dev/null
ssh_dir=/var/lib/drplan-lab/ssh
# The lab's inventory with the certificate's key as identity (and the certificate, or not).
inventory() {  # FILE [CERTIFICATE LINE]
  sed -e "s|^identity = .*|identity = \"$ssh_dir/id_cert\"|" -e "s|^\[sites.dc\]|$2\n&|" lab/inventory.toml > "$1"
}
inventory "$state/cert.toml" "certificate = \"$ssh_dir/id_cert-cert.pub\""
inventory "$state/nocert.toml" ""
cat > "$state/c.dr" <<'PLAN'
plan cert_login {
  check app on dr-app { probe = "echo logged in to dr-app as $(id -un)" }
  check db on dr-db { probe = "echo logged in to dr-db as $(id -un)" }
}
PLAN
try() {  # INVENTORY STATE
  drplan_status apply "$state/c.dr" -i "$1" --yes --state-dir "$2"
}

step "with the certificate: dr-app (trusts the CA) lets it in, dr-db refuses and says why"
try "$state/cert.toml" "$state/s1"
expect_ok "dr-app accepted the certificate" grep -q "app: logged in to dr-app as drlab" "$E2E_LAST_OUTPUT"
expect_ok "dr-db refused it" grep -q "authentication failed for 'dr-db'.*refused certificate $ssh_dir/id_cert-cert.pub" "$E2E_LAST_OUTPUT"
expect_ok "naming the CA and the principals" grep -q "TrustedUserCAKeys), is 'drlab' among its principals" "$E2E_LAST_OUTPUT"

step "without it, the key alone is refused (it is in no authorized_keys)"
try "$state/nocert.toml" "$state/s2"
[[ $status -ne 0 ]] || fail "the bare key logged in"
expect_fail "dr-app refused the bare key" grep -q "app: logged in" "$E2E_LAST_OUTPUT"
finish
