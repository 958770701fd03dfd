# shellcheck shell=bash
# Shared by the scripts that record what a STARTED OpenClaw gateway does
# (record-profile-ports.sh, record-started-verdicts.sh): start one gateway per key with
# scripts/oracle-run.mjs, then merge the runs into a recorded JSON file. Source it from a script
# that has set `repo` (the checkout), `dir` (the release's install, from
# oracle-install-release.sh), `node` (its node) and `scratch` (a directory of its own).
# shellcheck disable=SC2154 # those four are the caller's

# oracle_run KEY HOME [ARG...]: starts the gateway of the layout HOME (oracle-run.mjs's --home;
# ARGs follow it, then `--timeout ${TIMEOUT:-150}`), writing its report to $scratch/KEY/run.json
# and its stderr to $scratch/KEY/run.err. A recorder that fails is said, and the others go on.
# oracle-run.mjs makes its scratch home under $scratch (TMPDIR), so that record_finish can tell
# this recorder's processes from another recorder's.
oracle_run() {
  local key=$1 home=$2
  shift 2
  mkdir -p "$scratch/$key"
  TMPDIR="$scratch" OPENCLAW_ORACLE_DIR="$dir" "$node" "$repo/scripts/oracle-run.mjs" --home "$home" "$@" \
    --timeout "${TIMEOUT:-150}" > "$scratch/$key/run.json" 2> "$scratch/$key/run.err" \
    || { echo "$key: recorder failed:" >&2; tail -n 5 "$scratch/$key/run.err" >&2; }
  if grep -q "LEAK" "$scratch/$key/run.err"; then
    cat "$scratch/$key/run.err" >&2
    echo "$key: a started gateway outlived its run (see above); stopping" >&2
    exit 70
  fi
}

# record_leftovers: the pids of live processes (zombies aside) whose command line or environment
# names $scratch, other than this shell: what a run left behind. Waits up to 5 s for dying ones.
record_leftovers() {
  local f p left=()
  for _ in $(seq 20); do
    left=()
    # One grep over every process's files (the list is made before it starts: not itself).
    # shellcheck disable=SC2013 # /proc paths: one word each
    for f in $(grep -lsaF -- "$scratch" /proc/[0-9]*/cmdline /proc/[0-9]*/environ); do
      p=${f#/proc/}
      p=${p%%/*}
      [ "$p" = "$$" ] && continue
      grep -qs '^[^)]*) Z ' "/proc/$p/stat" && continue # a zombie: dead, only not reaped
      [[ " ${left[*]} " == *" $p "* ]] || left+=("$p")
    done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.25
  done
  echo "${left[@]}"
}

# record_finish: the recorders' EXIT trap (`trap record_finish EXIT`, with record_signals): fails
# loudly (exit 70), killing them by pid, when any process this recorder started is still alive,
# then removes $scratch.
record_finish() {
  local rc=$? left
  left=$(record_leftovers)
  if [ -n "$left" ]; then
    echo "LEAK: processes outlived the recorder (killed now):" >&2
    # shellcheck disable=SC2086 # a list of pids
    ps -o pid,ppid,pgid,rss,etime,args -p "${left// /,}" >&2 || true
    # shellcheck disable=SC2086
    kill -KILL $left 2> /dev/null || true
    rc=70
  fi
  rm -rf "$scratch"
  exit "$rc"
}

# record_signals: SIGINT, SIGTERM and SIGHUP end the recorder through its EXIT trap.
record_signals() {
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# merge_runs OUT ORDER ENTRY KEY...: for each KEY, $scratch/KEY/run.json through ENTRY, a
# JavaScript function `(key, run) => record`, which returns the record to keep under KEY, or a
# string that says why none is kept (printed as "KEY: string"). OUT (a JSON object, created when
# missing) keeps its other keys; it is written with one space of indent, keys in ORDER: `name`
# (string order) or `release` (numeric order of dotted release numbers).
merge_runs() {
  local out=$1 order=$2 entry=$3
  shift 3
  [ -f "$out" ] || echo '{}' > "$out"
  "$node" - "$scratch" "$out" "$order" "$entry" "$@" <<'JS'
const fs = require("fs"), path = require("path");
const [scratch, outFile, order, entrySource, ...keys] = process.argv.slice(2);
const entry = (0, eval)(`(${entrySource})`);
const result = JSON.parse(fs.readFileSync(outFile, "utf8"));
for (const key of keys) {
  let run;
  try { run = JSON.parse(fs.readFileSync(path.join(scratch, key, "run.json"), "utf8")); }
  catch (e) { console.error(`${key}: no recording (${e.message})`); continue; }
  const record = entry(key, run);
  if (typeof record === "string") { console.error(`${key}: ${record}`); continue; }
  result[key] = record;
}
const byRelease = (a, b) => { const x = a.split(".").map(Number), y = b.split(".").map(Number); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0; };
const sorted = Object.keys(result).sort(order === "release" ? byRelease : undefined);
fs.writeFileSync(outFile, JSON.stringify(Object.fromEntries(sorted.map((k) => [k, result[k]])), null, 1) + "\n");
JS
}
