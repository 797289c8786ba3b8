# cpx-agent — build, run, test.
#   make run    portal (dev, SQLite) + virtual card + the agent, on this machine
#   make test   installs and starts the real parts (pcscd, vpcd, OpenSC, SoftHSM2, PostgreSQL,
#               Xvfb, keyring), runs go vet and every test, stops what it started
#   make bench  benchmarks, each printed beside its reference
GO       ?= go
PREFIX   ?= /usr/local
DESTDIR  ?=
# One version for the binaries, the deb/rpm and the MSI: major.minor from the VERSION file, the
# build number from the commit count (monotonic on main, and ≤ 65535 as MSI wants). A clone
# without history or a release build may pass BUILD=N. See docs/deploy.md, "Versions".
BUILD    ?= $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
VERSION  := $(shell cat VERSION).$(BUILD)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null)
BI       := github.com/cpx-agent/cpx-agent/internal/buildinfo
LDFLAGS  := -X $(BI).version=$(VERSION) -X $(BI).commit=$(COMMIT)
# Build tags of every build make starts (build, packages, bench, and the `go build` inside the
# GUI and e2e tests, which inherit GOFLAGS): no_emoji leaves Fyne's 4 MB colour-emoji font out,
# about 13 MB less resident memory for cpx-agent gui (bench-ui). `make GO_TAGS=` builds with it.
GO_TAGS  ?= no_emoji
export GOFLAGS := $(strip $(shell $(GO) env GOFLAGS) $(if $(GO_TAGS),-tags=$(GO_TAGS)))
BIN      := bin
RIG      := .ci/rig.sh

# Fragments in .ci/mk/ add to these.
TEST_SERIAL :=
BENCH_TARGETS :=

.PHONY: all build run test test-go lint bench install clean
all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

lint:
	@out=$$(gofmt -l cmd internal drivers); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

include $(wildcard .ci/mk/*.mk)

run:
	@.ci/demo.sh

test:
	@$(RIG) up
	@rc=0; $(RIG) run $(MAKE) --no-print-directory test-go || rc=$$?; $(RIG) down; exit $$rc

# test-go runs inside the rig's environment (session bus, keyring, Xvfb, CPX_TEST_*).
test-go: lint
	$(GO) test -count=1 -p 2 ./...
	@for t in $(TEST_SERIAL); do echo "== serial: $$t"; $(MAKE) --no-print-directory $$t || exit 1; done

bench:
	@$(RIG) up
	@rc=0; for t in $(BENCH_TARGETS); do $(RIG) run $(MAKE) --no-print-directory $$t || rc=1; done; $(RIG) down; exit $$rc

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/cpx-agent $(BIN)/cpx-portal $(BIN)/cpx-vcard $(BIN)/cpx-pscsim $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(BIN) dist .run
