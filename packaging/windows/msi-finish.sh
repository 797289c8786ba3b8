#!/bin/sh
# msi-finish.sh MSI — what wixl (0.101) cannot express, added to its MSI with msibuild (SQL):
#  - the property components: conditional on their property, permanent (msidbComponentAttributesPermanent
#    0x10) so that an upgrade without the property keeps the value an earlier install wrote;
#  - the Run entry: conditional on AUTOSTART <> "0";
#  - the public properties listed in SecureCustomProperties (passed to the elevated install);
#  - the configuration folder's ACL (MsiLockPermissionsEx, SDDL: protected, no inherited entry;
#    BUILTIN\Administrators and SYSTEM full control, BUILTIN\Users read and execute). SDDL uses
#    well-known SIDs, so it works on a French Windows ("Administrateurs") as on any other.
set -eu
msi=$1
props="PORTAL_URL PORTAL_CA PKCS11_MODULE REMOVAL_POLICY LANGUAGE OTP_CHANNELS READER WORKSTATION"
q() { msibuild "$msi" -q "$1"; }
secure="WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;AUTOSTART"
for p in $props; do
	q "UPDATE \`Component\` SET \`Attributes\` = 276, \`Condition\` = '$p' WHERE \`Component\` = 'Set_$p'"
	secure="$secure;$p"
done
q "UPDATE \`Component\` SET \`Condition\` = 'AUTOSTART <> \"0\"' WHERE \`Component\` = 'Autostart'"
q "UPDATE \`Property\` SET \`Value\` = '$secure' WHERE \`Property\` = 'SecureCustomProperties'"
q "CREATE TABLE \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\` CHAR(72) NOT NULL, \`LockObject\` CHAR(72) NOT NULL, \`Table\` CHAR(32) NOT NULL, \`SDDLText\` CHAR(0) NOT NULL LOCALIZABLE, \`Condition\` CHAR(255) PRIMARY KEY \`MsiLockPermissionsEx\`)"
for d in ConfigDir DropInDir; do
	q "INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`, \`LockObject\`, \`Table\`, \`SDDLText\`) VALUES ('Acl$d', '$d', 'CreateFolder', 'D:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;0x1200a9;;;BU)')"
done
