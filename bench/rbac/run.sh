#!/usr/bin/env bash
# End-to-end RBAC benchmark: generate 10,000 roles and 20,000 bindings (bench/rbac/gen.py),
# then time the release binary on it:
#   - `kubeward rbac who-can get secrets -A --with-defaults` (load + index + one query)
#   - `kubeward rbac paths --with-defaults` (load + full escalation graph)
#   - `kubeward scan --select RBAC` (load + every RBAC rule: risk report, reachability,
#     escalation paths of the workloads)
# Each is run RUNS times (default 5); the best and median wall times and the peak RSS are
# printed. The engine's own divan benchmarks (in-process, no YAML parsing) are
# `cargo bench -p kubeward-rbac`.
#
# usage: bench/rbac/run.sh            env: RUNS=5 OUT=/tmp/kw-rbac-bench ROLES=10000 BINDINGS=20000
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-/tmp/kw-rbac-bench}
RUNS=${RUNS:-5}
ROLES=${ROLES:-10000}
BINDINGS=${BINDINGS:-20000}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release -q -p kubeward
KW=$TARGET/release/kubeward
mkdir -p "$OUT"
INPUT=$OUT/rbac-$ROLES-$BINDINGS.yaml
python3 bench/rbac/gen.py --roles "$ROLES" --bindings "$BINDINGS" >"$INPUT"
echo "input: $INPUT ($(du -h "$INPUT" | cut -f1), $ROLES roles, $BINDINGS bindings)"

measure() { # label, expected-exit-codes, command...
  local label=$1 codes=$2; shift 2
  local walls=() cpus=() rss=0 log
  log=$(mktemp)
  for _ in $(seq "$RUNS"); do
    local code=0
    /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>&1 || code=$?
    case " $codes " in *" $code "*) ;; *) echo "$label: unexpected exit code $code" >&2; exit 1;; esac
    read -r wall user sys kb < <(tail -1 "$log")
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc)")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  rm -f "$log"
  local sorted; sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  local cpu; cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | head -1)
  printf '%-46s wall best %6.3fs median %6.3fs  cpu best %6.3fs  peak RSS %4.0f MB\n' "$label" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")" "$cpu" "$(echo "$rss / 1024" | bc -l)"
}

measure "rbac who-can get secrets -A --with-defaults" "0" \
  "$KW" rbac who-can get secrets -A --with-defaults "$INPUT"
measure "rbac who-can ... --format json" "0" \
  "$KW" rbac who-can get secrets -A --with-defaults --format json "$INPUT"
measure "rbac can-i (one user)" "0 1" \
  "$KW" rbac can-i get secrets -n team-001 --as user-7 --with-defaults "$INPUT"
measure "rbac paths --with-defaults (escalation graph)" "0 1" \
  "$KW" rbac paths --with-defaults --format json "$INPUT"
measure "scan --select RBAC (all RBAC rules)" "0 1" \
  "$KW" scan --select RBAC --format json "$INPUT"
echo "phases of one who-can run (wall; the query alone is the 'query' phase):"
"$KW" rbac who-can get secrets -A --with-defaults --timings "$INPUT" 2>&1 >/dev/null | sed 's/^/  /'
echo "machine load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times suffer when it exceeds the cores)"
