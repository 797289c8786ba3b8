//go:build !linux

package vcard

import "net"

// quickAck is Linux-only (TCP_QUICKACK); elsewhere APDUs are just slower.
func quickAck(net.Conn) {}
