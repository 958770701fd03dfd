#!/usr/bin/env bash
# Fuzz smoke run: every target for SECONDS each (default 30), on stable Rust.
#
#   bash fuzz/smoke.sh [SECONDS]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`; about a minute to build) and a C++
# compiler for libFuzzer. cargo-fuzz passes nightly-only flags (-Zsanitizer=address);
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them. Exits non-zero on the first crash,
# leaving the input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
export RUSTC_BOOTSTRAP=1
cargo fuzz build
for target in json5 unit_file include_env pipeline amplify; do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | tail -n 12
done
