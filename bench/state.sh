#!/usr/bin/env bash
# The journal's cost: the same runs with the local journal (fdatasync'd file) and with the
# etcd backend (the lab's three members on loopback: a lease, a fenced transaction per batch
# of records, the local mirror as well). A chain of no-op steps (-j 1: every record waits for
# its own transaction) and a layered DAG at -j 8 (parallel steps' records share one).
# Then (full run) the lab's standard failover itself, each time on a rebuilt lab after
# lab/outage dc, with either journal: what the etcd backend adds to a real failover.
# Keys: state.chain.{local,etcd} (ms per step), state.wide.{local,etcd}, state.failover.{local,etcd} (s).
source "$(dirname "$0")/lib/common.sh"
source "$REPO/lab/lib.sh"

chain=300 steps=1000 width=8 runs=3   # the failover: 5 runs (about 1 s each, noisier)
c=$BENCH_WORK/state-chain w=$BENCH_WORK/state-wide
"$PY" "$BENCH_DIR/lib/gen_local.py" chain "$chain" "$c"
"$PY" "$BENCH_DIR/lib/gen_local.py" layered "$steps" "$width" "$w"
if ! "$REPO/lab/etcd" status 2>/dev/null | grep -q 'quorum: yes'; then
  echo "bench: starting the lab's etcd members (stopped again at exit)"
  "$REPO/lab/etcd" up >/dev/null
  on_exit '"$REPO/lab/etcd" down >/dev/null'
fi
etcd=etcd://127.0.0.13:2379,127.0.0.23:2379,127.0.0.33:2379/bench-$$

section "the journal: a chain of $chain no-op steps, -j 1"
measure state.chain.local "local journal, per step" --runs "$runs" --per "$chain" --unit ms/step --cwd "$c" \
  --setup "rm -rf state" -- "$DRPLAN" apply plan.dr -i inv.toml --yes -j 1 --state-dir state
measure state.chain.etcd "etcd journal (3 members, mirrored locally), per step" --runs "$runs" --per "$chain" \
  --unit ms/step --cwd "$c" --setup "rm -rf state" -- "$DRPLAN" apply plan.dr -i inv.toml --yes -j 1 --state-dir state \
  --state "$etcd/chain"

section "the journal: $steps no-op steps, width $width, -j $width"
measure state.wide.local "local journal" --runs "$runs" --cwd "$w" \
  --setup "rm -rf state" -- "$DRPLAN" apply plan.dr -i inv.toml --yes -j "$width" --state-dir state
measure state.wide.etcd "etcd journal" --runs "$runs" --cwd "$w" \
  --setup "rm -rf state" -- "$DRPLAN" apply plan.dr -i inv.toml --yes -j "$width" --state-dir state --state "$etcd/wide"
if ((!BENCH_QUICK)); then
  section "the lab's standard failover (lab rebuilt and the DC down before each run)"
  f=$BENCH_WORK/state-failover
  mkdir -p "$f"
  { cat "$REPO/lab/inventory.toml"; printf '\n[state]\nbackend = "etcd"\nendpoints = ["127.0.0.13:2379", "127.0.0.23:2379", "127.0.0.33:2379"]\nprefix = "/bench-%s/failover"\n' "$$"; } > "$f/etcd.toml"
  # After the outage, etcd elects a leader again when the DC's member led (a second or two):
  # waited for here, since it is etcd's time, not drplan's (e2e_etcd_failover runs through it).
  rebuild="cd / && '$REPO/lab/down' --purge >/dev/null 2>&1; '$REPO/lab/up' >/dev/null && '$REPO/lab/outage' dc >/dev/null;
    for i in \$(seq 50); do '$REPO/lab/etcd' status | grep -q ' leader\$' && break; sleep 0.2; done; rm -rf '$f/state'"
  on_exit "'$REPO/lab/down' --purge >/dev/null 2>&1; '$REPO/lab/up' >/dev/null"
  measure state.failover.local "failover, local journal" --runs 5 --cwd "$f" --setup "$rebuild" -- \
    "$DRPLAN" apply "$REPO/plans/failover.dr" -i "$REPO/lab/inventory.toml" --yes --state-dir state
  measure state.failover.etcd "failover, etcd journal" --runs 5 --cwd "$f" --setup "$rebuild" -- \
    "$DRPLAN" apply "$REPO/plans/failover.dr" -i etcd.toml --yes --state-dir state
fi
ETCDCTL_API=3 etcdctl --endpoints=127.0.0.23:2379 del --prefix "/bench-$$" >/dev/null 2>&1 || true
