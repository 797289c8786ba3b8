#!/bin/bash
# test-install.sh DIST1 DIST2 V1 V2 — the clean-install test of issue 13, as IT staff would try it:
# a Debian 12 minbase chroot (debootstrap, built once and cached in $CPX_CI_CACHE, default
# /var/cache/cpx-ci, with apt's downloads kept there too), the agent and portal debs of DIST1
# installed with apt-get, checked (version, doctor --json with a drop-in, the portal's user,
# modes, migration and a start of serve as cpx-portal, the unit's systemd-analyze score), then an
# upgrade to DIST2 after IT changed a drop-in and the portal's configuration (stdin closed: any
# dpkg prompt fails the upgrade), checked again, then purged.
set -euo pipefail
dist1=$1 dist2=$2 v1=$3 v2=$4
cache=${CPX_CI_CACHE:-/var/cache/cpx-ci}
tarball=$cache/bookworm-minbase.tar
fail() { echo "test-install: $*" >&2; exit 1; }
step() { echo "== test-install: $*"; }

# The Debian mirror apt uses on this machine.
mirror() {
	local m
	m=$(grep -hEo 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 | tr -d ' ')
	[ -n "$m" ] || m=$(awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

if [ ! -f "$tarball" ]; then
	step "debootstrap bookworm minbase from $(mirror) (cached in $tarball)"
	tmp=$(mktemp -d /var/tmp/cpx-bootstrap.XXXXXX)
	debootstrap --variant=minbase bookworm "$tmp/root" "$(mirror)" >/dev/null ||
		debootstrap --variant=minbase bookworm "$tmp/root" "$(mirror)" >/dev/null
	mkdir -p "$cache" && tar -C "$tmp/root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	rm -rf "$tmp"
fi

root=$(mktemp -d /var/tmp/cpx-install.XXXXXX)
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
	for m in var/cache/apt/archives dev proc; do umount "$root/$m" 2>/dev/null || true; done
	rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
mkdir -p "$cache/apt-archives/partial"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
inroot() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }
as_portal() { inroot setpriv --reuid=cpx-portal --regid=cpx-portal --clear-groups "$@"; }
mode() { inroot stat -c '%a %U %G' "$1"; }

mkdir -p "$root/tmp/v1" "$root/tmp/v2"
cp "$dist1/cpx-agent_${v1}_amd64.deb" "$dist1/cpx-portal_${v1}_amd64.deb" "$root/tmp/v1/"
cp "$dist2/cpx-agent_${v2}_amd64.deb" "$dist2/cpx-portal_${v2}_amd64.deb" "$root/tmp/v2/"
inroot apt-get update -qq || inroot apt-get update -qq
step "apt-get install ./cpx-agent_${v1}_amd64.deb ./cpx-portal_${v1}_amd64.deb"
inroot apt-get install -y -qq "/tmp/v1/cpx-agent_${v1}_amd64.deb" "/tmp/v1/cpx-portal_${v1}_amd64.deb" </dev/null >"$root/tmp/install.log" 2>&1 ||
	fail "install: $(cat "$root/tmp/install.log")"

# check_agent VERSION URL: the version, and doctor --json with the drop-in's URL and no error.
check_agent() {
	inroot cpx-agent version | grep -q "^cpx-agent $1 " || fail "cpx-agent version: $(inroot cpx-agent version)"
	inroot cpx-agent --version | grep -q "^cpx-agent $1 " || fail "cpx-agent --version"
	inroot cpx-portal version | grep -q "^cpx-portal $1 " || fail "cpx-portal version: $(inroot cpx-portal version)"
	inroot cpx-agent doctor --json >"$root/tmp/doctor.json" 2>"$root/tmp/doctor.err" || true # no pcscd here: checks fail
	go run ./packaging/installcheck -version "$1" -key portal_url -value "$2" \
		-source /etc/cpx-agent/config.d/10-site.json <"$root/tmp/doctor.json" ||
		fail "doctor --json: $(cat "$root/tmp/doctor.err")"
}
# check_portal: the service user, modes, the database made by the service user, enabled.
check_portal() {
	[ "$(mode /var/lib/cpx-portal)" = "700 cpx-portal cpx-portal" ] || fail "/var/lib/cpx-portal: $(mode /var/lib/cpx-portal)"
	[ "$(mode /etc/cpx-portal/config.json)" = "640 root cpx-portal" ] || fail "/etc/cpx-portal/config.json: $(mode /etc/cpx-portal/config.json)"
	[ "$(mode /var/lib/cpx-portal/portal.db | cut -d' ' -f2)" = cpx-portal ] || fail "portal.db: $(mode /var/lib/cpx-portal/portal.db)"
	[ -L "$root/etc/systemd/system/multi-user.target.wants/cpx-portal.service" ] || fail "cpx-portal.service is not enabled"
}

step "cpx-agent $v1 with a drop-in; the portal's package"
[ ! -e "$root/etc/cpx-agent/config.json" ] || fail "the package ships /etc/cpx-agent/config.json"
[ -f "$root/etc/xdg/autostart/cpx-agent.desktop" ] || fail "no XDG autostart entry"
printf '{"portal_url": "https://portail.si-samu.test", "removal_policy": "signout"}\n' >"$root/etc/cpx-agent/config.d/10-site.json"
check_agent "$v1" https://portail.si-samu.test
check_portal

step "cpx-portal migrate and serve as cpx-portal on a test configuration"
port=$((20000 + RANDOM % 20000))
printf '{"listen": "127.0.0.1:%d", "data_dir": "/var/lib/cpx-portal/test", "log_format": "text"}\n' "$port" >"$root/etc/cpx-portal/test.json"
as_portal mkdir -p /var/lib/cpx-portal/test
as_portal cpx-portal migrate --config /etc/cpx-portal/test.json >/dev/null || fail "cpx-portal migrate as cpx-portal"
chroot "$root" setpriv --reuid=cpx-portal --regid=cpx-portal --clear-groups \
	cpx-portal serve --dev --config /etc/cpx-portal/test.json >"$root/tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "cpx-portal listening" "$root/tmp/serve.log" && break; sleep 0.3; done
grep -q "cpx-portal listening" "$root/tmp/serve.log" || fail "cpx-portal serve did not start: $(cat "$root/tmp/serve.log")"
(exec 3<>"/dev/tcp/127.0.0.1/$port") || fail "cpx-portal serve: nothing on 127.0.0.1:$port"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=

step "systemd-analyze security --offline=true cpx-portal.service"
unit=$root/lib/systemd/system/cpx-portal.service
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze security --offline=true "$unit" 2>&1)
else
	inroot apt-get install -y -qq systemd </dev/null >/dev/null
	out=$(inroot systemd-analyze security --offline=true /lib/systemd/system/cpx-portal.service 2>&1)
fi
score=$(echo "$out" | sed -n 's/.*Overall exposure level for cpx-portal.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || fail "exposure ${score:-?} > 3.0:
$out"
echo "systemd-analyze security: cpx-portal.service exposure $score (≤ 3.0)"

step "IT changes a drop-in and the portal's configuration, then upgrades to $v2 (stdin closed: no prompt)"
printf '{"portal_url": "https://portail2.si-samu.test"}\n' >"$root/etc/cpx-agent/config.d/10-site.json"
printf '{"reader": "Lecteur ARM 1"}\n' >"$root/etc/cpx-agent/config.d/20-reader.json"
sed -i 's/"log_format": "json"/"log_format": "text"/' "$root/etc/cpx-portal/config.json"
inroot apt-get install -y -qq "/tmp/v2/cpx-agent_${v2}_amd64.deb" "/tmp/v2/cpx-portal_${v2}_amd64.deb" </dev/null >"$root/tmp/upgrade.log" 2>&1 ||
	fail "upgrade: $(cat "$root/tmp/upgrade.log")"
! grep -qi "conffile\|configuration file" "$root/tmp/upgrade.log" || fail "the upgrade asked about a configuration file: $(cat "$root/tmp/upgrade.log")"
check_agent "$v2" https://portail2.si-samu.test
check_portal
grep -q '"log_format": "text"' "$root/etc/cpx-portal/config.json" || fail "the upgrade lost IT's change to /etc/cpx-portal/config.json"
cmp -s "$root/usr/share/cpx-agent/config.example.json" packaging/linux/config.example.json &&
	fail "the later build's example did not replace the first one"
inroot cpx-agent help >/dev/null || fail "cpx-agent does not run after the upgrade"

step "apt-get purge"
inroot apt-get purge -y -qq cpx-agent cpx-portal </dev/null >"$root/tmp/purge.log" 2>&1 || fail "purge: $(cat "$root/tmp/purge.log")"
[ ! -e "$root/usr/bin/cpx-agent" ] && [ ! -e "$root/etc/cpx-portal/config.json" ] || fail "purge left the binary or the portal's configuration"
! inroot dpkg-statoverride --list | grep -q cpx-portal || fail "purge left the statoverride"
[ -f "$root/etc/cpx-agent/config.d/10-site.json" ] || fail "purge removed IT's own drop-in"
echo "test-install: install $v1, doctor, portal as its user, exposure $score, upgrade to $v2 without a prompt, purge: ok"
