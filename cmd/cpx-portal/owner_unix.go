//go:build unix

package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// checkDataDirOwner refuses to run a command that writes the SQLite database as root when the
// data directory belongs to another user (the package's cpx-portal): a portal.db made by root
// would lock the service out. It says how to run it instead.
func checkDataDirOwner(command, dataDir, dsn string) error {
	if dsn != "" || dataDir == "" || os.Geteuid() != 0 {
		return nil
	}
	st, err := os.Stat(dataDir)
	if err != nil {
		return nil // made by the command itself, as the user running it
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || sys.Uid == 0 {
		return nil
	}
	owner := strconv.FormatUint(uint64(sys.Uid), 10)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	return fmt.Errorf("%s appartient à %s : lancez la commande en tant que cet utilisateur, "+
		"par exemple « sudo -u %s cpx-portal %s … », sinon le service ne pourra plus ouvrir la base", dataDir, owner, owner, command)
}
