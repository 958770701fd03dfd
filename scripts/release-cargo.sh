#!/bin/sh
# Runs `cargo COMMAND --locked --target TARGET ARGS...` with the code-generation flags the
# release binary for TARGET is built with. The release workflow builds with
# `scripts/release-cargo.sh TARGET build --release`, and the benchmark is run with
# `scripts/release-cargo.sh TARGET bench --bench scale -- ...`, so that what is measured is
# built the way users get it (the bench runs the `clawlint` binary of the same cargo run).
#
# Usage: scripts/release-cargo.sh TARGET COMMAND [ARGS...]
#
# Linked statically (`-C target-feature=+crt-static`):
# - the musl targets, so that they run on any Linux distribution;
# - x86_64-unknown-linux-gnu, as a static position-independent executable (address-space
#   randomisation kept): no dynamic loader, no shared libraries to map and bind at start-up.
#   One gateway's `check` costs about a fifth fewer instructions (1.50M -> 1.20M) and ~0.6 ms
#   less CPU. It also no longer needs the glibc of the build machine or newer. clawlint calls
#   none of static glibc's functions that load shared libraries at run time (user and host
#   lookups through NSS, dlopen, iconv): the static link gives no warning about them.
# aarch64-unknown-linux-gnu stays dynamic: Rust links static glibc binaries for it without
# PIE, and PIE is kept for address-space randomisation.
#
# The flags go in RUSTFLAGS, which an explicit --target keeps away from build scripts and
# procedural macros (those cannot be linked statically).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 TARGET COMMAND [ARGS...]" >&2; exit 2; }
target=$1
command=$2
shift 2
case $target in
  *-linux-musl | x86_64-unknown-linux-gnu)
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static"
    export RUSTFLAGS
    ;;
esac
# mimalloc (the allocator) reads each of its MIMALLOC_* options by scanning the whole environment
# at start-up: 56K instructions with an empty environment, ~150K (a tenth of a one-gateway
# `check`) with an ordinary shell's. clawlint sets its allocator up in code and documents no
# MIMALLOC_* variable, so every release binary is built without that scan. At exit mimalloc
# also collects its heap and hands the freed pages back to the system one madvise at a time
# (13 calls for one gateway, ~150 for 10,000), work the kernel does anyway when the process
# ends: MI_SKIP_COLLECT_ON_EXIT leaves it to the kernel (mimalloc's own switch for a
# stand-alone process; it matters only to a library unloaded and loaded again). cc reads
# CFLAGS_<target>; the defines are unused by the other C code, SQLite.
case $target in *[!A-Za-z0-9._-]*) echo "$0: not a target triple: $target" >&2; exit 2 ;; esac
# x86_64-unknown-linux-gnu is linked by the toolchain's lld (its default there from Rust 1.90
# on), which is given scripts/link-order.txt (build.rs passes it to the `clawlint` binary
# only): the functions that start-up, the command line and one gateway's check, resolve and
# ports call are placed first in the code, together (2.2 MB), instead of across its 8 MB. The
# kernel maps code 64 KB at a time on a fault, so one gateway's `check` faults in 23 windows
# of code instead of 56 (273 -> 242 page faults in all; docs/performance.md).
# scripts/record-link-order.sh writes the list; a function renamed since is skipped.
rust_minor=$(rustc -vV | sed -n 's/^release: 1\.\([0-9]*\).*/\1/p')
if [ "$target" = x86_64-unknown-linux-gnu ] && [ "${rust_minor:-0}" -ge 90 ]; then
  CLAWLINT_LINK_ORDER="$(cd "$(dirname "$0")" && pwd)/link-order.txt"
  export CLAWLINT_LINK_ORDER
fi
cflags=CFLAGS_$(printf %s "$target" | tr -- '-.' '__')
eval "current=\${$cflags:-}"
eval "$cflags=\"\${current:+\$current }-DMI_NO_GETENV -DMI_SKIP_COLLECT_ON_EXIT\""
export "${cflags?}"
exec cargo "$command" --locked --target "$target" "$@"
