# internal/vcard: the virtual card on the real PC/SC stack (pcscd + vpcd, port 35970).
#   bench-vcard   APDU round trip with and without TCP_QUICKACK, RSA-2048 sign (3 APDUs),
#                 right-PIN VERIFY (argon2id check on the card), insertion seen by pcscd.
#   References (shared/rig.md): 0.5 ms per APDU with TCP_QUICKACK, 44 ms without; pcscd sees
#   an insertion after 190-530 ms. Each line prints the figure, its reference and the ratio.
BENCH_TARGETS += bench-vcard

.PHONY: bench-vcard
bench-vcard:
	@out=$$($(GO) test -count=1 -run '^$$' -bench 'BenchmarkAPDU|BenchmarkSign|BenchmarkVerifyPIN' -benchtime 200x ./internal/vcard/ && \
		$(GO) test -count=1 -run '^$$' -bench 'BenchmarkInsertSeen' -benchtime 10x ./internal/vcard/) || { echo "$$out"; exit 1; }; \
	echo "$$out" | LC_ALL=C awk 'BEGIN { printf "%-28s %12s %12s %8s\n", "measure", "result", "reference", "ratio" } \
	/^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); \
		for (i = 2; i < NF; i++) { u=$$(i+1); if (u ~ /^ms\//) { r=$$i; unit=u } if (u ~ /^ref-/) f=$$i; if (u == "ratio") q=$$i } \
		printf "%-28s %9.3f ms %9.3f ms %8.2f   (%s)\n", name, r, f, q, unit; n++ } \
	END { if (n != 5) { print "bench-vcard: expected 5 benchmarks, got " n; exit 1 } }'
