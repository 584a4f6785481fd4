#!/usr/bin/env bash
# Shared state on etcd (issue 13): the controller cut off from etcd (two of the three members
# stopped: no quorum) stops within the lease's TTL without starting another step and says
# why; its local mirror keeps every record, including those etcd never got; with quorum back,
# etcd holds a prefix of the mirror and nothing else.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test etcdpartition
at_exit 'lab/etcd up >/dev/null 2>&1'
inv=$state/inventory.toml
etcd_inventory "$inv" /e2e/partition-$$
lab up >/dev/null
ran=$LAB/hosts/dc-app/tmp/partition-ran
rm -f "$ran"
{
  echo "plan slow_steps {"
  for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
    echo "  action a$i on dc-app $( ((i)) && echo "after a$((i - 1))") {"
    echo "    run = \"sleep 1; echo a$i >> $ran\""
    echo "    rollback = none \"a test\""
    echo "  }"
  done
  echo "}"
} > "$state/slow.dr"

step "a run under the etcd lock; two members stopped after its second step"
"$DRPLAN" apply "$state/slow.dr" -i "$inv" --yes --state-dir "$state/A" > "$E2E_LAST_OUTPUT" 2>&1 &
pid=$!
journal=
eventually 30 "journal=\$(latest_journal '$state/A/runs/*') && journal_steps step_end \"\$journal\" | grep -qx a1"
lab etcd stop dr
lab etcd stop witness
cut_at=$SECONDS
started_before=$(journal_steps step_start "$journal" | wc -l)
status=0
wait "$pid" || status=$?
pid=
stopped_after=$((SECONDS - cut_at))
cat "$E2E_LAST_OUTPUT"
expect_eq "the run failed" "$status" 1
expect_ok "it stopped within the lease's TTL (10 s): took ${stopped_after}s" test "$stopped_after" -le 12
expect_ok "saying it lost its lock, and why" grep -q "not started: the run lost its lock (.*etcd" "$E2E_LAST_OUTPUT"
# Started for real: a start record whose step did not end "not started" (the mirror also
# keeps the start record etcd refused, then says the step never ran).
ran_per_mirror=$(/usr/bin/python3 - "$journal" <<'PY'
import json, sys
starts, refused = [], set()
for line in open(sys.argv[1]):
    try: r = json.loads(line)
    except ValueError: continue
    if r.get("type") == "step_start": starts.append(r.get("step"))
    if r.get("type") == "step_end" and str(r.get("reason", "")).startswith("not started"): refused.add(r.get("step"))
print(len([s for s in starts if s not in refused]))
PY
)
expect_ok "at most the step running at the cut finished; no new one started ($started_before starts at the cut, $ran_per_mirror ran)" \
  test "$ran_per_mirror" -le "$((started_before + 1))"
expect_eq "what ran on the host is what the mirror says ran" "$(wc -l < "$ran")" "$ran_per_mirror"

step "quorum back: etcd holds a prefix of the local mirror"
lab etcd up >/dev/null
"$DRPLAN" log --state "$ETCD_URL/e2e/partition-$$" --format json > "$state/etcd.json" 2>/dev/null || fail "drplan log from etcd failed"
"$DRPLAN" log "$(dirname "$journal")" --format json > "$state/mirror.json" 2>/dev/null || fail "drplan log of the mirror failed"
/usr/bin/python3 - "$state/etcd.json" "$state/mirror.json" <<'PY' || fail "etcd's records are not a prefix of the mirror's"
import json, sys
def records(path):
    text = open(path).read()
    try:
        data = json.loads(text)
        rows = data if isinstance(data, list) else data.get("records", [])
    except ValueError:
        rows = [json.loads(l) for l in text.splitlines() if l.strip()]
    return [(r.get("type"), r.get("step")) for r in rows]
e, m = records(sys.argv[1]), records(sys.argv[2])
print(f"etcd {len(e)} records, mirror {len(m)}")
sys.exit(0 if 0 < len(e) < len(m) and m[:len(e)] == e else 1)
PY
pass "etcd's records are a prefix of the mirror's, which holds more"
finish
