#!/usr/bin/env bash
# Records what the real OpenClaw 2026.9.6 does when a second gateway starts beside a running one
# (tests/hosts/gateway-pairs.cases.json): tests/hosts/gateway-pairs.json. tests/hosts.rs's
# `gateway_pairs_are_told_apart_as_openclaw_does` compares clawlint's inventory and findings with it.
#
#   scripts/record-gateway-pairs.sh        # every case (a minute or two each: two gateway starts)
#
# Per case, inside a private network and PID namespace (only loopback; nothing outlives it:
# `--kill-child`, and each start is under `timeout`), on a scratch home that holds
# ~/.openclaw/openclaw.json (port 18789), ~/.openclaw/rescue.json and
# ~/.openclaw-rescue/openclaw.json (port 19789): the first gateway is started with
# `openclaw gateway run --bind loopback --allow-unconfigured --port N` and the case's env, and once
# it listens the second is started the same way with its own env and port. The environment is
# PATH (oracle node first), HOME, NO_COLOR=1 and the case's env ("$HOME" = the scratch home),
# nothing else. Kept per case: whether each started (its `[gateway]` start-up line), the second's
# exit code when it gave up, its failure lines (home path replaced by $HOME, pids by N), and
# whether the first still listened after. Recorded data: never edit it by hand, re-record it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (unshare)" >&2; exit 1; }
name=gateway-pairs
# shellcheck source=scripts/lib/record-cases.sh
. "$repo/scripts/lib/record-cases.sh"
for ((i = 0; i < count; i++)); do
  home="$scratch/case$i/home"
  mkdir -p "$home/.openclaw" "$home/.openclaw-rescue"
  printf '{ "gateway": { "mode": "local", "port": 18789 } }\n' > "$home/.openclaw/openclaw.json"
  printf '{ "gateway": { "mode": "local", "port": 19789 } }\n' > "$home/.openclaw/rescue.json"
  printf '{ "gateway": { "mode": "local", "port": 19789 } }\n' > "$home/.openclaw-rescue/openclaw.json"
  # Each start's env words and port, one NUL-separated file per start ("$HOME" expanded).
  for which in first second; do
    "$node" -e '
      const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[+process.argv[2]][process.argv[3]];
      const env = Object.entries(c.env).map(([k, v]) => `${k}=${v.replaceAll("$HOME", process.argv[4])}`);
      process.stdout.write([...env, "--port", String(c.port)].join("\0"));
    ' "$cases" "$i" "$which" "$home" > "$scratch/case$i/$which.words"
  done
  set +e
  unshare --net --pid --fork --kill-child --mount-proc -- bash -c '
    ip link set lo up
    node=$1 pkg=$2 home=$3 work=$4
    start() { # start WHICH: runs in the background, output in $work/WHICH.out
      local words=() w
      while IFS= read -r -d "" w; do words+=("$w"); done < <(cat "$work/$1.words"; printf "\0")
      local n=${#words[@]} port=${words[n-1]}
      ( cd "$home" && exec env -i PATH="$(dirname "$node")":/usr/bin:/bin HOME="$home" NO_COLOR=1 \
          "${words[@]:0:n-2}" timeout 150 "$node" "$pkg/openclaw.mjs" gateway run --bind loopback \
          --allow-unconfigured --port "$port" ) > "$work/$1.out" 2>&1 &
      echo $! > "$work/$1.pid"
    }
    up() { grep -qE "\[gateway\] (log file:|http server listening)" "$work/$1.out"; }
    start first
    for _ in $(seq 600); do up first && break; kill -0 "$(cat "$work/first.pid")" 2>/dev/null || break; sleep 0.25; done
    up first && echo 1 > "$work/first.started" || echo 0 > "$work/first.started"
    sleep 2
    start second
    pid=$(cat "$work/second.pid")
    for _ in $(seq 360); do up second && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if up second; then echo 1 > "$work/second.started"; else
      echo 0 > "$work/second.started"; wait "$pid"; echo $? > "$work/second.rc"; fi
    up first && kill -0 "$(cat "$work/first.pid")" 2>/dev/null && echo 1 > "$work/first.after" || echo 0 > "$work/first.after"
  ' record "$node" "$pkg" "$home" "$scratch/case$i"
  set -e
done
"$node" -e '
  const fs = require("fs");
  const [casesFile, scratch, outFile] = process.argv.slice(1);
  const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
  const read = (f) => { try { return fs.readFileSync(f, "utf8").trim(); } catch { return null; } };
  const out = cases.map((c, i) => {
    const w = `${scratch}/case${i}`, home = `${w}/home`;
    const text = (read(`${w}/second.out`) ?? "").split(home).join("$HOME");
    const lines = text.split("\n").map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d /, "").trim())
      .filter((l) => /lock|already|refus|Error|failed/i.test(l) && !/^\s*at /.test(l))
      .map((l) => l.replace(/\bpid[= ]\d+/g, "pid N").replace(/\d{4}-\d\d-\d\d(?=\.log)/g, "YYYY-MM-DD"));
    const started = read(`${w}/second.started`) === "1";
    return {
      name: c.name, description: c.description, first: c.first, second: c.second,
      firstStarted: read(`${w}/first.started`) === "1",
      secondStarted: started,
      secondExitCode: started ? null : Number(read(`${w}/second.rc`)),
      secondError: started ? [] : [...new Set(lines)].slice(0, 6),
      firstStillRunning: read(`${w}/first.after`) === "1",
    };
  });
  fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + "\n");
' "$cases" "$scratch" "$out"
echo "recorded $count case(s) into ${out#$repo/}"
