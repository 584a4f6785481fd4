#!/usr/bin/python3
"""fsync_probe.py DIR N: appends N journal-sized records (~200 bytes) to a file in DIR,
fdatasync'ing each one, like drplan's journal without group commit. Exits 0; the caller
times it (bench/floors.sh)."""
import os
import sys

path = os.path.join(sys.argv[1], "fsync-probe.jsonl")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o644)
record = (b'{"type":"step_end","step":"s0","status":"ok","exit":0,' + b'"pad":"' + b"x" * 130 + b'"}\n')
for _ in range(int(sys.argv[2])):
    os.write(fd, record)
    os.fdatasync(fd)
os.close(fd)
os.unlink(path)
