#!/usr/bin/env bash
# Secret-scanning benchmark: `kubeward scan --select SEC` (release build, the secret rules
# only) against `detect-secrets scan --all-files` (PyPI, installed in a venv under /tmp) on the
# same files, in the same script. Both tools use every core (rayon / multiprocessing).
#
# For each tool: RUNS runs (detect-secrets: DS_RUNS, default 1, it is slow), best and median
# wall time, best CPU time (user + sys), throughput in MB/s (corpus bytes / best wall and / best
# CPU time) and the number of findings; then the speed-up kubeward / detect-secrets.
#
# usage: bench/secrets/run.sh [CORPUS]
#   env: RUNS=5 DS_RUNS=1 VENV=/tmp/kw-secrets-bench/venv CARGO_TARGET_DIR=...
#   CORPUS defaults to ../shared/corpus/manifests (relative to the repository).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CORPUS=${1:-$ROOT/../shared/corpus/manifests}
RUNS=${RUNS:-5}
DS_RUNS=${DS_RUNS:-1}
OUT=${OUT:-/tmp/kw-secrets-bench}
VENV=${VENV:-$OUT/venv}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$OUT"

cargo build --release -q -p kubeward
KW=$TARGET/release/kubeward
if [ ! -x "$VENV/bin/detect-secrets" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q detect-secrets
fi
DS=$VENV/bin/detect-secrets

# The same files for both tools: every YAML/JSON file of the corpus, copied into one
# directory (detect-secrets --all-files reads every file it is given a directory of).
FILES=$OUT/corpus
rm -rf "$FILES"
mkdir -p "$FILES"
find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 |
  while IFS= read -r -d '' f; do
    rel=${f#"$CORPUS"/}
    mkdir -p "$FILES/$(dirname "$rel")"
    cp "$f" "$FILES/$rel"
  done
NFILES=$(find "$FILES" -type f | wc -l)
BYTES=$(find "$FILES" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
MB=$(echo "$BYTES / 1000000" | bc -l)
printf 'corpus: %s (%d files, %.2f MB); %s; %s\n' "$CORPUS" "$NFILES" "$MB" \
  "$("$KW" --version 2>/dev/null || echo kubeward)" "detect-secrets $("$DS" --version)"
echo "cores: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure LABEL RUNS STDOUT-FILE EXPECTED-EXIT-CODES COMMAND...
# sets BEST_WALL, MEDIAN_WALL, BEST_CPU
measure() {
  local label=$1 runs=$2 stdout=$3 codes=$4; shift 4
  local walls=() cpus=() log code
  log=$(mktemp)
  for _ in $(seq "$runs"); do
    code=0
    /usr/bin/time -f "%e %U %S" -o "$log" "$@" >"$stdout" 2>"$stdout.err" || code=$?
    case " $codes " in *" $code "*) ;; *) echo "$label: exit code $code" >&2; cat "$stdout.err" >&2; exit 1;; esac
    read -r wall user sys < <(tail -1 "$log")
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc -l)")
  done
  rm -f "$log"
  local sorted; sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
  BEST_WALL=$(echo "$sorted" | head -1)
  MEDIAN_WALL=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  BEST_CPU=$(printf '%s\n' "${cpus[@]}" | sort -g | head -1)
}

report() { # label findings
  printf '%-34s wall best %7.2fs median %7.2fs = %8.2f MB/s | cpu %7.2fs = %8.2f MB/s | %6d findings\n' \
    "$1" "$BEST_WALL" "$MEDIAN_WALL" "$(echo "$MB / ($BEST_WALL + 0.001)" | bc -l)" \
    "$BEST_CPU" "$(echo "$MB / ($BEST_CPU + 0.001)" | bc -l)" "$2"
}

measure "kubeward scan --select SEC" "$RUNS" "$OUT/kubeward.json" "0 1" \
  "$KW" scan "$FILES" --select SEC --format json --quiet
KW_WALL=$BEST_WALL KW_CPU=$BEST_CPU
KW_FINDINGS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/kubeward.json")
report "kubeward scan --select SEC" "$KW_FINDINGS"

# detect-secrets resolves paths against the current directory and, inside a git checkout,
# silently skips an absolute path outside it: run it from $OUT on the relative `corpus`.
measure "detect-secrets scan --all-files" "$DS_RUNS" "$OUT/detect-secrets.json" "0" \
  env -C "$OUT" "$DS" scan --all-files corpus
DS_WALL=$BEST_WALL DS_CPU=$BEST_CPU
read -r DS_FILES DS_FINDINGS < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(len(r), sum(len(v) for v in r.values()))' "$OUT/detect-secrets.json")
if [ "$DS_FILES" -eq 0 ]; then
  echo "detect-secrets reported no file at all: it did not scan the corpus" >&2
  exit 1
fi
report "detect-secrets scan --all-files" "$DS_FINDINGS"
echo "  (detect-secrets findings are in $DS_FILES files; kubeward reports one finding per field or Secret)"

printf 'speed-up kubeward vs detect-secrets: %.1fx wall, %.1fx cpu (target >= 20x)\n' \
  "$(echo "$DS_WALL / ($KW_WALL + 0.001)" | bc -l)" "$(echo "$DS_CPU / ($KW_CPU + 0.001)" | bc -l)"
echo "outputs: $OUT/kubeward.json $OUT/detect-secrets.json"
