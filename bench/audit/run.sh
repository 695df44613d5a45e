#!/usr/bin/env bash
# Audit benchmark: `kubeward audit` end to end (read, parse, all 24 detectors including the
# stateful anomaly detectors, diagnostics, output) on a generated API-server audit log, plain
# and gzip; events per second (wall clock, and per CPU-second: the command is single-threaded,
# so the CPU figure is the one-core throughput even on a busy machine) and peak RSS.
#
# usage: bench/audit/run.sh [EVENTS]           (default: 1000000)
# env:   OUT=dir for the generated logs (default /tmp/kw-audit-bench);
#        CARGO_TARGET_DIR as usual (the release binary is built there).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EVENTS=${1:-1000000}
OUT=${OUT:-/tmp/kw-audit-bench}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release -q -p kubeward
KW=$TARGET/release/kubeward
mkdir -p "$OUT"
LOG=$OUT/audit-$EVENTS.jsonl
if [ ! -s "$LOG" ]; then
  echo "generating $EVENTS events into $LOG"
  python3 bench/audit/generate.py "$EVENTS" "$LOG"
fi
if [ ! -s "$LOG.gz" ]; then
  gzip -1 -k -c "$LOG" >"$LOG.gz"
fi
lines=$(wc -l <"$LOG")
mb=$(echo "$(stat -c %s "$LOG") / 1048576" | bc -l)
printf '== %d events, %.0f MB (%.0f MB gzip)\n' "$lines" "$mb" "$(echo "$(stat -c %s "$LOG.gz") / 1048576" | bc -l)"

measure() { # label, command...
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >"$OUT/last-output" 2>"$OUT/last-stderr" || true
  read -r wall user sys rss <"$log"
  rm -f "$log"
  local cpu; cpu=$(echo "$user + $sys" | bc)
  printf '%-38s wall %6.2fs %8.0f ev/s | cpu %6.2fs %8.0f ev/s per core, %5.1f MB/s | peak RSS %4.0f MB\n' \
    "$label" "$wall" "$(echo "$lines / $wall" | bc -l)" "$cpu" "$(echo "$lines / $cpu" | bc -l)" \
    "$(echo "$mb / $cpu" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

measure "audit (jsonl alerts)" "$KW" audit "$LOG" --format jsonl --fail-on never
echo "   findings: $(wc -l <"$OUT/last-output") alerts; by rule: $(cut -d'"' -f4 "$OUT/last-output" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"
measure "audit (text report, sorted)" "$KW" audit "$LOG" --format text --fail-on never
grep -E '^Audit events' "$OUT/last-output" | sed 's/^/   /'
measure "audit (gzip input, jsonl)" "$KW" audit "$LOG.gz" --format jsonl --fail-on never
measure "audit --select AUD003 (one detector)" "$KW" audit "$LOG" --format jsonl --fail-on never --select AUD003
