#!/usr/bin/env bash
# The tests need two Debian packages: chromium (browser tests via playwright-core; never a downloaded
# browser) and redis-server (the shared session store). Installs them when missing and allowed to.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${NEEDLECHART_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The tests need: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
