// Package e2e holds the full-product end-to-end tests: the real cpx-agent desktop app (its
// GLFW window on the X display, driven with xdotool and XTest), a real cpx-portal in dev mode on
// loopback, and a virtual CPx card on pcscd + vpcd (internal/testrig, port 35972). Run them
// inside .ci/rig.sh run (X display, pcscd); `make bench` → bench-e2e prints the timings.
//
// The tests are built only with -tags e2e: they need the X display and the readers to
// themselves, so `make test` runs them alone after `go test ./...` (TEST_SERIAL test-e2e,
// .ci/mk/e2e.mk). The package has no production code: besides the tests, only the X11
// helpers the tests use (xband.go: the window's title band read in-process with XGetImage;
// xwin.go: windows found and keys pressed through the test's own X connection), built with
// -tags e2e only and linked against libX11 and libXtst (xorg-dev in the rig).
package e2e
