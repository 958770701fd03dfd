#!/usr/bin/env bash
# Records what the real OpenClaw 2026.9.6 does with `gateway start` (a supervisor that runs it
# is a trigger: it starts the installed service instead of running a gateway) in the
# environments of tests/hosts/start-triggers.cases.json: tests/hosts/start-triggers.json.
# tests/hosts.rs's `start_triggers_openclaw_refuses_start_nothing` compares clawlint with it.
#
#   scripts/record-start-triggers.sh        # every case (about 3 s each)
#
# Each case runs `openclaw ARGS --json` (ARGS: the case's, e.g. `gateway start`) as root with
# HOME=/root, the account's own home (OpenClaw compares the two), inside a private mount, network
# and PID namespace: /root there is a scratch tmpfs holding ~/.openclaw, ~/.openclaw-002 and
# ~/.openclaw-rescue with a config each, so the machine's own /root is never read or written;
# only loopback exists, and nothing outlives the namespace (`--kill-child`, `timeout 60`). The
# environment is PATH (oracle node first), HOME, NO_COLOR=1 and the case's env ("$HOME" = /root),
# nothing else. Without systemd in the namespace an accepted start stops at "systemd user
# services are unavailable", after naming the unit it would start; a refused one stops before.
# Per case the file keeps: exitCode, refused (OpenClaw's reason when it refuses before it looks
# for the service, else null) and startsUnit (the unit an accepted start names). Recorded data:
# never edit it by hand, re-record it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (unshare, and root's account home is /root)" >&2; exit 1; }
name=start-triggers
# shellcheck source=scripts/lib/record-cases.sh
. "$repo/scripts/lib/record-cases.sh"
for ((i = 0; i < count; i++)); do
  # The case's argv and env as NUL-separated words ("$HOME" is /root).
  "$node" -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[+process.argv[2]];
    const env = Object.entries(c.env).map(([k, v]) => `${k}=${v.replaceAll("$HOME", "/root")}`);
    process.stdout.write([...env, "--", ...c.args].join("\0"));
  ' "$cases" "$i" > "$scratch/words"
  set +e
  unshare --mount --net --pid --fork --kill-child --mount-proc -- bash -c '
    set -e
    mount --make-rprivate /
    mount -t tmpfs clawlint-start-trigger /root
    mkdir -p /root/.openclaw /root/.openclaw-002 /root/.openclaw-rescue
    printf "{ \"gateway\": { \"mode\": \"local\", \"port\": 18789 } }\n" > /root/.openclaw/openclaw.json
    printf "{ \"gateway\": { \"mode\": \"local\", \"port\": 18790 } }\n" > /root/.openclaw-002/openclaw.json
    printf "{ \"gateway\": { \"mode\": \"local\", \"port\": 19789 } }\n" > /root/.openclaw-rescue/openclaw.json
    cd /root
    env_words=(); args=(); seen=0
    while IFS= read -r -d "" w; do
      if [ "$seen" = 0 ] && [ "$w" = "--" ]; then seen=1; continue; fi
      if [ "$seen" = 0 ]; then env_words+=("$w"); else args+=("$w"); fi
    done < <(cat "$3"; printf "\0")
    exec env -i PATH="$(dirname "$1")":/usr/bin:/bin HOME=/root NO_COLOR=1 "${env_words[@]}" \
      timeout 60 "$1" "$2/openclaw.mjs" "${args[@]}" --json
  ' record "$node" "$pkg" "$scratch/words" > "$scratch/out.$i" 2>&1
  echo $? > "$scratch/rc.$i"
  set -e
done
"$node" -e '
  const fs = require("fs");
  const [casesFile, scratch, outFile] = process.argv.slice(1);
  const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
  const out = cases.map((c, i) => {
    const text = fs.readFileSync(`${scratch}/out.${i}`, "utf8");
    const exitCode = +fs.readFileSync(`${scratch}/rc.${i}`, "utf8").trim();
    const refusedLine = text.split("\n").find((l) => /service management skipped|does not recognize option/.test(l));
    const refused = refusedLine ? refusedLine.replace(/^.*?(service management skipped[^.]*|OpenClaw does not recognize option "[^"]*")[\s\S]*$/, "$1") : null;
    const unit = text.match(/systemctl --user start ([A-Za-z0-9@._-]+)/);
    return { name: c.name, args: c.args, env: c.env, exitCode, refused, startsUnit: refused ? null : unit ? unit[1] : null };
  });
  fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + "\n");
' "$cases" "$scratch" "$out"
echo "recorded $count case(s) into ${out#$repo/}"
