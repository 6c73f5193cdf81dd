#!/usr/bin/env bash
# Installs what building and testing the app needs on Debian/Ubuntu: the WebKitGTK stack,
# Xvfb and WebKitWebDriver for end-to-end tests, CJK fonts for Chinese text, PostgreSQL for
# the district server's second backend, and the front end's npm packages. Does nothing that
# is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config libssl-dev curl file libxdo-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  libgtk-3-dev libjavascriptcoregtk-4.1-dev webkit2gtk-driver xvfb xauth imagemagick
  fonts-noto-cjk postgresql postgresql-contrib libdbus-1-dev dbus gnome-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer"; exit 1; }
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm --prefix ui ci --no-audit --no-fund
fi
