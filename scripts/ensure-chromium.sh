#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium (tests/e2e). Runs before `npm test`: installs
# Chromium and Japanese fonts from Debian's packages when /usr/bin/chromium is missing, so the
# README's test command works on a fresh machine. Without root it says what to run instead.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The end-to-end tests need Debian's Chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2
  echo "(or run only the other tests: npm run test:unit, npm run test:integration)" >&2
  exit 1
fi
echo "Installing Chromium and Japanese fonts for the end-to-end tests (apt-get) …" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
