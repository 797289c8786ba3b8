// Package e2e holds cpx-portal's end-to-end tests through the real stack: virtual CPx cards
// (cpx-vcard on vpcd ports 35967 and 35968) → pcscd → opensc-pkcs11 → the cpx-agent binary
// (`login card`) → cpx-portal over TLS on loopback; and the crash test of the cpx-portal
// binary (kill -9 during a burst of sign-ins). The tests build the binaries themselves.
package e2e
