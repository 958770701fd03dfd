#!/bin/sh
# Install clawlint from a GitHub release: download the archive for this machine, check its
# SHA-256 against the release's SHA256SUMS, and put the `clawlint` binary in a bin directory.
#
#   curl -fsSL https://github.com/clawlint/clawlint/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version v0.1.0 --to /usr/local/bin
#
# Options:
#   --version TAG   release tag, e.g. v0.1.0 [default: latest]
#   --to DIR        where to put clawlint [default: $CLAWLINT_INSTALL_DIR or ~/.local/bin]
#   --target TRIPLE a Rust target triple instead of this machine's (e.g. x86_64-unknown-linux-gnu)
#   --dry-run       print what would be downloaded and where it would go, change nothing
# Environment:
#   CLAWLINT_DOWNLOAD_BASE  releases address [default: https://github.com/clawlint/clawlint/releases]
#                           (a mirror; file:// works with curl)
#
# Nothing is installed unless the checksum matches. Needs curl or wget, tar (unzip on Windows),
# and sha256sum, shasum or openssl.
set -eu

base=${CLAWLINT_DOWNLOAD_BASE:-https://github.com/clawlint/clawlint/releases}
version=latest
dest=${CLAWLINT_INSTALL_DIR:-${HOME:-}/.local/bin}
target=
dry_run=

say() { printf 'clawlint-install: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || die "--version needs a value"; version=$2; shift 2 ;;
        --version=*) version=${1#*=}; shift ;;
        --to) [ $# -ge 2 ] || die "--to needs a value"; dest=$2; shift 2 ;;
        --to=*) dest=${1#*=}; shift ;;
        --target) [ $# -ge 2 ] || die "--target needs a value"; target=$2; shift 2 ;;
        --target=*) target=${1#*=}; shift ;;
        --dry-run) dry_run=1; shift ;;
        -h | --help) sed -n '2,20p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (try --help)" ;;
    esac
done

case $version in
    latest | v[0-9]*) ;;
    [0-9]*) version=v$version ;;
    *) die "--version takes a release tag such as v0.1.0, or latest: got $version" ;;
esac

if [ -z "$target" ]; then
    os=$(uname -s)
    arch=$(uname -m)
    case $arch in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no prebuilt clawlint for the $arch CPU; build it: cargo install --locked clawlint-cli" ;;
    esac
    case $os in
        # The musl builds are static: they run on any Linux distribution.
        Linux) target=$arch-unknown-linux-musl ;;
        Darwin) target=$arch-apple-darwin ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            [ "$arch" = x86_64 ] || die "no prebuilt clawlint for Windows on $arch"
            target=x86_64-pc-windows-msvc ;;
        *) die "no prebuilt clawlint for $os; build it: cargo install --locked clawlint-cli" ;;
    esac
fi

case $target in
    *windows*) archive=clawlint-$target.zip; exe=clawlint.exe ;;
    *) archive=clawlint-$target.tar.gz; exe=clawlint ;;
esac
if [ "$version" = latest ]; then
    url=$base/latest/download
else
    url=$base/download/$version
fi

if [ -n "$dry_run" ]; then
    printf 'would download %s/%s\n' "$url" "$archive"
    printf 'would verify it against %s/SHA256SUMS\n' "$url"
    printf 'would install %s as %s/%s\n' "$exe" "$dest" "$exe"
    exit 0
fi

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,file' --tlsv1.2 -fsSL --retry 3 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

sha256() { # FILE -> hex digest on stdout
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    else
        die "no sha256sum, shasum or openssl to verify the download with: refusing to install"
    fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t clawlint)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading $url/$archive"
fetch "$url/$archive" "$tmp/$archive" || die "cannot download $url/$archive (is there a $version release for $target?)"
fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $url/SHA256SUMS"

expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS has no line for $archive"
actual=$(sha256 "$tmp/$archive")
if [ "$expected" != "$actual" ]; then
    die "checksum mismatch for $archive: expected $expected, got $actual; nothing was installed"
fi
say "checksum ok ($actual)"

mkdir "$tmp/x"
case $archive in
    *.zip) (cd "$tmp/x" && unzip -q "../$archive") || die "cannot unpack $archive" ;;
    *) tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive" ;;
esac
binary=$tmp/x/clawlint-$target/$exe
[ -f "$binary" ] || die "$archive does not contain clawlint-$target/$exe"

mkdir -p "$dest" || die "cannot create $dest"
# Copy then rename, so a running clawlint is never half-overwritten.
if ! { cp "$binary" "$dest/.$exe.tmp.$$" && chmod 755 "$dest/.$exe.tmp.$$" && mv -f "$dest/.$exe.tmp.$$" "$dest/$exe"; }; then
    rm -f "$dest/.$exe.tmp.$$"
    die "cannot write $dest/$exe"
fi
say "installed $("$dest/$exe" --version 2>/dev/null || echo clawlint) to $dest/$exe"
case :${PATH:-}: in
    *:"$dest":*) ;;
    *) say "note: $dest is not on PATH; add it, e.g. export PATH=\"$dest:\$PATH\"" ;;
esac
