#!/usr/bin/env bash
# Action step 1: which clawlint to install, where, and whether SARIF can be uploaded.
# In: INPUT_VERSION, INPUT_UPLOAD_SARIF, ACTION_REF, RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE,
#     HEAD_REPO, GITHUB_REPOSITORY, GITHUB_ACTOR.
# Out ($GITHUB_OUTPUT): version, target, dir, cacheable, upload.
set -euo pipefail

version=${INPUT_VERSION:-}
if [[ -z $version ]]; then
    # `uses: clawlint/clawlint@v0.1.0` installs the 0.1.0 release; a branch or a commit the latest.
    if [[ ${ACTION_REF:-} =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then version=$ACTION_REF; else version=latest; fi
fi
[[ $version == latest || $version =~ ^v ]] || version=v$version

case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) target=none ;;
esac

dir=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/clawlint/$version/$target/bin

# SARIF upload needs a token that may write security events: pull requests from forks and
# Dependabot get a read-only one, so `auto` does not try there (and never fails the job).
upload=false
case ${INPUT_UPLOAD_SARIF:-auto} in
    true) upload=true ;;
    false) upload=false ;;
    auto)
        upload=true
        if [[ ${GITHUB_ACTOR:-} == "dependabot[bot]" ]]; then upload=false; fi
        # HEAD_REPO: github.event.pull_request.head.repo.full_name (empty outside pull requests).
        if [[ -n ${HEAD_REPO:-} && $HEAD_REPO != "${GITHUB_REPOSITORY:-}" ]]; then upload=false; fi
        ;;
    *) echo "::error title=clawlint::upload-sarif must be auto, true or false, not ${INPUT_UPLOAD_SARIF}"; exit 2 ;;
esac

{
    echo "version=$version"
    echo "target=$target"
    echo "dir=$dir"
    echo "cacheable=$([[ $version == latest ]] && echo false || echo true)"
    echo "upload=$upload"
} >>"${GITHUB_OUTPUT:?}"
