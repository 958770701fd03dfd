#!/usr/bin/env bash
# Action step 3: run `clawlint check` with the workflow's arguments, one per line of the `args`
# input (never word-split, so paths may contain spaces), annotate the pull request, write SARIF
# and the step summary (counts, top findings errors first, a link to each rule's page).
# The step itself succeeds; the exit code is the step's output, and a later step fails the job on it, after the SARIF upload.
# In: INPUT_ARGS, SARIF_FILE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (optional).
set -uo pipefail
args=()
while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ -z ${line//[[:space:]]/} ]] && continue
    args+=("$line")
done <<<"${INPUT_ARGS:-}"
if [[ ${#args[@]} -eq 1 && ${args[0]} == -*' '* ]]; then
    echo "::warning title=clawlint::args has one line '${args[0]}': give one argument per line (args: |, then --home on one line and the directory on the next)"
fi
formats=(--format github --format "sarif=${SARIF_FILE:?}")
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then formats+=(--format "markdown=$GITHUB_STEP_SUMMARY"); fi
# -D CL910: a run that finds no gateway (a moved layout, a wrong --home) fails the job.
clawlint check --no-default-home -D CL910 --color never "${formats[@]}" "${args[@]}"
code=$?
echo "exit-code=$code" >>"${GITHUB_OUTPUT:?}"
