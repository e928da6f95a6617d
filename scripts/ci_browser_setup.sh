#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver for the browser test of `llmzero studio`
# (tests/test_studio_browser.py). Idempotent and quiet: does nothing when both are already there, and prints
# apt's output only when something fails.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "ci_browser_setup.sh: could not install chromium and chromium-driver" >&2
    exit 1
fi
