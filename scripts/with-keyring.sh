#!/usr/bin/env bash
# Runs a command in a D-Bus session with an unlocked GNOME keyring of its own, as a user's
# desktop session has one: the tests then see the sign-in token go where a user's would.
# The keyring lives in a temporary directory and is gone afterwards.
set -euo pipefail
if [ -z "${INCUBOOK_KEYRING_SESSION:-}" ]; then
  keyrings="$(mktemp -d)"
  trap 'rm -rf "$keyrings"' EXIT
  XDG_DATA_HOME="$keyrings" INCUBOOK_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
  exit
fi
# A new login keyring is created with this password and unlocked.
printf 'incubook-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export INCUBOOK_TEST_KEYRING=1
exec "$@"
