//go:build !unix

package testrig

import "testing"

// LockPort is a no-op where flock(2) does not exist: run one test package per port.
func LockPort(testing.TB, int) {}
