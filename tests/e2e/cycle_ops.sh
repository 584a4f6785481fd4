#!/usr/bin/env bash
# The full cycle (cycle.sh) as the lab's unprivileged `ops` login: every remote command of
# the three standard plans runs through sudo -n as drlab (lab/inventory-ops.toml).
INVENTORY=lab/inventory-ops.toml exec bash "$(dirname "$0")/cycle.sh"
