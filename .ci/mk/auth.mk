# Identifiant + password + OTP sign-in building blocks (internal/portal/{ident,password,otp,notify}).
#   bench-password: argon2id cost at the OWASP parameters (m=19 MiB, t=2, p=1) and the password
#   sign-ins per second on this machine's cores. Goal: >= 60 sign-ins/s on 2 cores. Reference:
#   Keycloak's sizing guide, 15 password sign-ins/s per vCPU (30/s on 2 vCPU).
#   "implied" figures come from CPU time per sign-in (cores x 1000 / cpu-ms), which holds on a
#   shared machine; "measured" is wall-clock throughput, lower when other jobs use the cores.
#   The OTP step of a sign-in (one HMAC-SHA-256) costs microseconds and is left out.
BENCH_TARGETS += bench-password

.PHONY: bench-password
bench-password:
	@out=$$($(GO) test -count=1 -run '^$$' -bench 'Argon2id' -benchtime 100x ./internal/portal/password/) || { echo "$$out"; exit 1; }; \
	echo "$$out" | grep '^Benchmark'; \
	echo "$$out" | LC_ALL=C awk -v cores=$$(nproc) -v load="$$(cut -d' ' -f1 /proc/loadavg)" ' \
	  function metric(name,   i) { for (i = 2; i <= NF; i++) if ($$i == name) return $$(i-1); return "" } \
	  /^BenchmarkArgon2idHash/   { ms = metric("ms/hash"); cms = metric("cpu-ms/hash") } \
	  /^BenchmarkArgon2idSignIn/ { sps = metric("signins/s"); csi = metric("cpu-ms/signin") } \
	  END { \
	    if (ms == "" || sps == "" || cms == "" || csi == "") { print "bench-password: figures missing"; exit 1 } \
	    kc = 15 * cores; imp = cores * 1000 / csi; \
	    printf "%-52s %12s %18s %7s\n", "measure (load average " load ")", "result", "reference", "ratio"; \
	    printf "%-52s %9.1f ms %18s %7s\n", "argon2id m=19456 t=2 p=1: one hash, wall", ms, "-", "-"; \
	    printf "%-52s %9.1f ms %18s %7s\n", "argon2id m=19456 t=2 p=1: one hash, CPU", cms, "-", "-"; \
	    printf "%-52s %9.1f /s %10d /s goal %7.2f\n", "sign-ins/s on " cores " cores, implied by CPU time", imp, 60, imp / 60; \
	    printf "%-52s %9.1f /s %6d /s Keycloak %7.2f\n", "sign-ins/s on " cores " cores, implied by CPU time", imp, kc, imp / kc; \
	    printf "%-52s %9.1f /s %10d /s goal %7.2f\n", "sign-ins/s on " cores " cores, measured wall clock", sps, 60, sps / 60; \
	  }'
