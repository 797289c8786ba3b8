# internal/pscsim, cmd/cpx-pscsim: the Pro Santé Connect simulator (go-oidc provider on loopback).
#   bench-pscsim  whole CIBA sign-ins through the simulator alone (push, approval on the
#                 simulated phone, token poll with RS256 ID token), sequential on one client.
#   Reference: the portal's card goal, 300 sign-ins/s on 2 cores: the simulator must sustain
#   more than the PSC sign-ins a portal benchmark asks of it, so it is never the bottleneck.
BENCH_TARGETS += bench-pscsim

.PHONY: bench-pscsim
bench-pscsim:
	@out=$$($(GO) test -count=1 -run '^$$' -bench 'BenchmarkCIBASignIn' -benchtime 3s ./internal/pscsim/) || { echo "$$out"; exit 1; }; \
	echo "$$out" | LC_ALL=C awk 'BEGIN { printf "%-32s %14s %12s %8s\n", "measure", "result", "reference", "ratio" } \
	/^BenchmarkCIBASignIn/ { for (i = 2; i < NF; i++) { if ($$(i+1) == "signins/s") r=$$i; if ($$(i+1) == "ms-approval-to-tokens") m=$$i } \
		printf "%-32s %12.0f/s %10d/s %8.2f\n", "pscsim CIBA sign-ins", r, 300, r/300; \
		printf "%-32s %11.3f ms %12s %8s\n", "pscsim approval to tokens", m, "-", "-"; n++ } \
	END { if (n != 1) { print "bench-pscsim: no BenchmarkCIBASignIn result"; exit 1 } }'
