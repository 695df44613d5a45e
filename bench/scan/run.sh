#!/usr/bin/env bash
# Scan benchmark: loader (parse-only) vs full-scan throughput, peak RSS and CPU use on the
# shared corpus at 1x, 10x and 100x (../shared/corpus/make-large.sh), and Checkov on the
# same 1x corpus for the speed ratio.
#
# usage: bench/scan/run.sh [FACTORS...]        (default: 1 10 100)
# env:   SKIP_CHECKOV=1 to skip the peer; OUT=dir for generated inputs (default /tmp/kw-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
OUT=${OUT:-/tmp/kw-bench}
FACTORS=${*:-1 10 100}
cargo build --release -q -p kubeward
KW=$ROOT/target/release/kubeward
mkdir -p "$OUT"

measure() { # label, command...  -> "label wall_s user_s sys_s rss_mb"
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>&1 || true
  # The last line: /usr/bin/time prepends "Command exited with non-zero status" when the
  # tool reports findings through its exit code.
  read -r wall user sys rss < <(tail -n 1 "$log")
  rm -f "$log"
  printf '%-34s wall %7.2fs  cpu %7.2fs  (%.2f cores)  peak RSS %6.0f MB\n' \
    "$label" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "($user + $sys) / ($wall + 0.0001)" | bc -l)" "$(echo "$rss / 1024" | bc -l)" >&2
  echo "$wall"
}

for f in $FACTORS; do
  if [ "$f" = 1 ]; then
    dir=$CORPUS/manifests
  else
    dir=$OUT/x$f
    if [ ! -f "$dir/SUMMARY.txt" ]; then
      KW_NO_DOCKERFILES=1 "$CORPUS/make-large.sh" "$f" "$dir" >/dev/null
    fi
    dir=$dir/manifests
  fi
  bytes=$(du -sb "$dir" | cut -f1)
  mb=$(echo "$bytes / 1048576" | bc -l)
  largest=$(find "$dir" -type f -printf '%s\n' | sort -n | tail -1)
  echo "== ${f}x: $(printf '%.1f' "$mb") MB, largest file $(echo "$largest / 1048576" | bc) MB"
  parse=$(measure "parse-only" "$KW" scan "$dir" --parse-only --format json --fail-on never)
  full=$(measure "full scan (all rules)" "$KW" scan "$dir" --format json --fail-on never)
  printf '   parse-only %.1f MB/s, full scan %.1f MB/s, full/parse = %.0f%%\n' \
    "$(echo "$mb / $parse" | bc -l)" "$(echo "$mb / $full" | bc -l)" "$(echo "100 * $parse / $full" | bc -l)"
done

if [ -z "${SKIP_CHECKOV:-}" ]; then
  if [ ! -x "$OUT/checkov-venv/bin/checkov" ]; then
    python3 -m venv "$OUT/checkov-venv"
    "$OUT/checkov-venv/bin/pip" install -q checkov
  fi
  echo "== Checkov vs kubeward on the 1x corpus (kubernetes framework)"
  ck=$(measure "checkov" "$OUT/checkov-venv/bin/checkov" -d "$CORPUS/manifests" --framework kubernetes --quiet --compact -o json)
  kw=$(measure "kubeward scan" "$KW" scan "$CORPUS/manifests" --format json --fail-on never)
  printf '   kubeward is %.0fx faster than Checkov\n' "$(echo "$ck / $kw" | bc -l)"
fi
