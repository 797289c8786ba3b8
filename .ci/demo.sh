#!/usr/bin/env bash
# `make run`: the whole product on this machine, on embedded defaults —
#   cpx-portal in dev mode (SQLite, test PKI, demo entity/phones/users) on https://127.0.0.1:8443,
#   cpx-vcard with the demo CPE card (Camille MARTIN, PIN 1234) inserted in "Virtual PCD 35971 00 00",
#   cpx-pscsim (Pro Santé Connect simulator, manual approval) on https://127.0.0.1:8444,
#   and the agent pointed at them. With a display, the desktop app opens; without one, the
#   headless CLI does a full card sign-in so that the whole chain is seen working.
# State lives in .run/ (delete it to start afresh). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=$PWD/.run BIN=$PWD/bin PORT=35971 LISTEN=127.0.0.1:8443 # absolute: the agent config wants absolute paths
PSC=127.0.0.1:8444 # cpx-pscsim
HOLDER=${CPX_DEMO_HOLDER:-cpe}

.ci/rig.sh install
# pcscd only (the demo needs no PostgreSQL); started here, stopped on exit if we started it.
started_pcscd=0
if ! { [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null; }; then
  mkdir -p /run/pcscd; pcscd; started_pcscd=1
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi

echo "== building"
go build -o "$BIN/" ./cmd/cpx-agent ./cmd/cpx-portal ./cmd/cpx-vcard ./cmd/cpx-pscsim
mkdir -p "$RUN"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$started_pcscd" = 1 ] && pkill -x pcscd || true
}
trap cleanup EXIT INT TERM

echo "== cpx-portal (dev mode, SQLite in $RUN/portal) on https://$LISTEN, Pro Santé Connect = cpx-pscsim"
CPX_PORTAL_DATA_DIR=$RUN/portal CPX_PORTAL_LISTEN=$LISTEN CPX_PORTAL_PSC_ISSUER=https://$PSC/auth/realms/esante-wallet \
  "$BIN/cpx-portal" serve --dev >"$RUN/portal.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -f "$RUN/portal/pki/root.pem" ] && curl -fsk "https://$LISTEN/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsk "https://$LISTEN/readyz" >/dev/null || { echo "cpx-portal did not start:"; tail -20 "$RUN/portal.log"; exit 1; }

# The simulator reads the portal's test PKI: each trusts the other, the portal signs in as the
# simulator's dev client (tls_client_auth). Auto-approval is off: the demo approves by hand.
echo "== cpx-pscsim (Pro Santé Connect simulator) on https://$PSC, manual approval"
"$BIN/cpx-pscsim" serve --listen "$PSC" --pki "$RUN/portal/pki" \
  --redirect-uri "https://$LISTEN/v1/signin/psc/browser/callback" >"$RUN/pscsim.log" 2>&1 &
pids+=($!)
cat <<EOF
   Pro Santé Connect sign-in, in another terminal (demo physician Jeanne DURAND):
     $BIN/cpx-agent login psc --portal https://$LISTEN --ca $RUN/portal/pki/root.pem --national-id 899700000005 --phone 1002
   then approve the push as the e-CPS app would: on https://$PSC/telephone (the simulated phone),
   or  $BIN/cpx-pscsim approve --server https://$PSC --ca $RUN/portal/pki/root.pem --code NN
   (NN: the 2 digits the agent prints; "deny" refuses). --browser signs in through the browser.
EOF

echo "== cpx-vcard: demo card '$HOLDER' inserted in \"Virtual PCD $PORT 00 00\" (PIN 1234, PUK 12345678)"
"$BIN/cpx-vcard" run --holder "$HOLDER" --pki "$RUN/portal/pki" --state "$RUN/card-$HOLDER" --port $PORT \
  >"$RUN/vcard.log" 2>&1 < <(tail -f /dev/null) &
pids+=($!)

export CPX_AGENT_PORTAL_URL=https://$LISTEN
export CPX_AGENT_PORTAL_CA=$RUN/portal/pki/root.pem
export CPX_AGENT_WORKSTATION=${CPX_AGENT_WORKSTATION:-poste-demo}
export CPX_AGENT_READER="Virtual PCD $PORT 00 00" # the demo card's reader only
export CPX_AGENT_PKCS11_MODULE=${CPX_AGENT_PKCS11_MODULE:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
# OpenSC: no file cache, and enough slots to see the demo reader among the rig's ten.
export OPENSC_CONF=$RUN/opensc.conf
cat >"$OPENSC_CONF" <<'CONF'
app default { framework pkcs15 { use_file_caching = no; } }
app opensc-pkcs11 { pkcs11 { max_virtual_slots = 64; slots_per_card = 1; } }
CONF
echo "   phones of the demo entity: 1001 … 1005; logs in $RUN/*.log"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "== cpx-agent (desktop app). Close its window to stop."
  "$BIN/cpx-agent" gui
else
  echo "== no display: headless card sign-in with the CLI (the desktop app needs a display)"
  for _ in $(seq 50); do "$BIN/cpx-agent" card info --reader "Virtual PCD $PORT 00 00" >/dev/null 2>&1 && break; sleep 0.2; done
  "$BIN/cpx-agent" card info --reader "Virtual PCD $PORT 00 00"
  echo "== signing in (PIN 1234, phone 1001); the session's events follow. Ctrl-C signs out and stops."
  echo 1234 | "$BIN/cpx-agent" login card --portal "https://$LISTEN" --ca "$RUN/portal/pki/root.pem" \
    --reader "Virtual PCD $PORT 00 00" --pin-stdin --phone 1001 --takeover --watch
fi
