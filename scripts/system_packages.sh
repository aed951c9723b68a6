#!/usr/bin/env bash
# Debian packages shuyun needs beside its Python ones, installed once by `make` (both README
# commands): Chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser
# download is not reachable here), Noto CJK for the route sheets' and labels' Chinese type
# (WeasyPrint), poppler-utils (pdftoppm, pdftotext) for the PDF tests. Installs only what is
# missing; without root or apt-get it says what to install and stops.
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk poppler-utils)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "需要 Debian 软件包 / Debian packages needed: ${missing[*]}" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system_packages.sh: installing ${missing[*]} (apt-get) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
