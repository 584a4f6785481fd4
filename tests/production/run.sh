#!/usr/bin/env bash
# The standard plans against examples/production/inventory.toml (fra/ams, two app servers
# and one database per site): `drplan check --werror` is clean and `drplan plan` output is
# what examples/production/*.plan hold. UPDATE=1 rewrites those files.
set -euo pipefail
: "${DRPLAN:?set DRPLAN to the drplan binary}"
cd "$(dirname "$0")/../.."
inv=examples/production/inventory.toml
status=0
while read -r plan args; do
  # shellcheck disable=SC2086  # $args are the --set flags, split on purpose
  "$DRPLAN" check --werror "plans/$plan.dr" -i "$inv" $args >/dev/null || { echo "FAIL: check $plan"; status=1; }
  out=$("$DRPLAN" plan "plans/$plan.dr" -i "$inv" $args 2>&1) || { echo "FAIL: plan $plan"; status=1; }
  want=examples/production/$plan.plan
  if [[ ${UPDATE:-} == 1 ]]; then printf '%s\n' "$out" > "$want"; continue; fi
  if diff -u "$want" <(printf '%s\n' "$out"); then echo "ok: $plan"; else echo "FAIL: $plan differs from $want"; status=1; fi
done <<'PLANS'
failover --set from=fra --set to=ams
failback --set from=ams --set to=fra
restore --set site=fra
PLANS
exit "$status"
