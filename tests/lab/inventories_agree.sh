#!/usr/bin/env bash
# The lab's two inventories describe the same hosts: inventory-ops.toml differs from
# inventory.toml only in its [ssh] sections (an unprivileged login with become, the DR site
# behind the bastion), and the plan
# it gives runs every remote command through sudo as drlab, and the local ones as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
body() { sed -e '/^#/d' -e '/^\[ssh\]/,/^$/d' -e '/^\[sites\.[a-z]*\.ssh\]/,/^$/d' "$1" | sed -e '/^$/d'; }
if ! diff <(body lab/inventory.toml) <(body lab/inventory-ops.toml); then
  echo "FAIL: lab/inventory-ops.toml differs from lab/inventory.toml outside [ssh]" >&2; exit 1
fi
out=$("$DRPLAN" plan plans/failover.dr -i lab/inventory-ops.toml)
remote=$(grep -Ec '^  (check|action|wait) +[^ ]+ +on (dc|dr)-' <<<"$out")
as_drlab=$(grep -Ec '^  (check|action|wait) +[^ ]+ +on (dc|dr)-.*  as drlab \(sudo -n\)' <<<"$out")
local_as=$(grep -Ec '^  (check|action|wait) +[^ ]+ +on local .*  as ' <<<"$out" || true)
[[ $remote -gt 10 && $remote -eq $as_drlab ]] || { echo "FAIL: $as_drlab of $remote remote steps run as drlab" >&2; exit 1; }
[[ $local_as -eq 0 ]] || { echo "FAIL: $local_as local steps claim a become user" >&2; exit 1; }
root=$("$DRPLAN" plan plans/failover.dr -i lab/inventory.toml)
if grep -q '(sudo -n)' <<<"$root"; then echo "FAIL: the drlab inventory needs no become" >&2; exit 1; fi
echo "ok: $remote remote steps through sudo as drlab, none under the drlab login"
