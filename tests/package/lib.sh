# Sourced by the packaging tests: counters, a scratch dir, and what any installed drplan
# must do wherever it was installed (`cmake --install` or the .deb). Environment:
# DRPLAN_SOURCE_DIR, DRPLAN_BUILD_DIR.
set -uo pipefail
src=${DRPLAN_SOURCE_DIR:?set DRPLAN_SOURCE_DIR}
build=${DRPLAN_BUILD_DIR:?set DRPLAN_BUILD_DIR}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1" >&2; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
lacks() { ! grep -qF -- "$1" <<<"$2"; }  # lacks TEXT IN
finish() { echo "$1: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; }
tmp=$(mktemp -d /tmp/drplan-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# plan reads the inventory and connects to nothing; a copy keeps the source tree off the
# command line.
cp "$src/lab/inventory.toml" "$tmp/inventory.toml"
cp "$src/examples/production/inventory.toml" "$tmp/production.toml"

# standard_plans_work BIN SHARE: run from / without $DRPLAN_STDLIB, the installed BIN checks
# each standard plan by name and by path, and plans failover, all from SHARE (its
# <prefix>/share/drplan), never from the source tree.
standard_plans_work() {
  local bin=$1 share=$2 name out rc all=
  for name in failover failback restore; do
    out=$(cd / && env -u DRPLAN_STDLIB "$bin" check "$name" 2>&1); rc=$?
    check "check $name by name exits 0" test $rc -eq 0
    check "check $name by name reads $share/plans/$name.dr" grep -qF "$share/plans/$name.dr: ok" <<<"$out"
    all+=$out
    out=$(cd / && env -u DRPLAN_STDLIB "$bin" check --werror "$share/plans/$name.dr" -i "$tmp/inventory.toml" 2>&1); rc=$?
    check "check --werror of $name by path, with the inventory, exits 0" test $rc -eq 0
    all+=$out
  done
  out=$(cd / && env -u DRPLAN_STDLIB "$bin" plan failover -i "$tmp/inventory.toml" 2>&1); rc=$?
  check "plan failover -i exits 0" test $rc -eq 0
  check "plan failover names the installed plan" grep -qF "file:       $share/plans/failover.dr" <<<"$out"
  check "plan failover shows the promotion on dr-db" grep -q "promote_db .* on dr-db" <<<"$out"
  all+=$out
  out=$(cd / && env -u DRPLAN_STDLIB "$bin" plan failover -i "$tmp/production.toml" --set from=fra --set to=ams 2>&1); rc=$?
  check "plan failover with the production example (fra -> ams) exits 0" test $rc -eq 0
  check "and fans out to both ams app servers" grep -q "start_main@ams-app2 .* on ams-app2" <<<"$out"
  all+=$out
  check "no path of the source tree in any of it" lacks "$src/" "$all"
}
