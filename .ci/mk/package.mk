# Installer packages for IT staff.
#   make package          deb + rpm of cpx-agent and cpx-portal in dist/, checked with lintian
#   make package-windows  cpx-agent.exe (mingw, -H windowsgui) and its MSI (wixl) in dist/
# nfpm runs from the Go module proxy at a pinned version (later ones need a host the proxy refuses).
NFPM      := $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
PKG_VER   := $(shell echo $(VERSION) | sed -e 's/^v//' -e 's/-dirty//' | grep -E '^[0-9]' || echo 0.1.0)
PKG_TOOLS := lintian rpm
WIN_TOOLS := wixl msitools mingw-w64
TEST_SERIAL += test-package

.PHONY: package package-tools package-windows test-package
package-tools:
	@for p in $(PKG_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get install -y -qq $$missing >/dev/null || apt-get install -y -qq $$missing >/dev/null; fi

package: package-tools
	@mkdir -p bin/pkg dist
	CGO_ENABLED=1 $(GO) build -buildmode=pie -trimpath -ldflags "$(LDFLAGS) -s -w" -o bin/pkg/ ./cmd/cpx-agent ./cmd/cpx-portal
	gzip -9n < packaging/linux/changelog > bin/pkg/changelog.gz
	@for p in agent portal; do for f in deb rpm; do \
	  ARCH=amd64 VERSION=$(PKG_VER) $(NFPM) pkg -f packaging/nfpm-$$p.yaml -p $$f -t dist/ || exit 1; done; done
	lintian --fail-on error,warning --suppress-tags no-manual-page,binary-without-manpage,statically-linked-binary,hardening-no-fortify-functions,unknown-section,extended-description-line-too-long,systemd-service-file-missing-documentation-key,maintainer-script-calls-systemctl dist/*.deb
	@ls -l dist/

test-package: package
	@set -e; for p in cpx-agent cpx-portal; do \
	  d=$$(ls dist/$${p}_*.deb); dpkg-deb -c $$d | grep "/usr/bin/$$p" >/dev/null || { echo "$$d lacks /usr/bin/$$p"; exit 1; }; \
	  r=$$(ls dist/$$p-*.rpm); rpm -qlp $$r 2>/dev/null | grep -qx "/usr/bin/$$p" || { echo "$$r lacks /usr/bin/$$p"; exit 1; }; \
	done; dpkg-deb -I dist/cpx-agent_*.deb | grep >/dev/null 'Depends:.*pcscd' || { echo "cpx-agent.deb must depend on pcscd"; exit 1; }; \
	echo "packages: deb and rpm of cpx-agent and cpx-portal built and checked (lintian clean)"

package-windows:
	@$(MAKE) --no-print-directory package-tools PKG_TOOLS="$(WIN_TOOLS)"
	@mkdir -p bin/win dist
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -trimpath -ldflags "$(LDFLAGS) -s -w -H windowsgui" -o bin/win/ ./cmd/cpx-agent
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 bin/win/cpx-agent.ico
	wixl -a x64 -D Version=$(PKG_VER) -D BinDir=bin/win -o dist/cpx-agent-$(PKG_VER)-x64.msi packaging/windows/cpx-agent.wxs
	msiinfo suminfo dist/cpx-agent-$(PKG_VER)-x64.msi
	msiextract -l dist/cpx-agent-$(PKG_VER)-x64.msi
