#!/usr/bin/env bash
# Admission webhook benchmark: wrk (Debian) posting a mix of AdmissionReview v1 requests over
# TLS to a release `kubeward serve` with every built-in rule enabled.
#   bench/webhook/run.sh            # builds nothing; set KUBEWARD_BIN or build first:
#   CARGO_TARGET_DIR=target-webhook cargo build --release -p kubeward
# Phases: paced 500, 2000, 5000 req/s; a 10x overload (as fast as 512 connections go, with
# max-in-flight 64) to check shedding (429) and recovery; RSS after each phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
BIN=${KUBEWARD_BIN:-target-webhook/release/kubeward}
DUR=${DUR:-20}
PORT=${PORT:-18443}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" webhook certs --local --out "$WORK/certs" 2>/dev/null
cat > "$WORK/kubeward.yaml" <<YAML
webhook:
  limits:
    max-in-flight: 64
YAML
RUST_LOG=info "$BIN" serve --listen "127.0.0.1:$PORT" --tls-cert "$WORK/certs/tls.crt" \
  --tls-key "$WORK/certs/tls.key" --config "$WORK/kubeward.yaml" --shutdown-delay 0 \
  > "$WORK/server.log" &
PID=$!
for _ in $(seq 1 100); do
  curl -sf --cacert "$WORK/certs/ca.crt" "https://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024} END {print ""}' "/proc/$PID/status"; }
echo "kubeward $("$BIN" version) | $(nproc) cores | $(wrk -v 2>&1 | head -1)"
echo "idle: $(rss)"
phase() { # name rate conns threads
  echo "== $1: target ${2:-max} req/s, $3 connections, $4 threads, ${DUR}s"
  RATE=$2 CONNS=$3 wrk -t"$4" -c"$3" -d"${DUR}s" --timeout 10s -s bench/webhook/post.lua \
    "https://127.0.0.1:$PORT/validate" | grep -E "^(RESULT|STATUS)"
  echo "   $(rss)"
}
phase "warm-up" 500 10 1 >/dev/null
phase "500 req/s" 500 10 1
phase "2000 req/s" 2000 20 2
phase "5000 req/s" 5000 50 2
phase "overload (10x, unpaced)" 0 512 2
phase "recovery 500 req/s" 500 10 1
echo "log lines: $(wc -l < "$WORK/server.log")"
# Server-side time per admitted review (arrival to answer, from the JSON logs), all phases.
python3 - "$WORK/server.log" <<'PY'
import json, sys
us = sorted(json.loads(l)["micros"] for l in open(sys.argv[1]) if '"admission review"' in l)
if us:
    q = lambda p: us[min(len(us) - 1, int(p * len(us)))] / 1000
    print("server-side ms over %d reviews: p50=%.3f p90=%.3f p99=%.3f max=%.3f" % (len(us), q(.5), q(.9), q(.99), us[-1] / 1000))
PY
grep -c '"result":"denied"' "$WORK/server.log" | sed 's/^/denied reviews logged: /'
curl -sf --cacert "$WORK/certs/ca.crt" "https://127.0.0.1:$PORT/metrics" | grep -E '^kubeward_webhook_(rejected_requests_total|admission_reviews_total)' || true
kill -TERM "$PID"; wait "$PID" || true
echo "shutdown: $(tail -1 "$WORK/server.log")"
