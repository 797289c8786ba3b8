# Identifiant + password + OTP sign-in building blocks (internal/portal/{ident,password,otp,notify}).
#   bench-password: argon2id cost at the OWASP parameters (m=19 MiB, t=2, p=1), and the password
#   sign-ins per second the machine sustains on all its cores. Goal: >= 60 sign-ins/s on 2 cores;
#   reference: Keycloak's sizing guide, 15 password sign-ins/s per vCPU (30/s on 2 vCPU).
BENCH_TARGETS += bench-password

.PHONY: bench-password
bench-password:
	@out=$$($(GO) test -count=1 -run '^$$' -bench 'Argon2id' -benchtime 100x ./internal/portal/password/) || { echo "$$out"; exit 1; }; \
	echo "$$out" | grep '^Benchmark'; \
	cores=$$(nproc); \
	echo "$$out" | awk -v cores=$$cores ' \
	  /^BenchmarkArgon2idHash/   { for (i = 1; i <= NF; i++) if ($$i == "ms/hash") ms = $$(i-1) } \
	  /^BenchmarkArgon2idSignIn/ { for (i = 1; i <= NF; i++) if ($$i == "signins/s") sps = $$(i-1) } \
	  END { \
	    if (ms == "" || sps == "") { print "bench-password: no figures"; exit 1 } \
	    printf "%-44s %12s %22s %8s\n", "measure", "result", "reference", "ratio"; \
	    printf "%-44s %9.1f ms %22s %8s\n", "argon2id m=19456 t=2 p=1, one hash", ms, "-", "-"; \
	    printf "%-44s %8.1f /s %14.0f /s goal %8.2f\n", "password sign-ins/s, " cores " cores (measured)", sps, 60, sps / 60; \
	    printf "%-44s %8.1f /s %11.0f /s Keycloak %8.2f\n", "password sign-ins/s, " cores " cores (measured)", sps, 15 * cores, sps / (15 * cores); \
	    printf "%-44s %8.1f /s %14.0f /s goal %8.2f\n", "implied from one hash x " cores " cores", 1000 / ms * cores, 60, 1000 / ms * cores / 60; \
	  }'
