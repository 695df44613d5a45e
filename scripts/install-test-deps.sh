#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust, into .tools/ (git-ignored) or the system:
#   - etcd (Debian package etcd-server) for the real-etcd probe tests;
#   - the CNCF distribution registry (Debian docker-registry) and skopeo for the real-registry
#     image signature tests;
#   - Microsoft's SARIF validator (npm @microsoft/sarif-multitool) for the SARIF output test;
#   - junitparser and prometheus-client (PyPI) for the JUnit and metrics output tests.
# Idempotent: already-present tools are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools

APT_PACKAGES=()
command -v etcd >/dev/null 2>&1 || APT_PACKAGES+=(etcd-server)
command -v docker-registry >/dev/null 2>&1 || APT_PACKAGES+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || APT_PACKAGES+=(skopeo)
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
  echo "installing ${APT_PACKAGES[*]} (apt)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
  # The package starts a system registry on :5000 where an init system runs; the tests start
  # their own on free loopback ports and do not need it.
fi

if [ ! -x .tools/node_modules/.bin/sarif-multitool ]; then
  echo "installing @microsoft/sarif-multitool (npm)"
  npm install --prefix .tools --no-audit --no-fund --silent @microsoft/sarif-multitool >/dev/null
fi
chmod u+x .tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool 2>/dev/null || true

if [ ! -x .tools/venv/bin/python ]; then
  echo "installing junitparser and prometheus-client (PyPI)"
  python3 -m venv .tools/venv
fi
.tools/venv/bin/python -c "import junitparser, prometheus_client" 2>/dev/null \
  || .tools/venv/bin/pip install -q junitparser prometheus-client
