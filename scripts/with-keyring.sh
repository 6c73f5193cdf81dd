#!/usr/bin/env bash
# Runs a command in a D-Bus session with an unlocked GNOME keyring of its own, as a user's
# desktop session has one: the tests then see the sign-in token go where a user's would.
# The keyring lives in a temporary directory and is gone afterwards.
#
# The bus starts the keyring on demand, and always unlocked: gnome-keyring-daemon can die
# under many concurrent clients (CI saw it at 6 parallel syncs), and the system's own
# activation file would then start a locked one that needs a password prompt, so every
# later test would lose its token. Here a restarted daemon opens the same keyring file.
set -euo pipefail
if [ -z "${INCUBOOK_KEYRING_SESSION:-}" ]; then
  session="$(mktemp -d)"
  trap 'rm -rf "$session"' EXIT
  mkdir -p "$session/services" "$session/data"
  cat >"$session/keyring-daemon" <<EOF
#!/bin/sh
export XDG_DATA_HOME="$session/data"
printf 'incubook-test' | exec gnome-keyring-daemon --foreground --unlock --components=secrets --control-directory="$session/control"
EOF
  chmod +x "$session/keyring-daemon"
  cat >"$session/services/org.freedesktop.secrets.service" <<EOF
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$session/keyring-daemon
EOF
  cat >"$session/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$session/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  XDG_DATA_HOME="$session/data" INCUBOOK_KEYRING_SESSION=1 \
    dbus-run-session --config-file="$session/bus.conf" -- "$0" "$@"
  exit
fi
export INCUBOOK_TEST_KEYRING=1
exec "$@"
