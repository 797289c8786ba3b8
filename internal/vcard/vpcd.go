package vcard

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// vpcd control bytes (a one-byte frame from the reader).
const (
	ctlPowerOff = 0x00
	ctlPowerOn  = 0x01
	ctlReset    = 0x02
	ctlATR      = 0x04
)

// maxFrame bounds a frame from vpcd: an extended APDU with 64 KiB of data and Le.
const maxFrame = 4 + 3 + 65536 + 2

// serve answers vpcd frames on conn until the connection fails or is closed.
func (c *Card) serve(conn net.Conn) error {
	var hdr [2]byte
	buf := make([]byte, maxFrame)
	c.stall.reset()
	for {
		c.ack(conn)
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return fmt.Errorf("vpcd read: %w", err)
		}
		n := int(binary.BigEndian.Uint16(hdr[:]))
		if n == 0 {
			continue
		}
		c.ack(conn)
		frame := buf[:n]
		if _, err := io.ReadFull(conn, frame); err != nil {
			return fmt.Errorf("vpcd read: %w", err)
		}
		if c.stall.stalled(frame) {
			continue // a hung card: read on, never answer
		}
		reply := c.handleFrame(frame)
		if reply == nil {
			continue
		}
		if err := writeFrame(conn, reply); err != nil {
			return err
		}
	}
}

// handleFrame answers one frame; nil means no reply (power control).
func (c *Card) handleFrame(frame []byte) []byte {
	if len(frame) > 1 {
		return c.applet.transmit(frame)
	}
	switch frame[0] {
	case ctlPowerOff:
		c.applet.reset()
		c.emit(EventPowerOff)
	case ctlPowerOn:
		c.applet.reset()
		c.emit(EventPowerOn)
	case ctlReset:
		c.applet.reset()
		c.emit(EventReset)
	case ctlATR:
		return c.atr
	default:
		c.log.Debug("vcard: unknown vpcd control byte", "byte", frame[0])
	}
	return nil
}

// writeFrame sends length and payload in one write.
func writeFrame(conn net.Conn, payload []byte) error {
	out := make([]byte, 2+len(payload))
	binary.BigEndian.PutUint16(out, uint16(len(payload)))
	copy(out[2:], payload)
	if _, err := conn.Write(out); err != nil {
		return fmt.Errorf("vpcd write: %w", err)
	}
	return nil
}
