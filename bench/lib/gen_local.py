#!/usr/bin/python3
"""Generates the local execution benchmark's inputs: one DAG of no-op steps, twice.

  gen_local.py layered STEPS WIDTH OUTDIR   STEPS/WIDTH layers of WIDTH; each step after 2
                                            steps of the previous layer
  gen_local.py chain STEPS OUTDIR           a chain: each step after the previous one

-> OUTDIR/plan.dr (`run = "true"` on local), OUTDIR/build.ninja (`command = true`, the same
edges), OUTDIR/inv.toml (an inventory with no hosts).
"""
import os
import sys


def main():
    shape = sys.argv[1]
    if shape == "layered":
        steps, width, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    elif shape == "chain":
        steps, width, out = int(sys.argv[2]), 1, sys.argv[3]
    else:
        sys.exit("usage: gen_local.py layered STEPS WIDTH OUTDIR | chain STEPS OUTDIR")
    os.makedirs(out, exist_ok=True)
    layers = steps // width
    body = '{ run = "true" rollback = "true" idempotent = true }'
    plan, ninja = ["plan bench {"], ["rule noop", "  command = true"]
    for layer in range(layers):
        for i in range(width):
            name = f"s{layer}_{i}"
            if layer == 0:
                deps = []
            elif width == 1:
                deps = [f"s{layer - 1}_0"]
            else:
                deps = [f"s{layer - 1}_{i}", f"s{layer - 1}_{(i + 1) % width}"]
            after = (" after " + ", ".join(deps)) if deps else ""
            plan.append(f"  action {name} on local{after} {body}")
            ninja.append(f"build {name}: noop {' '.join(deps)}".rstrip())
    plan.append("}")
    with open(os.path.join(out, "plan.dr"), "w") as f:
        f.write("\n".join(plan) + "\n")
    with open(os.path.join(out, "build.ninja"), "w") as f:
        f.write("\n".join(ninja) + "\n")
    with open(os.path.join(out, "inv.toml"), "w") as f:
        f.write('[inventory]\nname = "bench"\n[sites.here]\ntitle = "here"\n')


if __name__ == "__main__":
    main()
