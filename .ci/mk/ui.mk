# internal/ui — the desktop app.
#   bench-ui        cpx-agent gui --demo beside a bare Fyne window of the same size
#                   (internal/ui/internal/fyneref), both under Xvfb: cold start to the first
#                   mapped window (N=5), memory 4 s after exec (VmRSS, RssAnon, RssFile, PSS, and RSS
#                   split into GL driver, executable, Go heap, C heap, other), idle CPU and
#                   wake-ups (BENCH_IDLE_SECONDS=20 shortens the 60 s idle measure); then the
#                   agent's VmRSS back on home after 3 sign-in round trips driven by xdotool
#   ui-screenshots  re-renders docs/screenshots/*.png (French) with Fyne's software renderer
BENCH_TARGETS += bench-ui

.PHONY: bench-ui ui-screenshots
bench-ui:
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/cpx-agent ./cmd/cpx-agent
	CGO_ENABLED=1 $(GO) build -o $(BIN)/fyneref ./internal/ui/internal/fyneref
	LANG=fr_FR.UTF-8 $(GO) run ./internal/ui/internal/uibench -bin $(BIN)/cpx-agent -ref $(BIN)/fyneref -n 5

ui-screenshots:
	mkdir -p docs/screenshots
	CPX_UI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'TestScreenshots$$' ./internal/ui/
