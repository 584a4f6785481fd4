#!/usr/bin/python3
"""Runs one command several times and appends its samples to the results file.

  measure.py --out FILE --key KEY --label TEXT [--runs N] [--warmup N] [--per N] [--unit U]
             [--setup 'SHELL'] [--rss] [--cwd DIR] [--log FILE] [--exit N] -- CMD ARGS...

Each run: the --setup shell snippet (not timed), then CMD (stdin /dev/null, output to
--log), timed with a monotonic clock around fork/exec/wait. A sample is the wall time in
ms, divided by --per when given (per-step figures). --warmup runs CMD that many times
first, untimed (page cache, dynamic loader, CPU frequency), as hyperfine does. With --rss the peak resident set of
CMD (wait4's ru_maxrss, MiB) is recorded too, as KEY.rss. A run that exits otherwise
than --exit (default 0; 1 for an input that must end in errors) stops the benchmark: its
log tail goes to stderr and measure.py exits 1.

Results file: one line per key, tab-separated: key, label, unit, comma-separated samples.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd, cwd, log):
    with open(log, "ab") as out, open(os.devnull, "rb") as devnull:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=devnull, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = (time.perf_counter() - start) * 1000.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024.0, proc.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--per", type=float, default=1.0)
    ap.add_argument("--unit", default="ms")
    ap.add_argument("--setup", default="")
    ap.add_argument("--rss", action="store_true")
    ap.add_argument("--cwd", default=None)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--exit", type=int, default=0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")

    times, rss = [], []
    for n in range(a.warmup + a.runs):
        if a.setup:
            subprocess.run(["bash", "-c", a.setup], check=True, cwd=a.cwd)
        if a.log != os.devnull:
            open(a.log, "w").close()  # keep only the last run's output
        ms, mib, rc = run_once(cmd, a.cwd, a.log)
        if rc != a.exit:
            sys.stderr.write(f"measure: {a.label}: '{' '.join(cmd)}' exited {rc}, not {a.exit}\n")
            if a.log != os.devnull:
                with open(a.log, errors="replace") as f:
                    sys.stderr.writelines(f.readlines()[-20:])
            sys.exit(1)
        if n < a.warmup:
            continue
        times.append(ms / a.per)
        rss.append(mib)

    with open(a.out, "a") as f:
        f.write(f"{a.key}\t{a.label}\t{a.unit}\t{','.join(f'{t:.3f}' for t in times)}\n")
        if a.rss:
            f.write(f"{a.key}.rss\t{a.label}, peak RSS\tMiB\t{','.join(f'{m:.1f}' for m in rss)}\n")
    print(f"  {a.label:<60} median {statistics.median(times):10.2f} {a.unit}  ({a.runs} runs)", flush=True)


if __name__ == "__main__":
    main()
