#!/bin/sh
# test-msi.sh MSI VERSION BINDIR POLICYDIR — the workstation MSI as IT staff rely on it (issue 13):
# per-machine, a valid major.minor.build version, MajorUpgrade, the public properties, the Run
# entry switchable by AUTOSTART, the explicit ACL on the configuration folder, both executables
# (console for the CLI, GUI for the desktop), and a well-formed group-policy template.
set -eu
msi=$1 version=$2 bin=$3 policy=$4
fail() { echo "test-msi: $*" >&2; exit 1; }
table() { msiinfo export "$msi" "$1" | tr -d '\r' | tail -n +4; }
prop() { table Property | awk -F'\t' -v k="$1" '$1 == k { print $2 }'; }

echo "$version" | grep -Eq '^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}$' || fail "version $version is not major.minor.build"
IFS=. read -r ma mi bu <<VER
$version
VER
[ "$ma" -le 255 ] && [ "$mi" -le 255 ] && [ "$bu" -le 65535 ] || fail "version $version out of MSI bounds (255.255.65535)"
[ "$(prop ProductVersion)" = "$version" ] || fail "ProductVersion $(prop ProductVersion), want $version"
[ "$(prop ALLUSERS)" = 1 ] || fail "not a per-machine package (ALLUSERS=$(prop ALLUSERS))"
[ "$(prop AUTOSTART)" = 1 ] || fail "AUTOSTART must default to 1"
for p in PORTAL_URL PORTAL_CA PKCS11_MODULE REMOVAL_POLICY LANGUAGE OTP_CHANNELS READER WORKSTATION AUTOSTART; do
	prop SecureCustomProperties | tr ';' '\n' | grep -qx "$p" || fail "property $p not in SecureCustomProperties"
	[ "$p" = AUTOSTART ] && continue
	table Component | awk -F'\t' -v c="Set_$p" -v p="$p" '$1 == c && $4 == 276 && $5 == p { ok = 1 } END { exit !ok }' ||
		fail "property $p: no permanent component conditional on it"
	table Registry | grep -q "Software\\\\cpx-agent\\\\Config	$(echo "$p" | tr A-Z a-z)	\[$p\]" || fail "property $p is not written to HKLM\\Software\\cpx-agent\\Config"
done
table Registry | grep -q 'CurrentVersion\\Run	CPx Agent	"\[INSTALLDIR\]cpx-agentw.exe" gui --autostart' || fail "no Run entry starting cpx-agentw.exe gui --autostart"
table Component | awk -F'\t' '$1 == "Autostart" && $5 == "AUTOSTART <> \"0\"" { ok = 1 } END { exit !ok }' || fail "the Run entry is not conditional on AUTOSTART"
table Upgrade | grep -q 'WIX_UPGRADE_DETECTED' || fail "no MajorUpgrade (Upgrade table)"
table Upgrade | grep -q 'WIX_DOWNGRADE_DETECTED' || fail "no downgrade refusal"
table InstallExecuteSequence | grep -q '^RemoveExistingProducts' || fail "no RemoveExistingProducts"
sddl=$(table MsiLockPermissionsEx | awk -F'\t' '$2 == "ConfigDir" { print $4 }')
case $sddl in
D:P*'(A;OICI;FA;;;BA)'*'(A;OICI;FA;;;SY)'*'(A;OICI;0x1200a9;;;BU)'*) ;;
*) fail "configuration folder ACL: '$sddl'" ;;
esac
echo "$sddl" | grep -q ';;;BU)' && ! echo "$sddl" | grep -Eq '\(A;[^;]*;(FA|FW|GA|GW|0x1301bf)[^;]*;;;(BU|WD|AU)\)' || fail "users may write the configuration folder: $sddl"
files=$(msiextract -l "$msi")
for f in cpx-agent.exe cpx-agentw.exe config.example.json; do echo "$files" | grep -q "$f" || fail "$f not in the MSI"; done
sub() { x86_64-w64-mingw32-objdump -p "$1" | awk '$1 == "Subsystem" { print $2 }'; }
[ "$(sub "$bin/cpx-agent.exe")" = 00000003 ] || fail "cpx-agent.exe is not a console program (subsystem $(sub "$bin/cpx-agent.exe")): doctor would print nothing in cmd.exe"
[ "$(sub "$bin/cpx-agentw.exe")" = 00000002 ] || fail "cpx-agentw.exe is not a GUI-subsystem program"
xmllint --noout "$policy/cpx-agent.admx" "$policy"/*/cpx-agent.adml
for lang in fr-FR en-US; do
	for id in $(grep -o 'string\.[A-Za-z0-9_]*' "$policy/cpx-agent.admx" | cut -d. -f2 | sort -u); do
		grep -q "<string id=\"$id\">" "$policy/$lang/cpx-agent.adml" || fail "$lang/cpx-agent.adml lacks string $id"
	done
done
echo "test-msi: $msi $version: per-machine, MajorUpgrade, properties, Run entry (AUTOSTART), config-folder ACL, console + GUI executables, ADMX/ADML fr-FR en-US: ok"
