#!/bin/sh
# Writes scripts/link-order.txt: the functions small runs of clawlint call (start-up, the
# command line, one gateway's check, resolve and ports in each output format, a rule page),
# which scripts/release-cargo.sh has the linker place first in the code, together (see there
# why). Usage: scripts/record-link-order.sh BINARY... [-- HOME...]
#
# Each BINARY is a release build (scripts/release-cargo.sh TARGET build --release, and the
# `clawlint` that `... bench` builds: dev-dependencies turn on more features of shared crates
# there, so the names differ) of the commit the list is recorded at; names are kept as the
# linker sees them (callgrind, undemangled). Each HOME is run as `--home`; by default a
# fixture with one gateway and none of the rules firing, and one with findings. A name the
# linker does not find later (code changed since) is skipped, so the list only ages: record
# it again when start-up faults grow (perf stat -e page-faults on one gateway's check).
set -eu
cd "$(dirname "$0")/.."
binaries=
while [ $# -gt 0 ] && [ "$1" != -- ]; do binaries="$binaries $1"; shift; done
[ $# -gt 0 ] && shift
[ -n "$binaries" ] || { echo "usage: $0 BINARY... [-- HOME...]" >&2; exit 2; }
[ $# -gt 0 ] || set -- fixtures/config-kebab-names/home fixtures/browser-copied-cdpurl/home
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
n=0
run() {
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/cg.$n" "$@" \
    >/dev/null 2>&1 || true
}
# One gateway's `check --format json` first (the figure issue 15 sets a target for), then
# the rest: the linker places the functions in the order listed, each where it is first
# called in the earliest of these runs.
for binary in $binaries; do
  for format in json human sarif; do
    for home in "$@"; do
      run "$binary" check --home "$home" --no-config --format "$format"
    done
  done
  for command in resolve ports; do
    for format in json human; do
      for home in "$@"; do
        run "$binary" "$command" --home "$home" --no-config --format "$format"
      done
    done
  done
  run "$binary" rule CL101
  run "$binary" --version
  run "$binary" --help
done
{
  echo "# Written by scripts/record-link-order.sh; read by the linker (scripts/release-cargo.sh)."
  # Every function named in the profiles, run by run, each once (callgrind's `fn=(id) name`
  # and `cfn=(id) name` lines; `'2` marks a recursion level, `(below main)` and bare
  # addresses are no symbol).
  i=1
  while [ "$i" -le "$n" ]; do
    sed -n "s/^c\{0,1\}fn=([0-9]*) \(.*\)\$/\1/p" "$scratch/cg.$i"
    i=$((i + 1))
  done | sed "s/'[0-9]*\$//" | grep -v -e '^0x' -e '^(' | awk '!seen[$0]++'
} > scripts/link-order.txt.new
mv scripts/link-order.txt.new scripts/link-order.txt
echo "scripts/link-order.txt: $(($(wc -l < scripts/link-order.txt) - 1)) functions" >&2
