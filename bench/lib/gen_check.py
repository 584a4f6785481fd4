#!/usr/bin/python3
"""Generates the compile benchmark's inputs: one DAG of N steps written three ways.

  gen_check.py N OUTDIR     -> OUTDIR/plan.dr, build.ninja, playbook.yml, hosts.ini

The DAG (deterministic, a fixed LCG) has 5 phases; a step depends on 1-3 recent steps of
its phase (fan-in); a tenth run on a group of 2 hosts (fan-out, one instance per host);
others read an earlier step's output (implicit dependency), use stdlib templates and defs,
are gates and waits, and interpolate parameters and host variables. plan.dr must compile
cleanly against lab/inventory.toml.

build.ninja: one edge per step with the same dependencies (`ninja -n` parses it, builds
the graph, walks it). The phases are phony barrier edges.

playbook.yml: the same steps as Ansible tasks, one play per phase, in topological order
(Ansible has no DAG), each task delegated to the step's host(s) (a loop over the group
for fan-out), with the module that does what the drplan template does: service,
lineinfile, cron, command, pause (gates), wait_for, until/retries (waits), register +
{{ x.stdout }} (implicit dependencies). `ansible-playbook --syntax-check` parses it.
"""
import os
import sys

PHASES = 5


class Lcg:
    def __init__(self, seed=12345):
        self.seed = seed

    def __call__(self, m):
        self.seed = (self.seed * 1103515245 + 12345) % 2147483648
        return self.seed % m


def main():
    n_steps, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rand = Lcg()
    per_phase = n_steps // PHASES
    plan = [
        "plan bench {",
        f'  title = "Generated benchmark plan ({n_steps} steps)"',
        '  param to: site = "dr"',
        '  param from: site = "dc"',
        "  param pause: duration = 5s",
        "  param min_memory: size = 256MiB",
        "  use stdlib/service as svc",
        "  use stdlib/postgres as pg",
        "  use stdlib/file",
        "  use stdlib/cron",
        "  use stdlib/net",
        "  use stdlib/host",
    ]
    ninja = ["rule step", "  command = true $out", "  description = STEP $out"]
    play = []
    n = 0
    for p in range(PHASES):
        plan.append(f'  phase "phase {p}" {{')
        play += [f"- name: phase {p}", "  hosts: localhost", "  gather_facts: false",
                 "  vars:", "    to: dr", "    from_site: dc", "    pause_s: 5", "    min_memory_mb: 256",
                 "  tasks:"]
        first, last_local = n, None
        for _ in range(per_phase):
            name = f"s{n}"
            deps = []
            if n - first > 3:  # fan-in on recent steps of the phase
                for _ in range(rand(3) + 1):
                    d = max(n - 1 - rand(50), first)
                    if f"s{d}" not in deps:
                        deps.append(f"s{d}")
            after = (" after " + ", ".join(deps)) if deps else ""
            r = rand(10)
            task = [f"    - name: {name}"]
            if r == 0:
                plan.append(f'    action {name} on to.app{after} = svc.start("svc-{n}")')
                task += ["      ansible.builtin.service: {name: svc-%d, state: started}" % n,
                         "      delegate_to: dr-app"]
            elif r == 1:
                plan.append(f'    action {name} on to.app{after} = file.set_var(target.app_home + "/conf/{n}.sh", '
                            f'"key_{n}", from.app.address)')
                task += ["      ansible.builtin.lineinfile:",
                         "        path: \"{{ hostvars['dr-app'].app_home }}/conf/%d.sh\"" % n,
                         "        regexp: '^key_%d='" % n,
                         "        line: \"key_%d={{ hostvars['dc-app'].ansible_host }}\"" % n,
                         "      delegate_to: dr-app"]
            elif r == 2:
                plan.append(f'    check {name} on db_servers{after} {{ probe = pg.query("select {n}") timeout = 30s }}')
                task += ["      ansible.builtin.command: psql -X -A -t -c 'select %d'" % n,
                         "      changed_when: false", "      timeout: 30",
                         "      delegate_to: \"{{ item }}\"", "      loop: \"{{ groups['db_servers'] }}\""]
            elif r == 3:
                plan.append(f"    check {name} on local{after} {{ probe = net.tcp_open(to.app.address, 22) + "
                            f'" && " + host.memory_available_at_least(min_memory) }}')
                task += ["      ansible.builtin.wait_for: {host: \"{{ hostvars['dr-app'].ansible_host }}\", port: 22, "
                         "timeout: 1}",
                         "      register: %s" % name]
            elif r == 4:
                plan.append(f'    action {name} on to.app{after} = cron.apply(target.app_home + '
                            f'"/script/crontab-{n}.sh", "job-{n}")')
                task += ["      ansible.builtin.cron:", "        name: job-%d" % n,
                         "        job: \"{{ hostvars['dr-app'].app_home }}/script/crontab-%d.sh\"" % n,
                         "      delegate_to: dr-app"]
            elif r == 5:
                plan.append(f'    gate {name}{after} {{ ask = "Proceed with step {n} towards ${{to}}?" }}')
                task += ["      ansible.builtin.pause: {prompt: \"Proceed with step %d towards {{ to }}?\"}" % n]
            elif r == 6:
                plan.append(f"    wait {name} on to.db{after} {{ probe = pg.is_primary() every = 1s timeout = 2m }}")
                task += ["      ansible.builtin.command: psql -X -A -t -c 'select not pg_is_in_recovery()'",
                         "      register: %s_r" % name, "      until: \"%s_r.stdout == 't'\"" % name,
                         "      retries: 120", "      delay: 1", "      changed_when: false",
                         "      delegate_to: dr-db"]
            else:  # an implicit dependency: the output of the phase's latest local check
                read_out = ""
                if last_local:
                    read_out = f" ${{{last_local}.output}}"
                    if last_local not in deps:
                        deps.append(last_local)
                plan.append(f'    action {name} on local{after} {{ run = "echo step {n} at ${{to.app.address}}'
                            f'{read_out} after ${{pause}} > /tmp/bench-{n}" rollback = "rm -f /tmp/bench-{n}" '
                            "timeout = 1m }")
                ans_out = " {{ %s.stdout | default('') }}" % last_local if last_local else ""
                task += ["      ansible.builtin.shell: \"echo step %d at {{ hostvars['dr-app'].ansible_host }}%s "
                         "after {{ pause_s }}s > /tmp/bench-%d\"" % (n, ans_out, n),
                         "      timeout: 60"]
            if r == 3:
                last_local = name
            play += task
            ninja_deps = " ".join(deps) + (f" phase{p}" if p > 0 else "")
            ninja.append(f"build {name}: step {ninja_deps}".rstrip())
            n += 1
        plan.append("  }")
        if p + 1 < PHASES:
            ninja.append(f"build phase{p + 1}: phony " + " ".join(f"s{i}" for i in range(first, n)))
    plan.append("}")
    ninja.append("build all: phony " + " ".join(f"s{i}" for i in range(n)))
    ninja.append("default all")

    def write(name, lines):
        with open(os.path.join(out, name), "w") as f:
            f.write("\n".join(lines) + "\n")

    write("plan.dr", plan)
    write("build.ninja", ninja)
    write("playbook.yml", play)
    write("hosts.ini", [
        "[app_servers]",
        "dc-app ansible_host=127.0.0.11 app_home=/var/lib/drplan-lab/hosts/dc-app/home/flotomate",
        "dr-app ansible_host=127.0.0.21 app_home=/var/lib/drplan-lab/hosts/dr-app/home/flotomate",
        "[db_servers]", "dc-db ansible_host=127.0.0.12", "dr-db ansible_host=127.0.0.22"])
    print(f"{n} steps: plan.dr {os.path.getsize(os.path.join(out, 'plan.dr'))} bytes, "
          f"build.ninja {n} edges, playbook.yml {n} tasks")


if __name__ == "__main__":
    main()
