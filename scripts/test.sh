#!/usr/bin/env bash
# The whole test suite: installs test tools, then format check, clippy (warnings are errors)
# and every test of the workspace (unit, fixtures, snapshots, doc examples, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# In this script, tests that need an external tool or the shared corpus fail instead of
# skipping when it is missing.
export KUBEWARD_REQUIRE_EXTERNAL=1 KUBEWARD_REQUIRE_ETCD=1
if [ -d ../shared/corpus ]; then export KUBEWARD_REQUIRE_CORPUS=1; fi
export KUBEWARD_TOOLS="$PWD/.tools"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
