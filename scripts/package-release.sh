#!/bin/sh
# Package one release binary the way install.sh, the Action and npm/build.mjs expect it:
#   OUT/clawlint-TARGET.tar.gz (clawlint-TARGET.zip for Windows) holding clawlint-TARGET/clawlint[.exe]
#   plus the README and the licence, when present.
# Usage: scripts/package-release.sh TARGET BINARY OUT
# The release workflow then writes OUT/SHA256SUMS over every archive.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 TARGET BINARY OUT" >&2; exit 2; }
target=$1 binary=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
case $target in
    *windows*) exe=clawlint.exe ;;
    *) exe=clawlint ;;
esac
[ -f "$binary" ] || { echo "$0: no binary at $binary" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir "$stage/clawlint-$target"
cp "$binary" "$stage/clawlint-$target/$exe"
chmod 755 "$stage/clawlint-$target/$exe"
cp "$root/README.md" "$stage/clawlint-$target/"
for f in "$root"/LICENSE*; do [ -f "$f" ] && cp "$f" "$stage/clawlint-$target/"; done
cd "$stage"
case $target in
    *windows*) 7z a -tzip "$out/clawlint-$target.zip" "clawlint-$target" >/dev/null 2>&1 ||
        zip -qr "$out/clawlint-$target.zip" "clawlint-$target" ;;
    *) tar -czf "$out/clawlint-$target.tar.gz" "clawlint-$target" ;;
esac
echo "$out/clawlint-$target.$(case $target in *windows*) echo zip ;; *) echo tar.gz ;; esac)"
