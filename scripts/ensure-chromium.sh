#!/usr/bin/env bash
# Makes sure the Chromium the browser tests drive (e2e/, with playwright-core) is installed
# at /usr/bin/chromium, installing Debian's package if it is not. Used by `make test-browser`.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

echo "ensure-chromium: $CHROMIUM not found; installing Debian's chromium package" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: apt-get is not available: install Chromium yourself, or set CHROMIUM_PATH to it" >&2
  exit 1
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "ensure-chromium: installing Chromium needs root (or sudo): run apt-get install chromium as root" >&2
    exit 1
  fi
fi
if ! $SUDO apt-get update -qq; then
  echo "ensure-chromium: apt-get update failed" >&2
  exit 1
fi
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; then
  echo "ensure-chromium: apt-get install chromium failed" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium was installed but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)" >&2
