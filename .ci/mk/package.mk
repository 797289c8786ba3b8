# Installer packages for IT staff (docs/deploy.md).
#   make package          deb + rpm of cpx-agent and cpx-portal in dist/, checked with lintian
#   make package-windows  cpx-agent.exe + cpx-agentw.exe (mingw) and their MSI (wixl) in dist/,
#                         with the ADMX/ADML group-policy template beside it (package-win.mk)
# nfpm runs from the Go module proxy at a pinned version (later ones need a host the proxy refuses).
# The package version is the binaries' (VERSION file + build number, see the Makefile): a later
# build is an upgrade for apt, dnf and msiexec alike.
NFPM      := GOFLAGS= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
PKG_VER   := $(VERSION)
PKG_TOOLS := lintian rpm dpkg-dev
TEST_SERIAL += test-package
PKG_DATE  := $(shell git log -1 --format=%aD 2>/dev/null || date -R)
DIST      ?= dist
EXAMPLE   ?= packaging/linux/config.example.json
LINT      ?= yes
LINTIAN_FAIL := error,warning
# Lintian runs with no tag suppressed and no override shipped: the packages are clean as they are
# (PIE binaries, man pages, versioned libc6, copyright, changelog, documented unit, no 0640 file
# shipped — the portal's configuration gets its mode from dpkg-statoverride).

.PHONY: package package-tools package-bin test-package test-package-install
package-tools:
	@for p in $(PKG_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get install -y -qq $$missing >/dev/null || apt-get install -y -qq $$missing >/dev/null; fi

# package-bin: the binaries (PIE, as lintian wants), their man pages (from their own help) and
# the Debian changelogs carrying this version.
package-bin:
	@mkdir -p bin/pkg dist
	CGO_ENABLED=1 $(GO) build -buildmode=pie -trimpath -ldflags "$(LDFLAGS) -s -w" -o bin/pkg/ ./cmd/cpx-agent ./cmd/cpx-portal
	$(GO) run ./packaging/genman -bin bin/pkg/cpx-agent -summary "sign-in for health staff on shared SAMU workstations" \
	  -description "Without a command, cpx-agent opens the desktop app (French first): CPx card, Pro Santé Connect, or identifiant + password + one-time code. The commands below give IT staff and support a headless path." \
	  -files "/etc/cpx-agent/config.d/*.json=IT staff's settings, read in name order (see /usr/share/cpx-agent/config.example.json);/etc/cpx-agent/config.json=older single system file, read first;~/.config/cpx-agent/config.json=per-user settings (locked keys excepted);~/.local/state/cpx-agent/cpx-agent.log=the rotated log file" \
	  -see-also "cpx-portal(1), /usr/share/doc/cpx-agent/deploy.md" | gzip -9n > bin/pkg/cpx-agent.1.gz
	$(GO) run ./packaging/genman -bin bin/pkg/cpx-portal -summary "sign-in service for the cpx-agent workstations" \
	  -description "cpx-portal serves the HTTPS API the agents sign in to; the cpx-portal service (systemd) runs it as the cpx-portal user." \
	  -files "/etc/cpx-portal/config.json=configuration (0640 root:cpx-portal);/var/lib/cpx-portal=data directory (0700): SQLite database, dev PKI" \
	  -see-also "cpx-agent(1), systemd-analyze(1)" | gzip -9n > bin/pkg/cpx-portal.1.gz
	@for p in cpx-agent cpx-portal; do \
	  { printf '%s (%s) unstable; urgency=medium\n\n  * Build %s (commit %s).\n\n -- cpx-agent maintainers <maintainers@cpx-agent.invalid>  %s\n\n' \
	      $$p $(PKG_VER) $(PKG_VER) "$(COMMIT)" "$(PKG_DATE)"; sed "s/@PACKAGE@/$$p/" packaging/linux/changelog; } | gzip -9n > bin/pkg/changelog-$$p.gz; done

# shlibs: the deb's library dependencies, versioned from what the binary really needs.
shlibs = $$(d=$$(mktemp -d) && mkdir $$d/debian && echo "Source: x" > $$d/debian/control && \
	cd $$d && dpkg-shlibdeps -O $(CURDIR)/bin/pkg/$(1) 2>/dev/null | sed 's/^shlibs:Depends=//'; rm -rf $$d)

package: package-tools package-bin
	@mkdir -p $(DIST); rm -f $(DIST)/cpx-agent_* $(DIST)/cpx-portal_* $(DIST)/cpx-agent-*.rpm $(DIST)/cpx-portal-*.rpm
	@a=$(call shlibs,cpx-agent); p=$(call shlibs,cpx-portal); echo "deb depends: cpx-agent: $$a; cpx-portal: $$p"; \
	for pk in agent portal; do for f in deb rpm; do \
	  ARCH=amd64 VERSION=$(PKG_VER) EXAMPLE=$(EXAMPLE) AGENT_SHLIBS="$$a" PORTAL_SHLIBS="$$p" $(NFPM) pkg -f packaging/nfpm-$$pk.yaml -p $$f -t $(DIST)/ || exit 1; done; done
	$(if $(filter yes,$(LINT)),lintian --fail-on $(LINTIAN_FAIL) $(DIST)/cpx-agent_$(PKG_VER)_amd64.deb $(DIST)/cpx-portal_$(PKG_VER)_amd64.deb)
	@ls -l $(DIST)/

test-package: package
	@set -e; for p in cpx-agent cpx-portal; do \
	  d=dist/$${p}_$(PKG_VER)_amd64.deb; dpkg-deb -c $$d | grep "/usr/bin/$$p" >/dev/null || { echo "$$d lacks /usr/bin/$$p"; exit 1; }; \
	  r=$$(ls dist/$$p-$(PKG_VER)*.rpm); rpm -qlp $$r 2>/dev/null | grep -qx "/usr/bin/$$p" || { echo "$$r lacks /usr/bin/$$p"; exit 1; }; \
	  deps=$$(rpm -qpR $$r 2>/dev/null); for bad in libc6 adduser libpcsclite1 libgl1 libx11-6 pcscd dpkg; do \
	    echo "$$deps" | grep -qx "$$bad" && { echo "$$r requires the Debian-only name $$bad:"; echo "$$deps"; exit 1; }; done; \
	  dpkg-deb -f $$d Depends | grep -q 'libc6 (>= 2\.[0-9]*)' || { echo "$$d: libc6 not versioned: $$(dpkg-deb -f $$d Depends)"; exit 1; }; \
	done; dpkg-deb -f dist/cpx-agent_$(PKG_VER)_amd64.deb Depends | grep -q pcscd || { echo "cpx-agent.deb must depend on pcscd"; exit 1; }; \
	dpkg-deb -c dist/cpx-agent_$(PKG_VER)_amd64.deb | grep ' ./etc/xdg/autostart/cpx-agent.desktop$$' >/dev/null || { echo "cpx-agent.deb: no XDG autostart entry"; exit 1; }; \
	if dpkg-deb -c dist/cpx-agent_$(PKG_VER)_amd64.deb | grep ' ./etc/cpx-agent/config.json$$' >/dev/null; then echo "cpx-agent.deb must not ship /etc/cpx-agent/config.json"; exit 1; fi; \
	echo "packages $(PKG_VER): deb and rpm of cpx-agent and cpx-portal built and checked (lintian clean, rpm requires no Debian-only name, libc6 versioned)"
	@$(MAKE) --no-print-directory test-package-install

# test-package-install: the clean-install test (.ci/test-install.sh) from dist/ to a later build
# (build number + 1, the example changed) made in dist/next.
NEXT_BUILD = $(shell echo $$(( $(BUILD) + 1 )))
test-package-install:
	@t0=$$(date +%s); $(MAKE) --no-print-directory package-tools PKG_TOOLS=debootstrap; \
	sed 's/"otp_channels": "skippable"/"otp_channels": "required"/' packaging/linux/config.example.json > bin/pkg/config.example.next.json; \
	$(MAKE) --no-print-directory package BUILD=$(NEXT_BUILD) DIST=dist/next EXAMPLE=bin/pkg/config.example.next.json LINT=no >/dev/null && \
	t1=$$(date +%s) && .ci/test-install.sh dist dist/next $(VERSION) $(shell cat VERSION).$(NEXT_BUILD) && \
	echo "test-package-install: later build $$(( t1 - t0 )) s, chroot test $$(( $$(date +%s) - t1 )) s"
