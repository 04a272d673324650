#!/usr/bin/env bash
# Every test of the workspace, as CI runs it. Needs only cargo and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false

step() { printf '\n==> %s\n' "$*"; }

step "Node tools (Prism, Redocly), pinned by package-lock.json"
npm ci --ignore-scripts --loglevel=error

step "Spec lint (Redocly)"
npx --no-install redocly lint openapi/keys.yaml --config redocly.yaml

step "Formatting"
cargo fmt --all --check

step "Generated client is up to date"
cargo xtask regen --check

step "Clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "Tests (unit, contract, Prism, wire, doc tests)"
cargo test --workspace --locked

step "The client crate as a dependent gets it"
cargo package -p deepgram-keys --locked --allow-dirty
