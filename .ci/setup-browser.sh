#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing. Safe to run repeatedly:
# it does nothing when /usr/bin/chromium already exists. Exits non-zero only when the install
# was attempted and failed (no root, no network); the browser tests then skip and say why.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "setup-browser: $CHROMIUM is missing and this user cannot install packages (not root, no passwordless sudo)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $CHROMIUM is missing and apt-get is not available on this system" >&2
  exit 1
fi

echo "setup-browser: installing chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "setup-browser: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "setup-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium installed)"
