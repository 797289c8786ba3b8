#!/usr/bin/env bash
# The test rig: installs and starts the real parts the tests use on a fresh Debian 12 machine
# (root), and stops what it started.
#   rig.sh install   apt packages (idempotent, retried once), locales, vpcd readers
#   rig.sh up        install + start pcscd and PostgreSQL (records what it started)
#   rig.sh down      stop what `up` started
#   rig.sh run CMD…  run CMD with the test environment: session D-Bus, unlocked gnome-keyring,
#                    Xvfb display, CPX_TEST_* variables
set -euo pipefail

STATE=${CPX_RIG_STATE:-/tmp/cpx-rig}
PG_PORT=${CPX_PG_PORT:-5432}
PKGS=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools softhsm2 opensc opensc-pkcs11 gcc
  libgl1-mesa-dev xorg-dev xvfb xauth xdotool x11-utils imagemagick gnome-keyring dbus dbus-x11
  libsecret-tools postgresql locales chromium)

log() { printf 'rig: %s\n' "$*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || { log "must run as root (apt-get, pcscd)"; exit 1; }; }

install_pkgs() {
  local missing=()
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    need_root
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null ||
      { log "apt-get install failed once, retrying"; sleep 2; apt-get install -y -qq "${missing[@]}" >/dev/null; }
  fi
  if ! locale -a 2>/dev/null | grep -qi '^fr_FR.utf8$'; then
    sed -i -e 's/^# *fr_FR.UTF-8/fr_FR.UTF-8/' -e 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen
    locale-gen >/dev/null
  fi
  readers
}

# Extra vpcd devices: one reader per test package (docs/architecture.md has the port map).
# libifdvpcd keeps its sockets in a static array indexed by slot only, so devices that share one
# library file share slots 0/1 (every "00 00" reader mirrors the last device's port). pcscd
# dlopens each distinct file once: each device gets its own copy of the driver.
readers() {
  local f=/etc/reader.conf.d/cpx-vpcd want="" lib=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
  for port in 35965 35967 35969 35971; do
    cmp -s "$lib" "${lib%.so}-cpx$port.so" || cp "$lib" "${lib%.so}-cpx$port.so"
    want+="FRIENDLYNAME \"Virtual PCD $port\"
DEVICENAME   /dev/null:$port
LIBPATH      ${lib%.so}-cpx$port.so
CHANNELID    $port

"
  done
  if [ "$(cat "$f" 2>/dev/null)" != "$(printf '%s' "$want")" ]; then
    printf '%s' "$want" >"$f"
    log "wrote $f"
    if pcscd_running; then log "restarting pcscd for the new readers"; stop_pcscd; fi
  fi
}

pcscd_running() { [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null; }

stop_pcscd() {
  pkill -x pcscd || true
  for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
  rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
}

start_pcscd() {
  if pcscd_running; then return; fi
  mkdir -p /run/pcscd
  pcscd
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
  [ -S /run/pcscd/pcscd.comm ] || { log "pcscd did not start"; exit 1; }
  echo pcscd >>"$STATE/started"
  log "pcscd started"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

start_pg() {
  local bin data=$STATE/pgdata
  bin=$(pg_bin)
  [ -n "$bin" ] || { log "PostgreSQL is not installed"; exit 1; }
  if su postgres -c "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then return; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; chown postgres "$data"
    su postgres -c "$bin/initdb -D $data -A trust -U postgres" >/dev/null
  fi
  touch "$STATE/pg.log"; chown postgres "$STATE/pg.log"
  su postgres -c "$bin/pg_ctl -D $data -l $STATE/pg.log -w -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' start" >/dev/null
  echo postgres >>"$STATE/started"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='cpx_test'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE cpx_test"
  log "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

up() {
  install_pkgs
  mkdir -p "$STATE"; chmod 755 "$STATE"
  start_pcscd
  start_pg
}

down() {
  [ -f "$STATE/started" ] || return 0
  if grep -qx postgres "$STATE/started"; then
    su postgres -c "$(pg_bin)/pg_ctl -D $STATE/pgdata -m fast stop" >/dev/null 2>&1 || true
    log "PostgreSQL stopped"
  fi
  if grep -qx pcscd "$STATE/started"; then stop_pcscd; log "pcscd stopped"; fi
  rm -f "$STATE/started"
}

run() {
  export CPX_TEST_PG_DSN=${CPX_TEST_PG_DSN:-postgres://postgres@127.0.0.1:$PG_PORT/cpx_test?sslmode=disable}
  export CPX_OPENSC_MODULE=${CPX_OPENSC_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
  export CPX_SOFTHSM_MODULE=${CPX_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
  export LANG=${CPX_LANG:-fr_FR.UTF-8}
  local home rc=0; home=$(mktemp -d)
  # HOME changes below (fresh keyring): keep Go's module and build caches where they are.
  if command -v go >/dev/null; then
    export GOPATH=${GOPATH:-$(go env GOPATH)} GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE)} GOCACHE=${GOCACHE:-$(go env GOCACHE)}
  fi
  # A private session bus with an unlocked Secret Service, and a virtual X display that does
  # not reset when its last client leaves (between two short-lived X tools, a client that
  # connects during a reset fails: "X11: Failed to open display").
  HOME=$home xvfb-run -a -s "-screen 0 1280x800x24 -noreset" dbus-run-session -- bash -c '
    eval "$(printf %s cpx-test | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    export GNOME_KEYRING_CONTROL
    exec "$@"' rig "$@" || rc=$?
  rm -rf "$home"
  return $rc
}

case "${1:-}" in
  install) install_pkgs ;;
  up) up ;;
  down) down ;;
  run) shift; run "$@" ;;
  *) echo "usage: rig.sh install|up|down|run CMD…" >&2; exit 2 ;;
esac
