//go:build !unix

package main

// checkDataDirOwner: file ownership is a Unix matter (see owner_unix.go).
func checkDataDirOwner(command, dataDir, dsn string) error { return nil }
