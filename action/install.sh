#!/usr/bin/env bash
# Action step 2 (when the cache missed): the release binary for this runner, checksum-verified
# by the project's install.sh; without a release for it (a branch, a commit, an unknown runner),
# build from the action's own source with cargo.
# In: VERSION, TARGET, DIR (from resolve.sh), GITHUB_ACTION_PATH.
set -euo pipefail
src=${GITHUB_ACTION_PATH:?}
if [[ $TARGET != none ]] && sh "$src/install.sh" --version "$VERSION" --target "$TARGET" --to "$DIR"; then
    exit 0
fi
echo "::warning title=clawlint::no release binary for $VERSION on $TARGET; building clawlint from source (slower)"
command -v cargo >/dev/null || { echo "::error title=clawlint::cargo is not installed: cannot build clawlint from source"; exit 1; }
cargo install --locked --quiet --path "$src" --root "$DIR/.."
