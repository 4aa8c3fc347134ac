#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the end-to-end tests.
# Idempotent: does nothing when the browser is already there. Playwright's own
# browser download is not used (`npx playwright install`): the e2e drives the
# distribution's package through playwright's executablePath instead.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "e2e: $CHROMIUM is missing; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "e2e: $CHROMIUM is missing and apt-get is not available to install it" >&2
  exit 1
fi
echo "e2e: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x "$CHROMIUM"
"$CHROMIUM" --version
