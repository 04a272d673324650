#!/usr/bin/env bash
# Every test of the workspace, as CI runs it. Needs cargo, npm and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false

# The workflow linter, pinned: a new release may add audits.
ZIZMOR_VERSION=1.32.0
# GitHub's OpenAPI 3.0.3 document, pinned (npm checks the package's
# integrity): a large real spec with a property named `$ref`.
OCTOKIT_OPENAPI_VERSION=2.2.1

step() { printf '\n==> %s\n' "$*"; }

step "Node tools (Prism, Redocly), pinned by package-lock.json"
npm ci --ignore-scripts --loglevel=error

step "Spec lint (Redocly)"
npx --no-install redocly lint openapi/keys.yaml --config redocly.yaml

step "Workflow lint (zizmor ${ZIZMOR_VERSION}, pinned), in target/tools"
# zizmor checks every workflow against GitHub's schema (--strict-collection
# fails on a file it cannot read instead of skipping it) and audits it:
# template injection, over-broad permissions, credentials left in checkouts,
# unpinned actions. PyPI ships it as a wheel with the binary inside.
# (actionlint's PyPI package downloads its binary at install time, which a
# machine that reaches only package registries cannot do.)
zizmor_venv="target/tools/zizmor-${ZIZMOR_VERSION}"
if [ ! -x "${zizmor_venv}/bin/zizmor" ]; then
  rm -rf "${zizmor_venv}"
  python3 -m venv "${zizmor_venv}"
  "${zizmor_venv}/bin/pip" install --quiet --disable-pip-version-check \
    --only-binary=:all: "zizmor==${ZIZMOR_VERSION}"
fi
"${zizmor_venv}/bin/zizmor" --offline --strict-collection --pedantic --no-progress \
  .github/workflows/*.yml

step "Formatting"
cargo fmt --all --check

step "Clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Clippy: the client crate with its default features only"
# The workspace run turns on tracing (tests/Cargo.toml); this
# checks the build applications get by default.
cargo clippy -p deepgram-keys --all-targets --locked -- -D warnings

step "Docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

# The drift check (`cargo xtask regen --check`) runs among these tests, as
# xtask's `committed_files_match_their_specs`: run on its own, xtask alone
# resolves syn, serde_json and libc with other features than the workspace
# does, and so builds the generator's whole dependency chain a second time.
step "Tests (unit, contract, Prism, client behaviour, drift check, doc tests)"
cargo test --workspace --locked

step "The client and fake crates as a dependent gets them"
# Packaged together: the fake's package is built against the client's.
cargo package -p deepgram-keys -p deepgram-keys-fake --locked --allow-dirty
