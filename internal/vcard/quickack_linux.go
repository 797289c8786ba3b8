//go:build linux

package vcard

import (
	"net"
	"syscall"
)

// quickAck asks Linux to acknowledge the next segment at once. vpcd writes a frame's length
// and body in two writes; with delayed ACKs the second waits for our ACK of the first (Nagle
// on vpcd's side), which costs ~40 ms per APDU instead of ~0.5 ms. The kernel clears the flag
// after use, so it is set again before every read.
func quickAck(c net.Conn) {
	tc, isTCP := c.(*net.TCPConn)
	if !isTCP {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
