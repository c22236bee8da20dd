#!/usr/bin/env bash
# Installs the Debian packages Passage needs, when they are missing: Chromium (browser tests),
# Tesseract with Russian (OCR), Poppler (PDF checks), gettext (translations), DejaVu fonts and
# Pango (WeasyPrint), PostgreSQL (the second database the tests run on), gcc (the route engine is
# compiled with mypyc).
# Runs apt-get only as root and only for what is missing; otherwise says what to install.
set -euo pipefail

packages=(chromium chromium-driver tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng poppler-utils
          gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 postgresql gcc)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages (install them as root): ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv"
  python3 -m pip install --quiet "uv>=0.13,<0.14"
fi
