#!/usr/bin/env bash
# Debian packages the test suite needs: a CJK font and poppler for PDFs, Chromium for browser tests,
# gettext for translations, docker-compose to validate docker-compose.yml. Installs only what is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v docker-compose >/dev/null || missing+=(docker-compose)
ldconfig -p 2>/dev/null | grep -q libzbar.so.0 || missing+=(libzbar0)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk fontconfig)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "[q9] installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
