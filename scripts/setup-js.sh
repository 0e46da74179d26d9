#!/usr/bin/env bash
# Install KaTeX and mermaid (tests/js/package.json) into tests/js/node_modules, which git ignores.
# Needs node and npm (Debian: apt-get install -y nodejs npm). No lockfile is written or kept.
set -euo pipefail
cd "$(dirname "$0")/../tests/js"
if ! command -v npm >/dev/null 2>&1; then
  echo "setup-js: npm not found; install Node.js and npm (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
npm install --no-package-lock --no-audit --no-fund --loglevel=error
node -e 'console.log("setup-js: katex " + require("katex").version + ", mermaid " + require("mermaid/package.json").version)'
