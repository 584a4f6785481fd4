#!/usr/bin/python3
"""Generates the bounded-compilation benchmark's inputs: plans that once hung `drplan
check` or took gigabytes, and must now end quickly in a plan or a located error.

  gen_bounded.py fanout STEPS HOSTS OUTDIR  a chain of STEPS steps, each `after` the one
                                            before and `on` a group of HOSTS hosts
                                            (-> plan.dr, inv.toml; compiles cleanly)
  gen_bounded.py unknown NAMES OUTDIR       NAMES steps, each reading an unknown name
                                            (-> plan.dr; NAMES errors)
  gen_bounded.py budget LEVELS OUTDIR       defs d0..dLEVELS, each calling the one before
                                            twice, called once (-> plan.dr; one error)
"""
import os
import sys


def fanout(steps, hosts, out):
    inv = ["[sites.s]"]
    for h in range(hosts):
        inv += [f"[hosts.h{h}]", 'site = "s"', f'address = "10.{h // 65536}.{h // 256 % 256}.{h % 256}"']
    inv += ["[groups]", "all = [" + ", ".join(f'"h{h}"' for h in range(hosts)) + "]"]
    write(out, "inv.toml", inv)
    plan = ["plan fanout {", '  check s0 on all { probe = "true" }']
    plan += [f'  check s{i} on all after s{i - 1} {{ probe = "true" }}' for i in range(1, steps)]
    write(out, "plan.dr", plan + ["}"])


def unknown(names, out):
    plan = ["plan unknown {"]
    plan += [f'  check c{i} {{ probe = "echo ${{unknown_{i}}}" }}' for i in range(names)]
    write(out, "plan.dr", plan + ["}"])


def budget(levels, out):
    plan = ["plan budget {", "  def d0(x: string) = x + x"]
    plan += [f"  def d{i}(x: string) = d{i - 1}(x) + d{i - 1}(x)" for i in range(1, levels + 1)]
    write(out, "plan.dr", plan + [f'  check a {{ probe = d{levels}("x") }}', "}"])


def write(out, name, lines):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    kind, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 2 else ("", [])
    if kind == "fanout" and len(args) == 3:
        fanout(int(args[0]), int(args[1]), args[2])
    elif kind == "unknown" and len(args) == 2:
        unknown(int(args[0]), args[1])
    elif kind == "budget" and len(args) == 2:
        budget(int(args[0]), args[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
