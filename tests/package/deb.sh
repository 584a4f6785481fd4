#!/usr/bin/env bash
# scripts/package builds the .deb from the existing build; it holds the binary, the stdlib,
# the standard plans and the man page, depends on the shared libraries drplan links to, and
# extracted into a scratch root its binary checks the standard plans from that root.
source "$(dirname "$0")/lib.sh"

deb=$(DRPLAN_BUILD_DIR=$build "$src/scripts/package")
check "scripts/package exits 0" test $? -eq 0
check "it made a .deb" test -f "$deb"
check "the package is named drplan" test "$(dpkg-deb -f "$deb" Package)" = drplan
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libssh-4 libre2; do
  check "Depends names $lib" grep -q "\b$lib" <<<"$depends"
done

dpkg-deb -c "$deb" | awk '{print $NF}' > "$tmp/contents"
has() { grep -qx -- "$1" "$tmp/contents"; }
check "it holds usr/bin/drplan" has ./usr/bin/drplan
for f in "$src"/stdlib/*.dr; do
  check "it holds usr/share/drplan/stdlib/$(basename "$f")" has "./usr/share/drplan/stdlib/$(basename "$f")"
done
for f in failover failback restore; do
  check "it holds usr/share/drplan/plans/$f.dr" has "./usr/share/drplan/plans/$f.dr"
done
check "it holds the man page, compressed" has ./usr/share/man/man1/drplan.1.gz
check "it holds the README" has ./usr/share/doc/drplan/README.md

dpkg-deb -x "$deb" "$tmp/root"
check "the extracted binary runs" "$tmp/root/usr/bin/drplan" --version
standard_plans_work "$tmp/root/usr/bin/drplan" "$tmp/root/usr/share/drplan"

finish package_deb
