//go:build !linux

package card

var establishContext = establishScard
