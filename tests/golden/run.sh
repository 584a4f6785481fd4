#!/usr/bin/env bash
# Golden diagnostics: `drplan check` on every case here; its whole output (stdout, stderr
# and exit code) must equal the case's .expected file. UPDATE=1 rewrites the files.
# A case may name its inventory on its first line: `# inventory: lab.toml`.
set -uo pipefail
cd "$(dirname "$0")"
drplan=${DRPLAN:?set DRPLAN to the drplan binary}
fail=0 count=0
for plan in *.dr; do
  count=$((count + 1))
  args=(check "$plan")
  inv=$(sed -n '1s/^# inventory: *//p' "$plan")
  [[ -n $inv ]] && args+=(-i "$inv")
  # Modules beside the plan are named by their full path: shown relative, as the plans are.
  actual=$(NO_COLOR=1 "$drplan" "${args[@]}" 2>&1 | sed "s|$PWD/||g"; echo "exit: ${PIPESTATUS[0]}")
  expected_file=${plan%.dr}.expected
  if [[ ${UPDATE:-} == 1 ]]; then
    printf '%s\n' "$actual" > "$expected_file"
    continue
  fi
  if ! diff -u "$expected_file" <(printf '%s\n' "$actual"); then
    echo "golden: $plan differs" >&2
    fail=$((fail + 1))
  fi
done
echo "golden: $((count - fail)) passed, $fail failed"
[[ $fail == 0 ]]
