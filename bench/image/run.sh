#!/usr/bin/env bash
# Image supply-chain benchmark against a real registry (Debian docker-registry + skopeo):
#   1. `kubeward image verify` end to end (process start, tag resolution, signature manifest,
#      payload blob, ECDSA verification), with hyperfine;
#   2. admission with image signature checks: wrk posting the bench/webhook review mix, whose
#      images are rewritten to two signed images in the local registry, to `kubeward serve`
#      with an `images:` policy; first request per digest goes to the registry, the rest are
#      cache hits (no registry call on the hot path);
#   3. `kubeward image vulns` on a generated OSV directory (20,000 advisories) and SBOM
#      (2,000 packages).
# Usage: cargo build --release -p kubeward && bench/image/run.sh   (KUBEWARD_BIN to override)
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in docker-registry skopeo wrk hyperfine openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    pkg=$tool; [ "$tool" = hyperfine ] && pkg=hyperfine
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
  fi
done
BIN=$(realpath "${KUBEWARD_BIN:-target/release/kubeward}")
DUR=${DUR:-20}
WORK=$(mktemp -d)
REG_PORT=${REG_PORT:-15000}
PORT=${PORT:-18444}
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
REG="127.0.0.1:$REG_PORT"

# -- a registry with two signed images -------------------------------------------------
cat > "$WORK/registry.yml" <<YAML
version: 0.1
storage:
  filesystem: {rootdirectory: $WORK/registry}
http: {addr: $REG}
YAML
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
python3 - "$WORK/layout" <<'PY'
# A minimal OCI image layout (one uncompressed tar layer) for skopeo to push.
import hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
blobs = os.path.join(root, "blobs", "sha256"); os.makedirs(blobs)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
manifests = []
for tag in ("web", "api"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = ("kubeward bench " + tag).encode()
        info = tarfile.TarInfo("hello.txt"); info.size = len(data); t.addfile(info, io.BytesIO(data))
    layer = buf.getvalue()
    l = put(layer); l["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
    cfg = put(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [l["digest"]]}, "config": {}}).encode())
    cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cfg, "layers": [l]}).encode())
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    m["annotations"] = {"org.opencontainers.image.ref.name": tag}
    manifests.append(m)
json.dump({"schemaVersion": 2, "manifests": manifests}, open(os.path.join(root, "index.json"), "w"))
open(os.path.join(root, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/cosign.key" 2>/dev/null
openssl pkey -in "$WORK/cosign.key" -pubout -out "$WORK/cosign.pub"
for name in web api; do
  skopeo copy -q --dest-tls-verify=false "oci:$WORK/layout:$name" "docker://$REG/shop/$name:1.4.2"
  "$BIN" image sign "$REG/shop/$name:1.4.2" --key "$WORK/cosign.key" --insecure-registry >/dev/null
done
echo "kubeward $("$BIN" version) | $(nproc) cores | registry $(docker-registry --version 2>&1 | head -1)"

echo "== 1. kubeward image verify (cold process, 4 registry requests)"
hyperfine -N --warmup 3 --runs 50 --export-json "$WORK/verify.json" \
  "$BIN image verify $REG/shop/web:1.4.2 --key $WORK/cosign.pub --insecure-registry" 2>/dev/null \
  | grep -E "Time|Range"

echo "== 2. admission with image signature checks"
"$BIN" webhook certs --local --out "$WORK/certs" 2>/dev/null
mkdir -p "$WORK/reviews"
for f in bench/webhook/reviews/*.json; do
  sed "s#registry.example.com/shop/#$REG/shop/#g" "$f" > "$WORK/reviews/$(basename "$f")"
done
cat > "$WORK/kubeward.yaml" <<YAML
images:
  signatures:
  - images: [$REG/shop/**]
    keys: [cosign.pub]
  registry:
    insecure: ['$REG']
webhook:
  limits:
    max-in-flight: 64
YAML
RUST_LOG=info "$BIN" serve --listen "127.0.0.1:$PORT" --tls-cert "$WORK/certs/tls.crt" \
  --tls-key "$WORK/certs/tls.key" --config "$WORK/kubeward.yaml" --shutdown-delay 0 \
  > "$WORK/server.log" &
SPID=$!
PIDS+=($SPID)
for _ in $(seq 1 100); do
  curl -sf --cacert "$WORK/certs/ca.crt" "https://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
for rate in 500 2000; do
  echo "-- $rate req/s, ${DUR}s"
  REVIEWS="$WORK/reviews" RATE=$rate CONNS=20 wrk -t2 -c20 -d"${DUR}s" --timeout 10s \
    -s bench/webhook/post.lua "https://127.0.0.1:$PORT/validate" | grep -E "^(RESULT|STATUS)"
done
awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024} END {print ""}' "/proc/$SPID/status"
curl -sf --cacert "$WORK/certs/ca.crt" "https://127.0.0.1:$PORT/metrics" \
  | grep -E '^kubeward_webhook_image_checks_total' || true
echo "registry requests served: $(grep -c 'response completed' "$WORK/registry.log" || true)"

echo "== 3. kubeward image vulns: 20,000 advisories x 2,000 packages"
python3 - "$WORK/vulns" <<'PY'
import json, os, random, sys
root = sys.argv[1]; random.seed(7)
db = os.path.join(root, "osv"); os.makedirs(db)
ecos = [("npm", "npm"), ("PyPI", "pypi"), ("Go", "golang"), ("crates.io", "cargo"), ("Maven", "maven")]
names = {e: [f"pkg{e[1]}{i}" for i in range(400)] for e in ecos}
for i in range(20000):
    e = ecos[i % len(ecos)]; n = random.choice(names[e])
    if e[0] == "Maven": n = "org.example:" + n
    if e[0] == "Go": n = "example.com/" + n
    fixed = f"{random.randint(1,5)}.{random.randint(0,9)}.{random.randint(0,9)}"
    adv = {"schema_version": "1.6.0", "id": f"BENCH-{i}", "modified": "2026-01-01T00:00:00Z",
           "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
           "affected": [{"package": {"ecosystem": e[0], "name": n},
                         "ranges": [{"type": "ECOSYSTEM" if e[0] in ("PyPI", "Maven") else "SEMVER",
                                     "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}
    json.dump(adv, open(os.path.join(db, f"BENCH-{i}.json"), "w"))
comps = []
for i in range(2000):
    e = ecos[i % len(ecos)]; n = names[e][i % 400]
    v = f"{random.randint(1,5)}.{random.randint(0,9)}.{random.randint(0,9)}"
    purl = {"maven": f"pkg:maven/org.example/{n}@{v}", "golang": f"pkg:golang/example.com/{n}@v{v}"}.get(e[1], f"pkg:{e[1]}/{n}@{v}")
    comps.append({"type": "library", "name": n, "version": v, "purl": purl})
json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": comps}, open(os.path.join(root, "sbom.json"), "w"))
PY
hyperfine -N --warmup 1 --runs 10 -i \
  "$BIN image vulns --sbom $WORK/vulns/sbom.json --db $WORK/vulns/osv --fail-on never" 2>/dev/null \
  | grep -E "Time|Range"
"$BIN" image vulns --sbom "$WORK/vulns/sbom.json" --db "$WORK/vulns/osv" --fail-on never | tail -1
/usr/bin/time -f "peak RSS %M KB" "$BIN" image vulns --sbom "$WORK/vulns/sbom.json" --db "$WORK/vulns/osv" --fail-on never >/dev/null
