#!/usr/bin/env bash
# docs/standard-plans.md maps the guide to the standard plans: every step a table names exists
# in its plan (`start_*` names a family, `x@<host>` a fan-out), and every step of the plan is
# named in its section, so neither can drift from the other.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DRPLAN:?set DRPLAN to the drplan binary}"
status=0
for plan in failover failback restore backups; do
  steps=$("$DRPLAN" plan "plans/$plan.dr" -i lab/inventory.toml --format json |
    /usr/bin/python3 -c 'import json, sys; print("\n".join(sorted({s["name"] for s in json.load(sys.stdin)["steps"]})))')
  # The section of this plan: from its heading to the next "## ".
  section=$(awk -v p="plans/$plan.dr" 'index($0, "## ") == 1 { on = index($0, p) > 0; next } on' docs/standard-plans.md)
  named=$(printf '%s\n' "$section" | awk -F'|' '/^\| / && NF > 4 { print $3 }' | grep -o '`[^`]*`' | tr -d '`' | sed 's/@.*//' | sort -u)
  [[ -n $named ]] || { echo "FAIL: no table for plans/$plan.dr in docs/standard-plans.md"; status=1; continue; }
  for n in $named; do
    if [[ $n == *'*' ]]; then
      grep -q "^${n%\*}" <<<"$steps" || { echo "FAIL: docs name $n, plans/$plan.dr has no such steps"; status=1; }
    elif ! grep -qx -- "$n" <<<"$steps"; then
      echo "FAIL: docs name step '$n', plans/$plan.dr has none"; status=1
    fi
  done
  for s in $steps; do
    covered=0
    for n in $named; do
      if [[ $n == "$s" || ( $n == *'*' && $s == ${n%\*}* ) ]]; then covered=1; break; fi
    done
    ((covered)) || { echo "FAIL: step '$s' of plans/$plan.dr is not in its docs table"; status=1; }
  done
done
((status == 0)) && echo "ok: docs/standard-plans.md names exactly the steps of the four plans"
exit $status
