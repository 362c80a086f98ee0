#!/usr/bin/env bash
# ctest entry `browser`: the web workbench in headless Chromium (workbench.test.mjs).
#   tests/browser/run.sh BUILD/segrule SCREENSHOT_DIR      (from the repository root)
# Missing tools fail the test (they are not skipped): scripts/install-deps installs them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hint="run scripts/install-deps (it installs node, chromium and a Chinese font, and runs \`npm ci\` in tests/browser)"
command -v node >/dev/null || { echo "FAIL: node is not installed: $hint" >&2; exit 1; }
[ -x /usr/bin/chromium ] || [ -n "${SEGRULE_CHROMIUM:-}" ] || { echo "FAIL: /usr/bin/chromium is not installed: $hint" >&2; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || { echo "FAIL: playwright-core is not installed in tests/browser: $hint" >&2; exit 1; }
exec node "$here/workbench.test.mjs" --segrule "$1" --out "$2"
