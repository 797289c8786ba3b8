# The Windows MSI (docs/deploy.md, "Windows workstations").
#   make package-windows  release build: cpx-agent.exe (console subsystem: the CLI prints in the
#                         console it was started from) and cpx-agentw.exe (GUI subsystem: Start
#                         menu, Run entry), their MSI (wixl + msi-finish.sh) and the ADMX/ADML
#                         group-policy template in dist/policy/
#   test-msi              (make test) the same MSI from a cross-build cached in $(WIN_CACHE), keyed
#                         on the sources' hash, then inspected with msiinfo (.ci/test-msi.sh)
WIN_TOOLS    := wixl msitools mingw-w64 libxml2-utils imagemagick
WIN_CACHE    ?= /var/cache/cpx-ci/win
WIN_GO       := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -trimpath
MSI          := dist/cpx-agent-$(VERSION)-x64.msi
# The ProductCode follows the version: the same version is the same product (never installed twice).
PRODUCT_CODE  = $(shell printf 'cpx-agent-msi-%s' '$(VERSION)' | sha1sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/' | tr a-f A-F)
# The cache key: the sources the Windows binaries are built from (tests excluded), go.mod/go.sum
# and the VERSION file — not the build number, so that a commit that leaves the Go code alone
# (docs, packaging) reuses the binaries. A cached binary may then report an earlier build number
# than the test MSI: these are CI artefacts; a release is `make package-windows`, always fresh.
WIN_KEY       = $(shell { find cmd internal drivers -type f ! -name '*_test.go' | LC_ALL=C sort | xargs sha256sum; \
                  sha256sum go.mod go.sum VERSION; } | sha256sum | cut -c1-16)
TEST_SERIAL  += test-msi

.PHONY: package-windows test-msi win-tools msi
win-tools:
	@$(MAKE) --no-print-directory package-tools PKG_TOOLS="$(WIN_TOOLS)"

package-windows: win-tools
	@mkdir -p bin/win dist
	$(WIN_GO) -ldflags "$(LDFLAGS) -s -w" -o bin/win/cpx-agent.exe ./cmd/cpx-agent
	$(WIN_GO) -ldflags "$(LDFLAGS) -s -w -H windowsgui" -o bin/win/cpx-agentw.exe ./cmd/cpx-agent
	@$(MAKE) --no-print-directory msi

# msi: the MSI from bin/win/*.exe, finished by msi-finish.sh, with the policy template beside it.
msi:
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 bin/win/cpx-agent.ico
	wixl -a x64 -D Version=$(VERSION) -D ProductCode=$(PRODUCT_CODE) -D BinDir=bin/win -o $(MSI) packaging/windows/cpx-agent.wxs
	packaging/windows/msi-finish.sh $(MSI)
	rm -rf dist/policy && cp -r packaging/windows/policy dist/policy
	@ls -l $(MSI)

test-msi: win-tools
	@set -e; key=$(WIN_KEY); c=$(WIN_CACHE)/$$key; t0=$$(date +%s); \
	if [ ! -f $$c/cpx-agentw.exe ]; then \
	  echo "cross-building the Windows agent (cache miss: $$c)"; mkdir -p $$c.tmp; \
	  $(WIN_GO) -ldflags "$(LDFLAGS) -s -w" -o $$c.tmp/cpx-agent.exe ./cmd/cpx-agent; \
	  $(WIN_GO) -ldflags "$(LDFLAGS) -s -w -H windowsgui" -o $$c.tmp/cpx-agentw.exe ./cmd/cpx-agent; \
	  rm -rf $$c; mv $$c.tmp $$c; \
	  ls -1dt $(WIN_CACHE)/*/ | tail -n +4 | xargs -r rm -rf; \
	fi; echo "Windows agent ready in $$(( $$(date +%s) - t0 )) s ($$c)"; \
	mkdir -p bin/win dist; cp $$c/cpx-agent.exe $$c/cpx-agentw.exe bin/win/
	@$(MAKE) --no-print-directory msi >/dev/null 2>&1 || $(MAKE) --no-print-directory msi
	.ci/test-msi.sh $(MSI) $(VERSION) bin/win packaging/windows/policy
