# internal/token (PKCS#11) and `cpx-agent card info`.
#   bench-token   PIN login + signature on the virtual card (vpcd port 35972) through OpenSC:
#                 internal/token in-process and `cpx-agent card info --pin-stdin` as a fresh
#                 process, beside `pkcs11-tool --login --sign -m SHA256-RSA-PKCS` (whole
#                 process). N=20 each (CPX_BENCH_N to change), median and p90, ratio goal <= 1.2.
BENCH_TARGETS += bench-token

.PHONY: bench-token
bench-token:
	@$(GO) build -o $(BIN)/cpx-agent ./cmd/cpx-agent
	@out=$$(CPX_AGENT_BIN=$(abspath $(BIN))/cpx-agent $(GO) test -tags tokenbench -count=1 -run '^TestBenchToken$$' -v ./internal/token/ 2>&1); rc=$$?; \
	echo "$$out" | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok '; exit $$rc
