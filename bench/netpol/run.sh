#!/usr/bin/env bash
# NetworkPolicy benchmark: 10,000 pods in 500 namespaces with 2,000 policies (the engine's
# synthetic generator, crates/kubeward-netpol/tests/support/generator.rs), one manifest file
# per namespace; times `kubeward netpol connections` end to end (reading and parsing every
# file, building the cluster, computing and writing every connection) with peak RSS.
# Targets: <= 2 s and <= 1 GB.
#
# usage: bench/netpol/run.sh [namespaces workloads/ns pods/workload policies/ns deny-all]
#        (default: 500 5 4 4 0)
# env:   OUT=dir for generated inputs (default /tmp/kw-bench-netpol)
#        CARGO_TARGET_DIR as usual (the release binary is built there)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-/tmp/kw-bench-netpol}
SHAPE=(${@:-500 5 4 4 0})
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release -q -p kubeward
KW=$TARGET/release/kubeward

DIR=$OUT/$(IFS=-; echo "${SHAPE[*]}")
if [ ! -d "$DIR" ]; then
  rustc -O --edition 2024 -o "$OUT/gen" bench/netpol/gen.rs
  "$OUT/gen" "$DIR" "${SHAPE[@]}"
fi
echo "== input: $(ls "$DIR" | wc -l) files, $(du -sh "$DIR" | cut -f1)"

measure() { # label, command... -> wall, cpu, peak RSS
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>/dev/null || true
  read -r wall user sys rss <"$log"
  rm -f "$log"
  printf '%-44s wall %6.2fs  cpu %6.2fs  peak RSS %6.0f MB\n' \
    "$label" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
}

count=$("$KW" netpol connections "$DIR" | tail -1)
echo "== $count"
measure "netpol connections (text)" "$KW" netpol connections "$DIR"
measure "netpol connections --format json" "$KW" netpol connections "$DIR" --format json
measure "netpol connections --format json (1 thread)" env RAYON_NUM_THREADS=1 "$KW" netpol connections "$DIR" --format json
measure "scan --select NET (all NET rules)" "$KW" scan "$DIR" --select NET --format json --fail-on never
