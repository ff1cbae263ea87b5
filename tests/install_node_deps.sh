#!/usr/bin/env bash
# Real-world SVG sets for the asset-validation tests and benchmark, and axe-core for the
# accessibility check of every page (not committed).
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/.npm"
if [ ! -d "$dir/node_modules/simple-icons/icons" ] || [ ! -d "$dir/node_modules/devicon/icons" ] \
  || [ ! -f "$dir/node_modules/axe-core/axe.min.js" ]; then
  mkdir -p "$dir"
  command -v npm >/dev/null 2>&1 || { echo "npm is required (apt-get install npm)"; exit 1; }
  npm install --silent --no-audit --no-fund --prefix "$dir" simple-icons@16.37.0 devicon@2.17.0 \
    axe-core@4.14.1 >/dev/null
fi
