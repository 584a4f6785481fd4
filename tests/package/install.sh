#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, moved after the install: the layout is complete,
# and the installed binary finds its stdlib and standard plans in its own prefix, never
# in the build or source tree (which still exist beside it).
source "$(dirname "$0")/lib.sh"

cmake --install "$build" --prefix "$tmp/first" >/dev/null
check "cmake --install exits 0" test $? -eq 0
mv "$tmp/first" "$tmp/prefix"  # not where it was installed: the prefix comes from the binary
p=$tmp/prefix share=$tmp/prefix/share/drplan bin=$tmp/prefix/bin/drplan

check "bin/drplan is installed, executable" test -x "$bin"
for f in "$src"/stdlib/*.dr; do
  check "stdlib/$(basename "$f") is installed" cmp -s "$f" "$share/stdlib/$(basename "$f")"
done
for f in failover failback restore; do
  check "plans/$f.dr is installed" cmp -s "$src/plans/$f.dr" "$share/plans/$f.dr"
done
check "README.md is installed" test -f "$p/share/doc/drplan/README.md"
for f in "$src"/docs/*.md; do
  check "docs/$(basename "$f") is installed" test -f "$p/share/doc/drplan/docs/$(basename "$f")"
done
check "the man page is installed, compressed (Debian policy)" test -f "$p/share/man/man1/drplan.1.gz"
man=$tmp/drplan.1
gzip -dc "$p/share/man/man1/drplan.1.gz" > "$man"
check "it is the source's man page" cmp "$man" "$src/docs/drplan.1"
if command -v groff >/dev/null; then
  check "the man page formats without warnings" test -z "$(groff -man -ww -z "$man" 2>&1)"
fi
# The man page is written by hand: it must name every subcommand and long option there is.
for cmd in $(grep -o 'add_subcommand("[a-z]*"' "$src/cli/main.cc" | cut -d'"' -f2); do
  check "the man page describes '$cmd'" grep -q "^\.B $cmd\$" "$man"
done
for opt in $(grep -o '"[-a-z,]*--[a-z-]*"' "$src/cli/main.cc" | grep -o -- '--[a-z-]*' | sort -u); do
  check "the man page describes $opt" grep -qF -- "${opt//-/\\-}" "$man"
done

standard_plans_work "$bin" "$share"

# A plan of the user's own, outside any prefix: `use stdlib/...` is found in the installed
# stdlib, and only there: broken, it breaks the check; gone, the module is not found.
mkdir -p "$tmp/user"
printf 'plan mine {\n  use stdlib/service as svc\n  action a on local = svc.start("x", "true")\n}\n' > "$tmp/user/mine.dr"
user_check() { (cd / && "$@" "$bin" check "$tmp/user/mine.dr" 2>&1); }
out=$(user_check env -u DRPLAN_STDLIB); rc=$?
check "a user's plan using stdlib/service checks clean" test $rc -eq 0
printf '\n}}} broken\n' >> "$share/stdlib/service.dr"
out=$(user_check env -u DRPLAN_STDLIB); rc=$?
check "with the installed stdlib/service.dr broken, the check fails" test $rc -eq 1
check "and the error is located in the installed one" grep -qF "$share/stdlib/service.dr:" <<<"$out"
mv "$share/stdlib" "$share/stdlib.gone"
out=$(user_check env -u DRPLAN_STDLIB); rc=$?
check "with the installed stdlib gone, the module is not found (no fallback)" \
  grep -qF "cannot find module 'stdlib/service'" <<<"$out"
out=$(user_check env DRPLAN_STDLIB="$src/stdlib"); rc=$?
check "\$DRPLAN_STDLIB still comes first" test $rc -eq 0
mv "$share/stdlib.gone" "$share/stdlib"

# Bare names: what is in the cwd wins; a path or a .dr name is never a standard plan.
mkdir -p "$tmp/cwd"
printf 'plan mine {\n  check a on local { probe = "true" }\n}\n' > "$tmp/cwd/failover"
out=$(cd "$tmp/cwd" && "$bin" check failover 2>&1)
check "a file named failover in the cwd wins" grep -qx "failover: ok (1 step instances in 1 waves)" <<<"$out"
(cd / && "$bin" check failover.dr >/dev/null 2>&1)
check "failover.dr is a path: no such file, exit 2" test $? -eq 2
(cd / && "$bin" check no_such_plan >/dev/null 2>&1)
check "an unknown bare name is a missing file, exit 2" test $? -eq 2

finish package_install
