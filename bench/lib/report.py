#!/usr/bin/python3
"""Prints the benchmark table from the results file, the ratios against the targets, and,
as the very last lines, one `NAME VALUE` line per headline figure.

  report.py RESULTS [--quick]

RESULTS lines (measure.py, common.sh's note): key, label, unit, comma-separated samples
(empty for notes). Every figure is the median of its samples.
"""
import math
import statistics
import sys

AREAS = [("floor", "Floors"), ("check", "Compile"),
         ("bounded", "Bounded compilation: inputs that once hung drplan check or took gigabytes"),
         ("local", "Local execution, DAG of width 8"),
         ("chain", "Local execution, chain (-j 1)"), ("ssh", "SSH, sequential remote commands"),
         ("fanout", "SSH fan-out, one step on every host"),
         ("state", "The journal: local file against etcd (3 members)"), ("makespan", "Makespan")]


def load(path):
    rows, notes = {}, {}
    for line in open(path):
        key, label, unit, samples = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
        if unit == "note":
            notes.setdefault(key.split(".")[0], []).append(label)
        else:
            rows[key] = (label, unit, [float(s) for s in samples.split(",") if s])
    return rows, notes


def main():
    rows, notes = load(sys.argv[1])
    quick = "--quick" in sys.argv

    def med(key):
        return statistics.median(rows[key][2]) if key in rows else math.nan

    def ratio(a, b):
        return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan

    mode = "quick mode: fewer steps and runs, see the labels" if quick else "full run"
    print(f"\n== Results (median of the runs; min-max across runs; {mode})")
    print(f"{'benchmark':<70} {'runs':>4} {'median':>10} {'min':>10} {'max':>10}  unit")
    for prefix, title in AREAS:
        keys = [k for k in rows if k.split(".")[0] == prefix]
        if not keys and prefix not in notes:
            continue
        print(f"-- {title}")
        for k in keys:
            label, unit, s = rows[k]
            print(f"  {label:<68} {len(s):>4} {statistics.median(s):>10.2f} {min(s):>10.2f} {max(s):>10.2f}  {unit}")
        for n in notes.get(prefix, []):
            print(f"  ({n})")

    def pooled(prefix):
        return [x for k, (_, _, s) in rows.items() if k.startswith(prefix) for x in s]

    makespan, makespan_floor = pooled("makespan.drplan."), pooled("makespan.floor.")
    check_vs_ansible = ratio(med("check.ansible.10k"), med("check.drplan.10k"))
    if math.isnan(check_vs_ansible):  # quick mode compares at 1k steps
        check_vs_ansible = ratio(med("check.ansible.1k"), med("check.drplan.1k"))
    headline = [
        ("check_10k_ms", med("check.drplan.10k"), "< 150", lambda v: v < 150),
        ("check_growth_10k_100k", ratio(med("check.drplan.100k"), med("check.drplan.10k")), "~10 (linear)",
         lambda v: v <= 12),
        ("check_vs_ansible", check_vs_ansible, ">= 20" + (" (1k steps)" if "check.ansible.10k" not in rows else ""),
         lambda v: v >= 20),
        ("local_vs_ninja", ratio(med("local.drplan"), med("local.ninja")), "<= 1.25", lambda v: v <= 1.25),
        ("ssh_vs_openssh_mux", ratio(med("ssh.drplan"), med("ssh.mux")), "< 1", lambda v: v < 1),
        ("ssh_vs_ansible", ratio(med("ssh.ansible"), med("ssh.drplan")), ">= 10", lambda v: v >= 10),
        ("failover_etcd_growth", ratio(med("state.failover.etcd"), med("state.failover.local")) - 1, "< 0.10",
         lambda v: v < 0.10),
        ("makespan_over_critical_path", statistics.median(makespan) if makespan else math.nan, "<= 1.05",
         lambda v: v <= 1.05),
    ]
    other = [
        ("check 10k: drplan / ninja -n (time)", ratio(med("check.drplan.10k"), med("check.ninja.10k"))),
        ("check 10k: drplan / ninja -n (peak RSS)", ratio(med("check.drplan.10k.rss"), med("check.ninja.10k.rss"))),
        ("check 100k / 10k peak RSS", ratio(med("check.drplan.100k.rss"), med("check.drplan.10k.rss"))),
        ("check 1k: ansible / drplan", ratio(med("check.ansible.1k"), med("check.drplan.1k"))),
        ("local: drplan journal on disk / on tmpfs", ratio(med("local.drplan"), med("local.drplan_tmpfs"))),
        ("local: drplan / xargs -P 8 (no DAG)", ratio(med("local.drplan"), med("local.xargs"))),
        ("chain: drplan / ninja per step", ratio(med("chain.drplan"), med("chain.ninja"))),
        ("ssh: drplan apply / transport alone per step", ratio(med("ssh.drplan"), med("ssh.transport"))),
        ("ssh via bastion: drplan / ssh -W with ControlMaster, per step",
         ratio(med("ssh.bastion.drplan"), med("ssh.bastion.mux"))),
        ("journal: etcd / local, chain per step", ratio(med("state.chain.etcd"), med("state.chain.local"))),
        ("journal: etcd / local, 1000 steps at -j 8", ratio(med("state.wide.etcd"), med("state.wide.local"))),
        ("fan-out, all hosts: ansible / drplan", ratio(med("fanout.all.ansible"), med("fanout.all.drplan"))),
        ("fan-out, all hosts: drplan / parallel ssh", ratio(med("fanout.all.drplan"), med("fanout.all.ssh"))),
        ("fan-out, lab: ansible / drplan", ratio(med("fanout.lab.ansible"), med("fanout.lab.drplan"))),
        ("makespan: critical path as a shell loop / critical path",
         statistics.median(makespan_floor) if makespan_floor else math.nan),
    ]
    print("\n== Ratios (from the same run)")
    for name, value in other:
        if not math.isnan(value):
            print(f"  {name:<68} {value:>8.2f}")
    print(f"\n  {'headline':<40} {'value':>10}  {'target':<20} result")
    for name, value, target, ok in headline:
        verdict = "n/a" if math.isnan(value) else ("met" if ok(value) else "MISSED")
        print(f"  {name:<40} {value:>10.2f}  {target:<20} {verdict}")
    print()
    for name, value, _, _ in headline:
        print(f"{name} {value:.3f}" if name != "check_10k_ms" else f"{name} {value:.1f}")


if __name__ == "__main__":
    main()
