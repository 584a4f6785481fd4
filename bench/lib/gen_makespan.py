#!/usr/bin/python3
"""Generates a random DAG of `sleep` steps and computes its critical path.

  gen_makespan.py SEED STEPS OUTDIR   -> OUTDIR/plan.dr, OUTDIR/inv.toml, OUTDIR/critical_path_ms,
                                         OUTDIR/critical_path.sh

Step i sleeps a random 0.10-0.50 s and depends on 0-3 random steps among the 12 before it.
The critical path is the longest chain by sleep time (what an ideal scheduler with enough
parallelism and zero overhead would take). critical_path.sh runs the critical path's steps one
after the other as `/bin/sh -c "sleep D"`: the same processes with no scheduler, the floor
that real process start-up puts under the makespan. Prints "STEPS steps, width W, critical path
P steps CP ms".
"""
import os
import random
import sys


def main():
    seed, steps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    dur = [rng.randint(10, 50) * 10 for _ in range(steps)]  # ms
    deps = []
    for i in range(steps):
        window = list(range(max(0, i - 12), i))
        deps.append(sorted(rng.sample(window, min(len(window), rng.randint(0, 3)))))
    finish, prev, depth = [0] * steps, [None] * steps, [0] * steps
    for i in range(steps):  # indices are a topological order
        if deps[i]:
            prev[i] = max(deps[i], key=lambda d: finish[d])
        finish[i] = (finish[prev[i]] if prev[i] is not None else 0) + dur[i]
        depth[i] = 1 + max((depth[d] for d in deps[i]), default=0)
    cp = max(finish)
    path, v = [], finish.index(cp)
    while v is not None:
        path.append(v)
        v = prev[v]
    path.reverse()
    width = max(depth.count(k) for k in set(depth))
    plan = ["plan makespan {"]
    for i in range(steps):
        after = (" after " + ", ".join(f"s{d}" for d in deps[i])) if deps[i] else ""
        plan.append(f'  action s{i} on local{after} {{ run = "sleep {dur[i] / 1000:.2f}" rollback = "true" '
                    "idempotent = true }")
    plan.append("}")
    with open(os.path.join(out, "plan.dr"), "w") as f:
        f.write("\n".join(plan) + "\n")
    with open(os.path.join(out, "inv.toml"), "w") as f:
        f.write('[inventory]\nname = "bench"\n[sites.here]\ntitle = "here"\n')
    with open(os.path.join(out, "critical_path_ms"), "w") as f:
        f.write(f"{cp}\n")
    with open(os.path.join(out, "critical_path.sh"), "w") as f:
        f.writelines(f'/bin/sh -c "sleep {dur[v] / 1000:.2f}"\n' for v in path)
    print(f"{steps} steps, widest level {width}, critical path {len(path)} steps {cp} ms")


if __name__ == "__main__":
    main()
