#!/usr/bin/env bash
# Installs the Debian packages evac needs that this machine lacks (and nothing when all are there).
#   tools/system-packages.sh          what the app needs: WeasyPrint's Pango and HarfBuzz, fonts
#   tools/system-packages.sh --test   and what the tests need: Chromium, poppler-utils
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium poppler-utils)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${missing[*]}" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
